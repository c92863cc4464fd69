"""
Short links (/l/<codigo>/) in SMS and WhatsApp texts, where a signed token does not fit
(docs/dominio.md, "Canais das mensagens"). One grants this browser access to its protocol exactly
as the e-mail's signed link does, while the telephone it was sent to stays open and confirmed;
otherwise the portal's one 404, which says nothing of why.
"""

from django.views.decorators.http import require_safe

from protocolo import selectors

from .views import entrar_pelo_link


@require_safe
def abrir(request, codigo):
    return entrar_pelo_link(request, selectors.protocolo_do_link_curto(codigo))
