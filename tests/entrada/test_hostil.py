"""Hostile bodies, signed with the right secret (a leaked one, or a provider's bug): a 4xx with a
Portuguese message, never a 500, and nothing recorded."""

import json

import pytest

from protocolo.models import MensagemRecebida, Protocolo
from tests.entrada.provedores import GATEWAY, GATEWAY_ESTADO, TWILIO, TWILIO_ESTADO, notificacao_meta, texto_meta

pytestmark = pytest.mark.django_db(transaction=True)


def _com(campo, valor):
    mensagem = texto_meta("+5511987654321", "Oi")
    mensagem[campo] = valor
    return notificacao_meta(mensagens=[mensagem])


CORPOS_META = [
    b"",
    b"nao e json",
    b"\xff\xfe\x00",
    b"[]",
    b'"texto"',
    b"null",
    {"entry": "x"},
    {"entry": [1]},
    {"entry": [{"changes": {"value": {}}}]},
    {"entry": [{"changes": [{"value": []}]}]},
    {"entry": [{"changes": [{"value": {"messages": [None]}}]}]},
    {"entry": [{"changes": [{"value": {"statuses": [{"status": "read"}]}}]}]},
    _com("from", 5511987654321),
    _com("from", "abc"),
    _com("from", "1" * 40),
    _com("id", ""),
    _com("id", ["wamid"]),
    _com("id", "x" * 500),
    _com("text", "Oi"),
    _com("text", {"body": {"a": 1}}),
    _com("type", None),
]


@pytest.mark.parametrize("corpo", CORPOS_META, ids=range(len(CORPOS_META)))
def test_meta_bodies_that_are_not_its_format_are_refused(provedor, corpo):
    resposta = provedor.meta(corpo)

    assert resposta.status_code == 400, resposta.text
    assert "inválid" in resposta.text
    assert not MensagemRecebida.objects.exists()
    assert not Protocolo.objects.exists()


def test_a_huge_body_is_refused_before_it_is_read(provedor):
    enorme = json.dumps(notificacao_meta(mensagens=[texto_meta("+5511987654321", "a" * 400_000)])).encode()

    assert provedor.meta(enorme).status_code == 413
    assert provedor.gateway(GATEWAY, enorme).status_code == 413
    assert not MensagemRecebida.objects.exists()


CORPOS_GATEWAY = [
    b"nao e json",
    b"[1, 2]",
    {"id": "g1", "de": "+5511987654321"},
    {"id": "g1", "texto": "oi"},
    {"de": "+5511987654321", "texto": "oi"},
    {"id": None, "de": "+5511987654321", "texto": "oi"},
    {"id": "g1", "de": 5511987654321, "texto": "oi"},
    {"id": "g1", "de": "não é telefone", "texto": "oi"},
    {"id": "g1", "de": "+5511987654321", "texto": ["oi"]},
    {"id": True, "de": "+5511987654321", "texto": "oi"},
]


@pytest.mark.parametrize("corpo", CORPOS_GATEWAY, ids=range(len(CORPOS_GATEWAY)))
def test_gateway_bodies_that_are_not_its_format_are_refused(provedor, corpo):
    resposta = provedor.gateway(GATEWAY, corpo)

    assert resposta.status_code == 400
    assert "inválido" in resposta.json()["erro"]
    assert not MensagemRecebida.objects.exists()


@pytest.mark.parametrize(
    "corpo", [b"{}", {"id": "x"}, {"id": "x", "estado": "explodiu"}, {"id": 3.5, "estado": "lida"}]
)
def test_gateway_receipts_that_are_not_its_format_are_refused(provedor, corpo):
    assert provedor.gateway(GATEWAY_ESTADO, corpo).status_code == 400


@pytest.mark.parametrize(
    "campos",
    [
        {"Body": "oi", "MessageSid": "SM1"},
        {"From": "+5511987654321", "Body": "oi"},
        {"From": "whatsapp:abc", "Body": "oi", "MessageSid": "SM1"},
        {"From": "+5511987654321", "Body": "oi", "MessageSid": "SM\x00"},
    ],
)
def test_twilio_forms_without_their_fields_are_refused(provedor, campos):
    assert provedor.twilio(TWILIO, campos).status_code == 400
    assert not MensagemRecebida.objects.exists()


def test_a_twilio_status_without_its_fields_is_refused(provedor):
    assert provedor.twilio(TWILIO_ESTADO, {"MessageStatus": "failed"}).status_code == 400


def test_a_signed_json_body_to_twilio_is_refused(provedor):
    resposta = provedor.sessao.post(provedor.url + TWILIO, json={"From": "+5511987654321"}, timeout=1)

    assert resposta.status_code == 403
