"""Who may pass which door: the back-office (the attendants' permission, and the second factor where
it is asked), a supervisor's power in it (the second factor always) and the second factor's own
pages. Each sends an anonymous visitor to the login page and answers 403 to a
logged-in user without the right: sending them to log in again would only loop."""

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from . import segundo_fator

ATENDER = "protocolo.atender_protocolo"


def _depois_do_codigo(request):
    """Where to come back once the code is given: the page asked for, or, for a POST (its URL answers
    nothing but POST), the protocol's page it came from, else the queue."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    numero = request.resolver_match.kwargs.get("numero") if request.resolver_match else None
    if numero:
        return reverse("atendimento:protocolo", args=[numero])
    return reverse("atendimento:painel")


def atendimento(view):
    """Logged in (else the login page), then in the back-office (else 403): docs/pilha.md 21; where
    PROTOCOLO_SEGUNDO_FATOR_ATENDENTES asks for it, verified by the second factor (else its page)."""

    @wraps(view)
    def exigir_codigo(request, *args, **kwargs):
        if segundo_fator.exigido_de_todos() and not request.user.is_verified():
            return redirect(segundo_fator.pedir_codigo(_depois_do_codigo(request)))
        return view(request, *args, **kwargs)

    return login_required(permission_required(ATENDER, raise_exception=True)(exigir_codigo))


def poder_de_supervisor(permissao):
    """A view that uses `permissao` (app.codename), one of the supervisor's powers: whoever would hold
    it once verified is sent to the code first, and nothing is done. Put below `atendimento`; None
    leaves the view as it is."""

    def decorador(view):
        if permissao is None:
            return view

        @wraps(view)
        def exigir_codigo(request, *args, **kwargs):
            if segundo_fator.falta_para(request.user, permissao):
                return redirect(segundo_fator.pedir_codigo(_depois_do_codigo(request)))
            return view(request, *args, **kwargs)

        return exigir_codigo

    return decorador


def quem_verifica(view):
    """Logged in (else the login page), and staff or, where the back-office asks for the code, in
    the back-office (else 403): who may enrol a device and give its code."""

    @wraps(view)
    def exigir_equipe(request, *args, **kwargs):
        usuario = request.user
        if not (usuario.is_staff or (segundo_fator.exigido_de_todos() and usuario.has_perm(ATENDER))):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(exigir_equipe)
