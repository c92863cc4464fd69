import pytest

from consumidor import acesso
from tests.factories import ConsumidorFactory, abrir


@pytest.fixture(autouse=True)
def _limites(limites_zerados):
    """Every portal test starts with fresh rate-limit counters."""


@pytest.fixture
def consumidor(db):
    return ConsumidorFactory(cpf="52998224725", nome="Maria Aparecida Souza", email="maria@exemplo.com.br")


@pytest.fixture
def protocolo(consumidor):
    return abrir(consumidor=consumidor, objeto="A fatura de outubro veio em dobro.")


@pytest.fixture
def visitante(client, protocolo):
    """A browser holding access to `protocolo`, as after a successful lookup."""
    sessao = client.session
    acesso.conceder(sessao, protocolo)
    sessao.save()
    return client
