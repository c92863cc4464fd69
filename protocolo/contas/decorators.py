"""Who may pass which door: the back-office (the attendants' permission) and the admin (staff).
Both send an anonymous visitor to the login page and answer 403 to a logged-in user without the
right: sending them to log in again would only loop."""

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied

ATENDER = "protocolo.atender_protocolo"


def atendimento(view):
    """Logged in (else the login page), then in the back-office (else 403): docs/pilha.md 21."""
    return login_required(permission_required(ATENDER, raise_exception=True)(view))


def equipe_do_admin(view):
    """Logged in (else the login page) and staff (else 403): who may enter the admin."""

    @wraps(view)
    def exigir_equipe(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(exigir_equipe)
