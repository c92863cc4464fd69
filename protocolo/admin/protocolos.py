"""Protocols in the admin: read-only pages with their timelines, filters served by indexes, and
actions that ask what their service needs and then call it for each selected protocol."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from .. import lgpd, relogio, selectors, services
from ..exceptions import ErroProtocolo
from ..forms import AtribuirForm, MotivoForm, ProrrogarForm, ResolverForm
from ..models import PENDENTES, Interacao, Protocolo, Situacao
from . import exportacao
from .base import (
    CORES_DO_PRAZO,
    EscolhaDeAcao,
    ListaOrdenavelSoPeloIndice,
    ListaSegura,
    SomenteLeitura,
    nome_exibido,
)

LINHA_DO_TEMPO = 50
MAXIMO_POR_ACAO = 500
# The actions the protocol's own page offers, with the form each asks for (the list's own).
ACOES_DA_PAGINA = {
    "atribuir": AtribuirForm,
    "escalar": MotivoForm,
    "resolver": ResolverForm,
    "prorrogar": ProrrogarForm,
    "cancelar": MotivoForm,
}
TEXTOS_DOS_BOTOES = {
    "atribuir": "Atribuir",
    "escalar": "Escalar",
    "resolver": "Resolver",
    "prorrogar": "Prorrogar",
    "cancelar": "Cancelar o protocolo",
}


# Filters ------------------------------------------------------------------------------------------


class PrazoFilter(admin.SimpleListFilter):
    """The deadline's state of protocols still waiting for an answer (docs/dominio.md §4)."""

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
        return [("nenhum", "sem responsável"), *((str(u.pk), nome_exibido(u)) for u in selectors.atendentes_ativos())]

    def queryset(self, request, queryset):
        valor = self.value()
        if valor == "nenhum":
            return queryset.filter(responsavel__isnull=True)
        if valor and valor.isdigit():
            return queryset.filter(responsavel_id=int(valor))
        return queryset


# The admin ----------------------------------------------------------------------------------------


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
    search_help_text = (
        "Número do protocolo ou CPF (com ou sem pontuação), parte do nome do consumidor (sem importar acentos), "
        "telefone, e-mail ou palavras da demanda."
    )
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
        return nome_exibido(obj.responsavel)

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
                "acoes_da_pagina": self._acoes_da_pagina(request, int(object_id)),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _acoes_da_pagina(self, request, object_id):
        """The list's actions this user may run, each with its form, for the protocol's own page.
        Each posts to acao_view, which runs the list's action on this protocol alone."""
        permitidas = self.get_actions(request)
        acoes = []
        for nome, form_class in ACOES_DA_PAGINA.items():
            if nome not in permitidas:
                continue
            acoes.append(
                {
                    "nome": nome,
                    "titulo": permitidas[nome].description,
                    "form": form_class(auto_id=f"id_{nome}_%s"),
                    "url": reverse("admin:protocolo_protocolo_acao", args=[object_id, nome]),
                    "botao": TEXTOS_DOS_BOTOES[nome],
                }
            )
        return acoes

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
            "autor": nome_exibido(entrada.autor) if entrada.autor else entrada.get_origem_display(),
            "publica": entrada.publica,
            "mudanca": mudanca,
            "texto": lgpd.mascarar_cpfs(entrada.texto),
        }

    # Export of the filtered set

    def get_urls(self):
        return [
            path("exportar/", self.admin_site.admin_view(self.exportar_view), name="protocolo_protocolo_exportar"),
            path(
                "<int:object_id>/acao/<str:nome>/",
                self.admin_site.admin_view(self.acao_view),
                name="protocolo_protocolo_acao",
            ),
            *super().get_urls(),
        ]

    def acao_view(self, request, object_id, nome):
        """One of the list's actions on one protocol, from its own page: the same action, form and
        service, its confirmation page if the form is refused, and back to the page when done."""
        acoes = self.get_actions(request)
        if nome not in acoes or nome == "exportar_csv":
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:protocolo_protocolo_change", args=[object_id]))
        queryset = Protocolo.objects.filter(pk=object_id)
        if not queryset.exists():
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        resposta = acoes[nome].func(self, request, queryset)
        voltar = reverse("admin:protocolo_protocolo_change", args=[object_id])
        if resposta is None:
            return HttpResponseRedirect(voltar)
        resposta.context_data["voltar"] = voltar
        return resposta

    def exportar_view(self, request):
        if not self.has_exportar_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # The list itself answers a filter it cannot apply with its "?e=1" page: so does this.
            return HttpResponseRedirect(f"{reverse('admin:protocolo_protocolo_changelist')}?{ERROR_FLAG}=1")
        return exportacao.planilha(request, changelist.get_queryset(request))

    def changelist_view(self, request, extra_context=None):
        extra_context = (extra_context or {}) | {
            "pode_exportar": self.has_exportar_permission(request),
            "title": "Protocolos",
        }
        return super().changelist_view(request, extra_context)

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
            sucesso=lambda dados: (
                f"Atribuído(s) a {nome_exibido(dados['responsavel'])}"
                if dados["responsavel"]
                else "Devolvido(s) à fila"
            ),
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
                protocolo=p, texto=dados["texto"], autor=request.user
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
        return exportacao.planilha(request, queryset)
