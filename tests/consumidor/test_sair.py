"""Leaving a shared computer (issue 13, item 13): every portal page shows "Sair" while this browser
holds any access, and after it the protocol is a 404 for this browser."""

import pytest
from django.urls import reverse

from protocolo import links
from tests.consumidor.apoio import CPF, consultar, pagina

pytestmark = pytest.mark.django_db

SAIR = f'action="{reverse("consumidor:sair")}"'


def test_a_browser_without_access_is_offered_no_exit(client, protocolo):
    for url in (reverse("consumidor:inicio"), reverse("consumidor:abrir"), pagina(protocolo)):
        assert SAIR not in client.get(url).text


def test_after_a_lookup_every_page_offers_sair_and_sair_closes_the_protocol(client, protocolo):
    assert consultar(client, protocolo.numero, CPF).status_code == 302
    for url in (pagina(protocolo), pagina(protocolo, "consumidor:comprovante"), reverse("consumidor:inicio")):
        assert SAIR in client.get(url).text, url

    resposta = client.post(reverse("consumidor:sair"), follow=True)

    assert "Você saiu." in resposta.text
    assert SAIR not in resposta.text
    assert client.get(pagina(protocolo)).status_code == 404
    assert client.get(pagina(protocolo, "consumidor:historico")).status_code == 404


def test_a_link_to_all_demands_is_closed_by_sair_as_well(client, consumidor, protocolo):
    token = links.token_consumidor(consumidor, consumidor.contatos.vinculados().get(tipo="email"))
    client.get(reverse("consumidor:acesso_demandas", args=[token]))
    assert SAIR in client.get(reverse("consumidor:demandas")).text

    client.post(reverse("consumidor:sair"))

    assert client.get(reverse("consumidor:demandas")).status_code == 404
    assert client.get(pagina(protocolo)).status_code == 404


def test_sair_is_a_post(client):
    assert client.get(reverse("consumidor:sair")).status_code == 405
