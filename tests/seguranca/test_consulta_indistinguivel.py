"""The public lookup cannot tell a wrong CPF from a missing number (docs/dominio.md §5): every failing pair
gets the same status and the same bytes, and costs the same work — the same SQL statements and the
same HMAC computations, captured, not timed (timing is noise on a shared 2-core machine)."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from protocolo import numeracao
from protocolo.operacao import limites
from tests.consumidor.apoio import CPF, OUTRO_CPF, consultar, normalizar_pagina
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db

INEXISTENTE = numeracao.formato_atual().montar(datetime.date(2026, 1, 5), 4242)
CPF_DE_OUTRO = "39053344705"


@pytest.fixture
def protocolo():
    ConsumidorFactory(cpf=CPF_DE_OUTRO)
    return abrir(consumidor=ConsumidorFactory(cpf=CPF))


def _normalizar_sql(sql):
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def _trabalho(monkeypatch, numero, cpf):
    """(status, normalised body, normalised SQL, HMAC inputs' kinds) of one lookup from a fresh
    browser with fresh rate-limit counters."""
    cache.clear()
    limites._reserva.clear()
    hmacs = []
    original = limites.chave
    # A spy that records each HMAC the view asks for and computes it with the real function.
    monkeypatch.setattr(limites, "chave", lambda valor: hmacs.append(str(valor).split(":")[0]) or original(valor))
    with CaptureQueriesContext(connection) as consultas:
        resposta = consultar(Client(), numero, cpf)
    monkeypatch.setattr(limites, "chave", original)
    return (
        resposta.status_code,
        # The failure page keeps what was typed in its fields (only that differs, and it is checked there).
        normalizar_pagina(resposta.content, numero, cpf) if resposta.status_code == 404 else resposta.content,
        [_normalizar_sql(q["sql"]) for q in consultas],
        hmacs,
    )


def test_every_failing_pair_is_the_same_answer_after_the_same_work(protocolo, monkeypatch):
    casos = {
        "CPF errado": (protocolo.numero, OUTRO_CPF),
        "CPF de outro consumidor": (protocolo.numero, CPF_DE_OUTRO),
        "número inexistente": (INEXISTENTE, OUTRO_CPF),
        "número inexistente com o CPF certo": (INEXISTENTE, CPF),
    }

    trabalhos = {nome: _trabalho(monkeypatch, *par) for nome, par in casos.items()}

    referencia = trabalhos["CPF errado"]
    assert referencia[0] == 404
    assert referencia[3] == ["numero", "cpf"]
    assert any("protocolo_protocolo" in sql for sql in referencia[2])
    for nome, trabalho in trabalhos.items():
        assert trabalho == referencia, nome


def test_the_spy_sees_the_difference_of_a_right_pair(protocolo, monkeypatch):
    """The comparison above can fail: the right pair does other work and answers otherwise."""
    certo = _trabalho(monkeypatch, protocolo.numero, CPF)
    errado = _trabalho(monkeypatch, protocolo.numero, OUTRO_CPF)

    assert certo[0] == 302
    assert certo[2] != errado[2]
