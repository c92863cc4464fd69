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
