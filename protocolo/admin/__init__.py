"""
The supervisors' workplace. Protocols and their timelines are read-only here: every change goes
through admin actions that call the same services as the back-office (one history: the timeline),
and nothing is ever deleted. Built to stay instant at a million protocols: exact searches, indexed
filters, no full count, no date hierarchy, no dropdown of every row (STACK.md 20).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import indicadores
from ..models import EM_ABERTO, Canal, Situacao
from . import consumidores, protocolos, registros
from .base import pode_supervisionar

# Importing the modules registers their ModelAdmins (Django autodiscovers protocolo.admin).
__all__ = ["consumidores", "protocolos", "registros"]

admin.site.site_header = "Protocolo · supervisão"
admin.site.site_title = "Protocolo"
admin.site.index_title = "Administração do atendimento"
# The protocol list needs the width: its columns, not a second menu, fill a 1280 px screen.
admin.site.enable_nav_sidebar = False


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
