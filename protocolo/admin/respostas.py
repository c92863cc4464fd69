"""Canned answers: supervisors write them here; each save keeps a version with who saved it."""

from django.contrib import admin

from ..models import RespostaPronta, VersaoDeRespostaPronta
from ..services import respostas
from .base import SomenteLeitura, TextoDeUmaLinha


class VersoesInline(SomenteLeitura, admin.TabularInline):
    model = VersaoDeRespostaPronta
    fields = ["salva_em", "autor", "titulo", "categoria", "ativa", "texto"]
    readonly_fields = fields
    ordering = ["-salva_em", "-pk"]
    extra = 0
    verbose_name_plural = "histórico (cada versão salva, com quem a salvou)"


@admin.register(RespostaPronta)
class RespostaProntaAdmin(TextoDeUmaLinha, admin.ModelAdmin):
    list_display = ["titulo", "categoria", "ativa"]
    list_filter = ["ativa", "categoria"]
    list_select_related = ["categoria"]
    search_fields = ["titulo"]
    fields = ["titulo", "categoria", "texto", "ativa"]
    inlines = [VersoesInline]

    def save_model(self, request, obj, form, change):
        respostas.resposta_salvar(resposta=obj, autor=request.user)

    def has_delete_permission(self, request, obj=None):
        # The versions keep pointing at it; an answer out of use is marked inactive.
        return False
