"""protocolo.limites: fixed windows, failure locks, HMAC keys, and life without the cache."""

import datetime
import hashlib
import logging

import pytest
from django.core.cache import cache

from protocolo import limites
from tests.consumidor.apoio import CPF, OUTRO_CPF, consultar

MEIO_DIA = datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC)


@pytest.fixture
def regras(settings):
    settings.PROTOCOLO_LIMITES = {"teste": (3, 60), "falhas": (2, 3600)}


@pytest.fixture
def cache_fora(settings):
    settings.CACHES = {
        **settings.CACHES,
        "fora": {"BACKEND": "tests.consumidor.cache_fora.CacheFora"},
    }
    settings.PROTOCOLO_CACHE_LIMITES = "fora"


def test_the_window_counts_up_to_the_limit_and_refuses_after_it(regras, time_machine):
    time_machine.move_to(MEIO_DIA, tick=False)
    assert [limites.consumir("teste", "ip") for _ in range(3)] == [1, 2, 3]

    with pytest.raises(limites.Limitado) as erro:
        limites.consumir("teste", "ip")

    assert erro.value.segundos == 60


def test_the_window_starts_over_after_its_seconds(regras, time_machine):
    time_machine.move_to(MEIO_DIA, tick=False)
    for _ in range(3):
        limites.consumir("teste", "ip")

    time_machine.move_to(MEIO_DIA + datetime.timedelta(seconds=61), tick=False)

    assert limites.consumir("teste", "ip") == 1


def test_the_nth_failure_locks_for_the_rule_seconds_from_that_moment(regras, time_machine):
    time_machine.move_to(MEIO_DIA, tick=False)
    limites.registrar_falha("falhas", "a")
    time_machine.move_to(MEIO_DIA + datetime.timedelta(minutes=50), tick=False)
    limites.exigir_desbloqueado("falhas", "a")
    limites.registrar_falha("falhas", "a")

    time_machine.move_to(MEIO_DIA + datetime.timedelta(minutes=109), tick=False)
    with pytest.raises(limites.Limitado):
        limites.exigir_desbloqueado("falhas", "b", "a")
    time_machine.move_to(MEIO_DIA + datetime.timedelta(minutes=111), tick=False)
    limites.exigir_desbloqueado("falhas", "a")


def test_keys_are_an_hmac_under_the_secret_key_never_the_value_or_its_plain_hash(settings):
    chave = limites.chave(f"cpf:{CPF}")

    assert CPF not in chave
    assert chave not in (hashlib.sha256(CPF.encode()).hexdigest(), hashlib.sha256(f"cpf:{CPF}".encode()).hexdigest())
    settings.SECRET_KEY = "outra-" + "s" * 50
    assert limites.chave(f"cpf:{CPF}") != chave


def test_no_raw_cpf_or_number_is_stored_in_the_cache(client, protocolo, settings):
    consultar(client, protocolo.numero, OUTRO_CPF)

    chaves = list(cache._cache)
    assert chaves
    assert not [c for c in chaves if OUTRO_CPF in c or protocolo.numero in c]


def test_with_the_cache_down_the_limits_fall_back_to_this_process_and_log(regras, cache_fora, caplog):
    with caplog.at_level(logging.WARNING, logger="protocolo.limites"):
        for _ in range(3):
            limites.consumir("teste", "ip")
        with pytest.raises(limites.Limitado):
            limites.consumir("teste", "ip")

    assert "Cache de limites indisponível (ConnectionError" in caplog.text


def test_with_the_cache_down_a_lookup_still_works_and_failures_still_lock(client, protocolo, cache_fora):
    assert consultar(client, protocolo.numero, CPF).status_code == 302
    for cpf in ["11144477735", "39053344705", "71428793860", "86288366757", "62648716050"]:
        assert consultar(client, protocolo.numero, cpf).status_code == 404

    assert consultar(client, protocolo.numero, CPF).status_code == 429


def test_with_the_cache_down_recovery_and_opening_answer_without_a_500(client, consumidor, cache_fora, categoria):
    from django.urls import reverse

    assert client.post(reverse("consumidor:recuperar"), {"cpf": CPF}).status_code == 302
    dados = {"cpf": CPF, "nome": "Maria", "email": "m@exemplo.com.br", "categoria": categoria.pk, "objeto": "Teste"}
    assert client.post(reverse("consumidor:abrir"), dados).status_code == 302
