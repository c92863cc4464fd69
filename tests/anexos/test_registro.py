"""Files in the record: the entry's sealed description, the rows, the storage keys per protocol, the
per-protocol limits, and `verificar_integridade` reading every kept file again."""

import hashlib
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from protocolo import anexos, integridade, services
from protocolo.exceptions import DadosInvalidos
from protocolo.models import Anexo, Interacao
from tests.factories import abrir

from . import arquivos

pytestmark = pytest.mark.django_db

Origem = Interacao.Origem


def _verificar(*argumentos):
    saida, erros = StringIO(), StringIO()
    try:
        call_command("verificar_integridade", *argumentos, stdout=saida, stderr=erros)
    except CommandError as erro:
        return str(erro), erros.getvalue()
    return saida.getvalue(), erros.getvalue()


def _com_foto(atendente, texto="Segue a foto do produto.", origem=Origem.CONSUMIDOR):
    protocolo = abrir(atendente=atendente)
    entrada = services.anexar(
        protocolo=protocolo,
        arquivos=[
            ContentFile(arquivos.jpeg_com_gps(), name="produto.jpeg"),
            ContentFile(arquivos.pdf(), name="nf.pdf"),
        ],
        texto=texto,
        origem=origem,
    )
    return protocolo, entrada


def test_the_entry_seals_each_files_hash_size_type_name_and_treatment(atendente):
    protocolo, entrada = _com_foto(atendente)
    foto, nota = entrada.detalhes["anexos"]
    assert (foto["nome"], foto["tipo"], nota["nome"], nota["tipo"]) == (
        "produto.jpg",
        "image/jpeg",
        "nf.pdf",
        "application/pdf",
    )
    assert nota["sha256"] == hashlib.sha256(arquivos.pdf()).hexdigest()
    assert foto["original"]["sha256"] == hashlib.sha256(arquivos.jpeg_com_gps()).hexdigest()
    assert entrada.tipo == Interacao.Tipo.MENSAGEM_CONSUMIDOR and entrada.publica
    linhas = list(Anexo.objects.filter(interacao=entrada).order_by("posicao"))
    assert [(a.posicao, a.sha256, a.chave) for a in linhas] == [
        (1, foto["sha256"], f"protocolos/{protocolo.numero}/{foto['sha256']}"),
        (2, nota["sha256"], f"protocolos/{protocolo.numero}/{nota['sha256']}"),
    ]
    with anexos.abrir(linhas[1]) as arquivo:
        assert arquivo.read() == arquivos.pdf()
    assert integridade.verificar_cadeia(protocolo.numero, protocolo.interacoes.order_by("ordem")) is None


def test_changing_a_sealed_hash_breaks_the_chain(atendente):
    protocolo, entrada = _com_foto(atendente)
    import pgtrigger

    detalhes = entrada.detalhes
    detalhes["anexos"][1]["sha256"] = "0" * 64
    with pgtrigger.ignore("protocolo.Interacao:interacao_somente_acrescimo"):
        Interacao._base_manager.filter(pk=entrada.pk).update(detalhes=detalhes)
    falha = integridade.verificar_cadeia(protocolo.numero, protocolo.interacoes.order_by("ordem"))
    assert falha.ordem == entrada.ordem


def test_the_same_file_in_two_protocols_is_two_objects(atendente):
    primeiro, _ = _com_foto(atendente)
    segundo, _ = _com_foto(atendente)
    chaves = {p.pk: set(Anexo.objects.filter(protocolo=p).values_list("chave", flat=True)) for p in (primeiro, segundo)}
    assert chaves[primeiro.pk].isdisjoint(chaves[segundo.pk])


def test_a_message_may_be_files_alone_and_an_internal_note_keeps_them_internal(atendente):
    protocolo = abrir(atendente=atendente)
    entrada = services.anexar(
        protocolo=protocolo, arquivos=[ContentFile(b"log do sistema\n", name="log")], autor=atendente
    )
    assert (entrada.tipo, entrada.publica, entrada.texto) == (Interacao.Tipo.NOTA_INTERNA, False, "")
    assert Anexo.objects.get(interacao=entrada).publica is False


def test_the_protocol_limits_are_checked_under_its_lock(atendente, settings):
    settings.PROTOCOLO_ANEXOS_POR_PROTOCOLO = 2
    protocolo, _ = _com_foto(atendente)
    with pytest.raises(DadosInvalidos, match="aceita no máximo 2"):
        services.anexar(protocolo=protocolo, arquivos=[ContentFile(b"mais um", name="a.txt")], origem=Origem.CONSUMIDOR)
    assert Anexo.objects.filter(protocolo=protocolo).count() == 2


def test_a_refused_entry_leaves_no_file_behind(atendente, supervisor):
    protocolo = abrir(atendente=atendente)
    services.protocolo_cancelar(protocolo=protocolo, motivo="Teste.", autor=supervisor)
    with pytest.raises(Exception, match="não aceita mudanças"):
        services.anexar(protocolo=protocolo, arquivos=[ContentFile(b"texto", name="a.txt")], origem=Origem.CONSUMIDOR)
    chave = anexos.chave_de(protocolo, hashlib.sha256(b"texto").hexdigest())
    assert not anexos.armazenamento().exists(chave)


def test_verification_passes_with_files_and_names_a_swapped_one(atendente):
    protocolo, entrada = _com_foto(atendente)
    saida, _ = _verificar("--protocolo", protocolo.numero)
    assert "nenhuma adulteração" in saida
    nota = Anexo.objects.get(interacao=entrada, posicao=2)
    armazenamento = anexos.armazenamento()
    armazenamento.delete(nota.chave)
    armazenamento.save(nota.chave, ContentFile(arquivos.pdf("Nota fiscal 999")))

    mensagem, erros = _verificar()
    assert "problema(s) de integridade" in mensagem
    assert f"Protocolo {protocolo.numero}, interação #{entrada.ordem}" in erros
    assert "anexo 2 (“nf.pdf”) foi alterado" in erros
    assert "anexo 1" not in erros


def test_verification_names_a_missing_file_and_a_row_outside_the_chain(atendente):
    protocolo, entrada = _com_foto(atendente)
    foto = Anexo.objects.get(interacao=entrada, posicao=1)
    anexos.armazenamento().delete(foto.chave)
    Anexo.objects.create(
        protocolo=protocolo,
        interacao=entrada,
        posicao=3,
        nome="plantado.pdf",
        tipo="application/pdf",
        tamanho=1,
        sha256="1" * 64,
        sha256_original="1" * 64,
        tamanho_original=1,
        chave="x",
    )
    _, erros = _verificar("--protocolo", protocolo.numero)
    assert "o arquivo do anexo 1 (“produto.jpg”) sumiu" in erros
    assert "o anexo “plantado.pdf”" in erros and "não está na cadeia" in erros
