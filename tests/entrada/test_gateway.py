"""The SMS gateway's inbound messages and receipts, JSON signed with the shared secret."""

import pytest

from protocolo.models import Interacao, Mensagem, MensagemRecebida
from tests.entrada.provedores import GATEWAY, GATEWAY_ESTADO
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db(transaction=True)

TELEFONE = "+5511987654321"


def test_an_inbound_sms_joins_its_protocol_once_however_often_it_is_posted(provedor):
    protocolo = abrir(consumidor=ConsumidorFactory(telefone=TELEFONE))
    corpo = {"id": "gw-1", "de": "5511987654321", "texto": f"{protocolo.numero_formatado} obrigado"}

    respostas = [provedor.gateway(GATEWAY, corpo) for _ in range(2)]

    assert [r.status_code for r in respostas] == [200, 200]
    assert respostas[0].json() == {"ok": True}
    recebida = MensagemRecebida.objects.get()
    assert (recebida.provedor, recebida.canal, recebida.resultado) == ("gateway", "sms", "anexada")
    assert protocolo.interacoes.filter(tipo=Interacao.Tipo.MENSAGEM_CONSUMIDOR).count() == 1


def test_a_wrong_secret_is_refused(provedor):
    resposta = provedor.gateway(GATEWAY, {"id": "gw-2", "de": TELEFONE, "texto": "oi"}, segredo="outro")

    assert resposta.status_code == 403
    assert not MensagemRecebida.objects.exists()


def test_receipts_record_the_state_and_a_failure_gives_up(provedor):
    mensagem = Mensagem.objects.create(canal="sms", destinatario=TELEFONE, assunto="a", corpo="b", message_id="<g>")
    Mensagem.objects.filter(pk=mensagem.pk).update(id_no_provedor="gw-enviada")

    assert provedor.gateway(GATEWAY_ESTADO, {"id": "gw-enviada", "estado": "falhou"}).status_code == 200
    assert provedor.gateway(GATEWAY_ESTADO, {"id": "gw-enviada", "estado": "entregue"}).status_code == 200
    assert provedor.gateway(GATEWAY_ESTADO, {"id": "gw-outra", "estado": "entregue"}).status_code == 200

    mensagem.refresh_from_db()
    assert mensagem.estado_no_provedor == "falhou"
    assert mensagem.desistida_em is not None
