"""Answers given before any view runs, or after the request could not be read: a form posted in a
charset other than UTF-8, a POST without its CSRF token, the HTTP→HTTPS redirect and a Host we do not
serve. Each is a page in Portuguese (or a bare redirect) carrying the same security headers as every
other response, and none is a 500."""

import logging
import re

import pytest
from django.test import Client, override_settings

from protocolo.models import Protocolo
from tests.seguranca.test_cabecalhos import problemas

pytestmark = pytest.mark.django_db

CPF = "52998224725"


def _com_token(cliente, pagina):
    resposta = cliente.get(pagina, secure=True)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', resposta.text)[1]


@pytest.mark.parametrize("charset", ["iso-8859-1", "utf-7", "utf-16", "windows-1252"])
@pytest.mark.parametrize(
    ("pagina", "dados"),
    [
        ("/consultar/", "numero=2026120600000153&cpf=" + CPF),
        ("/abrir/", f"cpf={CPF}&nome=Maria&email=maria%40exemplo.com.br&categoria=1&objeto=Cobran%E7a"),
        ("/recuperar/", "cpf=" + CPF),
        ("/atendimento/entrar/", "username=ana&password=x"),
        ("/admin/login/", "username=ana&password=x"),
    ],
)
def test_a_form_posted_in_another_charset_is_a_portuguese_400_with_the_headers(
    charset, pagina, dados, caplog, limites_zerados
):
    cliente = Client(enforce_csrf_checks=True, raise_request_exception=False)
    token = _com_token(cliente, "/" if pagina.startswith(("/consultar", "/abrir", "/recuperar")) else pagina)
    antes = Protocolo.objects.count()

    with caplog.at_level(logging.WARNING, logger="django.request"):
        resposta = cliente.post(
            pagina,
            data=f"csrfmiddlewaretoken={token}&{dados}",
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
            secure=True,
            HTTP_REFERER="https://testserver/",
        )

    assert resposta.status_code == 400
    assert "Pedido inválido" in resposta.text
    assert problemas(resposta) == []
    assert Protocolo.objects.count() == antes
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_post_without_its_csrf_token_gets_the_portuguese_page_with_the_headers():
    cliente = Client(enforce_csrf_checks=True)
    cliente.get("/", secure=True)

    resposta = cliente.post("/consultar/", {"numero": "1", "cpf": CPF}, secure=True, HTTP_REFERER="https://testserver/")

    assert resposta.status_code == 403
    assert "Não foi possível enviar o formulário" in resposta.text
    assert "CSRF verification failed" not in resposta.text
    assert problemas(resposta) == []


@override_settings(SECURE_SSL_REDIRECT=True)
def test_the_https_redirect_carries_the_security_headers():
    resposta = Client().get("/consultar/")

    assert resposta.status_code == 301
    assert resposta["Location"] == "https://testserver/consultar/"
    assert "frame-ancestors 'none'" in resposta["Content-Security-Policy"]
    assert resposta["X-Frame-Options"] == "DENY"
    assert resposta["X-Content-Type-Options"] == "nosniff"


def test_a_host_we_do_not_serve_gets_a_portuguese_400_with_the_headers():
    resposta = Client(raise_request_exception=False).get("/", secure=True, HTTP_HOST="atacante.example")

    assert resposta.status_code == 400
    assert "Pedido inválido" in resposta.text
    assert problemas(resposta) == []
