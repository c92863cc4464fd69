"""The signature pyHanko puts on our PDFs, as a third party's validator sees it, and the fetcher that
keeps WeasyPrint inside our static files (docs/evidencias.md)."""

import asyncio
import concurrent.futures
import io
import socket

import pytest
from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from protocolo.evidencias import assinatura, pdf
from tests.evidencias.carimbo import Carimbadora


def _nossas_raizes():
    return [x509.Certificate.load(raiz) for raiz in assinatura.certificado().raizes]


def _status(dados, *raizes_extras):
    assinatura_embutida = PdfFileReader(io.BytesIO(dados)).embedded_signatures[0]
    contexto = ValidationContext(
        trust_roots=_nossas_raizes() + list(raizes_extras), allow_fetching=False, revocation_mode="soft-fail"
    )
    return assinatura.sem_laco(validate_pdf_signature, assinatura_embutida, contexto)


def test_pyhankos_validator_finds_our_signature_intact_and_trusted(assinado):
    status = _status(assinado)

    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.dump() == assinatura.certificado().der
    assert status.timestamp_validity is None  # no authority configured


def test_the_signature_is_pades(assinado):
    assinatura_embutida = PdfFileReader(io.BytesIO(assinado)).embedded_signatures[0]

    assert assinatura_embutida.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert assinatura_embutida.field_name == assinatura.CAMPO


def test_without_a_certificate_the_pdf_goes_out_unsigned(sem_assinatura, settings):
    settings.PROTOCOLO_ASSINATURA_PKCS12 = ""

    dados, com_assinatura = assinatura.assinar(sem_assinatura)

    assert (dados, com_assinatura) == (sem_assinatura, False)
    assert assinatura.certificado() is None


def test_a_timestamp_from_the_authority_is_embedded_and_validates(sem_assinatura, settings, tmp_path):
    with Carimbadora(tmp_path) as carimbadora:
        settings.PROTOCOLO_CARIMBO_URL = carimbadora.url
        settings.PROTOCOLO_CARIMBO_TEMPO_LIMITE = 1

        dados, com_assinatura = assinatura.assinar(sem_assinatura)

        assert com_assinatura and carimbadora.pedidos >= 1  # pyHanko may ask once more to size the token
    status = _status(dados, carimbadora.raiz)
    assert status.intact and status.valid and status.trusted
    carimbo = status.timestamp_validity
    assert carimbo is not None
    assert carimbo.intact and carimbo.valid and carimbo.trusted
    assert "Carimbo de Testes" in carimbo.signing_cert.subject.human_friendly


def test_an_authority_that_does_not_answer_costs_the_timestamp_not_the_signature(sem_assinatura, settings, caplog):
    with socket.socket() as fechado:
        fechado.bind(("127.0.0.1", 0))
        porta = fechado.getsockname()[1]
    settings.PROTOCOLO_CARIMBO_URL = f"http://127.0.0.1:{porta}/tsa"
    settings.PROTOCOLO_CARIMBO_TEMPO_LIMITE = 1

    dados, com_assinatura = assinatura.assinar(sem_assinatura)

    assert com_assinatura
    status = _status(dados)
    assert status.intact and status.trusted and status.timestamp_validity is None
    assert "Carimbo do tempo indisponível" in caplog.text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://exemplo.com.br/static/css/evidencias.css",
        pdf.BASE + "static/../protocolo/settings.py",
        pdf.BASE + "static/%2e%2e/%2e%2e/protocolo/settings.py",
        pdf.BASE + "static/css/nao-existe.css",
        pdf.BASE + "media/qualquer.png",
        "data:text/css,body{}",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(pdf.RecursoRecusado):
        pdf.SoEstaticos().fetch(url)


def test_the_fetcher_serves_our_stylesheet():
    resposta = pdf.SoEstaticos().fetch(pdf.BASE + "static/css/evidencias.css")

    assert resposta.content_type == "text/css"
    assert b"@page" in resposta.read()


def test_a_page_naming_outside_resources_still_renders_without_fetching_them(caplog):
    html = (
        '<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body>'
        '<img src="http://127.0.0.1:9/x.png"><p>Texto</p></body></html>'
    )

    dados = pdf.renderizar(html)

    assert dados.startswith(b"%PDF-")
    assert "Recurso fora dos arquivos estáticos" in caplog.text


def test_signing_works_in_a_thread_that_already_runs_an_event_loop(sem_assinatura):
    # pyHanko's synchronous API runs asyncio.run, which a running loop refuses: an ASGI server, or
    # the browser tests' Playwright in this very process.
    async def dentro_do_laco():
        return assinatura.assinar(sem_assinatura)

    # In a thread of its own: this one may already run Playwright's loop (the browser tests).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        dados, com_assinatura = executor.submit(asyncio.run, dentro_do_laco()).result()

    assert com_assinatura
    assert _status(dados).intact
