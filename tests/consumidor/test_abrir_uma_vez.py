"""The opening form's one-time key (issue 12, item 7): two POSTs to /abrir/ had a connection reset
and were committed anyway; the visitor, told to try again, opened a second protocol. A form sent
again returns the protocol it already opened."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from protocolo import services
from protocolo.models import Mensagem, Protocolo
from tests.consumidor.apoio import CPF, pagina
from tests.factories import categoria

URL = "/abrir/"


def _chave(cliente):
    return re.search(r'name="chave" value="([0-9a-f]{32})"', cliente.get(URL).text)[1]


def _dados(chave, **mudancas):
    return {
        "chave": chave,
        "cpf": "529.982.247-25",
        "nome": "Maria Aparecida Souza",
        "email": "maria@exemplo.com.br",
        "categoria": categoria("cobranca").pk,
        "objeto": "Cobraram duas vezes a mensalidade.",
        **mudancas,
    }


@pytest.mark.django_db
def test_each_form_shown_carries_a_key_of_its_own(client):
    assert _chave(client) != _chave(client)


@pytest.mark.django_db
def test_the_same_form_sent_twice_opens_one_protocol_and_shows_it_both_times(limites_zerados):
    primeiro, segundo = Client(), Client()
    chave = _chave(primeiro)

    antes = primeiro.post(URL, _dados(chave))
    # The first answer never arrived: the visitor sends the page again, from a fresh session.
    depois = segundo.post(URL, _dados(chave), follow=True)

    protocolo = Protocolo.objects.get()
    assert antes.url == depois.redirect_chain[0][0] == pagina(protocolo, "consumidor:comprovante")
    assert f"Protocolo {protocolo.numero_formatado} aberto." in depois.text
    assert Mensagem.objects.count() == 2  # the confirmation link and the number waiting for it
    assert protocolo.interacoes.count() == 2  # the opening and the number's sending, once


@pytest.mark.django_db
def test_a_key_that_opened_someone_elses_protocol_is_refused_and_shows_nothing(client, limites_zerados):
    chave = _chave(client)
    client.post(URL, _dados(chave))
    aberto = Protocolo.objects.get()

    resposta = Client().post(URL, _dados(chave, cpf="111.444.777-35", nome="Outra Pessoa"))

    assert resposta.status_code == 200
    assert "Este formulário já foi enviado. Recarregue a página para abrir outro protocolo." in resposta.text
    assert aberto.numero not in resposta.text and aberto.numero_formatado not in resposta.text
    assert Protocolo.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("chave", ["", "nao-e-uma-chave", "A" * 32, "0" * 33])
def test_a_missing_or_forged_key_opens_without_one(client, chave, limites_zerados):
    resposta = client.post(URL, _dados(chave))

    assert resposta.status_code == 302
    assert Protocolo.objects.get().chave_de_abertura is None


@pytest.mark.django_db(transaction=True)
def test_two_copies_racing_each_other_open_one_protocol():
    chave = "0123456789abcdef" * 2
    barreira = threading.Barrier(2)
    resultados, erros = [], []

    def abrir():
        try:
            barreira.wait(timeout=5)
            resultados.append(
                services.protocolo_abrir_pelo_portal(
                    cpf=CPF,
                    nome="Maria",
                    email="maria@exemplo.com.br",
                    categoria=categoria("cobranca"),
                    objeto="Cobrança em dobro.",
                    chave=chave,
                ).pk
            )
        except Exception as erro:  # reported below, with the thread's own exception
            erros.append(erro)
        finally:
            connection.close()

    linhas = [threading.Thread(target=abrir) for _ in range(2)]
    for linha in linhas:
        linha.start()
    for linha in linhas:
        linha.join()

    assert erros == []
    assert len(set(resultados)) == 1
    assert Protocolo.objects.count() == 1
