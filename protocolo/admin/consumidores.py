"""Consumers in the admin: personal data, CPF masked everywhere, and what the LGPD asks of a
supervisor (the legal hold, the holder's data export, anonymisation at the end of retention)."""

import logging
import tempfile

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from .. import lgpd, relogio, selectors, services
from ..exceptions import ErroProtocolo
from ..models import Consumidor
from ..validators import validar_texto
from .base import EscolhaDeAcao, ListaSegura, pode_supervisionar

logger = logging.getLogger(__name__)

MAXIMO_TITULARES = 50


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
    list_display = ["nome", "cpf_mascarado", "retencao_suspensa", "anonimizado_em", "criado_em"]
    list_filter = ["retencao_suspensa", ("anonimizado_em", admin.EmptyFieldListFilter)]
    list_per_page = 50
    search_fields = ["nome"]
    search_help_text = (
        "CPF (com ou sem pontuação), parte do nome (sem importar acentos), telefone, e-mail ou palavras das demandas."
    )
    fields = [
        "nome",
        "cpf_mascarado",
        "contatos_vinculados",
        "criado_em",
        "anonimizado_em",
        "protocolos",
        "retencao_suspensa",
        "motivo_retencao",
    ]
    readonly_fields = ["nome", "cpf_mascarado", "contatos_vinculados", "criado_em", "anonimizado_em", "protocolos"]
    actions = ["exportar_dados", "anonimizar"]

    @admin.display(description="CPF")
    def cpf_mascarado(self, obj):
        return obj.cpf_mascarado or "—"

    @admin.display(description="contatos vinculados")
    def contatos_vinculados(self, obj):
        # Only contacts bound after an identity check are the consumer's; the ones typed on a
        # protocol are shown on that protocol (docs/seguranca.md, "Contatos").
        vinculados = [str(c) for c in obj.contatos.vinculados().order_by("tipo", "pk")]
        return "; ".join(vinculados) or "nenhum (os contatos informados ficam em cada protocolo)"

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
        consumidores = list(queryset.order_by("pk"))
        # A request from the portal comes from whoever typed the CPF: it is answered only to someone
        # who proved to be the holder (docs/seguranca.md, "Contatos e identidade").
        sem_identidade = [str(c) for c in consumidores if not services.consumidor_identidade_confirmada(c)]
        if sem_identidade:
            self.message_user(
                request,
                "Confirme antes a identidade do titular: "
                f"{', '.join(sem_identidade)} ainda não tem contato vinculado. Pedidos sobre dados pessoais só "
                "são respondidos depois que o atendimento vincula um contato, após a verificação de identidade, "
                "ou depois de uma entrada com OpenID.",
                messages.ERROR,
            )
            return None
        titulares = [lgpd.exportar_titular(c, usuario=request.user) for c in consumidores]
        logger.info("Exportação de dados de %s titular(es) por %s.", len(titulares), request.user.get_username())
        conteudo = {"gerado_em": timezone.localtime(relogio.agora()).isoformat(), "titulares": titulares}
        # The files go with the data (a ZIP with the JSON), spooled to disk past a few megabytes.
        # FileResponse closes it once sent; the JSON alone is read back at once.
        pacote = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        formato = lgpd.pacote_de_exportacao(conteudo, pacote)
        pacote.seek(0)
        nome = f"titulares-{relogio.agora():%Y%m%d-%H%M}.{formato}"
        if formato == "json":
            with pacote:
                resposta = HttpResponse(pacote.read(), content_type="application/json; charset=utf-8")
            resposta["Content-Disposition"] = f'attachment; filename="{nome}"'
            return resposta
        resposta = FileResponse(pacote, as_attachment=True, filename=nome, content_type="application/zip")
        resposta["X-Content-Type-Options"] = "nosniff"
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
