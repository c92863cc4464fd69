"""Hostile files on every form that takes them (the consumer's message and opening form, the
attendant's interaction) and the hostile corpus as their names: refused in Portuguese with what was
typed kept, or kept neutralised and shown inert; never a 500."""

import pytest
from django.urls import reverse

from protocolo.models import Anexo, Protocolo
from tests.factories import categoria
from tests.hostil import inerte
from tests.hostil.corpus import REPRESENTANTES, arquivos_hostis
from tests.hostil.test_portal import _recusado

from ..anexos.arquivos import upload

pytestmark = pytest.mark.django_db

HOSTIS = arquivos_hostis()
TEXTO = "Texto digitado que não pode se perder."


def _verificar(resposta, nome, mantido):
    if not mantido:
        erros = _recusado(resposta)
        assert any("arquivo" in e or "imagem" in e for e in erros), erros
        assert TEXTO in resposta.text
        assert not Anexo.objects.exists()
        return
    assert resposta.status_code == 302, resposta.status_code
    anexo = Anexo.objects.get()
    assert "/" not in anexo.nome and "\\\\" not in anexo.nome and "\x00" not in anexo.nome
    assert "\u202e" not in anexo.nome and "<" not in anexo.nome and len(anexo.nome) <= 90


@pytest.mark.parametrize("caso", list(HOSTIS))
def test_the_consumers_message_refuses_or_neutralises_hostile_files(caso, visitante, protocolo, vitrines):
    nome, dados, mantido = HOSTIS[caso]
    resposta = visitante.post(
        reverse("consumidor:mensagem", args=[protocolo.numero]), {"texto": TEXTO, "arquivos": [upload(nome, dados)]}
    )
    _verificar(resposta, nome, mantido)
    if mantido:
        anexo = Anexo.objects.get()
        vitrines.portal(protocolo, anexo.nome)
        vitrines.retaguarda(protocolo, anexo.nome)
        baixado = visitante.get(reverse("consumidor:anexo", args=[protocolo.numero, anexo.interacao.ordem, 1]))
        assert baixado["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert baixado["Content-Disposition"].startswith("attachment;")
        b"".join(baixado.streaming_content)


@pytest.mark.parametrize("caso", ["zip_bomba_como_pdf", "pdf_e_zip", "png_bomba", "rtl_no_nome", "nome_xss"])
def test_the_opening_form_refuses_or_neutralises_hostile_files(caso, db):
    from django.test import Client

    nome, dados, mantido = HOSTIS[caso]
    campos = {
        "cpf": "11144477735",
        "nome": "Joana Teste",
        "email": "joana@exemplo.com.br",
        "categoria": str(categoria("cobranca").pk),
        "objeto": TEXTO,
        "arquivos": [upload(nome, dados)],
    }
    resposta = Client(raise_request_exception=False).post(reverse("consumidor:abrir"), campos)
    _verificar(resposta, nome, mantido)
    assert Protocolo.objects.exists() == mantido


@pytest.mark.parametrize("caso", list(HOSTIS))
def test_the_attendants_interaction_refuses_or_neutralises_hostile_files(caso, cliente_atendente, protocolo):
    nome, dados, mantido = HOSTIS[caso]
    resposta = cliente_atendente.post(
        reverse("atendimento:interacao", args=[protocolo.numero]),
        {"interacao-tipo": "interna", "interacao-texto": TEXTO, "interacao-arquivos": [upload(nome, dados)]},
    )
    _verificar(resposta, nome, mantido)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_corpus_as_a_files_name_is_kept_neutralised_and_shown_inert(carga, visitante, protocolo, vitrines):
    resposta = visitante.post(
        reverse("consumidor:mensagem", args=[protocolo.numero]),
        {"texto": "Segue.", "arquivos": [upload(carga.valor[:1000], b"texto simples\n")]},
    )
    assert resposta.status_code == 302, resposta.status_code
    anexo = Anexo.objects.get()
    assert anexo.nome.endswith(".txt") and len(anexo.nome) <= 84
    # Neutralised, the name is no longer what was sent: the pages show it inert, and show what was kept.
    vitrines.portal(protocolo, carga.valor, mostra=False)
    vitrines.retaguarda(protocolo, carga.valor, mostra=False)
    for pagina in ("consumidor:protocolo", "consumidor:historico", "consumidor:comprovante"):
        inerte.html_inerte(visitante.get(reverse(pagina, args=[protocolo.numero])).text, anexo.nome, mostra=True)
