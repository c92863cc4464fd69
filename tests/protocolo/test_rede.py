import pytest
from django.test import RequestFactory

from protocolo.operacao.rede import ip_do_cliente


def pedido(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", **meta)


def test_without_a_configured_header_it_is_the_socket_address(settings):
    settings.PROTOCOLO_CABECALHO_IP = ""

    assert ip_do_cliente(pedido(HTTP_X_FORWARDED_FOR="203.0.113.9")) == "10.0.0.5"


@pytest.mark.parametrize(
    ("cabecalho", "proxies", "esperado"),
    [
        ("203.0.113.9", 1, "203.0.113.9"),
        # The client wrote "1.2.3.4" itself; our load balancer appended the real address.
        ("1.2.3.4, 203.0.113.9", 1, "203.0.113.9"),
        ("1.2.3.4, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"),
        ("", 1, "10.0.0.5"),
        ("não-é-ip", 1, "10.0.0.5"),
        ("203.0.113.9", 2, "10.0.0.5"),
    ],
)
def test_behind_a_load_balancer_it_counts_trusted_hops_from_the_right(settings, cabecalho, proxies, esperado):
    settings.PROTOCOLO_CABECALHO_IP = "HTTP_X_FORWARDED_FOR"
    settings.PROTOCOLO_PROXIES_CONFIAVEIS = proxies

    assert ip_do_cliente(pedido(HTTP_X_FORWARDED_FOR=cabecalho)) == esperado
