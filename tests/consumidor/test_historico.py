"""The protocol's public history, printable and as JSON (issue 3, item 6)."""

import json

import pytest

from protocolo import services
from tests.consumidor.apoio import CPF, CPF_FORMATADO, CPF_MASCARADO, pagina
from tests.factories import AtendenteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def com_historia(protocolo):
    atendente = AtendenteFactory(first_name="Carlos Eduardo", last_name="Nogueira")
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="NOTA INTERNA: reincidente", autor=atendente)
    services.protocolo_registrar_interacao(
        protocolo=protocolo, texto="Já pedimos o estorno.", autor=atendente, publica=True
    )
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Obrigada!", origem=services.Origem.CONSUMIDOR)
    return protocolo


def test_the_printable_history_lists_every_public_entry_in_order(visitante, com_historia):
    resposta = visitante.get(pagina(com_historia, "consumidor:historico"))

    texto = resposta.text
    assert resposta.status_code == 200
    assert texto.index("Protocolo aberto") < texto.index("Já pedimos o estorno.") < texto.index("Obrigada!")
    assert "Carlos (atendente)" in texto and "Você" in texto
    assert "NOTA INTERNA" not in texto and "Nogueira" not in texto and "Eduardo" not in texto
    assert "data-imprimir" in texto


def test_the_json_download_is_the_public_record(visitante, com_historia):
    resposta = visitante.get(pagina(com_historia, "consumidor:historico_json"))

    assert resposta["Content-Type"] == "application/json; charset=utf-8"
    assert resposta["Content-Disposition"] == f'attachment; filename="protocolo-{com_historia.numero}.json"'
    dados = json.loads(resposta.content)
    assert dados["numero"] == com_historia.numero
    assert dados["cpf"] == CPF_MASCARADO
    assert [e["evento"] for e in dados["historico"]] == ["Protocolo aberto", "Mensagem da empresa", "Sua mensagem"]
    assert [e["autor"] for e in dados["historico"]] == ["Sistema", "Carlos (atendente)", "Você"]
    bruto = resposta.content.decode()
    assert "NOTA INTERNA" not in bruto and "Nogueira" not in bruto
    assert CPF not in bruto and CPF_FORMATADO not in bruto


def test_the_history_needs_access(client, protocolo):
    assert client.get(pagina(protocolo, "consumidor:historico")).status_code == 404
    assert client.get(pagina(protocolo, "consumidor:historico_json")).status_code == 404
