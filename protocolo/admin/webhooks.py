"""Webhooks: the subscriptions supervisors keep for the integrated systems, and every delivery with
each of its attempts (status, latency, the first bytes of the answer). Nothing is deleted: a
subscription out of use is deactivated; a delivery is resent, never edited."""

import json

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from .. import numeracao
from ..exceptions import NumeroInvalido
from ..models import AssinaturaWebhook, EntregaWebhook, EscopoSistema, EventoWebhook, TentativaWebhook
from ..webhooks import entrega
from .base import EscolhaDeAcao, ListaSegura, SomenteLeitura, TextoDeUmaLinha


class AssinaturaForm(forms.ModelForm):
    eventos = forms.MultipleChoiceField(
        choices=EventoWebhook.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="O sistema recebe, em ordem por protocolo, cada um destes eventos (docs/integracao.md).",
    )

    class Meta:
        model = AssinaturaWebhook
        fields = ["sistema", "url", "eventos", "ativa"]
        help_texts = {
            "url": "Só https://, num endereço público; verificado de novo a cada entrega (docs/seguranca.md).",
            "ativa": "Desmarcada, nenhum evento novo é gravado para esta assinatura.",
        }

    def clean_sistema(self):
        sistema = self.cleaned_data["sistema"]
        if sistema is not None and EscopoSistema.WEBHOOKS not in sistema.escopos:
            raise forms.ValidationError(f"O sistema “{sistema}” não tem o escopo “{EscopoSistema.WEBHOOKS}”.")
        return sistema

    def clean_eventos(self):
        # Stored in the order of EventoWebhook, whatever the order ticked.
        return [e for e in EventoWebhook.values if e in self.cleaned_data["eventos"]]


@admin.register(AssinaturaWebhook)
class AssinaturaWebhookAdmin(EscolhaDeAcao, TextoDeUmaLinha, admin.ModelAdmin):
    form = AssinaturaForm
    list_display = ["sistema", "url", "lista_de_eventos", "estado", "criada_em"]
    list_filter = ["ativa", ("pausada_em", admin.EmptyFieldListFilter)]
    list_select_related = ["sistema"]
    search_fields = ["url", "sistema__nome"]
    actions = ["retomar"]

    def get_fields(self, request, obj=None):
        campos = ["sistema", "url", "eventos", "ativa"]
        return campos if obj is None else [*campos, "estado", "segredo_exibido", "criada_em"]

    def get_readonly_fields(self, request, obj=None):
        # The system a subscription belongs to never changes: its secret was given to that system.
        return [] if obj is None else ["sistema", "estado", "segredo_exibido", "criada_em"]

    @admin.display(description="eventos")
    def lista_de_eventos(self, obj):
        return ", ".join(obj.eventos) or "—"

    @admin.display(description="estado")
    def estado(self, obj):
        if not obj.ativa:
            return "inativa"
        if obj.pausada:
            return (
                f"pausada desde {timezone.localtime(obj.pausada_em):%d/%m/%Y %H:%M} (retome quando o receptor voltar)"
            )
        return "ativa"

    @admin.display(description="segredo")
    def segredo_exibido(self, obj):
        return format_html(
            "<code>{}</code><br>Informe-o ao sistema: ele confere com este segredo a assinatura de cada "
            "entrega (cabeçalho webhook-signature).",
            obj.segredo,
        )

    def has_delete_permission(self, request, obj=None):
        # Its deliveries keep pointing at it; a subscription out of use is deactivated.
        return False

    def has_retomar_permission(self, request):
        return self.has_change_permission(request)

    @admin.action(description="Retomar as entregas (assinaturas pausadas)", permissions=["retomar"])
    def retomar(self, request, queryset):
        retomadas = 0
        for assinatura in queryset:
            if entrega.retomar(assinatura):
                retomadas += 1
                self.log_change(request, assinatura, "Entregas retomadas.")
        self.message_user(
            request,
            f"{retomadas} assinatura(s) retomada(s): os eventos guardados saem na próxima rodada de "
            "`entregar_webhooks`."
            if retomadas
            else "Nenhuma das assinaturas escolhidas estava pausada.",
            messages.SUCCESS if retomadas else messages.WARNING,
        )


class TentativasInline(SomenteLeitura, admin.TabularInline):
    model = TentativaWebhook
    fields = ["numero", "em", "status", "latencia_ms", "resposta", "erro"]
    readonly_fields = fields
    ordering = ["numero", "pk"]
    extra = 0
    verbose_name_plural = "tentativas (cada uma, com o que o receptor respondeu)"


@admin.register(EntregaWebhook)
class EntregaWebhookAdmin(EscolhaDeAcao, ListaSegura, SomenteLeitura, admin.ModelAdmin):
    list_display = ["criada_em", "evento", "protocolo", "assinatura", "situacao", "tentativas", "proxima_tentativa_em"]
    list_filter = ["evento", ("entregue_em", admin.EmptyFieldListFilter)]
    list_select_related = ["protocolo", "assinatura__sistema"]
    # Newest first through the primary key.
    ordering = ["-id"]
    list_per_page = 50
    search_fields = ["protocolo__numero"]
    search_help_text = "Número do protocolo, com ou sem pontuação, ou o webhook-id (msg_…)."
    fields = [
        "webhook_id",
        "evento",
        "protocolo",
        "assinatura",
        "criada_em",
        "situacao",
        "entregue_em",
        "tentativas",
        "proxima_tentativa_em",
        "ultimo_erro",
        "payload_formatado",
    ]
    readonly_fields = fields
    inlines = [TentativasInline]
    actions = ["reenviar"]

    @admin.display(description="entrega")
    def situacao(self, obj):
        if obj.entregue:
            return "entregue"
        if obj.proxima_tentativa_em is None:
            return "parada: a assinatura foi pausada"
        return format_html('<span title="{}">pendente</span>', obj.ultimo_erro or "aguardando a entrega")

    @admin.display(description="payload")
    def payload_formatado(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, ensure_ascii=False, indent=2))

    def get_search_results(self, request, queryset, search_term):
        termo = search_term.strip()
        if not termo:
            return queryset, False
        if termo.startswith("msg_"):
            return queryset.filter(webhook_id=termo), False
        try:
            numero = numeracao.normalizar(termo)
        except NumeroInvalido:
            return queryset.none(), False
        return queryset.filter(protocolo__numero=numero), False

    def has_reenviar_permission(self, request):
        return request.user.has_perm("protocolo.reenviar_entregawebhook")

    @admin.action(description="Reenviar (mesmo webhook-id, assinado de novo)", permissions=["reenviar"])
    def reenviar(self, request, queryset):
        escolhidas = list(queryset.select_related("assinatura"))
        for escolhida in escolhidas:
            entrega.reenviar(escolhida)
            self.log_change(request, escolhida, "Reenvio agendado.")
        pausadas = sum(1 for e in escolhidas if e.assinatura.pausada or not e.assinatura.ativa)
        mensagem = f"{len(escolhidas)} entrega(s) agendada(s) para agora (próxima rodada de entregar_webhooks)."
        if pausadas:
            mensagem += f" Destas, {pausadas} são de assinaturas pausadas ou inativas: saem quando forem retomadas."
        self.message_user(request, mensagem, messages.SUCCESS)
