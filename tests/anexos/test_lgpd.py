"""The data subject's files: in their export, removed from the storage (and recorded in the chain) by
anonymisation and the retention job, kept under a legal hold."""

import hashlib
import io
import json
import zipfile
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from protocolo import anexos, integridade, lgpd, relogio, services
from protocolo.exceptions import DadosInvalidos
from protocolo.models import Anexo, Interacao
from tests.factories import ConsumidorFactory, abrir

from . import arquivos

pytestmark = pytest.mark.django_db

Origem = Interacao.Origem


def _com_arquivos(atendente, consumidor):
    """A protocol of `consumidor`, ended long ago, with a photo they sent and an internal file."""
    with relogio.em(relogio.agora() - lgpd.retencao() * 2):
        consumidor.criado_em = relogio.agora()
        consumidor.save(update_fields=["criado_em"])
        protocolo = abrir(atendente=atendente, consumidor=consumidor)
        services.anexar(
            protocolo=protocolo,
            arquivos=[ContentFile(arquivos.jpeg_com_gps(), name=f"RG de {consumidor.nome}.jpg")],
            texto="Meu documento.",
            origem=Origem.CONSUMIDOR,
        )
        services.anexar(
            protocolo=protocolo, arquivos=[ContentFile(arquivos.pdf(), name="consulta.pdf")], autor=atendente
        )
        services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)
        services.protocolo_encerrar(protocolo=protocolo, origem=Origem.CONSUMIDOR, avaliacao=5)
    return protocolo


def _guardados(protocolo):
    return {a.chave: anexos.armazenamento().exists(a.chave) for a in Anexo.objects.filter(protocolo=protocolo)}


def test_anonymisation_removes_the_files_records_it_and_the_chain_verifies(
    atendente, django_capture_on_commit_callbacks
):
    titular = ConsumidorFactory(nome="Joana Ribeiro")
    protocolo = _com_arquivos(atendente, titular)
    vizinho = _com_arquivos(atendente, ConsumidorFactory())
    assert all(_guardados(protocolo).values())

    with django_capture_on_commit_callbacks(execute=True):
        lgpd.anonimizar(titular)

    assert not any(_guardados(protocolo).values())
    assert all(_guardados(vizinho).values())
    assert set(Anexo.objects.filter(protocolo=protocolo).values_list("remocao", flat=True)) == {"anonimizacao"}
    registro = Interacao.objects.filter(protocolo=protocolo, tipo=Interacao.Tipo.ANONIMIZACAO).get()
    assert [r["posicao"] for r in registro.detalhes["anexos_removidos"]] == [1, 1]
    assert "2 arquivo(s) anexado(s) removido(s)" in registro.texto
    foto = Interacao.objects.get(protocolo=protocolo, tipo=Interacao.Tipo.MENSAGEM_CONSUMIDOR)
    [gravado] = foto.detalhes["anexos"]
    assert gravado["removido"] == "anonimizacao" and "Joana" not in gravado["nome"]
    assert len(gravado["sha256"]) == 64  # what there was stays proven
    assert integridade.verificar_cadeia(protocolo.numero, protocolo.interacoes.order_by("ordem")) is None
    saida = StringIO()
    call_command("verificar_integridade", stdout=saida, stderr=StringIO())
    assert "nenhuma adulteração" in saida.getvalue()


def test_the_retention_job_removes_them_too(atendente, django_capture_on_commit_callbacks):
    titular = ConsumidorFactory()
    protocolo = _com_arquivos(atendente, titular)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expurgar_dados", stdout=StringIO(), stderr=StringIO())
    assert not any(_guardados(protocolo).values())


def test_a_legal_hold_keeps_the_files(atendente, django_capture_on_commit_callbacks):
    titular = ConsumidorFactory()
    protocolo = _com_arquivos(atendente, titular)
    titular.retencao_suspensa, titular.motivo_retencao = True, "Processo 0001234-56.2025.8.26.0100"
    titular.save()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(DadosInvalidos, match="guarda legal"):
            lgpd.anonimizar(titular)
        call_command("expurgar_dados", stdout=StringIO(), stderr=StringIO())
    assert all(_guardados(protocolo).values())
    assert not Anexo.objects.filter(removido_em__isnull=False).exists()


def test_the_export_is_a_zip_with_every_file_of_the_data_subject(client, supervisor, atendente):
    titular = ConsumidorFactory()
    protocolo = _com_arquivos(atendente, titular)
    client.force_login(supervisor)
    resposta = client.post(
        reverse("admin:protocolo_consumidor_changelist"),
        {"action": "exportar_dados", "index": 0, "_selected_action": [titular.pk]},
    )
    assert resposta.status_code == 200 and resposta["Content-Type"] == "application/zip"
    pacote = zipfile.ZipFile(io.BytesIO(b"".join(resposta.streaming_content)))
    dados = json.loads(pacote.read("titulares.json"))
    [exportado] = dados["titulares"][0]["protocolos"]
    assert len(exportado["anexos"]) == 2
    for registro in exportado["anexos"]:
        assert "_chave" not in registro
        assert hashlib.sha256(pacote.read(registro["arquivo"])).hexdigest() == registro["sha256"]
    assert exportado["anexos"][0]["arquivo"].startswith(f"anexos/{protocolo.numero}/")
