"""The records and registers around the protocols: the timeline (read-only for everyone), the
categorias and holidays supervisors keep, the outbox, the messages consumers sent to the SMS and
WhatsApp numbers, and the log of access to personal data."""

from django.contrib import admin
from django.utils.html import format_html

from .. import lgpd, numeracao
from ..exceptions import NumeroInvalido
from ..models import AcessoDadoPessoal, Categoria, Feriado, Interacao, Mensagem, MensagemRecebida
from ..services.contatos import telefone_e164
from .base import ListaSegura, SomenteLeitura, TextoDeUmaLinha, pode_supervisionar


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
    list_display = ["assunto", "canal", "destinatario", "criada_em", "situacao", "estado_no_provedor", "tentativas"]
    list_filter = ["canal", ("enviada_em", admin.EmptyFieldListFilter), "estado_no_provedor"]
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


@admin.register(MensagemRecebida)
class MensagemRecebidaAdmin(ListaSegura, SomenteLeitura, admin.ModelAdmin):
    """What consumers wrote to the SMS and WhatsApp numbers and what each message did
    (docs/operacao.md, "Mensagens recebidas"): a record, read-only, for supervisors."""

    list_display = ["recebida_em", "canal", "provedor", "telefone", "resultado", "protocolo", "texto_curto"]
    # Choices only: a filter on provedor would read the distinct values of the whole table.
    list_filter = ["canal", "resultado"]
    list_select_related = ["protocolo"]
    # Newest first through the primary key: rows only ever arrive.
    ordering = ["-id"]
    list_per_page = 50
    search_fields = ["telefone"]
    search_help_text = "Telefone com DDD, como em (11) 98765-4321 ou +5511987654321."
    fields = [
        "recebida_em",
        "canal",
        "provedor",
        "id_no_provedor",
        "telefone",
        "texto_mascarado",
        "resultado",
        "protocolo",
    ]
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        # The telephone as stored (E.164), an exact match on the index of a telephone's messages.
        termo = search_term.strip()
        if not termo:
            return queryset, False
        return queryset.filter(telefone=telefone_e164(termo) or termo), False

    @admin.display(description="texto")
    def texto_curto(self, obj):
        texto = lgpd.mascarar_cpfs(obj.texto)
        return texto if len(texto) <= 80 else texto[:79] + "…"

    @admin.display(description="texto")
    def texto_mascarado(self, obj):
        return lgpd.mascarar_cpfs(obj.texto)

    def has_view_permission(self, request, obj=None):
        return pode_supervisionar(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


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
