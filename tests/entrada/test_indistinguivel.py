"""A telephone that names a protocol out of its reach and one that names a number that does not exist
get the same answer from the same work: the same SQL statements, the same reply (docs/seguranca.md,
"Mensagens recebidas"). Captured in process, where the test sees the request's queries."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from protocolo import numeracao
from protocolo.models import Mensagem, MensagemRecebida
from tests.entrada.provedores import META, SEGREDO_META, assinatura_sha256, notificacao_meta, texto_meta
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db

TELEFONE = "+5511987654321"


def _postar(client, texto, id):
    bruto = json.dumps(notificacao_meta(mensagens=[texto_meta(TELEFONE, texto, id=id)])).encode()
    with CaptureQueriesContext(connection) as capturadas:
        resposta = client.post(
            META,
            bruto,
            content_type="application/json",
            headers={"X-Hub-Signature-256": assinatura_sha256(SEGREDO_META, bruto)},
        )
    assert resposta.status_code == 200
    # Numbers, ids and instants differ from one call to the other; the statements may not.
    return [re.sub(r"\d+", "0", consulta["sql"]) for consulta in capturadas.captured_queries]


def test_out_of_reach_and_nonexistent_numbers_do_the_same_work(client, segredos, limites_zerados):
    alheio = abrir(consumidor=ConsumidorFactory(telefone="+5521998765432"))
    inexistente = numeracao.formato_atual().montar(datetime.date(2026, 1, 5), 999_999)
    # A first message warms what the first request loads once (the URLconf, the views).
    _postar(client, "aquecimento", "wamid.aquecimento")

    fora_de_alcance = _postar(client, f"Quero ver o protocolo {alheio.numero}", "wamid.1")
    nao_existe = _postar(client, f"Quero ver o protocolo {inexistente}", "wamid.2")

    assert fora_de_alcance == nao_existe
    recebidas = MensagemRecebida.objects.filter(id_no_provedor__in=["wamid.1", "wamid.2"])
    assert {(r.resultado, r.protocolo_id) for r in recebidas} == {("recusada", None)}
    respostas = Mensagem.objects.filter(destinatario=TELEFONE, protocolo=None).order_by("-pk")[:2]
    assert respostas[0].corpo == respostas[1].corpo
