"""
The supervisors' view of the record. Protocols and their timelines are read-only here: every change
goes through the services, and nothing is ever deleted.
"""

from django.contrib import admin
from django.utils.html import format_html

from .models import Categoria, Consumidor, Feriado, Interacao, Mensagem, Protocolo

admin.site.site_header = "Protocolo · supervisão"
admin.site.site_title = "Protocolo"
admin.site.index_title = "Administração do atendimento"


class SomenteLeitura:
    """Nobody adds, edits or deletes here, not even a superuser."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InteracaoInline(SomenteLeitura, admin.TabularInline):
    model = Interacao
    fields = ["ordem", "criada_em", "tipo", "origem", "publica", "autor", "texto"]
    readonly_fields = fields
    ordering = ["-ordem"]
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Protocolo)
class ProtocoloAdmin(SomenteLeitura, admin.ModelAdmin):
    list_display = [
        "numero_formatado",
        "consumidor",
        "cpf",
        "categoria",
        "situacao",
        "nivel",
        "prazo",
        "responsavel",
        "aberto_em",
    ]
    list_filter = ["situacao", "nivel", "canal", "categoria"]
    list_select_related = ["consumidor", "categoria", "responsavel"]
    show_full_result_count = False
    search_fields = ["numero"]
    inlines = [InteracaoInline]

    @admin.display(description="número", ordering="numero")
    def numero_formatado(self, obj):
        return obj.numero_formatado

    @admin.display(description="CPF")
    def cpf(self, obj):
        return obj.consumidor.cpf_mascarado if obj.consumidor else "—"

    def get_search_results(self, request, queryset, search_term):
        # An exact number in any format; never icontains over a million rows.
        from . import numeracao
        from .exceptions import NumeroInvalido

        if not search_term.strip():
            return queryset, False
        try:
            numero = numeracao.normalizar(search_term)
        except NumeroInvalido:
            return queryset.none(), False
        return queryset.filter(numero=numero), False


@admin.register(Interacao)
class InteracaoAdmin(SomenteLeitura, admin.ModelAdmin):
    list_display = ["protocolo", "ordem", "tipo", "origem", "publica", "autor", "criada_em"]
    list_select_related = ["protocolo", "autor"]
    show_full_result_count = False
    readonly_fields = [f.name for f in Interacao._meta.fields]


@admin.register(Consumidor)
class ConsumidorAdmin(SomenteLeitura, admin.ModelAdmin):
    list_display = ["nome", "cpf_mascarado", "email", "criado_em"]
    show_full_result_count = False
    exclude = ["cpf"]
    readonly_fields = [
        "nome",
        "cpf_mascarado",
        "email",
        "telefone",
        "criado_em",
        "anonimizado_em",
        "retencao_suspensa",
        "motivo_retencao",
    ]

    @admin.display(description="CPF")
    def cpf_mascarado(self, obj):
        return obj.cpf_mascarado


@admin.register(Categoria)
class CategoriaAdmin(admin.ModelAdmin):
    list_display = ["nome", "codigo", "prazo", "calendario", "ativa"]
    list_filter = ["ativa", "tipo_prazo", "calendario"]

    @admin.display(description="prazo")
    def prazo(self, obj):
        return obj.descricao_prazo()

    def has_delete_permission(self, request, obj=None):
        # Protocols keep pointing at it; a categoria out of use is marked inactive.
        return False


@admin.register(Feriado)
class FeriadoAdmin(admin.ModelAdmin):
    list_display = ["data", "descricao"]
    date_hierarchy = "data"


@admin.register(Mensagem)
class MensagemAdmin(SomenteLeitura, admin.ModelAdmin):
    list_display = ["assunto", "destinatario", "criada_em", "situacao", "tentativas"]
    list_select_related = ["protocolo"]
    show_full_result_count = False
    readonly_fields = [f.name for f in Mensagem._meta.fields]

    @admin.display(description="entrega")
    def situacao(self, obj):
        return (
            "enviada"
            if obj.enviada
            else format_html('<span title="{}">pendente</span>', obj.ultimo_erro or "aguardando envio")
        )
