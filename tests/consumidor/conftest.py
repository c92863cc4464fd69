import pytest
from django.core.cache import cache

from consumidor import acesso
from protocolo import limites
from tests.factories import ConsumidorFactory, abrir


@pytest.fixture(autouse=True)
def limites_zerados():
    """Rate-limit counters live in the cache, shared by every test of this process."""
    cache.clear()
    limites._reserva.clear()
    yield
    cache.clear()
    limites._reserva.clear()


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
