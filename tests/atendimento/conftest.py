import pytest


@pytest.fixture
def cliente_atendente(client, atendente):
    client.force_login(atendente)
    return client


@pytest.fixture
def cliente_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client
