"""
/saude/ for the load balancer (issue 7 item 9, issue 12 item 7): 200 while the database answers,
503 when it does not; a cache down is reported in the body, not fatal. Real failures (a closed
port), nothing personal in it, never rate limited, never redirected to HTTPS.
"""

import logging
import socket
import time

import pytest
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import ConsumidorFactory
from tests.proxy import ProxyCongelavel

pytestmark = pytest.mark.django_db

URL = "/saude/"
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def _porta_fechada():
    with socket.socket() as livre:
        livre.bind(("127.0.0.1", 0))
        return livre.getsockname()[1]


def _redis(porta, prefixo="saude-teste"):
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{porta}/0",
        "KEY_PREFIX": prefixo,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


def test_the_url_is_named_and_at_the_root():
    assert reverse("saude") == URL


def test_both_up_answer_200_and_nothing_else(client):
    ConsumidorFactory(cpf="52998224725", nome="Maria Aparecida Souza", email="maria@exemplo.com.br")

    resposta = client.get(URL)

    assert resposta.status_code == 200
    assert resposta["Content-Type"] == "application/json"
    assert resposta.json() == {"banco": "ok", "cache": "ok"}
    assert "no-store" in resposta["Cache-Control"]
    assert resposta.cookies == {}
    assert b"52998224725" not in resposta.content and b"maria" not in resposta.content.lower()


@override_settings(CACHES={"default": _redis(6379)})
def test_with_a_real_redis_up_it_answers_200(client):
    assert client.get(URL).json() == {"banco": "ok", "cache": "ok"}


def test_head_answers_like_get_and_other_methods_are_refused(client):
    assert client.head(URL).status_code == 200
    for metodo in ("post", "put", "delete", "patch"):
        assert getattr(client, metodo)(URL).status_code == 405, metodo


def test_the_cache_down_is_reported_but_the_server_stays_in_rotation(client, caplog):
    # The portal serves without the cache (sessions from the database, limits per process): a
    # 503 here would take every app server out of the load balancer during a Redis outage.
    with override_settings(CACHES={"default": _redis(_porta_fechada())}):
        resposta = client.get(URL)

    assert resposta.status_code == 200
    assert resposta.json() == {"banco": "ok", "cache": "falhou"}
    assert "no-store" in resposta["Cache-Control"]
    assert "Saúde: cache indisponível (ConnectionError" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_rate_limits_cache_down_is_reported_too(client):
    caches = {"default": LOCMEM, "limites": _redis(_porta_fechada())}
    with override_settings(CACHES=caches, PROTOCOLO_CACHE_LIMITES="limites"):
        resposta = client.get(URL)

    assert resposta.status_code == 200
    assert resposta.json() == {"banco": "ok", "cache": "falhou"}


@pytest.mark.django_db(transaction=True)
def test_the_database_down_answers_503_naming_it_and_200_once_it_is_back(client, caplog):
    conexao = connections["default"]
    porta = conexao.settings_dict["PORT"]
    conexao.close()
    conexao.settings_dict["PORT"] = _porta_fechada()
    try:
        resposta = client.get(URL)
    finally:
        conexao.close()
        conexao.settings_dict["PORT"] = porta

    assert resposta.status_code == 503
    assert resposta.json() == {"banco": "falhou", "cache": "ok"}
    assert "Saúde: banco indisponível (OperationalError" in caplog.text
    assert client.get(URL).json() == {"banco": "ok", "cache": "ok"}


@pytest.mark.django_db(transaction=True)
def test_a_frozen_database_answers_503_within_the_deadline_and_200_once_it_thaws(client, settings, caplog):
    """A server that stops answering without closing the socket (SIGSTOP, a hung host): the kernel
    still acknowledges, so no timeout of the server's (statement_timeout) and no TCP timeout
    applies. The probe keeps its own deadline, and the connection it was left waiting on is never
    the one a later probe or request uses."""
    settings.PROTOCOLO_SAUDE_TEMPO_LIMITE_MS = 500
    conexao = connections["default"]
    porta = conexao.settings_dict["PORT"]
    destino = (conexao.settings_dict["HOST"] or "127.0.0.1", int(porta or 5432))
    conexao.close()
    with ProxyCongelavel(destino) as proxy:
        conexao.settings_dict["PORT"] = proxy.porta
        try:
            assert client.get(URL).json() == {"banco": "ok", "cache": "ok"}
            # Thawed by itself after 4 s: without a deadline of its own the probe would wait that long.
            proxy.congelar(por=4)
            tempos, respostas = [], []
            for _ in range(2):
                inicio = time.monotonic()
                respostas.append(client.get(URL))
                tempos.append(time.monotonic() - inicio)
            proxy.descongelar()
            prazo = time.monotonic() + 5
            while (depois := client.get(URL)).status_code != 200 and time.monotonic() < prazo:
                time.sleep(0.05)
        finally:
            conexao.close()
            conexao.settings_dict["PORT"] = porta

    assert [r.status_code for r in respostas] == [503, 503]
    assert all(r.json() == {"banco": "falhou", "cache": "ok"} for r in respostas)
    assert max(tempos) < 0.5 + 0.4, tempos
    assert "Saúde: banco indisponível (TimeoutError" in caplog.text
    assert (depois.status_code, depois.json()) == (200, {"banco": "ok", "cache": "ok"})


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_answered_not_redirected_to_https():
    cliente = Client()

    assert cliente.get("/").status_code == 301
    assert cliente.get(URL).status_code == 200
    assert cliente.get("/saude/extra").status_code == 301


def test_many_probes_in_a_row_are_never_rate_limited(client):
    respostas = [client.get(URL, REMOTE_ADDR="203.0.113.9").status_code for _ in range(60)]

    assert respostas == [200] * 60


def test_an_unknown_host_is_still_refused():
    assert Client(HTTP_HOST="10.0.0.5").get(URL).status_code == 400


def test_every_role_gets_the_same_answer(clientes):
    for papel in ("anonimo", "visitante", "sem_grupo", "atendente", "supervisor"):
        resposta = clientes[papel].get(URL)
        assert (resposta.status_code, resposta.json()) == (200, {"banco": "ok", "cache": "ok"}), papel
