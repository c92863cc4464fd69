"""The outage page: 503 with Retry-After in Portuguese, rendered without the database and within the
strict CSP; any other error keeps its own page."""

import logging
import re
import sys

import psycopg
import pytest
from django.contrib.sessions.exceptions import SessionInterrupted
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.exception import response_for_exception
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from protocolo.operacao import falhas


def _durante(erro):
    """handler500 as Django calls it: inside the except block of the exception being handled."""
    try:
        raise erro
    except Exception:
        assert sys.exc_info()[1] is erro
        return falhas.erro_no_servidor(RequestFactory().get("/"))


def _sem_script_nem_estilo_em_linha(html):
    scripts = re.findall(r"<script\b[^>]*>", html)
    return (
        scripts
        and all("src=" in s for s in scripts)
        and "<style" not in html
        and not re.search(r"\sstyle=", html)
        and not re.search(r"\son[a-z]+=", html)
    )


@pytest.mark.parametrize(
    "erro",
    [
        OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused'),
        InterfaceError("connection already closed"),
        psycopg.OperationalError("terminating connection due to administrator command"),
    ],
)
def test_a_database_outage_is_a_503_in_portuguese_rendered_without_the_database(erro):
    # No db fixture: any query here would raise pytest-django's "Database access not allowed".
    resposta = _durante(erro)

    corpo = resposta.content.decode()
    assert resposta.status_code == 503
    assert resposta["Retry-After"] == str(falhas.ESPERA)
    assert "no-store" in resposta["Cache-Control"]
    assert "Serviço temporariamente indisponível" in corpo
    assert "Traceback" not in corpo
    assert "css/protocolo.css" in corpo
    assert _sem_script_nem_estilo_em_linha(corpo)


def test_any_other_error_keeps_the_500_page():
    resposta = _durante(ValueError("um defeito"))

    assert resposta.status_code == 500
    assert "Algo deu errado do nosso lado" in resposta.content.decode()


def test_an_outage_found_only_down_the_chain_still_counts():
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as causa:
            raise RuntimeError("template falhou") from causa
    except RuntimeError:
        resposta = falhas.erro_no_servidor(RequestFactory().get("/"))

    assert resposta.status_code == 503


def test_a_session_lost_with_the_database_at_the_end_of_a_request_is_a_503_not_a_400():
    try:
        try:
            raise OperationalError("the database system is shutting down")
        except OperationalError:
            raise SessionInterrupted("A sessão foi apagada antes do fim do pedido.") from None
    except SessionInterrupted as erro:
        interrompida = erro

    assert falhas.pedido_invalido(RequestFactory().get("/"), interrompida).status_code == 503
    invalido = falhas.pedido_invalido(RequestFactory().get("/"), SuspiciousOperation("x"))
    assert invalido.status_code == 400
    assert "Pedido inválido" in invalido.content.decode()


def test_through_django_an_outage_is_logged_once_in_one_line_without_the_traceback(caplog):
    caplog.set_level(logging.INFO)
    pedido = RequestFactory().get("/protocolo/2026112700000153/")
    try:
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    except OperationalError as erro:
        resposta = response_for_exception(pedido, erro)

    assert resposta.status_code == 503
    erros = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in erros] == [
        "Banco de dados indisponível: GET /protocolo/2026112700000153/ (OperationalError: "
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused)'
    ]
    assert "Traceback" not in caplog.text


def test_through_django_any_other_error_is_still_a_500_with_its_traceback(caplog):
    pedido = RequestFactory().get("/")
    try:
        raise ValueError("um defeito")
    except ValueError as erro:
        resposta = response_for_exception(pedido, erro)

    assert resposta.status_code == 500
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1
    assert "Traceback" in caplog.text
    assert "ValueError: um defeito" in caplog.text


def test_the_root_urlconf_uses_these_handlers():
    from protocolo import urls

    assert urls.handler500 == "protocolo.operacao.falhas.erro_no_servidor"
    assert urls.handler400 == "protocolo.operacao.falhas.pedido_invalido"
