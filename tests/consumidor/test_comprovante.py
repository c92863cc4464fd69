"""The receipt and its public verification (issue 3, item 5; docs/dominio.md §1)."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protocolo import integridade, numeracao, selectors, services
from tests.consumidor.apoio import CPF, CPF_FORMATADO, CPF_MASCARADO, pagina
from tests.factories import AtendenteFactory, abrir

pytestmark = pytest.mark.django_db


def _codigo(resposta):
    return resposta.context["codigo"]


def test_the_receipt_has_what_proves_the_service(visitante, protocolo):
    resposta = visitante.get(pagina(protocolo, "consumidor:comprovante"))

    assert resposta.status_code == 200
    texto = resposta.text
    assert protocolo.numero_formatado in texto
    assert protocolo.aberto_em.astimezone().strftime("%d/%m/%Y") in texto
    assert "telefone" in texto and "Reclamação" in texto
    assert "A fatura de outubro veio em dobro." in texto
    assert CPF_MASCARADO in texto
    assert CPF not in texto and CPF_FORMATADO not in texto


def test_the_receipt_names_the_company_that_issued_it(visitante, protocolo, settings):
    settings.PROTOCOLO_EMPRESA_NOME = "Companhia Paulista de Serviços Ltda."
    settings.PROTOCOLO_EMPRESA_CNPJ = "11.222.333/0001-81"
    settings.PROTOCOLO_EMPRESA_TELEFONE = "0800 771 2345"

    texto = visitante.get(pagina(protocolo, "consumidor:comprovante")).text

    emissor = re.search(r'<p class="emissor" data-emissor>(.*?)</p>', texto, re.S).group(1)
    emissor = " ".join(re.sub(r"<[^>]+>", "", emissor).split())
    assert emissor == (
        "Emitido por Companhia Paulista de Serviços Ltda. · CNPJ 11.222.333/0001-81 · "
        "Serviço de atendimento: 0800 771 2345"
    )


def test_the_code_is_the_chain_head_code_and_the_qr_points_to_its_verification(visitante, protocolo):
    resposta = visitante.get(pagina(protocolo, "consumidor:comprovante"))

    esperado = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))
    assert _codigo(resposta) == esperado
    assert esperado in resposta.text
    assert resposta.context["url_verificacao"] == f"https://protocolo.exemplo.com.br/verificar/{esperado}/"


def test_the_qr_is_an_inline_svg_without_style_attributes_so_the_csp_holds(visitante, protocolo):
    resposta = visitante.get(pagina(protocolo, "consumidor:comprovante"))

    svg = re.search(r"<svg.*?</svg>", resposta.text, re.S).group(0)
    assert 'role="img"' in svg and "aria-label=" in svg
    assert "style" not in svg
    assert "<script" not in resposta.text.split("</footer>")[0]
    assert "'unsafe-inline'" not in resposta["Content-Security-Policy"]


def test_the_receipt_has_a_print_stylesheet(visitante, protocolo):
    resposta = visitante.get(pagina(protocolo, "consumidor:comprovante"))

    assert "/static/css/consumidor.css" in resposta.text
    assert "@media print" in Path(finders.find("css/consumidor.css")).read_text()


def test_a_valid_code_shows_only_the_number_opening_and_current_situation(client, visitante, protocolo):
    codigo = _codigo(visitante.get(pagina(protocolo, "consumidor:comprovante")))

    resposta = client.get(reverse("consumidor:verificar", args=[codigo]))

    assert resposta.status_code == 200
    assert "Comprovante autêntico" in resposta.text
    assert protocolo.numero_formatado in resposta.text
    assert "Registrado" in resposta.text
    assert "A fatura de outubro" not in resposta.text
    assert CPF_MASCARADO not in resposta.text
    assert "Reclamação" not in resposta.text


def test_the_verification_is_public(client, protocolo):
    codigo = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))

    assert Client().get(reverse("consumidor:verificar", args=[codigo])).status_code == 200


def _alterar(codigo, posicao):
    trocado = "A" if codigo[posicao] != "A" else "B"
    return codigo[:posicao] + trocado + codigo[posicao + 1 :]


@pytest.mark.parametrize(
    "como", ["etiqueta", "posicao", "posicao_enorme", "versao", "versao_enorme", "numero", "lixo", "vazio_de_partes"]
)
def test_an_altered_or_wrong_code_says_plainly_it_is_not_valid(client, protocolo, como):
    codigo = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))
    numero, ordem, versao, etiqueta = codigo.split("-")
    outro = abrir()
    alterado = {
        "etiqueta": f"{numero}-{ordem}-{versao}-{_alterar(etiqueta, 5)}",
        "posicao": f"{numero}-{int(ordem) + 1}-{versao}-{etiqueta}",
        "posicao_enorme": f"{numero}-{10**30}-{versao}-{etiqueta}",
        "versao": f"{numero}-{ordem}-9-{etiqueta}",
        "versao_enorme": f"{numero}-{ordem}-{10**30}-{etiqueta}",
        "numero": f"{outro.numero}-{ordem}-{versao}-{etiqueta}",
        "lixo": "isto-nao-e-um-codigo",
        "vazio_de_partes": "----",
    }[como]

    resposta = client.get(reverse("consumidor:verificar", args=[alterado]))

    assert resposta.status_code == 404
    assert "Código não válido" in resposta.text
    assert "Comprovante autêntico" not in resposta.text


def test_an_old_receipt_still_verifies_after_the_timeline_grew_and_shows_the_current_situation(client, protocolo):
    antigo = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))
    atendente = AtendenteFactory()
    services.protocolo_resolver(protocolo=protocolo, texto="Estornado.", autor=atendente)

    novo = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))
    resposta = client.get(reverse("consumidor:verificar", args=[antigo]))

    assert novo != antigo
    assert resposta.status_code == 200
    assert "Respondido" in resposta.text
    assert client.get(reverse("consumidor:verificar", args=[novo])).status_code == 200


def test_the_code_typed_in_the_form_is_sent_to_its_page(client, protocolo):
    codigo = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))

    resposta = client.get(reverse("consumidor:verificar_inicio"), {"codigo": f" {codigo.lower()} "})

    assert resposta.status_code == 302
    assert client.get(resposta.url).status_code == 200


def test_the_receipt_needs_access(client, protocolo):
    assert client.get(pagina(protocolo, "consumidor:comprovante")).status_code == 404


@pytest.mark.parametrize("digitado", ["a/b", f"{'2' * 16}-1-1-{'A' * 15}/", "/", "x" * 81, "\x00", "\u202e"])
def test_anything_typed_in_the_form_is_answered_plainly_never_a_500(digitado, db):
    resposta = Client(raise_request_exception=False).get(reverse("consumidor:verificar_inicio"), {"codigo": digitado})

    assert resposta.status_code in (302, 404)
    if resposta.status_code == 404:
        assert "Código não válido" in resposta.text


# The same work whatever the code ------------------------------------------------------------------


def _normalizar(sql):
    return re.sub(r"\b\d+\b", "?", re.sub(r"'[^']*'", "?", sql))


def _verificar_medindo(client, codigo, monkeypatch):
    """(answer, its queries with the values blanked, how many receipt HMACs, the templates rendered)."""
    etiquetas = []
    original = integridade._etiqueta
    monkeypatch.setattr(integridade, "_etiqueta", lambda *a: etiquetas.append(a[1]) or original(*a))
    with CaptureQueriesContext(connection) as consultas:
        resposta = client.get(reverse("consumidor:verificar", args=[codigo]))
    monkeypatch.setattr(integridade, "_etiqueta", original)
    return resposta, [_normalizar(q["sql"]) for q in consultas], len(etiquetas), [t.name for t in resposta.templates]


def test_an_authentic_code_and_any_wrong_one_do_the_same_work(client, protocolo, monkeypatch):
    """A missing number, a missing position, a wrong tag or an unknown key version cost what an
    authentic code costs (one query of one shape, one HMAC, the same templates): the time of the
    answer tells nothing the answer does not say."""
    codigo = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))
    numero, ordem, versao, etiqueta = codigo.split("-")
    inexistente = numeracao.formato_atual().montar(datetime.date(2026, 1, 5), 4242)
    errados = [
        f"{inexistente}-{ordem}-{versao}-{etiqueta}",
        f"{numero}-{int(ordem) + 7}-{versao}-{etiqueta}",
        f"{numero}-{ordem}-{versao}-{_alterar(etiqueta, 3)}",
        f"{numero}-{ordem}-9-{etiqueta}",
    ]

    autentico = _verificar_medindo(client, codigo, monkeypatch)
    medidos = [_verificar_medindo(client, errado, monkeypatch) for errado in errados]

    assert autentico[0].status_code == 200
    assert [m[0].status_code for m in medidos] == [404] * len(errados)
    assert len(autentico[1]) == 1
    assert autentico[2] == 1
    for _, consultas, etiquetas, modelos in medidos:
        assert (consultas, etiquetas, modelos) == autentico[1:]


def test_verifications_are_limited_per_network_with_a_portuguese_429(client, protocolo, settings):
    vezes, segundos = settings.PROTOCOLO_LIMITES["verificacao_ip"]
    codigo = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))
    url = reverse("consumidor:verificar", args=[codigo])
    for _ in range(vezes):
        assert client.get(url, REMOTE_ADDR="203.0.113.7").status_code == 200

    limitada = client.get(url, REMOTE_ADDR="203.0.113.7")

    assert limitada.status_code == 429
    assert "Muitas tentativas" in limitada.text
    assert limitada["Retry-After"] == str(segundos)
    assert "Comprovante autêntico" not in limitada.text
    assert client.get(url, REMOTE_ADDR="203.0.113.8").status_code == 200
