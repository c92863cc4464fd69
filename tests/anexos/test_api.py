"""Files through the API (protocolo/api): the same reading, limits and record; downloads under the
reading scope, internal files only with the scope that reads internal entries."""

import hashlib

import pytest
from django.test.client import MULTIPART_CONTENT

from protocolo.models import Anexo, EscopoSistema
from tests.api.apoio import cliente
from tests.factories import abrir

from . import arquivos

pytestmark = pytest.mark.django_db

Escopo = EscopoSistema


def _enviar(api, protocolo, *anexos, **campos):
    return api.post(
        f"/api/v1/protocolos/{protocolo.numero}/anexos/",
        {"arquivos": list(anexos), **campos},
        content_type=MULTIPART_CONTENT,
    )


def test_a_system_attaches_a_file_to_an_internal_note():
    api = cliente([Escopo.INTERACOES])
    protocolo = abrir()
    resposta = _enviar(api, protocolo, arquivos.upload("foto.heic", arquivos.heic_com_gps()), texto="Foto do cliente.")
    assert resposta.status_code == 201, resposta.content
    corpo = resposta.json()
    assert (corpo["tipo"], corpo["publica"], corpo["texto"]) == ("nota_interna", False, "Foto do cliente.")
    [arquivo] = corpo["anexos"]
    anexo = Anexo.objects.get()
    assert (arquivo["nome"], arquivo["sha256"]) == ("foto.jpg", anexo.sha256)
    assert arquivo["url"] == f"/api/v1/protocolos/{protocolo.numero}/anexos/{corpo['ordem']}/1/"


def test_a_refused_file_is_a_portuguese_problem():
    api = cliente([Escopo.INTERACOES])
    resposta = _enviar(api, abrir(), arquivos.upload("x.pdf", arquivos.zip_bomba()))
    assert resposta.status_code == 422
    assert resposta["Content-Type"] == "application/problem+json"
    assert "não é de um tipo aceito" in resposta.json()["detail"]


def test_no_file_is_a_400():
    resposta = _enviar(cliente([Escopo.INTERACOES]), abrir())
    assert resposta.status_code == 400


@pytest.mark.parametrize(
    ("escopos", "publico", "interno"),
    [
        ([Escopo.LER], 200, 404),
        ([Escopo.LER, Escopo.AGIR], 200, 200),
        ([Escopo.INTERACOES], 403, 403),
    ],
)
def test_downloads_follow_the_scopes(escopos, publico, interno):
    envio = cliente([Escopo.INTERACOES])
    protocolo = abrir()
    ordens = {}
    for publica in (True, False):
        resposta = _enviar(envio, protocolo, arquivos.upload("a.pdf", arquivos.pdf(str(publica))), publica=publica)
        ordens[publica] = resposta.json()["ordem"]
    api = cliente(escopos)
    for publica, esperado in ((True, publico), (False, interno)):
        resposta = api.get(f"/api/v1/protocolos/{protocolo.numero}/anexos/{ordens[publica]}/1/")
        assert resposta.status_code == esperado
        if esperado == 200:
            corpo = b"".join(resposta.streaming_content)
            assert hashlib.sha256(corpo).hexdigest() == Anexo.objects.get(interacao__ordem=ordens[publica]).sha256
            assert resposta["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_the_protocols_timeline_lists_the_files_the_scope_may_read():
    envio = cliente([Escopo.INTERACOES])
    protocolo = abrir()
    _enviar(envio, protocolo, arquivos.upload("publico.pdf", arquivos.pdf()), publica=True)
    _enviar(envio, protocolo, arquivos.upload("interno.pdf", arquivos.pdf()), publica=False)
    so_ler = cliente([Escopo.LER]).get(f"/api/v1/protocolos/{protocolo.numero}/").json()
    nomes = [a["nome"] for e in so_ler["linha_do_tempo"] for a in e["anexos"]]
    assert nomes == ["publico.pdf"]
    tudo = cliente([Escopo.LER, Escopo.AGIR]).get(f"/api/v1/protocolos/{protocolo.numero}/").json()
    assert [a["nome"] for e in tudo["linha_do_tempo"] for a in e["anexos"]] == ["publico.pdf", "interno.pdf"]
