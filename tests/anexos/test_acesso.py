"""Who gets a file: the page's own access check, per role, for a public and an internal file; the
headers that keep a served file from being anything but a download."""

import pytest
from django.urls import reverse

from protocolo.models import Anexo
from tests.factories import abrir

from . import arquivos

pytestmark = pytest.mark.django_db

PAPEIS = ["anonimo", "visitante", "sem_grupo", "atendente", "supervisor", "ouvidoria"]
LOGIN = "/atendimento/entrar/"
# (face, file) → what each role gets, in PAPEIS' order.
ESPERADO = {
    ("consumidor:anexo", "publico"): [404, 200, 404, 404, 404, 404],
    ("consumidor:anexo", "interno"): [404, 404, 404, 404, 404, 404],
    ("atendimento:anexo", "publico"): [LOGIN, LOGIN, 403, 200, 200, 200],
    ("atendimento:anexo", "interno"): [LOGIN, LOGIN, 403, 200, 200, 200],
}


@pytest.mark.parametrize(("nome", "qual"), list(ESPERADO))
@pytest.mark.parametrize("papel", PAPEIS)
def test_each_role_gets_what_the_page_allows(clientes, nome, qual, papel):
    criar = arquivos.anexo_publico if qual == "publico" else arquivos.anexo_interno
    resposta = clientes[papel].get(reverse(nome, kwargs=criar(clientes.protocolo)))
    esperado = ESPERADO[nome, qual][PAPEIS.index(papel)]
    if isinstance(esperado, str):
        assert resposta.status_code == 302 and resposta.url.split("?")[0] == esperado
    else:
        assert resposta.status_code == esperado
    if esperado == 200:
        assert b"".join(resposta.streaming_content) == arquivos.pdf()


def test_the_served_file_is_a_sandboxed_download(visitante, protocolo):
    resposta = visitante.get(reverse("consumidor:anexo", kwargs=arquivos.anexo_publico(protocolo)))
    assert resposta["Content-Type"] == "application/pdf"
    assert resposta["Content-Disposition"] == 'attachment; filename="prova.pdf"'
    assert resposta["X-Content-Type-Options"] == "nosniff"
    assert resposta["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "no-store" in resposta["Cache-Control"]
    assert int(resposta["Content-Length"]) == len(arquivos.pdf())
    b"".join(resposta.streaming_content)


def test_a_text_file_is_served_as_text_with_its_charset(visitante, protocolo):
    from django.core.files.base import ContentFile

    from protocolo import services

    entrada = services.anexar(
        protocolo=protocolo,
        arquivos=[ContentFile("Olá\n".encode(), name="ação.txt")],
        origem=services.Origem.CONSUMIDOR,
    )
    resposta = visitante.get(reverse("consumidor:anexo", args=[protocolo.numero, entrada.ordem, 1]))
    assert resposta["Content-Type"] == "text/plain; charset=utf-8"
    assert resposta["Content-Disposition"] == "attachment; filename*=utf-8''a%C3%A7%C3%A3o.txt"
    b"".join(resposta.streaming_content)


def test_another_protocols_file_is_not_reached_through_mine(visitante, protocolo, atendente):
    outro = abrir(atendente=atendente)
    argumentos = arquivos.anexo_publico(outro)
    resposta = visitante.get(reverse("consumidor:anexo", args=[protocolo.numero, argumentos["ordem"], 1]))
    assert resposta.status_code == 404


def test_a_removed_file_or_one_without_bytes_is_a_404(visitante, protocolo):
    argumentos = arquivos.anexo_publico(protocolo)
    anexo = Anexo.objects.get()
    from protocolo import anexos

    anexos.armazenamento().delete(anexo.chave)
    assert visitante.get(reverse("consumidor:anexo", kwargs=argumentos)).status_code == 404
    Anexo.objects.update(removido_em="2026-01-01T00:00:00Z")
    assert visitante.get(reverse("consumidor:anexo", kwargs=argumentos)).status_code == 404
