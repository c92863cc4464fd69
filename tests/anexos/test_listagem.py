"""Each file listed with its hash where the protocol is shown: the consumer's page, history, JSON and
receipt, the back-office's timeline and the dossiê; the timelines without a query more for them."""

import json

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consumidor import evidencias
from protocolo import services
from protocolo.evidencias import pdf
from protocolo.models import Anexo

from . import arquivos

pytestmark = pytest.mark.django_db


def _anexar(protocolo, publica=True, nome="nota fiscal.pdf"):
    return services.anexar(
        protocolo=protocolo,
        arquivos=[ContentFile(arquivos.pdf(), name=nome)],
        texto="Arquivo.",
        origem=services.Origem.CONSUMIDOR if publica else services.Origem.SISTEMA,
    )


def test_the_consumers_pages_list_each_public_file_with_its_hash(visitante, protocolo):
    entrada = _anexar(protocolo)
    _anexar(protocolo, publica=False, nome="interno secreto.pdf")
    publico = Anexo.objects.get(interacao=entrada)
    link = reverse("consumidor:anexo", args=[protocolo.numero, entrada.ordem, 1])
    for nome in ("consumidor:protocolo", "consumidor:historico"):
        texto = visitante.get(reverse(nome, args=[protocolo.numero])).text
        assert "nota fiscal.pdf" in texto and publico.sha256 in texto and link in texto
        assert "interno secreto" not in texto
    dados = json.loads(visitante.get(reverse("consumidor:historico_json", args=[protocolo.numero])).content)
    assert dados["historico"][-1]["anexos"] == [{"nome": "nota fiscal.pdf", "sha256": publico.sha256, "removido": None}]
    comprovante = visitante.get(reverse("consumidor:comprovante", args=[protocolo.numero])).text
    assert "nota fiscal.pdf" in comprovante and publico.sha256 in comprovante
    assert "interno secreto" not in comprovante


def test_the_back_office_lists_public_and_internal_files(client, atendente, protocolo):
    entrada = _anexar(protocolo)
    interna = _anexar(protocolo, publica=False, nome="interno.pdf")
    client.force_login(atendente)
    texto = client.get(reverse("atendimento:protocolo", args=[protocolo.numero])).text
    for e, nome in ((entrada, "nota fiscal.pdf"), (interna, "interno.pdf")):
        assert nome in texto
        assert reverse("atendimento:anexo", args=[protocolo.numero, e.ordem, 1]) in texto
        assert Anexo.objects.get(interacao=e).sha256 in texto
    assert "regravada" not in texto  # a PDF is kept as received
    assert "guardado como recebido" in texto


def test_the_dossie_and_the_receipt_pdf_list_the_public_files(protocolo):
    _anexar(protocolo)
    _anexar(protocolo, publica=False, nome="interno.pdf")
    sha = Anexo.objects.get(nome="nota fiscal.pdf").sha256
    dossie = evidencias.html_do_dossie(protocolo)
    assert "<h2>Anexos</h2>" in dossie and "nota fiscal.pdf" in dossie and sha in dossie
    assert "interno.pdf" not in dossie
    comprovante = pdf.html_do_comprovante(protocolo)
    assert "nota fiscal.pdf" in comprovante and sha in comprovante and "interno.pdf" not in comprovante


def _consultas(cliente, url):
    with CaptureQueriesContext(connection) as consultas:
        assert cliente.get(url).status_code == 200
    return len(consultas)


def test_files_cost_no_query_on_the_timelines_and_one_on_the_receipt(visitante, protocolo, client, atendente):
    equipe = client.__class__()
    equipe.force_login(atendente)
    paginas = [
        (visitante, reverse("consumidor:protocolo", args=[protocolo.numero])),
        (visitante, reverse("consumidor:historico", args=[protocolo.numero])),
        (visitante, reverse("consumidor:comprovante", args=[protocolo.numero])),
        (equipe, reverse("atendimento:protocolo", args=[protocolo.numero])),
    ]
    _anexar(protocolo, nome="primeiro.pdf")
    antes = [_consultas(c, u) for c, u in paginas]
    for n in range(4):
        _anexar(protocolo, nome=f"mais {n}.txt")
        _anexar(protocolo, publica=False, nome=f"interno {n}.pdf")
    assert [_consultas(c, u) for c, u in paginas] == antes


def test_all_demands_of_the_consumer_list_and_serve_their_files(client, protocolo):
    from consumidor import acesso

    entrada = _anexar(protocolo)
    sessao = client.session
    acesso.conceder_consumidor(sessao, protocolo.consumidor)
    sessao.save()
    link = reverse("consumidor:anexo", args=[protocolo.numero, entrada.ordem, 1])
    assert link in client.get(reverse("consumidor:demandas")).text
    resposta = client.get(link)
    assert resposta.status_code == 200
    assert b"".join(resposta.streaming_content) == arquivos.pdf()
