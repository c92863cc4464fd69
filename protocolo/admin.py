"""
The supervisors' workplace. Protocols and their timelines are read-only here: every change goes
through admin actions that call the same services as the back-office (one history: the timeline),
and nothing is ever deleted. Built to stay instant at a million protocols: exact searches, indexed
filters, no full count, no date hierarchy, no dropdown of every row (STACK.md 20).
"""

import csv
import datetime
import json
import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation, IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode

from . import indicadores, lgpd, numeracao, relogio, selectors, services
from .exceptions import ErroProtocolo, NumeroInvalido
from .models import (
    EM_ABERTO,
    PENDENTES,
    AcessoDadoPessoal,
    Canal,
    Categoria,
    Consumidor,
    Feriado,
    Interacao,
    Mensagem,
    Protocolo,
    Situacao,
    nome_de,
)
from .validators import validar_linha, validar_texto

logger = logging.getLogger(__name__)

admin.site.site_header = "Protocolo · supervisão"
admin.site.site_title = "Protocolo"
admin.site.index_title = "Administração do atendimento"
# The protocol list needs the width: its columns, not a second menu, fill a 1280 px screen.
admin.site.enable_nav_sidebar = False

SUPERVISAO = "protocolo.exportar_protocolos"
LINHA_DO_TEMPO = 50
MAXIMO_POR_ACAO = 500
MAXIMO_TITULARES = 50
# The changelists count the filtered rows up to here and then say "mais de": never a COUNT(*) of a
# million rows on every page.
LIMITE_DA_CONTAGEM = 10_000
# A cell a spreadsheet would read as a formula (OWASP "CSV injection"), also after leading blanks
# (spreadsheets may trim them on import) and in the full-width forms some locales accept.
INICIO_DE_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CORES_DO_PRAZO = {
    "vencido": ("#ba2121", "vencido"),
    "vence_hoje": ("#c86400", "vence hoje"),
    "vence_em_breve": ("#2f6fb0", "em até 2 dias"),
    "no_prazo": ("#2e7d32", "no prazo"),
}


def pode_supervisionar(usuario):
    return usuario.is_active and usuario.is_staff and usuario.has_perm(SUPERVISAO)


def _nome(usuario):
    return nome_de(usuario) or "—"


class EscolhaDeAcao:
    """The actions' menu starts with a Portuguese prompt (Django 6.1's is not translated yet)."""

    def get_action_choices(self, request, default_choices=None, action_location=ActionLocation.CHANGE_LIST):
        if default_choices is None:
            default_choices = [("", "— escolha uma ação —")]
        return super().get_action_choices(request, default_choices, action_location)


class ContagemLimitada(Paginator):
    """Counts at most LIMITE_DA_CONTAGEM + 1 rows (a LIMIT inside the COUNT), so neither the whole
    table nor a broad filter is ever counted in full; the pagination then says "mais de 10.000"."""

    @cached_property
    def count(self):
        # Without the list's ORDER BY: the count of the first rows found in any order is the same,
        # and a sort (over a join, for some columns) of every matching row is not paid for it.
        return self.object_list.order_by()[: LIMITE_DA_CONTAGEM + 1].count()

    @property
    def contagem_limitada(self):
        return self.count > LIMITE_DA_CONTAGEM


class ListaOrdenavelSoPeloIndice(ChangeList):
    """Sorts only by the columns in sortable_by, even when ?o= names another one: the header hides
    the link, and this refuses the hand-typed URL."""

    def get_ordering_field(self, field_name):
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


class ListaSegura:
    """A changelist that counts with ContagemLimitada and answers odd input (a NUL byte, which
    PostgreSQL refuses in any text; a forged selection) with the admin's error page or a message,
    never a 500."""

    paginator = ContagemLimitada
    show_full_result_count = False

    def response_action(self, request, queryset, **kwargs):
        # Django filters the queryset by the posted ids without checking them: a forged one would
        # be a ValueError (a 500) when the action reads the rows.
        selecionados = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(pk.isascii() and pk.isdigit() for pk in selecionados):
            self.message_user(request, "Seleção inválida: escolha os itens na lista.", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, **kwargs)

    def get_changelist_instance(self, request):
        if any("\x00" in chave or any("\x00" in v for v in valores) for chave, valores in request.GET.lists()):
            raise IncorrectLookupParameters("Parâmetro com caractere inválido.")
        return super().get_changelist_instance(request)


class SomenteLeitura:
    """Nobody adds, edits or deletes here, not even a superuser."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TextoDeUmaLinha:
    """Names and descriptions typed here are shown on every screen and in e-mails: the same rule as
    the portal's and the back-office's fields (no control characters, no line breaks)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        campo = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(campo, forms.CharField) and not isinstance(campo.widget, forms.Textarea):
            campo.validators.append(validar_linha)
        return campo


# Protocolo: filters -------------------------------------------------------------------------------


class PrazoFilter(admin.SimpleListFilter):
    """The deadline's state of protocols still waiting for an answer (DESIGN §4)."""

    title = "prazo"
    parameter_name = "prazo"

    def lookups(self, request, model_admin):
        return [
            ("vencido", "vencido"),
            ("hoje", "vence hoje"),
            ("2dias", "em até 2 dias"),
            ("no_prazo", "no prazo"),
        ]

    def queryset(self, request, queryset):
        estado = {"vencido": "vencido", "hoje": "vence_hoje", "2dias": "vence_em_breve", "no_prazo": "no_prazo"}.get(
            self.value()
        )
        if estado is None:
            return queryset
        # As the column says it: the choices do not overlap.
        return queryset.pendentes_com_prazo(estado, relogio.hoje())


class PeriodoFilter(admin.SimpleListFilter):
    """When the protocol was opened (served by the protocolo_aberto_em index)."""

    title = "aberto em"
    parameter_name = "periodo"

    def lookups(self, request, model_admin):
        return [("hoje", "hoje"), ("7", "últimos 7 dias"), ("30", "últimos 30 dias"), ("mes", "este mês")]

    def queryset(self, request, queryset):
        hoje = relogio.hoje()
        inicios = {
            "hoje": hoje,
            "7": hoje - datetime.timedelta(days=6),
            "30": hoje - datetime.timedelta(days=29),
            "mes": hoje.replace(day=1),
        }
        if self.value() not in inicios:
            return queryset
        desde = timezone.make_aware(datetime.datetime.combine(inicios[self.value()], datetime.time.min))
        return queryset.filter(aberto_em__gte=desde)


class ResponsavelFilter(admin.SimpleListFilter):
    """The attendants (one short query), not a scan of the protocols for who appears in them."""

    title = "responsável"
    parameter_name = "responsavel"

    def lookups(self, request, model_admin):
        return [("nenhum", "sem responsável"), *((str(u.pk), _nome(u)) for u in selectors.atendentes_ativos())]

    def queryset(self, request, queryset):
        valor = self.value()
        if valor == "nenhum":
            return queryset.filter(responsavel__isnull=True)
        if valor and valor.isdigit():
            return queryset.filter(responsavel_id=int(valor))
        return queryset


# Protocolo: action forms --------------------------------------------------------------------------


def _motivo(label="Motivo"):
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        validators=[validar_texto],
    )


class AtribuirForm(forms.Form):
    responsavel = forms.ModelChoiceField(label="Atribuir a", queryset=None, empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsavel"].queryset = selectors.atendentes_ativos()
        self.fields["responsavel"].label_from_instance = _nome


class MotivoForm(forms.Form):
    motivo = _motivo()


class ResolverForm(forms.Form):
    motivo = _motivo("Resposta ao consumidor (vai por e-mail)")


class ProrrogarForm(forms.Form):
    novo_prazo = forms.DateField(
        label="Novo prazo",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    motivo = _motivo()

    def clean_novo_prazo(self):
        novo = self.cleaned_data["novo_prazo"]
        if novo <= relogio.hoje():
            raise ValidationError("O novo prazo deve ser uma data futura.")
        return novo


# Protocolo ----------------------------------------------------------------------------------------


@admin.register(Protocolo)
class ProtocoloAdmin(EscolhaDeAcao, ListaSegura, SomenteLeitura, admin.ModelAdmin):
    list_display = [
        "numero_formatado",
        "cpf",
        "nome_do_consumidor",
        "categoria",
        "situacao",
        "nivel_curto",
        "estado_do_prazo",
        "nome_do_responsavel",
        "aberto_em_curto",
    ]
    list_filter = ["situacao", "nivel", "canal", "categoria", ResponsavelFilter, PrazoFilter, PeriodoFilter]
    list_select_related = ["consumidor", "categoria", "responsavel"]
    list_per_page = 50
    # Facet counts are one COUNT per filter choice over the whole table: never at a million rows.
    show_facets = admin.ShowFacets.NEVER
    # Only the columns an index returns in order: sorting a million rows by the consumer's or the
    # attendant's name (a join), the categoria, the situação or the nível takes seconds.
    sortable_by = ["numero_formatado", "estado_do_prazo", "aberto_em_curto"]

    def get_changelist(self, request, **kwargs):
        return ListaOrdenavelSoPeloIndice
    search_fields = ["numero"]  # shows the search box; get_search_results decides what it matches
    search_help_text = "Número do protocolo ou CPF (com ou sem pontuação), ou parte do nome do consumidor."
    raw_id_fields = ["consumidor", "responsavel", "duplicado_de"]
    actions = ["atribuir", "escalar", "resolver", "cancelar", "prorrogar", "exportar_csv"]
    fields = [
        "numero_formatado",
        "consumidor_mascarado",
        "canal",
        "categoria",
        "objeto_mascarado",
        "situacao",
        "nivel",
        "nome_do_responsavel",
        "estado_do_prazo",
        "aberto_em",
        "resolvido_em",
        "encerrado_em",
        "duplicado_de",
        "avaliacao",
        "versao",
    ]
    readonly_fields = fields
    change_form_template = "admin/protocolo/protocolo/change_form.html"
    change_list_template = "admin/protocolo/protocolo/change_list.html"

    # Columns

    @admin.display(description="número", ordering="numero")
    def numero_formatado(self, obj):
        return format_html('<span class="nowrap">{}</span>', obj.numero_formatado)

    @admin.display(description="CPF")
    def cpf(self, obj):
        return format_html(
            '<span class="nowrap">{}</span>', (obj.consumidor.cpf_mascarado or "—") if obj.consumidor else "—"
        )

    @admin.display(description="consumidor", ordering="consumidor__nome")
    def nome_do_consumidor(self, obj):
        return obj.consumidor.nome if obj.consumidor else "—"

    @admin.display(description="consumidor")
    def consumidor_mascarado(self, obj):
        if obj.consumidor is None:
            return "não identificado"
        url = reverse("admin:protocolo_consumidor_change", args=[obj.consumidor_id])
        return format_html(
            '<a href="{}">{}</a> · CPF {}', url, obj.consumidor.nome or "—", obj.consumidor.cpf_mascarado or "—"
        )

    @admin.display(description="objeto da demanda")
    def objeto_mascarado(self, obj):
        # What the consumer typed may hold a CPF: masked, as in the timeline below it.
        return lgpd.mascarar_cpfs(obj.objeto)

    @admin.display(description="nível", ordering="nivel")
    def nivel_curto(self, obj):
        return format_html('<span title="{}">{}</span>', obj.get_nivel_display(), obj.nivel)

    @admin.display(description="aberto em", ordering="aberto_em")
    def aberto_em_curto(self, obj):
        aberto_em = timezone.localtime(obj.aberto_em)
        return format_html('<span class="nowrap" title="{}">{}</span>', f"{aberto_em:%H:%M}", f"{aberto_em:%d/%m/%Y}")

    @admin.display(description="responsável", ordering="responsavel__first_name")
    def nome_do_responsavel(self, obj):
        return _nome(obj.responsavel)

    @admin.display(description="prazo", ordering="prazo")
    def estado_do_prazo(self, obj):
        if obj.prazo is None:
            return "sem prazo"
        data = f"{obj.prazo:%d/%m/%Y}"
        if obj.situacao not in PENDENTES:
            return data
        cor, rotulo = CORES_DO_PRAZO[obj.situacao_do_prazo]
        # An SVG dot coloured by a presentation attribute (the CSP forbids style attributes), and the
        # state in words, so colour is never the only signal.
        return format_html(
            '<span class="prazo prazo-{}"><span class="nowrap"><svg width="10" height="10" aria-hidden="true" '
            'focusable="false"><circle cx="5" cy="5" r="5" fill="{}"></circle></svg> {}</span> '
            '<span class="nowrap">· {}</span></span>',
            obj.situacao_do_prazo,
            cor,
            data,
            rotulo,
        )

    # Search: exact number or CPF, else the name through its trigram index

    def get_search_results(self, request, queryset, search_term):
        return selectors.busca(queryset, search_term), False

    # The read-only page with its timeline

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id and str(object_id).isdigit():
            entradas = list(
                Interacao.objects.filter(protocolo_id=int(object_id))
                .select_related("autor")
                .order_by("-ordem")[: LINHA_DO_TEMPO + 1]
            )
            extra_context |= {
                "linha_do_tempo": [self._entrada(e) for e in entradas[:LINHA_DO_TEMPO]],
                "linha_do_tempo_cortada": len(entradas) > LINHA_DO_TEMPO,
                "linha_do_tempo_url": reverse("admin:protocolo_interacao_changelist")
                + "?"
                + urlencode({"protocolo__id__exact": object_id}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # One history, not two: the admin's log never records a protocol's changes, its timeline does.
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not str(object_id).isdigit():
            return HttpResponseRedirect(reverse("admin:protocolo_protocolo_changelist"))
        return HttpResponseRedirect(
            reverse("admin:protocolo_interacao_changelist") + "?" + urlencode({"protocolo__id__exact": object_id})
        )

    @staticmethod
    def _entrada(entrada):
        mudanca = ""
        if entrada.situacao_nova:
            anterior = Situacao(entrada.situacao_anterior).label if entrada.situacao_anterior else "—"
            mudanca = f"{anterior} → {Situacao(entrada.situacao_nova).label}"
        elif entrada.nivel_novo and entrada.nivel_anterior:
            mudanca = f"nível {entrada.nivel_anterior} → {entrada.nivel_novo}"
        return {
            "ordem": entrada.ordem,
            "em": entrada.criada_em,
            "tipo": entrada.get_tipo_display(),
            "origem": entrada.get_origem_display(),
            "autor": _nome(entrada.autor) if entrada.autor else entrada.get_origem_display(),
            "publica": entrada.publica,
            "mudanca": mudanca,
            "texto": lgpd.mascarar_cpfs(entrada.texto),
        }

    # Export of the filtered set

    def get_urls(self):
        return [
            path("exportar/", self.admin_site.admin_view(self.exportar_view), name="protocolo_protocolo_exportar"),
            *super().get_urls(),
        ]

    def exportar_view(self, request):
        if not self.has_exportar_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # The list itself answers a filter it cannot apply with its "?e=1" page: so does this.
            return HttpResponseRedirect(f"{reverse('admin:protocolo_protocolo_changelist')}?{ERROR_FLAG}=1")
        return self._csv(request, changelist.get_queryset(request))

    def changelist_view(self, request, extra_context=None):
        extra_context = (extra_context or {}) | {
            "pode_exportar": self.has_exportar_permission(request),
            "title": "Protocolos",
        }
        return super().changelist_view(request, extra_context)

    def _csv(self, request, queryset):
        queryset = queryset.select_related("consumidor", "categoria", "responsavel").order_by("-aberto_em", "-id")
        usuario = request.user.get_username()
        hoje = relogio.hoje()

        def linhas():
            yield "\ufeff"  # the BOM: spreadsheets then read the file as UTF-8
            saida = _Linha()
            escritor = csv.writer(saida, delimiter=";")
            yield escritor.writerow(CABECALHO_CSV)
            total = 0
            # The file carries consumers' names (LGPD art. 37): each one exported is recorded once,
            # written in batches while the rows stream so a large export never holds them all.
            vistos, acessos = set(), []
            for protocolo in queryset.iterator(chunk_size=2000):
                total += 1
                yield escritor.writerow([_celula(valor) for valor in _linha_csv(protocolo, hoje)])
                if protocolo.consumidor_id and protocolo.consumidor_id not in vistos:
                    vistos.add(protocolo.consumidor_id)
                    acessos.append(
                        AcessoDadoPessoal(
                            usuario=request.user,
                            consumidor_id=protocolo.consumidor_id,
                            protocolo=protocolo,
                            tipo=AcessoDadoPessoal.Tipo.EXPORTAR,
                        )
                    )
                if len(acessos) >= 2000:
                    AcessoDadoPessoal.objects.bulk_create(acessos)
                    acessos = []
            AcessoDadoPessoal.objects.bulk_create(acessos)
            logger.info("Exportação CSV de protocolos por %s: %s linha(s).", usuario, total)

        # The filter may be a search by CPF: logged masked, never in full (DESIGN §5).
        filtro = "&".join(f"{chave}={lgpd.mascarar_cpfs(valor)}" for chave, valor in request.GET.items())
        logger.info("Exportação CSV de protocolos iniciada por %s (filtro: %r).", usuario, filtro)
        resposta = StreamingHttpResponse(linhas(), content_type="text/csv; charset=utf-8")
        resposta["Content-Disposition"] = f'attachment; filename="protocolos-{relogio.agora():%Y%m%d-%H%M}.csv"'
        return resposta

    # Permissions of the actions (Django asks has_<name>_permission)

    def has_atribuir_permission(self, request):
        return request.user.has_perm("protocolo.atribuir_protocolo")

    def has_escalar_permission(self, request):
        return request.user.has_perm("protocolo.escalar_protocolo")

    def has_resolver_permission(self, request):
        return request.user.has_perm("protocolo.atender_protocolo")

    def has_cancelar_permission(self, request):
        return request.user.has_perm("protocolo.cancelar_protocolo")

    def has_prorrogar_permission(self, request):
        return request.user.has_perm("protocolo.prorrogar_prazo")

    def has_exportar_permission(self, request):
        return request.user.has_perm("protocolo.exportar_protocolos")

    # Actions

    def _executar(self, request, queryset, *, titulo, form_class, executar, sucesso, nome, texto_do_botao):
        """The confirmation page (asking what the service needs), then the service for each
        protocol, with one message per outcome."""
        total = queryset.count()
        if total > MAXIMO_POR_ACAO:
            self.message_user(
                request,
                f"Selecione no máximo {MAXIMO_POR_ACAO} protocolos por vez ({total} selecionados).",
                messages.ERROR,
            )
            return None
        form = form_class(request.POST if "confirmar" in request.POST else None)
        if "confirmar" in request.POST and form.is_valid():
            feitos, recusas = [], []
            for protocolo in queryset.select_related("consumidor", "categoria").order_by("pk"):
                try:
                    executar(protocolo, form.cleaned_data)
                except ErroProtocolo as erro:
                    recusas.append(f"{protocolo.numero_formatado}: {erro}")
                else:
                    feitos.append(protocolo.numero_formatado)
            if feitos:
                self.message_user(request, f"{sucesso(form.cleaned_data)}: {', '.join(feitos)}.", messages.SUCCESS)
            for recusa in recusas:
                self.message_user(request, f"Não foi possível: {recusa}", messages.ERROR)
            return None
        return TemplateResponse(
            request,
            "admin/protocolo/protocolo/confirmar_acao.html",
            {
                **self.admin_site.each_context(request),
                "title": titulo,
                "opts": self.model._meta,
                "form": form,
                "protocolos": list(queryset.select_related("consumidor", "categoria").order_by("pk")[:20]),
                "total": total,
                "acao": nome,
                "selecionados": list(queryset.values_list("pk", flat=True)),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "select_across": request.POST.get("select_across", "0"),
                "texto_do_botao": texto_do_botao,
                "media": self.media + form.media,
            },
        )

    @admin.action(description="Atribuir a um atendente", permissions=["atribuir"])
    def atribuir(self, request, queryset):
        return self._executar(
            request,
            queryset,
            titulo="Atribuir protocolos",
            form_class=AtribuirForm,
            executar=lambda p, dados: services.protocolo_atribuir(
                protocolo=p, responsavel=dados["responsavel"], autor=request.user
            ),
            sucesso=lambda dados: f"Atribuído(s) a {_nome(dados['responsavel'])}",
            nome="atribuir",
            texto_do_botao="Atribuir",
        )

    @admin.action(description="Escalar um nível", permissions=["escalar"])
    def escalar(self, request, queryset):
        return self._executar(
            request,
            queryset,
            titulo="Escalar protocolos",
            form_class=MotivoForm,
            executar=lambda p, dados: services.protocolo_escalar(
                protocolo=p, motivo=dados["motivo"], autor=request.user
            ),
            sucesso=lambda dados: "Escalado(s)",
            nome="escalar",
            texto_do_botao="Escalar",
        )

    @admin.action(description="Resolver (responder ao consumidor)", permissions=["resolver"])
    def resolver(self, request, queryset):
        return self._executar(
            request,
            queryset,
            titulo="Resolver protocolos",
            form_class=ResolverForm,
            executar=lambda p, dados: services.protocolo_resolver(
                protocolo=p, texto=dados["motivo"], autor=request.user
            ),
            sucesso=lambda dados: "Resolvido(s)",
            nome="resolver",
            texto_do_botao="Resolver",
        )

    @admin.action(description="Cancelar", permissions=["cancelar"])
    def cancelar(self, request, queryset):
        return self._executar(
            request,
            queryset,
            titulo="Cancelar protocolos",
            form_class=MotivoForm,
            executar=lambda p, dados: services.protocolo_cancelar(
                protocolo=p, motivo=dados["motivo"], autor=request.user
            ),
            sucesso=lambda dados: "Cancelado(s)",
            nome="cancelar",
            texto_do_botao="Cancelar os protocolos",
        )

    @admin.action(description="Prorrogar o prazo", permissions=["prorrogar"])
    def prorrogar(self, request, queryset):
        return self._executar(
            request,
            queryset,
            titulo="Prorrogar o prazo",
            form_class=ProrrogarForm,
            executar=lambda p, dados: services.protocolo_prorrogar_prazo(
                protocolo=p, novo_prazo=dados["novo_prazo"], motivo=dados["motivo"], autor=request.user
            ),
            sucesso=lambda dados: f"Prazo prorrogado para {dados['novo_prazo']:%d/%m/%Y}",
            nome="prorrogar",
            texto_do_botao="Prorrogar",
        )

    @admin.action(description="Exportar para planilha (CSV)", permissions=["exportar"])
    def exportar_csv(self, request, queryset):
        return self._csv(request, queryset)


CABECALHO_CSV = [
    "número",
    "aberto em",
    "canal",
    "categoria",
    "situação",
    "nível",
    "prazo",
    "estado do prazo",
    "responsável",
    "consumidor",
    "CPF",
    "resolvido em",
    "encerrado em",
    "avaliação",
    "objeto",
]


class _Linha:
    """csv.writer's file: writerow returns the line instead of buffering it."""

    def write(self, valor):
        return valor


def _celula(valor):
    texto = "" if valor is None else str(valor)
    return "'" + texto if texto.lstrip(" \u00a0\u3000").startswith(INICIO_DE_FORMULA) else texto


def _linha_csv(p, hoje):
    def quando(instante):
        return f"{timezone.localtime(instante):%d/%m/%Y %H:%M}" if instante else ""

    estado = ""
    if p.situacao in PENDENTES and p.prazo:
        estado = CORES_DO_PRAZO[p.situacao_do_prazo][1]
    return [
        p.numero_formatado,
        quando(p.aberto_em),
        p.get_canal_display(),
        p.categoria.nome if p.categoria else "",
        p.get_situacao_display(),
        p.nivel,
        f"{p.prazo:%d/%m/%Y}" if p.prazo else "",
        estado,
        _nome(p.responsavel) if p.responsavel else "",
        p.consumidor.nome if p.consumidor else "",
        p.consumidor.cpf_mascarado if p.consumidor else "",
        quando(p.resolvido_em),
        quando(p.encerrado_em),
        p.avaliacao or "",
        lgpd.mascarar_cpfs(p.objeto),
    ]


# Interacao ----------------------------------------------------------------------------------------


@admin.register(Interacao)
class InteracaoAdmin(ListaSegura, SomenteLeitura, admin.ModelAdmin):
    """Who changed what, and when: the one history of every protocol, read-only for everyone."""

    list_display = ["protocolo", "ordem", "criada_em", "tipo", "origem", "autor", "publica", "texto_mascarado"]
    # By number (search) and visibility only: a filter on tipo or origem has no index to stand on
    # across every interaction ever recorded.
    list_filter = ["publica"]
    list_select_related = ["protocolo", "autor"]
    # Newest first through the primary key: the model's ordering ("protocolo", "ordem") sorts by the
    # protocol's own ordering, a join and a sort of every interaction.
    ordering = ["-id"]
    list_per_page = 50
    search_fields = ["protocolo__numero"]
    search_help_text = "Número do protocolo, com ou sem pontuação."
    fields = [
        "protocolo",
        "ordem",
        "criada_em",
        "tipo",
        "origem",
        "autor",
        "publica",
        "texto_mascarado",
        "situacao_anterior",
        "situacao_nova",
        "nivel_anterior",
        "nivel_novo",
        "detalhes",
        "chave_versao",
        "mac",
    ]
    readonly_fields = fields

    @admin.display(description="texto")
    def texto_mascarado(self, obj):
        return lgpd.mascarar_cpfs(obj.texto)

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        try:
            numero = numeracao.normalizar(search_term)
        except NumeroInvalido:
            return queryset.none(), False
        return queryset.filter(protocolo__numero=numero), False


# Consumidor ---------------------------------------------------------------------------------------


class ConsumidorForm(forms.ModelForm):
    motivo_retencao = forms.CharField(
        label="motivo da guarda legal",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        validators=[validar_texto],
    )

    class Meta:
        model = Consumidor
        fields = ["retencao_suspensa", "motivo_retencao"]

    def clean(self):
        dados = super().clean()
        if dados.get("retencao_suspensa") and not (dados.get("motivo_retencao") or "").strip():
            self.add_error("motivo_retencao", "Informe o motivo da guarda legal (processo, ordem judicial…).")
        return dados


@admin.register(Consumidor)
class ConsumidorAdmin(EscolhaDeAcao, ListaSegura, admin.ModelAdmin):
    """Personal data: CPF masked everywhere, only the legal hold editable, nothing deleted."""

    form = ConsumidorForm
    list_display = ["nome", "cpf_mascarado", "email", "retencao_suspensa", "anonimizado_em", "criado_em"]
    list_filter = ["retencao_suspensa", ("anonimizado_em", admin.EmptyFieldListFilter)]
    list_per_page = 50
    search_fields = ["nome"]
    search_help_text = "CPF (com ou sem pontuação) ou parte do nome."
    fields = [
        "nome",
        "cpf_mascarado",
        "email",
        "telefone",
        "criado_em",
        "anonimizado_em",
        "protocolos",
        "retencao_suspensa",
        "motivo_retencao",
    ]
    readonly_fields = ["nome", "cpf_mascarado", "email", "telefone", "criado_em", "anonimizado_em", "protocolos"]
    actions = ["exportar_dados", "anonimizar"]

    @admin.display(description="CPF")
    def cpf_mascarado(self, obj):
        return obj.cpf_mascarado or "—"

    @admin.display(description="protocolos")
    def protocolos(self, obj):
        url = reverse("admin:protocolo_protocolo_changelist") + "?" + urlencode({"consumidor__id__exact": obj.pk})
        return format_html('<a href="{}">Ver os protocolos deste consumidor</a>', url)

    def get_search_results(self, request, queryset, search_term):
        return selectors.busca_de_consumidor(queryset, search_term), False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The legal hold: supervisors only (attendants are not staff and never get here anyway).
        return pode_supervisionar(request.user) and super().has_change_permission(request, obj)

    def has_exportar_dados_permission(self, request):
        return pode_supervisionar(request.user) and request.user.has_perm("protocolo.ver_cpf")

    def has_anonimizar_permission(self, request):
        return self.has_change_permission(request)

    @admin.action(description="Exportar dados do titular (LGPD)", permissions=["exportar_dados"])
    def exportar_dados(self, request, queryset):
        if queryset.count() > MAXIMO_TITULARES:
            self.message_user(request, f"Exporte no máximo {MAXIMO_TITULARES} titulares por vez.", messages.ERROR)
            return None
        titulares = [lgpd.exportar_titular(c, usuario=request.user) for c in queryset.order_by("pk")]
        logger.info("Exportação de dados de %s titular(es) por %s.", len(titulares), request.user.get_username())
        conteudo = {"gerado_em": timezone.localtime(relogio.agora()).isoformat(), "titulares": titulares}
        resposta = HttpResponse(
            json.dumps(conteudo, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        resposta["Content-Disposition"] = f'attachment; filename="titulares-{relogio.agora():%Y%m%d-%H%M}.json"'
        return resposta

    @admin.action(description="Anonimizar (fim da retenção)", permissions=["anonimizar"])
    def anonimizar(self, request, queryset):
        if queryset.count() > MAXIMO_TITULARES:
            self.message_user(request, f"Anonimize no máximo {MAXIMO_TITULARES} titulares por vez.", messages.ERROR)
            return None
        consumidores = list(queryset.order_by("pk"))
        if "confirmar" in request.POST:
            for consumidor in consumidores:
                try:
                    redigidas = lgpd.anonimizar(consumidor)
                except ErroProtocolo as erro:
                    self.message_user(request, str(erro), messages.ERROR)
                else:
                    logger.info("Consumidor %s anonimizado por %s.", consumidor.pk, request.user.get_username())
                    self.message_user(
                        request,
                        f"Consumidor {consumidor.pk} anonimizado ({redigidas} entrada(s) do histórico redigida(s)).",
                        messages.SUCCESS,
                    )
            return None
        return render(
            request,
            "admin/protocolo/consumidor/confirmar_anonimizacao.html",
            {
                **self.admin_site.each_context(request),
                "title": "Anonimizar consumidores",
                "opts": self.model._meta,
                "consumidores": [(c, lgpd.motivo_da_recusa(c)) for c in consumidores],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


# Registers ----------------------------------------------------------------------------------------


@admin.register(Categoria)
class CategoriaAdmin(TextoDeUmaLinha, admin.ModelAdmin):
    list_display = ["nome", "codigo", "prazo", "calendario", "ativa"]
    list_filter = ["ativa", "tipo_prazo", "calendario"]
    fields = ["nome", "codigo", "prazo_dias", "tipo_prazo", "calendario", "ativa"]
    search_fields = ["nome", "codigo"]

    @admin.display(description="prazo")
    def prazo(self, obj):
        return obj.descricao_prazo()

    def get_readonly_fields(self, request, obj=None):
        # Protocols and their timelines name the categoria by its code.
        return ["codigo"] if obj else []

    def has_delete_permission(self, request, obj=None):
        # Protocols keep pointing at it; a categoria out of use is marked inactive.
        return False


@admin.register(Feriado)
class FeriadoAdmin(TextoDeUmaLinha, admin.ModelAdmin):
    list_display = ["data", "descricao"]
    search_fields = ["descricao"]


@admin.register(Mensagem)
class MensagemAdmin(ListaSegura, SomenteLeitura, admin.ModelAdmin):
    list_display = ["assunto", "destinatario", "criada_em", "situacao", "tentativas"]
    list_filter = [("enviada_em", admin.EmptyFieldListFilter)]
    list_select_related = ["protocolo"]
    # The body may quote what someone typed (a resolution's text): its CPFs masked, as on every screen.
    fields = ["corpo_mascarado" if f.name == "corpo" else f.name for f in Mensagem._meta.fields if f.name != "id"]
    readonly_fields = fields

    @admin.display(description="corpo")
    def corpo_mascarado(self, obj):
        return lgpd.mascarar_cpfs(obj.corpo)

    @admin.display(description="entrega")
    def situacao(self, obj):
        return (
            "enviada"
            if obj.enviada
            else format_html('<span title="{}">pendente</span>', obj.ultimo_erro or "aguardando envio")
        )


@admin.register(AcessoDadoPessoal)
class AcessoDadoPessoalAdmin(ListaSegura, SomenteLeitura, admin.ModelAdmin):
    """Who saw or exported whose personal data (LGPD art. 37)."""

    list_display = ["em", "usuario", "tipo", "consumidor_mascarado", "protocolo"]
    list_filter = ["tipo"]
    list_select_related = ["usuario", "consumidor", "protocolo"]
    # An append-only log that only grows: newest first through the primary key, not a sort of "em".
    ordering = ["-id"]
    fields = ["em", "usuario", "tipo", "consumidor_mascarado", "protocolo"]
    readonly_fields = fields

    @admin.display(description="consumidor")
    def consumidor_mascarado(self, obj):
        return f"{obj.consumidor.nome} · CPF {obj.consumidor.cpf_mascarado or '—'}"

    def has_view_permission(self, request, obj=None):
        return pode_supervisionar(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


# The supervision dashboard ------------------------------------------------------------------------


def supervisao(request):
    """/admin/supervisao/: the figures of the queues, deadlines and escalations (Supervisores)."""
    if not pode_supervisionar(request.user):
        raise PermissionDenied
    contexto = indicadores.painel()
    contexto |= {
        **admin.site.each_context(request),
        "title": "Painel de supervisão",
        "em_aberto": sum(n for _, n in contexto["por_situacao"]),
        "vencidos": sum(n for _, n in contexto["vencidos_por_categoria"]),
        "url_vencidos": reverse("admin:protocolo_protocolo_changelist") + "?prazo=vencido",
        "situacoes_abertas": [s.label for s in Situacao if s in EM_ABERTO],
        "canais": Canal.choices,
    }
    return TemplateResponse(request, "admin/supervisao.html", contexto)
