"""
Short links (/l/<codigo>/) in SMS and WhatsApp texts, where a signed token does not fit
(docs/dominio.md, "Canais das mensagens"). One grants this browser access to its protocol exactly
as the e-mail's signed link does, while the telephone it was sent to stays open and confirmed;
otherwise the portal's one 404, which says nothing of why.
"""

from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from protocolo import selectors

from .views import _conceder, _nao_encontrado


@require_safe
def abrir(request, codigo):
    protocolo = selectors.protocolo_do_link_curto(codigo)
    if protocolo is None:
        return _nao_encontrado(request, link=True)
    _conceder(request, protocolo)
    return redirect("consumidor:protocolo", numero=protocolo.numero)
