"""An Idempotency-Key makes a retry return the same protocol: eight concurrent requests with one key
open one protocol, and the day's numbers keep no gap (the losers' numbers are rolled back with
them). These tests commit, so the tables are truncated afterwards (docs/pilha.md 16)."""

import pytest

from protocolo import numeracao
from protocolo.models import ChaveDeIdempotencia, Protocolo
from tests.api.apoio import ClienteApi, cliente, token
from tests.protocolo.test_concorrencia import em_paralelo

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
CORPO = {"canal": "telefone", "cpf": "52998224725", "objeto": "Segunda via da fatura"}


def test_eight_concurrent_requests_with_one_key_open_one_protocol():
    api = cliente(["protocolos:abrir"])
    tokens = [api.token, token(api.sistema)]

    def pedir(indice):
        return lambda: ClienteApi(tokens[indice % 2]).post(
            "/api/v1/protocolos/", CORPO, headers={"Idempotency-Key": "chamada-123"}
        )

    respostas, erros = em_paralelo(*(pedir(i) for i in range(THREADS)))

    assert erros == []
    assert sorted(r.status_code for r in respostas) == [200] * (THREADS - 1) + [201]
    assert {r.json()["numero"] for r in respostas} == {Protocolo.objects.get().numero}
    assert ChaveDeIdempotencia.objects.count() == 1
    # The next opening takes the next number: none was lost to the requests that lost the race.
    seguinte = api.post("/api/v1/protocolos/", CORPO).json()["numero"]
    assert numeracao.decompor(seguinte)[1] == numeracao.decompor(Protocolo.objects.earliest("aberto_em").numero)[1] + 1


def test_the_same_key_with_another_content_is_refused_and_keys_are_per_system():
    api, outro = cliente(["protocolos:abrir"]), cliente(["protocolos:abrir"])
    chave = {"Idempotency-Key": "k1"}

    primeiro = api.post("/api/v1/protocolos/", CORPO, headers=chave)
    repetido = api.post("/api/v1/protocolos/", CORPO, headers=chave)
    diferente = api.post("/api/v1/protocolos/", {**CORPO, "objeto": "Outra coisa"}, headers=chave)
    de_outro_sistema = outro.post("/api/v1/protocolos/", CORPO, headers=chave)

    assert (primeiro.status_code, repetido.status_code) == (201, 200)
    assert repetido.json()["numero"] == primeiro.json()["numero"]
    assert diferente.status_code == 422
    assert diferente.json()["type"] == "urn:protocolo:idempotencia"
    assert de_outro_sistema.status_code == 201
    assert de_outro_sistema.json()["numero"] != primeiro.json()["numero"]
