"""Two deliverers at once, each with its own connection to PostgreSQL: every event goes out once,
and the events of a protocol in the order they happened. These tests commit, so the tables are
truncated afterwards (docs/pilha.md 16)."""

import collections

import pytest

from protocolo import services
from protocolo.models import Situacao
from protocolo.webhooks import entrega
from tests.factories import AtendenteFactory, abrir
from tests.protocolo.test_concorrencia import em_paralelo

from .conftest import NOME, assinar

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("rede_de_teste")]


def test_two_deliverers_send_each_event_once_and_each_protocol_in_order(receptores):
    atendente = AtendenteFactory()
    receptor = receptores()
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    for _ in range(4):
        protocolo = abrir(atendente=atendente)
        services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=atendente)
        services.protocolo_registrar_interacao(protocolo=protocolo, texto="Olá.", autor=atendente, publica=True)
        services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)

    def entregar():
        return entrega.entregar_pendentes(resolvedor=lambda host, porta: ["127.0.0.1"])

    rodadas, erros = em_paralelo(entregar, entregar)

    assert erros == []
    assert sum(r.entregues for r in rodadas) == 16 and sum(r.falhas for r in rodadas) == 0
    ids = [r["id"] for r in receptor.recebidos]
    assert len(ids) == len(set(ids)) == assinatura.entregas.count() == 16
    assert all(r["valida"] for r in receptor.recebidos)
    ordens = collections.defaultdict(list)
    for recebido in receptor.recebidos:
        dados = recebido["payload"]["data"]
        ordens[dados["numero"]].append(dados["interacao"]["ordem"])
    assert list(ordens.values()) == [[1, 2, 3, 4]] * 4
