"""Twilio's inbound SMS webhook and status callback, over HTTP to a live server, signed as Twilio
signs: for the public URL of PROTOCOLO_URL_BASE, while the request reaches the app server under
another Host, as behind the load balancer."""

import pytest

from protocolo.models import Interacao, Mensagem, MensagemRecebida, Protocolo
from tests.entrada.provedores import TOKEN_TWILIO, TWILIO, TWILIO_ESTADO, novo_id
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db(transaction=True)

TELEFONE = "+5511987654321"
Resultado = MensagemRecebida.Resultado


def _sms_enviado(protocolo, id_no_provedor):
    mensagem = Mensagem.objects.create(
        protocolo=protocolo,
        canal="sms",
        destinatario=TELEFONE,
        assunto="a",
        corpo="b",
        message_id=f"<{id_no_provedor}>",
    )
    Mensagem.objects.filter(pk=mensagem.pk).update(id_no_provedor=id_no_provedor)
    return mensagem


def test_an_sms_signed_for_the_public_url_is_taken_whatever_host_reached_the_server(provedor, live_server):
    protocolo = abrir(consumidor=ConsumidorFactory(telefone=TELEFONE))
    assert not live_server.url.startswith(provedor.base_publica)

    resposta = provedor.sms_twilio("11 98765-4321", f"Protocolo {protocolo.numero}: ainda sem sinal.")

    assert resposta.status_code == 200
    assert resposta.headers["Content-Type"].startswith("text/xml")
    assert resposta.text == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    recebida = MensagemRecebida.objects.get()
    assert (recebida.canal, recebida.provedor, recebida.telefone) == ("sms", "twilio", TELEFONE)
    assert (recebida.resultado, recebida.protocolo) == (Resultado.ANEXADA, protocolo)
    assert protocolo.interacoes.filter(tipo=Interacao.Tipo.MENSAGEM_CONSUMIDOR).count() == 1
    [aviso] = Mensagem.objects.filter(canal="sms", destinatario=TELEFONE)
    assert aviso.protocolo == protocolo


def test_a_signature_for_the_servers_own_host_or_another_token_is_refused(provedor, live_server):
    campos = {"MessageSid": novo_id("SM"), "From": TELEFONE, "Body": "Oi", "NumMedia": "0"}

    pelo_host = provedor.twilio(TWILIO, campos, url_assinada=live_server.url + TWILIO)
    outro_token = provedor.twilio(TWILIO, campos, token="outro-" + TOKEN_TWILIO)

    assert (pelo_host.status_code, outro_token.status_code) == (403, 403)
    assert not MensagemRecebida.objects.exists()
    assert provedor.twilio(TWILIO, campos).status_code == 200
    assert MensagemRecebida.objects.count() == 1


def test_an_sms_without_a_number_opens_nothing_and_says_where_to_open(provedor, settings):
    provedor.sms_twilio(TELEFONE, "Quero reclamar da conta.")

    recebida = MensagemRecebida.objects.get()
    assert (recebida.resultado, recebida.protocolo) == (Resultado.IGNORADA, None)
    assert not Protocolo.objects.exists()
    [resposta] = Mensagem.objects.filter(canal="sms", destinatario=TELEFONE)
    assert settings.PROTOCOLO_URL_BASE in resposta.corpo


def test_status_callbacks_move_the_state_forward_and_a_failure_gives_the_message_up(provedor):
    protocolo = abrir()
    entregue = _sms_enviado(protocolo, "SM-entregue")
    falha = _sms_enviado(protocolo, "SM-falha")

    for sid, status in [
        ("SM-entregue", "queued"),
        ("SM-entregue", "sent"),
        ("SM-entregue", "delivered"),
        ("SM-entregue", "sent"),
        ("SM-falha", "undelivered"),
        ("SM-desconhecido", "delivered"),
    ]:
        campos = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC0001"}
        if status == "undelivered":
            campos["ErrorCode"] = "30003"
        assert provedor.twilio(TWILIO_ESTADO, campos).status_code == 200

    entregue.refresh_from_db()
    falha.refresh_from_db()
    assert (entregue.estado_no_provedor, entregue.desistida_em) == ("entregue", None)
    assert entregue.estado_em is not None
    assert falha.estado_no_provedor == "falhou"
    assert falha.desistida_em is not None
    assert "30003" in falha.ultimo_erro


def test_a_forged_status_callback_changes_nothing(provedor):
    mensagem = _sms_enviado(abrir(), "SM-forjado")

    resposta = provedor.twilio(TWILIO_ESTADO, {"MessageSid": "SM-forjado", "MessageStatus": "failed"}, token="x")

    assert resposta.status_code == 403
    mensagem.refresh_from_db()
    assert (mensagem.estado_no_provedor, mensagem.desistida_em) == ("", None)
