"""The client address the rate limits see comes from the socket or from the one configured proxy
header, at the trusted position (docs/dominio.md §6): a client that writes its own X-Forwarded-For does not
become a new client with every request (protocolo/operacao/rede.py, tests/protocolo/test_rede.py)."""

import pytest
from django.test import Client

from tests.consumidor.apoio import OUTRO_CPF, consultar, desafio_da_pagina

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("limites_zerados")]

# Wrong check digits: a form error, so no per-number failure count; only the per-address limit counts,
# and past it the page asks for the proof-of-work challenge.
NUMERO = "2026010500042420"


def _consultas(cabecalhos):
    """Whether each of 21 lookups from one browser asked for the challenge, the n-th sent with
    cabecalhos(n)."""
    navegador = Client()
    return [bool(desafio_da_pagina(consultar(navegador, NUMERO, OUTRO_CPF, headers=cabecalhos(n)))) for n in range(21)]


def test_without_a_configured_header_a_forged_forwarded_for_is_ignored(settings):
    settings.PROTOCOLO_CABECALHO_IP = ""

    estados = _consultas(lambda n: {"x-forwarded-for": f"198.51.100.{n}"})

    assert estados[-1]


def test_behind_the_load_balancer_only_its_position_counts(settings):
    settings.PROTOCOLO_CABECALHO_IP = "HTTP_X_FORWARDED_FOR"
    settings.PROTOCOLO_PROXIES_CONFIAVEIS = 1

    # The client varies what it writes on the left; our balancer appends the real address.
    estados = _consultas(lambda n: {"x-forwarded-for": f"198.51.100.{n}, 203.0.113.9"})

    assert estados[-1]


def test_behind_the_load_balancer_distinct_clients_are_distinct(settings):
    settings.PROTOCOLO_CABECALHO_IP = "HTTP_X_FORWARDED_FOR"
    settings.PROTOCOLO_PROXIES_CONFIAVEIS = 1

    estados = _consultas(lambda n: {"x-forwarded-for": f"203.0.113.{n}"})

    assert not any(estados)
