"""Idle expiry of back-office sessions (protocolo/contas/sessao.py): logged out after
PROTOCOLO_SESSAO_OCIOSA_MINUTOS without a request, sent to log in again with a page that answers
GET as `next`; the last activity is saved at most once a minute; visitors are not concerned."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from protocolo.contas import sessao
from tests.factories import abrir

PAINEL = reverse("atendimento:painel")
ENTRAR = reverse("atendimento:entrar")
MENSAGEM = "Sua sessão expirou por inatividade. Entre de novo."


@pytest.fixture
def relogio(time_machine):
    time_machine.move_to(timezone.now(), tick=False)

    def passar(**tempo):
        time_machine.shift(datetime.timedelta(**tempo))

    return passar


@pytest.fixture
def logado(client, atendente, relogio):
    client.force_login(atendente)
    return client


def test_the_limit_is_thirty_minutes_unless_configured(settings):
    assert settings.PROTOCOLO_SESSAO_OCIOSA_MINUTOS == 30


def test_a_request_within_the_limit_keeps_the_session(logado, relogio):
    relogio(minutes=29, seconds=59)

    assert logado.get(PAINEL).status_code == 200
    relogio(minutes=29)
    assert logado.get(PAINEL).status_code == 200


def test_a_request_after_the_limit_logs_out_and_returns_after_login(logado, atendente, relogio):
    relogio(minutes=30, seconds=1)

    resposta = logado.get(f"{PAINEL}?situacao=aberto")

    assert resposta.status_code == 302
    assert resposta.url == f"{ENTRAR}?next=/atendimento/%3Fsituacao%3Daberto"
    assert SESSION_KEY not in logado.session
    pagina = logado.get(resposta.url)
    assert MENSAGEM in pagina.text
    de_volta = logado.post(
        resposta.url,
        {"username": atendente.username, "password": "senha-de-teste", "next": "/atendimento/?situacao=aberto"},
    )
    assert de_volta.url == "/atendimento/?situacao=aberto"
    assert logado.get(de_volta.url).status_code == 200


def test_the_limit_comes_from_the_setting(logado, relogio, settings):
    settings.PROTOCOLO_SESSAO_OCIOSA_MINUTOS = 5

    relogio(minutes=5, seconds=30)

    assert logado.get(PAINEL).status_code == 302


def test_a_form_sent_after_the_limit_returns_to_the_page_it_came_from(logado, atendente, relogio):
    protocolo = abrir(atendente=atendente)
    pagina = reverse("atendimento:protocolo", args=[protocolo.numero])
    relogio(minutes=31)

    resposta = logado.post(
        reverse("atendimento:interacao", args=[protocolo.numero]),
        {"interacao-texto": "Consumidor ligou de novo."},
        HTTP_REFERER=f"http://testserver{pagina}",
    )

    assert resposta.status_code == 302
    assert resposta.url == f"{ENTRAR}?next={pagina}"
    assert protocolo.interacoes.count() == 1


@pytest.mark.parametrize("origem", [None, "https://malicioso.exemplo/atendimento/"])
def test_a_form_from_elsewhere_or_without_origin_returns_to_the_painel(logado, relogio, origem):
    relogio(minutes=31)
    extra = {"HTTP_REFERER": origem} if origem else {}

    resposta = logado.post(reverse("atendimento:iniciar"), {"canal": "telefone"}, **extra)

    assert resposta.status_code == 302
    assert resposta.url == f"{ENTRAR}?next={PAINEL}"


def test_the_admin_expires_too_and_asks_for_the_second_factor_again(client, supervisor, relogio):
    client.force_login(supervisor)
    assert client.get("/admin/").status_code == 200
    relogio(minutes=31)

    resposta = client.get("/admin/supervisao/")

    assert resposta.url == f"{ENTRAR}?next=/admin/supervisao/"


def _gravacoes_da_sessao(cliente):
    with CaptureQueriesContext(connection) as consultas:
        assert cliente.get(PAINEL).status_code == 200
    return sum(1 for q in consultas.captured_queries if q["sql"].startswith('UPDATE "django_session"'))


def test_the_last_activity_is_saved_at_most_once_a_minute(logado, relogio):
    momento = logado.session[sessao.CHAVE]
    gravacoes = []
    for segundos in (0, 10, 30, 19, 1, 30, 29, 1):
        relogio(seconds=segundos)
        gravacoes.append(_gravacoes_da_sessao(logado))

    # 0, 10, 40 and 59 s after the login; 60 s: saved; 90, 119; 120 s: saved.
    assert gravacoes == [0, 0, 0, 0, 1, 0, 0, 1]
    assert logado.session[sessao.CHAVE] == momento + 120


def test_a_visitors_access_to_a_protocol_keeps_its_own_thirty_minutes(clientes, relogio, settings):
    settings.PROTOCOLO_SESSAO_OCIOSA_MINUTOS = 5
    endereco = reverse("consumidor:protocolo", args=[clientes.protocolo.numero])
    assert clientes["visitante"].get(endereco).status_code == 200

    relogio(minutes=20)

    assert clientes["visitante"].get(endereco).status_code == 200
    assert sessao.CHAVE not in clientes["visitante"].session
