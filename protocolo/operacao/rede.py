"""The client's IP address, as rate limits and lockouts must see it."""

import ipaddress

from django.conf import settings


def ip_do_cliente(request):
    """REMOTE_ADDR, or behind a load balancer the address it appended to the configured header
    (PROTOCOLO_CABECALHO_IP, e.g. HTTP_X_FORWARDED_FOR) counting PROTOCOLO_PROXIES_CONFIAVEIS hops
    from the right: entries further left were written by the client and prove nothing."""
    cabecalho = settings.PROTOCOLO_CABECALHO_IP
    if cabecalho:
        saltos = [parte.strip() for parte in request.META.get(cabecalho, "").split(",") if parte.strip()]
        if len(saltos) >= settings.PROTOCOLO_PROXIES_CONFIAVEIS:
            candidato = saltos[-settings.PROTOCOLO_PROXIES_CONFIAVEIS]
            try:
                return str(ipaddress.ip_address(candidato))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "")


# django-axes' column for the username (AccessAttempt, AccessLog, AccessFailureLog).
USUARIO_MAXIMO = 255


def usuario_do_login(request, credentials):
    """The username django-axes records for a failed login, cut to its column. Django's
    AuthenticationForm does not bound the field (it sets max_length after building it), so a longer
    one reaches authentication and would be a database error instead of "usuário ou senha incorretos"."""
    dados = credentials or getattr(request, "POST", {})
    return (dados.get("username") or "")[:USUARIO_MAXIMO] or None
