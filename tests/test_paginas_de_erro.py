import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.views import defaults


@pytest.mark.parametrize(
    ("visao", "esperado", "titulo"),
    [
        (defaults.page_not_found, 404, "Página não encontrada"),
        (defaults.permission_denied, 403, "Acesso negado"),
        (defaults.bad_request, 400, "Pedido inválido"),
    ],
)
def test_error_pages_speak_portuguese(db, visao, esperado, titulo):
    pedido = RequestFactory().get("/qualquer/")
    pedido.user = AnonymousUser()

    resposta = visao(pedido, exception=Exception("x"))

    assert resposta.status_code == esperado
    assert titulo in resposta.content.decode()


def test_the_server_error_page_needs_no_request_context():
    resposta = defaults.server_error(RequestFactory().get("/"))

    assert resposta.status_code == 500
    assert "Algo deu errado do nosso lado" in resposta.content.decode()


def test_an_unknown_address_gets_the_portuguese_404(client, db):
    resposta = client.get("/nao-existe/")

    assert resposta.status_code == 404
    assert "Página não encontrada" in resposta.text
