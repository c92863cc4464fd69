"""protocolo.operacao.limites: fixed windows, failure locks, HMAC keys, and life without the cache."""

import datetime
import hashlib
import logging
import uuid

import pytest
from django.core.cache import cache

from protocolo.operacao import limites
from tests.consumidor.apoio import CPF, OUTRO_CPF, consultar

MEIO_DIA = datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC)


@pytest.fixture
def regras(settings):
    settings.PROTOCOLO_LIMITES = {"teste": (3, 60), "falhas": (2, 3600)}


def _exigir_desbloqueado(*identificadores):
    """Limitado while any identifier is locked under "falhas": the lock check of a lookup, counted
    for an address of its own so the count never interferes."""
    limites.consumir("teste", uuid.uuid4().hex, bloqueios=("falhas", identificadores))


def _bloqueado(identificador):
    try:
        _exigir_desbloqueado(identificador)
    except limites.Limitado:
        return True
    return False


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
    _exigir_desbloqueado("a")
    limites.registrar_falha("falhas", "a")

    time_machine.move_to(MEIO_DIA + datetime.timedelta(minutes=109), tick=False)
    with pytest.raises(limites.Limitado):
        _exigir_desbloqueado("b", "a")
    time_machine.move_to(MEIO_DIA + datetime.timedelta(minutes=111), tick=False)
    _exigir_desbloqueado("a")


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
    with caplog.at_level(logging.WARNING, logger="protocolo.operacao.limites"):
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


@pytest.fixture
def redis_limites(settings, tmp_path):
    """The limits counted in a real Redis of their own (RedisDescartavel), as in production."""
    from tests.processos import RedisDescartavel

    servidor = RedisDescartavel(tmp_path)
    servidor.iniciar()
    settings.CACHES = {
        **settings.CACHES,
        "limites": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": servidor.url},
    }
    settings.PROTOCOLO_CACHE_LIMITES = "limites"
    settings.PROTOCOLO_LIMITES = {"teste": (3, 60), "falhas": (2, 3600)}
    yield servidor
    servidor.parar()


def _idas(monkeypatch):
    """Round trips to Redis: each command sent alone and each pipeline."""
    import redis

    idas = []
    comando, pipeline = redis.Redis.execute_command, redis.client.Pipeline.execute

    def contar_comando(self, *args, **kwargs):
        if not isinstance(self, redis.client.Pipeline):
            idas.append(args[0])
        return comando(self, *args, **kwargs)

    def contar_pipeline(self, *args, **kwargs):
        idas.append("pipeline")
        return pipeline(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", contar_comando)
    monkeypatch.setattr(redis.client.Pipeline, "execute", contar_pipeline)
    return idas


def test_with_redis_a_count_and_its_lock_check_are_one_round_trip_with_a_window_expiry(redis_limites, monkeypatch):
    from django.core.cache import caches

    idas = _idas(monkeypatch)

    assert [limites.consumir("teste", "ip", bloqueios=("falhas", ["a", "b"])) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(limites.Limitado) as erro:
        limites.consumir("teste", "ip", bloqueios=("falhas", ["a", "b"]))

    assert (erro.value.nome, erro.value.segundos) == ("teste", 60)
    assert idas == ["pipeline"] * 4
    chave = caches["limites"].make_and_validate_key("limite:teste:ip")
    assert 0 < redis_limites.cliente().ttl(chave) <= 60
    assert caches["limites"].get("limite:teste:ip") == 4


def test_with_redis_the_nth_failure_locks_and_the_lock_refuses_with_its_own_rule(redis_limites, monkeypatch):
    from django.core.cache import caches

    limites.registrar_falha("falhas", "a", "b")
    idas = _idas(monkeypatch)
    limites.registrar_falha("falhas", "a")

    assert idas == ["pipeline", "pipeline"]  # the count, then the lock it sets
    assert redis_limites.cliente().ttl(caches["limites"].make_and_validate_key("limite:falhas:bloqueio:a")) > 3590
    assert _bloqueado("a") and not _bloqueado("b")
    with pytest.raises(limites.Limitado) as erro:
        limites.consumir("teste", "ip", bloqueios=("falhas", ["b", "a"]))
    assert (erro.value.nome, erro.value.segundos) == ("falhas", 3600)
    assert limites.consumir("teste", "ip", bloqueios=("falhas", ["b"])) == 2


def test_with_redis_down_the_pipeline_falls_back_to_this_process(redis_limites, caplog):
    redis_limites.parar()

    with caplog.at_level(logging.WARNING, logger="protocolo.operacao.limites"):
        assert [limites.consumir("teste", "ip-sem-redis") for _ in range(3)] == [1, 2, 3]
        with pytest.raises(limites.Limitado):
            limites.consumir("teste", "ip-sem-redis")

    assert "Cache de limites indisponível (ConnectionError" in caplog.text
