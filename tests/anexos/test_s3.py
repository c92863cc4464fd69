"""The S3 path for real: django-storages and boto3 against moto's S3 server on loopback, started as a
process of its own (not an in-process mock), so every request crosses HTTP as it would in production."""

import hashlib
import os
import subprocess
import sys
from io import StringIO

import boto3
import pytest
from botocore.config import Config
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from protocolo import anexos, lgpd, relogio, services
from protocolo.models import Anexo, Interacao
from tests.factories import ConsumidorFactory, abrir
from tests.processos import _esperar, porta_livre

from . import arquivos

pytestmark = pytest.mark.django_db

BALDE = "protocolo-anexos-teste"
CHAVES = {"aws_access_key_id": "teste", "aws_secret_access_key": "segredo-de-teste"}
# Loopback answers at once: one second is plenty, and a hung server fails the test instead of it.
CONFIGURACAO = Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1})


@pytest.fixture(scope="module")
def servidor_s3():
    porta = porta_livre()
    processo = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(porta), "-H", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "AWS_ACCESS_KEY_ID": "teste", "AWS_SECRET_ACCESS_KEY": "segredo-de-teste"},
    )
    endereco = f"http://127.0.0.1:{porta}"

    def responde():
        try:
            _cliente(endereco).list_buckets()
        except Exception:
            return False
        return True

    try:
        _esperar(responde, 30, "o servidor S3 (moto)")
        yield endereco
    finally:
        processo.terminate()
        processo.wait(timeout=10)


def _cliente(endereco):
    return boto3.client("s3", endpoint_url=endereco, region_name="us-east-1", config=CONFIGURACAO, **CHAVES)


@pytest.fixture
def s3(servidor_s3, settings):
    cliente = _cliente(servidor_s3)
    cliente.create_bucket(Bucket=BALDE)
    settings.STORAGES = {
        **settings.STORAGES,
        "anexos": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BALDE,
                "endpoint_url": servidor_s3,
                "region_name": "us-east-1",
                "access_key": CHAVES["aws_access_key_id"],
                "secret_key": CHAVES["aws_secret_access_key"],
                "default_acl": None,
                "file_overwrite": True,
                "client_config": CONFIGURACAO,
            },
        },
    }
    yield cliente
    for objeto in cliente.list_objects_v2(Bucket=BALDE).get("Contents", []):
        cliente.delete_object(Bucket=BALDE, Key=objeto["Key"])
    cliente.delete_bucket(Bucket=BALDE)


def _objetos(cliente):
    return {o["Key"] for o in cliente.list_objects_v2(Bucket=BALDE).get("Contents", [])}


def _anexar(protocolo, dados=None, nome="nota.pdf"):
    return services.anexar(
        protocolo=protocolo,
        arquivos=[ContentFile(dados or arquivos.pdf(), name=nome)],
        texto="Segue.",
        origem=Interacao.Origem.CONSUMIDOR,
    )


def test_the_file_goes_to_the_bucket_under_the_protocol_and_its_hash(s3, atendente):
    protocolo = abrir(atendente=atendente)
    _anexar(protocolo)
    sha = hashlib.sha256(arquivos.pdf()).hexdigest()
    chave = f"protocolos/{protocolo.numero}/{sha}"
    assert _objetos(s3) == {chave}
    assert s3.get_object(Bucket=BALDE, Key=chave)["Body"].read() == arquivos.pdf()
    assert Anexo.objects.get().chave == chave


def test_the_download_is_streamed_from_the_bucket_through_the_view(s3, visitante, protocolo):
    entrada = _anexar(protocolo, arquivos.jpeg_com_gps(), "foto.jpg")
    resposta = visitante.get(reverse("consumidor:anexo", args=[protocolo.numero, entrada.ordem, 1]))
    assert resposta.status_code == 200 and resposta.streaming
    corpo = b"".join(resposta.streaming_content)
    assert hashlib.sha256(corpo).hexdigest() == Anexo.objects.get().sha256
    assert resposta["Content-Disposition"] == 'attachment; filename="foto.jpg"'
    assert resposta["Content-Security-Policy"] == "sandbox; default-src 'none'"
    # Streamed by us: no redirect to the bucket, no pre-signed address anywhere.
    assert "X-Amz" not in str(resposta.headers) and "Location" not in resposta


def test_verification_reads_the_bucket_and_names_a_swapped_object(s3, atendente):
    protocolo = abrir(atendente=atendente)
    entrada = _anexar(protocolo)
    call_command("verificar_integridade", "--protocolo", protocolo.numero, stdout=StringIO(), stderr=StringIO())
    s3.put_object(Bucket=BALDE, Key=Anexo.objects.get().chave, Body=arquivos.pdf("Trocado"))
    erros = StringIO()
    with pytest.raises(CommandError):
        call_command("verificar_integridade", "--protocolo", protocolo.numero, stdout=StringIO(), stderr=erros)
    assert f"interação #{entrada.ordem}" in erros.getvalue() and "foi alterado" in erros.getvalue()


def test_anonymisation_removes_one_consumers_objects_and_keeps_anothers(
    s3, atendente, django_capture_on_commit_callbacks
):
    with relogio.em(relogio.agora() - lgpd.retencao() * 2):
        titular = ConsumidorFactory()
        antigo = abrir(atendente=atendente, consumidor=titular)
        _anexar(antigo)
        services.protocolo_resolver(protocolo=antigo, texto="Feito.", autor=atendente)
        services.protocolo_encerrar(protocolo=antigo, origem=Interacao.Origem.CONSUMIDOR, avaliacao=5)
    outro = abrir(atendente=atendente, consumidor=ConsumidorFactory())
    _anexar(outro)  # the very same file, evidence of another protocol
    assert len(_objetos(s3)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        lgpd.anonimizar(titular)

    assert _objetos(s3) == {f"protocolos/{outro.numero}/{hashlib.sha256(arquivos.pdf()).hexdigest()}"}
    assert anexos.sha256_guardado(Anexo.objects.get(protocolo=outro).chave) is not None
