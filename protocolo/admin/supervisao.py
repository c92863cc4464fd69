"""The supervision dashboard: a page of its own inside the admin (its login, its layout), the
figures of the queues, deadlines and escalations; no model behind it, so no ModelAdmin."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import indicadores
from ..models import EM_ABERTO, Canal, Situacao
from .base import pode_supervisionar


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
