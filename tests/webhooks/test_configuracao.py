"""The webhooks' settings as production reads them: closed by default, and a typo stops the start
instead of opening the network."""

import pytest

from tests.protocolo.test_settings import PRODUCAO, ler


def test_production_allows_only_public_addresses_with_the_systems_authorities_by_default():
    valores = ler(
        PRODUCAO,
        "PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS",
        "PROTOCOLO_WEBHOOKS_CA",
        "PROTOCOLO_WEBHOOKS_TEMPO_LIMITE",
    )

    assert valores == {
        "PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS": [],
        "PROTOCOLO_WEBHOOKS_CA": "",
        "PROTOCOLO_WEBHOOKS_TEMPO_LIMITE": 5.0,
    }


def test_the_allowlist_takes_addresses_and_networks():
    valores = ler(
        PRODUCAO | {"PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS": "10.8.0.0/16,192.168.1.20,fd00::/8"},
        "PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS",
    )

    assert valores == {"PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS": ["10.8.0.0/16", "192.168.1.20", "fd00::/8"]}


@pytest.mark.parametrize("valor", ["intranet.local", "10.0.0.0/33", "*"])
def test_an_allowlist_entry_that_is_no_address_stops_the_start(valor):
    erro = ler(PRODUCAO | {"PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS": valor}, "DEBUG")

    assert erro.startswith("django.core.exceptions.ImproperlyConfigured: PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS")


@pytest.mark.parametrize("valor", ["0", "-1", "31"])
def test_a_timeout_out_of_range_stops_the_start(valor):
    erro = ler(PRODUCAO | {"PROTOCOLO_WEBHOOKS_TEMPO_LIMITE": valor}, "DEBUG")

    assert erro.endswith("PROTOCOLO_WEBHOOKS_TEMPO_LIMITE vai de mais de 0 a 30 segundos.")
