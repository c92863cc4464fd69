"""
The supervisors' workplace. Protocols and their timelines are read-only here: every change goes
through admin actions that call the same services as the back-office (one history: the timeline),
and nothing is ever deleted. Built to stay instant at a million protocols: exact searches, indexed
filters, no full count, no date hierarchy, no dropdown of every row (docs/pilha.md 20).
"""

from django.contrib import admin

# Importing the modules registers their ModelAdmins (Django autodiscovers protocolo.admin).
from . import consumidores, nomes, protocolos, registros, respostas, sistemas, webhooks

__all__ = ["consumidores", "protocolos", "registros", "respostas", "sistemas", "webhooks"]

nomes.traduzir()

admin.site.site_header = "Protocolo · supervisão"
admin.site.site_title = "Protocolo"
admin.site.index_title = "Administração do atendimento"
# The protocol list needs the width: its columns, not a second menu, fill a 1280 px screen.
admin.site.enable_nav_sidebar = False
