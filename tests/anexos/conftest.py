import pytest

from tests.consumidor.conftest import _limites, consumidor, protocolo, visitante  # noqa: F401


@pytest.fixture
def cliente_atendente(client, atendente):
    client.force_login(atendente)
    return client
