"""The receipt and the dossiê as signed PDFs, downloaded by whoever may see the protocol, and the
public page of our certificate (docs/evidencias.md)."""

import io

import pytest
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from consumidor import acesso, evidencias
from protocolo import integridade, selectors, services
from protocolo.evidencias import assinatura
from tests.consumidor.apoio import CPF, CPF_FORMATADO, pagina
from tests.factories import AtendenteFactory, ConsumidorFactory, SupervisorFactory, abrir

pytestmark = pytest.mark.django_db

NOTA = "NOTA-INTERNA-SIGILOSA"
SOBRENOME = "Wanderley-Figueiredo"


@pytest.fixture
def consumidor(db):
    return ConsumidorFactory(cpf=CPF, nome="Maria Aparecida Souza", email="maria@exemplo.com.br")


@pytest.fixture
def protocolo(consumidor):
    atendente = AtendenteFactory(username="joana.wf", first_name="Joana", last_name=SOBRENOME)
    protocolo = abrir(consumidor=consumidor, atendente=atendente, objeto="A fatura de outubro veio em dobro.")
    services.protocolo_registrar_interacao(protocolo=protocolo, texto=NOTA, autor=atendente)
    services.protocolo_registrar_interacao(
        protocolo=protocolo, texto="Estamos analisando a sua fatura.", autor=atendente, publica=True
    )
    services.protocolo_escalar(protocolo=protocolo, motivo=NOTA, autor=atendente)
    return protocolo


@pytest.fixture
def visitante(client, protocolo):
    sessao = client.session
    acesso.conceder(sessao, protocolo)
    sessao.save()
    return client


def _validar(dados):
    raizes = [x509.Certificate.load(raiz) for raiz in assinatura.certificado().raizes]
    embutida = PdfFileReader(io.BytesIO(dados)).embedded_signatures[0]
    contexto = ValidationContext(trust_roots=raizes, allow_fetching=False, revocation_mode="soft-fail")
    return assinatura.sem_laco(validate_pdf_signature, embutida, contexto)


@pytest.mark.parametrize(("nome", "arquivo"), [("comprovante_pdf", "comprovante"), ("dossie_pdf", "dossie")])
def test_the_visitor_downloads_a_signed_pdf(visitante, protocolo, nome, arquivo):
    resposta = visitante.get(pagina(protocolo, f"consumidor:{nome}"))

    assert resposta.status_code == 200
    assert resposta["Content-Type"] == "application/pdf"
    assert resposta["Content-Disposition"] == f'attachment; filename="{arquivo}-{protocolo.numero}.pdf"'
    assert resposta["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in resposta["Cache-Control"]
    status = _validar(resposta.content)
    assert status.intact and status.valid and status.trusted


def test_the_dossier_holds_the_public_history_and_never_an_internal_note(protocolo):
    protocolo = selectors.protocolo_do_portal(protocolo.numero)
    html = evidencias.html_do_dossie(protocolo)

    assert "Estamos analisando a sua fatura." in html
    assert "A fatura de outubro veio em dobro." in html
    assert "Joana (atendente)" in html
    assert integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo)) in html
    assert assinatura.certificado().impressao_digital_formatada in html
    for proibido in (NOTA, SOBRENOME, CPF, CPF_FORMATADO):
        assert proibido not in html
    assert "Anexos" not in html  # no attachment exists yet: the section is left out


def test_the_receipt_pdf_carries_the_verification_code(protocolo):
    from protocolo.evidencias import pdf

    protocolo = selectors.protocolo_do_portal(protocolo.numero)
    html = pdf.html_do_comprovante(protocolo)

    codigo = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))
    assert codigo in html
    assert f"https://protocolo.exemplo.com.br/verificar/{codigo}/" in html
    assert NOTA not in html and CPF not in html


def test_the_dossier_lists_attachments_with_their_hash_when_there_are_some(protocolo):
    from protocolo.evidencias import pdf

    html = pdf.html_do_dossie(protocolo, [], anexos=[("fatura.pdf", "ab" * 32)])

    assert "Anexos" in html and "fatura.pdf" in html and "ab" * 32 in html


def test_without_a_certificate_the_pdf_says_it_is_unsigned(visitante, protocolo, settings):
    settings.PROTOCOLO_ASSINATURA_PKCS12 = ""
    protocolo = selectors.protocolo_do_portal(protocolo.numero)

    html = evidencias.html_do_dossie(protocolo)
    resposta = visitante.get(pagina(protocolo, "consumidor:dossie_pdf"))

    assert "Este PDF não tem assinatura digital" in html
    assert resposta.status_code == 200
    assert PdfFileReader(io.BytesIO(resposta.content)).embedded_signatures == []


def test_someone_without_access_gets_the_same_404_as_a_missing_number(client, protocolo):
    resposta = client.get(pagina(protocolo, "consumidor:dossie_pdf"))

    assert resposta.status_code == 404
    assert resposta["Content-Type"].startswith("text/html")


def test_the_receipt_and_history_pages_link_their_pdfs(visitante, protocolo):
    assert (
        pagina(protocolo, "consumidor:comprovante_pdf")
        in visitante.get(pagina(protocolo, "consumidor:comprovante")).text
    )
    assert pagina(protocolo, "consumidor:dossie_pdf") in visitante.get(pagina(protocolo, "consumidor:historico")).text


def test_the_certificate_page_shows_the_fingerprint_and_how_to_verify_offline(client):
    resposta = client.get("/verificar/certificado/")

    assert resposta.status_code == 200
    assert assinatura.certificado().impressao_digital_formatada in resposta.text
    assert "pyhanko sign validate --trust certificado-protocolo.pem arquivo.pdf" in resposta.text
    assert "painel de assinaturas" in resposta.text


def test_the_pem_download_is_our_certificate_then_its_intermediates_then_its_roots(client):
    resposta = client.get("/verificar/certificado.pem")

    assert resposta.status_code == 200
    assert resposta["Content-Disposition"] == 'attachment; filename="certificado-protocolo.pem"'
    assert resposta["X-Content-Type-Options"] == "nosniff"
    blocos = [der for _, _, der in pem.unarmor(resposta.content, multiple=True)]
    atual = assinatura.certificado()
    assert blocos == [atual.der, *atual.intermediarias, *atual.raizes]


def test_without_a_certificate_the_page_says_so_and_there_is_no_pem(client, settings):
    settings.PROTOCOLO_ASSINATURA_PKCS12 = ""

    assert "ainda não assina os PDFs" in client.get("/verificar/certificado/").text
    assert client.get("/verificar/certificado.pem").status_code == 404


def test_the_team_downloads_the_consumers_dossier_without_internal_notes(client, protocolo):
    atendente = AtendenteFactory(username="outra.atendente")
    client.force_login(atendente)

    resposta = client.get(f"/atendimento/protocolos/{protocolo.numero}/dossie.pdf")

    assert resposta.status_code == 200
    assert resposta["Content-Disposition"] == f'attachment; filename="dossie-{protocolo.numero}.pdf"'
    assert resposta["X-Content-Type-Options"] == "nosniff"
    status = _validar(resposta.content)
    assert status.intact and status.trusted
    html = evidencias.html_do_dossie(selectors.protocolo_do_portal(protocolo.numero))
    assert NOTA not in html and "Estamos analisando a sua fatura." in html


def test_the_dossier_reads_the_timeline_in_one_query_however_long(visitante, protocolo, django_assert_num_queries):
    supervisora = SupervisorFactory(first_name="Clara")
    for n in range(5):
        services.protocolo_registrar_interacao(
            protocolo=protocolo, texto=f"Resposta {n}.", autor=supervisora, publica=True
        )

    # The session; the protocol with its consumer and categoria; the public timeline with each
    # author (select_related); the chain head the verification code seals.
    with django_assert_num_queries(4):
        resposta = visitante.get(pagina(protocolo, "consumidor:dossie_pdf"))

    assert resposta.status_code == 200
