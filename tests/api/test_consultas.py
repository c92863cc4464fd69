"""The menu's paths pinned by their queries: the opening is what a telephone menu waits on before it
reads the number out, and the read is what every follow-up asks."""

import pytest

from tests.api.apoio import cliente
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    api = cliente(["protocolos:abrir", "protocolos:ler"])
    # The token's "last used" is written once a minute: this first request pays it.
    api.get(f"/api/v1/protocolos/{abrir().numero}/")
    return api


def test_an_opening_by_the_menu_costs_nine_queries(api, django_assert_num_queries):
    # 1 the credential with its system and account
    # 2 savepoint (the opening's transaction)
    # 3 the local holidays from today on (the deadline)
    # 4 the day's sequence (the number, last)
    # 5 the protocol
    # 6 its opening entry
    # 7 the webhook subscriptions to the event, written in the same transaction
    # 8 release the savepoint (commit)
    # 9 the chain head, for the receipt's code
    with django_assert_num_queries(9):
        resposta = api.post("/api/v1/protocolos/", {"canal": "telefone"})

    assert resposta.status_code == 201


def test_reading_a_protocol_costs_four_queries(api, django_assert_num_queries):
    protocolo = abrir(consumidor=ConsumidorFactory())

    # 1 the credential with its system and account
    # 2 the protocol with its consumer and categoria
    # 3 the timeline, whose last entry is the chain head the receipt's code seals
    # 4 the access log's row (the consumer's data was read)
    with django_assert_num_queries(4):
        resposta = api.get(f"/api/v1/protocolos/{protocolo.numero}/")

    assert resposta.status_code == 200
