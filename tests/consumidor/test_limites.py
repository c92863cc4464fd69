"""protocolo.operacao.limites: fixed windows, failure locks, HMAC keys, and life without the cache."""

import datetime
import hashlib
import logging
import socket
import uuid

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client

from protocolo import numeracao
from protocolo.operacao import limites
from tests.consumidor.apoio import CPF, OUTRO_CPF, consultar, consultar_resolvendo, desafio_da_pagina, resolver

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


def test_with_the_cache_down_the_lookup_asks_for_the_challenge_accepts_a_solution_once_and_caps_the_cpf(
    client, protocolo, cache_fora
):
    from django.urls import reverse

    assert consultar(client, protocolo.numero, CPF).status_code == 302
    for i, cpf in enumerate(["11144477735", "39053344705", "71428793860"]):
        assert consultar(Client(), protocolo.numero, cpf, REMOTE_ADDR=f"198.51.100.{i + 1}").status_code == 404

    pedida = consultar(client, protocolo.numero, CPF)
    assert pedida.status_code == 429 and desafio_da_pagina(pedida)
    dados = {"numero": protocolo.numero, "cpf": CPF, "altcha": resolver(pedida)}
    assert client.post(reverse("consumidor:consultar"), dados).status_code == 302
    assert client.post(reverse("consumidor:consultar"), dados).status_code == 429  # a replay
    for sequencia in range(1, 10):  # OUTRO_CPF failed once above: 9 more make its 10
        numero = numeracao.formato_atual().montar(datetime.date(2025, 3, 3), sequencia)
        assert consultar_resolvendo(client, numero, OUTRO_CPF).status_code == 404
    assert consultar_resolvendo(client, protocolo.numero, OUTRO_CPF)["Retry-After"] == "86400"


def test_with_the_cache_down_recovery_and_opening_answer_without_a_500(client, consumidor, cache_fora, categoria):
    from django.urls import reverse

    assert client.post(reverse("consumidor:recuperar"), {"cpf": CPF}).status_code == 302
    dados = {"cpf": CPF, "nome": "Maria", "email": "m@exemplo.com.br", "categoria": categoria.pk, "objeto": "Teste"}
    assert client.post(reverse("consumidor:abrir"), dados).status_code == 302


REDIS_DOS_TESTES = "redis://127.0.0.1:6379/11"


def _redis_em(settings, location, prefixo="limites-teste"):
    settings.CACHES = {
        **settings.CACHES,
        "limites": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefixo,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    settings.PROTOCOLO_CACHE_LIMITES = "limites"
    settings.PROTOCOLO_LIMITES = {"teste": (3, 60), "falhas": (2, 3600)}


@pytest.fixture
def redis_limites(settings):
    """The limits counted in the real Redis on 127.0.0.1:6379, as in production: a database number
    of the tests' own and a key prefix of this test alone, whose keys are removed at the end. Yields
    a redis-py client of that database."""
    import redis

    prefixo = f"limites-teste-{uuid.uuid4().hex}"
    _redis_em(settings, REDIS_DOS_TESTES, prefixo)
    cliente = redis.Redis.from_url(REDIS_DOS_TESTES)
    yield cliente
    for chave in cliente.scan_iter(f"{prefixo}:*"):
        cliente.delete(chave)
    cliente.close()


def _porta_fechada():
    with socket.socket() as livre:
        livre.bind(("127.0.0.1", 0))
        return livre.getsockname()[1]


@pytest.fixture
def redis_fora(settings):
    """A Redis cache configured on a port where nothing listens: every round trip is refused."""
    _redis_em(settings, f"redis://127.0.0.1:{_porta_fechada()}/0")


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
        idas.append("pipeline" if self.transaction else "pipeline sem MULTI/EXEC")
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
    assert 0 < redis_limites.ttl(chave) <= 60
    assert caches["limites"].get("limite:teste:ip") == 4


def test_with_redis_the_nth_failure_locks_and_the_lock_refuses_with_its_own_rule(redis_limites, monkeypatch):
    from django.core.cache import caches

    limites.registrar_falha("falhas", "a", "b")
    idas = _idas(monkeypatch)
    limites.registrar_falha("falhas", "a")

    assert idas == ["pipeline", "pipeline"]  # the count, then the lock it sets
    assert redis_limites.ttl(caches["limites"].make_and_validate_key("limite:falhas:bloqueio:a")) > 3590
    assert _bloqueado("a") and not _bloqueado("b")
    with pytest.raises(limites.Limitado) as erro:
        limites.consumir("teste", "ip", bloqueios=("falhas", ["b", "a"]))
    assert (erro.value.nome, erro.value.segundos) == ("falhas", 3600)
    assert limites.consumir("teste", "ip", bloqueios=("falhas", ["b"])) == 2


def test_with_redis_down_the_pipeline_falls_back_to_this_process(redis_fora, caplog):
    with caplog.at_level(logging.WARNING, logger="protocolo.operacao.limites"):
        assert [limites.consumir("teste", "ip-sem-redis") for _ in range(3)] == [1, 2, 3]
        with pytest.raises(limites.Limitado):
            limites.consumir("teste", "ip-sem-redis")

    assert "Cache de limites indisponível (ConnectionError" in caplog.text


def test_with_redis_the_lookup_counts_reads_its_failures_and_checks_a_lock_in_one_round_trip(
    redis_limites, monkeypatch
):
    limites.registrar_falha("falhas", "a")
    limites.registrar_falha("falhas", "b", "b")
    idas = _idas(monkeypatch)

    lido = limites.contar_e_ler("teste", "ip", falhas=[("falhas", "a"), ("falhas", "c")], bloqueios=("falhas", ["b"]))

    assert lido == (1, [1, 0], True)
    assert idas == ["pipeline"]
    assert limites.contar_e_ler("teste", "ip", falhas=[("falhas", "b")], bloqueios=("falhas", ["a"])) == (2, [2], False)


def test_contar_e_ler_never_refuses_and_reads_the_same_without_redis(regras):
    limites.registrar_falha("falhas", "a")
    limites.registrar_falha("falhas", "b", "b")

    lidos = [limites.contar_e_ler("teste", "ip", falhas=[("falhas", "a"), ("falhas", "c")]) for _ in range(5)]

    assert lidos[-1] == (5, [1, 0], False)
    assert limites.contar_e_ler("teste", "ip", bloqueios=("falhas", ["c", "b"])) == (6, [], True)


@pytest.mark.parametrize("com_redis", [True, False])
def test_registrar_falhas_counts_several_rules_at_once_and_locks_only_the_rules_named(
    request, settings, monkeypatch, com_redis
):
    if com_redis:
        request.getfixturevalue("redis_limites")
    settings.PROTOCOLO_LIMITES = {"teste": (3, 60), "falhas": (2, 3600), "desafio": (1, 60)}
    idas = _idas(monkeypatch)

    assert limites.registrar_falhas(("falhas", "a"), ("desafio", "a"), travar=("falhas",)) == [1, 1]
    assert limites.registrar_falhas(("falhas", "a"), ("desafio", "b"), travar=("falhas",)) == [2, 1]

    assert idas == (["pipeline", "pipeline", "pipeline"] if com_redis else [])  # the second sets a lock
    assert limites.contar_e_ler("teste", "ip", bloqueios=("falhas", ["a"]))[2]
    assert not limites.contar_e_ler("teste", "ip", bloqueios=("desafio", ["a", "b"]))[2]


def test_a_use_is_accepted_once_in_redis_and_with_redis_down(redis_limites, settings):
    assert limites.usar_uma_vez("desafio", "assinatura", 60)
    assert not limites.usar_uma_vez("desafio", "assinatura", 60)
    assert limites.usar_uma_vez("desafio", "outra", 60)

    settings.CACHES = {
        **settings.CACHES,
        "limites": {**settings.CACHES["limites"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    assert limites.usar_uma_vez("desafio", "fora", 60)
    assert not limites.usar_uma_vez("desafio", "fora", 60)


# What the client is told ----------------------------------------------------------------------------


def test_limitado_says_which_limit_and_how_many_seconds():
    erro = limites.Limitado("consulta_ip", 60)

    assert (erro.nome, erro.segundos) == ("consulta_ip", 60)
    assert str(erro) == "limite consulta_ip atingido; tente em 60 s"


def _texto(resposta):
    return " ".join(resposta.content.decode().split())


@pytest.mark.parametrize(
    ("segundos", "espera"),
    [(3600, "até 60 minutos"), (120, "até 2 minutos"), (119, "1 minuto"), (60, "1 minuto"), (59, "1 minuto")],
)
@pytest.mark.parametrize("template", ["consumidor/limitado.html", "atendimento/limitado.html"])
def test_the_429_page_says_how_many_whole_minutes_to_wait_and_retry_after_in_seconds(
    rf, db, segundos, espera, template
):
    resposta = limites.resposta(rf.get("/"), limites.Limitado("teste", segundos), template)

    assert resposta.status_code == 429
    assert resposta["Retry-After"] == str(segundos)
    assert f"Espere {espera} e tente de novo." in _texto(resposta)


def test_the_portal_tells_a_limited_opening_to_wait_up_to_an_hour(client, db, categoria):
    from django.urls import reverse

    dados = {"cpf": CPF, "nome": "Maria", "email": "m@exemplo.com.br", "categoria": categoria.pk, "objeto": "Teste"}
    for _ in range(5):
        assert client.post(reverse("consumidor:abrir"), dados).status_code == 302

    limitada = client.post(reverse("consumidor:abrir"), dados)

    assert limitada.status_code == 429
    assert limitada["Retry-After"] == "3600"
    assert "Espere até 60 minutos e tente de novo." in _texto(limitada)


# Client identifiers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ip", "identificador"),
    [
        ("192.0.2.10", "192.0.2.10"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.10", "192.0.2.10"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("desconhecido", "desconhecido"),
        ("300.1.2.3", "300.1.2.3"),
        ("", ""),
    ],
)
def test_a_client_is_identified_by_its_ipv4_address_its_ipv6_64_or_what_it_sent(ip, identificador):
    assert limites.rede(ip) == identificador


def test_clients_with_unparsable_or_ipv4_mapped_addresses_are_not_one_bucket(regras):
    for _ in range(3):
        limites.consumir("teste", limites.rede("desconhecido"))
        limites.consumir("teste", limites.rede("::ffff:192.0.2.10"))

    assert limites.consumir("teste", limites.rede("outro-desconhecido")) == 1
    assert limites.consumir("teste", limites.rede("::ffff:192.0.2.11")) == 1
    with pytest.raises(limites.Limitado):
        limites.consumir("teste", limites.rede("192.0.2.10"))  # the same client as ::ffff:192.0.2.10


# The cache API without Redis -------------------------------------------------------------------------


class CacheQueExpiraNoIncr(LocMemCache):
    """A local cache whose counter expires between add() and incr(), as a window ending at that
    instant does: incr() finds no key and raises ValueError, as every Django backend does."""

    def incr(self, key, delta=1, version=None):
        self.delete(key, version=version)
        return super().incr(key, delta, version)


@pytest.fixture
def cache_que_expira(settings):
    settings.CACHES = {
        **settings.CACHES,
        "expira": {"BACKEND": "tests.consumidor.test_limites.CacheQueExpiraNoIncr", "LOCATION": uuid.uuid4().hex},
    }
    settings.PROTOCOLO_CACHE_LIMITES = "expira"


def test_a_window_that_expires_between_add_and_incr_opens_a_new_one_with_this_hit(
    regras, cache_que_expira, time_machine
):
    from django.core.cache import caches

    time_machine.move_to(MEIO_DIA, tick=False)
    assert limites.consumir("teste", "ip") == 1

    time_machine.move_to(MEIO_DIA + datetime.timedelta(seconds=30), tick=False)
    assert limites.consumir("teste", "ip") == 1
    assert caches["expira"].get("limite:teste:ip") == 1

    time_machine.move_to(MEIO_DIA + datetime.timedelta(seconds=89), tick=False)
    assert caches["expira"].get("limite:teste:ip") == 1
    time_machine.move_to(MEIO_DIA + datetime.timedelta(seconds=91), tick=False)
    assert caches["expira"].get("limite:teste:ip") is None


def test_the_cache_down_is_logged_naming_the_error_and_the_fallback(regras, cache_fora, caplog):
    with caplog.at_level(logging.WARNING, logger="protocolo.operacao.limites"):
        limites.consumir("teste", "ip")
        limites.registrar_falha("falhas", "a")

    assert [registro.getMessage() for registro in caplog.records] == [
        "Cache de limites indisponível (ConnectionError: Error 111 connecting to 127.0.0.1:6379. Connection "
        "refused.); usando a reserva local."
    ] * 2


def test_without_redis_a_lock_check_finds_only_the_locks_it_names(regras):
    limites.registrar_falha("falhas", "a")
    limites.registrar_falha("falhas", "a", "b")

    assert _bloqueado("a")
    assert not _bloqueado("b")
    assert limites.consumir("teste", "ip", bloqueios=("falhas", ["b", "c"])) == 1
    assert limites.consumir("teste", "ip", bloqueios=("falhas", [])) == 2


# Redis errors ---------------------------------------------------------------------------------------


def test_with_redis_an_error_inside_the_pipeline_falls_back_to_this_process_and_logs_it(redis_limites, caplog):
    from django.core.cache import caches

    redis_limites.set(caches["limites"].make_and_validate_key("limite:teste:ip"), "não é um número")

    with caplog.at_level(logging.WARNING, logger="protocolo.operacao.limites"):
        assert [limites.consumir("teste", "ip") for _ in range(3)] == [1, 2, 3]
        with pytest.raises(limites.Limitado):
            limites.consumir("teste", "ip")

    mensagens = [registro.getMessage() for registro in caplog.records]
    assert len(mensagens) == 4
    assert all(m.startswith("Cache de limites indisponível (ResponseError: ") for m in mensagens)
    assert all(m.endswith("); usando a reserva local.") for m in mensagens)
    assert limites._reserva.get("limite:teste:ip") == 4


def test_with_redis_down_a_failure_is_counted_in_this_process_and_locks(redis_fora, caplog):
    with caplog.at_level(logging.WARNING, logger="protocolo.operacao.limites"):
        limites.registrar_falha("falhas", "a")
        limites.registrar_falha("falhas", "a")

        assert _bloqueado("a")
        assert not _bloqueado("b")

    assert "Cache de limites indisponível (ConnectionError: " in caplog.text


def test_with_redis_the_counts_of_several_identifiers_are_read_each_from_its_own_increment(redis_limites):
    limites.registrar_falha("falhas", "a", "b")
    limites.registrar_falha("falhas", "c", "a", "b")

    assert [_bloqueado(i) for i in ("a", "b", "c")] == [True, True, False]
    limites.registrar_falha("falhas", "d", "c")
    assert [_bloqueado(i) for i in ("c", "d")] == [True, False]


def test_with_redis_replicas_the_counts_and_lock_checks_go_to_the_primary(redis_limites, settings, caplog):
    """A count writes: sent to a read replica it would fail there (here: a replica that never answers)."""
    from django.core.cache import caches

    replica = f"redis://127.0.0.1:{_porta_fechada()}/0"
    settings.CACHES = {
        **settings.CACHES,
        "limites": {**settings.CACHES["limites"], "LOCATION": [REDIS_DOS_TESTES, replica]},
    }

    with caplog.at_level(logging.WARNING, logger="protocolo.operacao.limites"):
        assert [limites.consumir("teste", "ip", bloqueios=("falhas", ["a"])) for _ in range(3)] == [1, 2, 3]
        limites.registrar_falha("falhas", "a", "b")

    assert caplog.records == []
    assert redis_limites.get(caches["limites"].make_and_validate_key("limite:teste:ip")) == b"3"
    assert redis_limites.get(caches["limites"].make_and_validate_key("limite:falhas:falhas:a")) == b"1"


def test_the_key_of_a_cpf_is_the_hmac_sha256_computed_when_it_was_written(settings):
    """Counters and locks stored in a shared Redis outlive a deploy: the key of a CPF must not change."""
    settings.SECRET_KEY = "testes-" + "k" * 50

    assert limites.chave(f"cpf:{CPF}") == "6c09a7b41445661db6a3f667e2f1d83e2e54d31072d14671ce800d4a52ad3b1d"


def test_the_back_office_429_page_keeps_the_signed_in_user_in_its_header(rf, atendente):
    atendente.first_name, atendente.last_name = "Ana", "Souza"
    pedido = rf.get("/")
    pedido.user = atendente

    resposta = limites.resposta(pedido, limites.Limitado("senha_ip", 3600), "atendimento/limitado.html")

    assert "Conectado como</span> Ana Souza" in _texto(resposta)


def test_failures_further_apart_than_the_window_never_lock(regras, time_machine):
    time_machine.move_to(MEIO_DIA, tick=False)
    limites.registrar_falha("falhas", "a")

    time_machine.move_to(MEIO_DIA + datetime.timedelta(seconds=3601), tick=False)
    limites.registrar_falha("falhas", "a")

    assert not _bloqueado("a")


def test_with_redis_a_failure_counter_expires_with_its_window(redis_limites):
    from django.core.cache import caches

    limites.registrar_falha("falhas", "a")

    assert 3590 < redis_limites.ttl(caches["limites"].make_and_validate_key("limite:falhas:falhas:a")) <= 3600
