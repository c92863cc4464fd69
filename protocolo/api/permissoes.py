"""What each system may do: the scope a view names (`escopo`), checked against the system's
scopes; and the per-system rate limit, on the project's limits (protocolo/operacao/limites.py)."""

from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.throttling import BaseThrottle

from ..operacao import limites


def sistema_de(request):
    """The integrated system behind the request (its credential is request.auth), or None."""
    credencial = getattr(request, "auth", None)
    return getattr(credencial, "sistema", None)


class ComEscopo(BasePermission):
    """Refuses with 401 whoever brought no token, and with 403 a system without the view's scope.
    A view without `escopo` is closed to everyone: a new route is never open by omission."""

    def has_permission(self, request, view):
        sistema = sistema_de(request)
        if sistema is None:
            raise exceptions.NotAuthenticated("Envie o token do sistema: Authorization: Bearer <token>.")
        escopo = getattr(view, "escopo", None)
        if escopo is None or not sistema.pode(escopo):
            raise exceptions.PermissionDenied(f"Este sistema não tem o escopo {escopo or '(nenhum)'}.")
        return True


class LimiteDoSistema(BaseThrottle):
    """settings.PROTOCOLO_LIMITES["api_sistema"] requests per window per system; past it, 429 with
    Retry-After (the rest of the window)."""

    def allow_request(self, request, view):
        sistema = sistema_de(request)
        if sistema is None:
            return True
        try:
            limites.consumir("api_sistema", f"sistema-{sistema.pk}")
        except limites.Limitado as erro:
            raise exceptions.Throttled(
                wait=erro.segundos, detail="Limite de requisições deste sistema atingido."
            ) from None
        return True
