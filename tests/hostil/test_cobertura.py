"""Every form-bearing URL of the portal and the back-office is in the hostile-input tests' lists: a
new one fails here until it is added there."""

import pytest
from django.urls import reverse

from atendimento.urls import urlpatterns as da_retaguarda
from consumidor.urls import urlpatterns as do_portal
from protocolo.api.urls import urlpatterns as da_api
from tests.api.apoio import cliente
from tests.hostil import test_api, test_portal, test_retaguarda
from tests.segundo_fator import Cliente

pytestmark = pytest.mark.django_db


def _argumentos(padrao, protocolo):
    valores = {
        "numero": protocolo.numero,
        "token": "x",
        "codigo": "x",
        "uidb64": "x",
        "provedor": "empresa",
        "ordem": 1,
        "posicao": 1,
    }
    return {nome: valores[nome] for nome in padrao.pattern.converters}


def _aceitam_post(app, padroes, protocolo, supervisor):
    nomes = set()
    for padrao in padroes:
        cliente = Cliente(raise_request_exception=False)
        cliente.force_login(supervisor)
        endereco = reverse(f"{app}:{padrao.name}", kwargs=_argumentos(padrao, protocolo))
        if cliente.post(endereco, {}).status_code != 405:
            nomes.add(padrao.name)
    return nomes


@pytest.mark.parametrize(
    ("app", "padroes", "modulo"),
    [("consumidor", do_portal, test_portal), ("atendimento", da_retaguarda, test_retaguarda)],
    ids=["consumidor", "atendimento"],
)
def test_every_url_that_takes_a_post_is_sent_hostile_input(app, padroes, modulo, protocolo, supervisor):
    aceitam = _aceitam_post(app, padroes, protocolo, supervisor)

    assert aceitam, "nenhuma URL aceita POST: o teste não testaria nada"
    assert aceitam <= set(modulo.FORMULARIOS), aceitam - set(modulo.FORMULARIOS)
    for teste in modulo.FORMULARIOS.values():
        assert hasattr(modulo, teste), teste


def test_every_api_route_that_takes_a_post_is_sent_hostile_input(protocolo):
    """The API answers a session with 401 whatever the method: it is asked with a token of every scope."""
    api = cliente()
    aceitam = set()
    for padrao in da_api:
        if padrao.name == "inexistente":
            continue
        endereco = reverse(f"api:{padrao.name}", kwargs=_argumentos(padrao, protocolo))
        if api.post(endereco, {}).status_code != 405:
            aceitam.add(padrao.name)

    assert aceitam, "nenhuma rota aceita POST: o teste não testaria nada"
    assert aceitam <= set(test_api.FORMULARIOS), aceitam - set(test_api.FORMULARIOS)
    for teste in test_api.FORMULARIOS.values():
        assert hasattr(test_api, teste), teste
