"""protocolo.operacao.sessoes: cached_db sessions that carry on from the database while the cache is down."""

import datetime
import io
import logging

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from protocolo.operacao import sessoes
from tests.consumidor.apoio import CPF, consultar


@pytest.fixture
def cache_fora(settings):
    settings.CACHES = {
        **settings.CACHES,
        "fora": {"BACKEND": "tests.consumidor.cache_fora.CacheFora"},
        "sessoes": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessoes"},
    }
    settings.SESSION_ENGINE = "protocolo.operacao.sessoes"
    settings.SESSION_CACHE_ALIAS = "fora"


def test_with_the_cache_down_a_session_is_created_read_cycled_and_flushed_in_the_database(db, cache_fora, caplog):
    caplog.set_level(logging.WARNING, logger="protocolo.operacao.sessoes")
    sessao = sessoes.SessionStore()
    sessao["acesso"] = 1
    sessao.save()

    lida = sessoes.SessionStore(sessao.session_key)
    assert lida["acesso"] == 1
    lida.cycle_key()
    assert not Session.objects.filter(session_key=sessao.session_key).exists()
    lida.save()  # what SessionMiddleware does at the end of the request
    assert Session.objects.filter(session_key=lida.session_key).exists()
    lida.flush()
    assert not Session.objects.filter(session_key=sessao.session_key).exists()
    assert "Cache de sessões indisponível" in caplog.text
    assert "Traceback" not in caplog.text


def test_with_the_cache_up_sessions_are_cached_as_cached_db_does(db, settings):
    settings.CACHES = {
        **settings.CACHES,
        "sessoes": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessoes"},
    }
    settings.SESSION_CACHE_ALIAS = "sessoes"
    sessao = sessoes.SessionStore()
    sessao["acesso"] = 1
    sessao.save()

    assert caches["sessoes"].get(sessao.cache_key) == {"acesso": 1}


def test_with_the_cache_down_a_lookup_grants_access_and_the_page_opens(client, db, cache_fora):
    from tests.factories import ConsumidorFactory, abrir

    protocolo = abrir(consumidor=ConsumidorFactory(cpf=CPF), objeto="A fatura veio em dobro.")

    resposta = consultar(client, protocolo.numero, CPF)

    assert resposta.status_code == 302
    assert client.get(reverse("consumidor:protocolo", args=[protocolo.numero])).status_code == 200


def test_the_nightly_sweep_removes_expired_sessions_of_this_engine(db, settings):
    settings.SESSION_ENGINE = "protocolo.operacao.sessoes"
    agora = timezone.now()
    Session.objects.create(session_key="v" * 32, session_data="x", expire_date=agora - datetime.timedelta(days=1))
    Session.objects.create(session_key="a" * 32, session_data="x", expire_date=agora + datetime.timedelta(days=1))

    simulacao = io.StringIO()
    call_command("limpar_registros", "--dry-run", "--sem-progresso", stdout=simulacao)
    assert "apagaria 1 sessões expiradas" in simulacao.getvalue()
    call_command("limpar_registros", "--sem-progresso", stdout=io.StringIO())

    assert list(Session.objects.values_list("session_key", flat=True)) == ["a" * 32]


def test_a_new_key_costs_one_insert_and_the_old_session_dies_at_once(db, settings):
    """Session fixation protection at the price of one write: no exists() check of the random key, no
    INSERT of the old data followed by an UPDATE of the new."""
    settings.CACHES = {
        **settings.CACHES,
        "sessoes": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessoes"},
    }
    settings.SESSION_CACHE_ALIAS = "sessoes"
    antiga = sessoes.SessionStore()
    antiga["plantada"] = True
    antiga.save()
    sessao = sessoes.SessionStore(antiga.session_key)

    with CaptureQueriesContext(connection) as consultas:
        sessao.cycle_key()
        chave = sessao.session_key
        sessao["acesso"] = 1
        sessao.save()

    comandos = [
        q["sql"].split()[0] for q in consultas if q["sql"].split()[0] not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")
    ]
    assert comandos == ["SELECT", "DELETE", "INSERT"]  # load the data, delete the old row, write the new
    assert sessao.session_key == chave != antiga.session_key
    assert Session.objects.get(session_key=chave).get_decoded() == {"plantada": True, "acesso": 1}
    assert not Session.objects.filter(session_key=antiga.session_key).exists()
    assert caches["sessoes"].get(antiga.cache_key) is None


def test_a_clash_of_new_keys_retries_with_another(db, monkeypatch):
    existente = sessoes.SessionStore()
    existente["de"] = "outro"
    existente.save()
    chaves = iter([existente.session_key, "k" * 32])
    sessao = sessoes.SessionStore()
    monkeypatch.setattr(sessao, "_get_new_session_key", lambda: next(chaves))

    sessao.cycle_key()
    sessao["acesso"] = 1
    sessao.save()

    assert sessao.session_key == "k" * 32
    assert Session.objects.get(session_key="k" * 32).get_decoded() == {"acesso": 1}
    assert Session.objects.get(session_key=existente.session_key).get_decoded() == {"de": "outro"}
