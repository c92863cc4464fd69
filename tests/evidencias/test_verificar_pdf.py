"""/verificar/ takes an uploaded PDF and says whether it is ours and untouched, or exactly what
fails; the file is hostile, and nothing it holds ever makes a 500 (docs/evidencias.md)."""

import os
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("consumidor:verificar_inicio")


def _enviar(client, dados, nome="documento.pdf"):
    return client.post(URL, {"arquivo": SimpleUploadedFile(nome, dados, content_type="application/pdf")})


def _veredito(resposta):
    assert resposta.status_code == 200, resposta.status_code
    return resposta.context["veredito"][1]


def _um_byte_trocado(dados):
    """One byte flipped inside the first content stream: the file still parses, the signed bytes differ."""
    inicio = dados.index(b"stream\n") + len(b"stream\n") + 20
    return dados[:inicio] + bytes([dados[inicio] ^ 0x01]) + dados[inicio + 1 :]


def test_our_untouched_pdf_is_authentic(client, assinado):
    assert _veredito(_enviar(client, assinado)) == "Documento autêntico e inalterado"


def test_a_pdf_with_one_byte_changed_is_reported_altered(client, assinado):
    resposta = _enviar(client, _um_byte_trocado(assinado))

    assert _veredito(resposta) == "Documento alterado depois de assinado"
    assert "o arquivo foi modificado depois da emissão" in resposta.text


def test_content_appended_after_our_signature_is_reported(client, assinado):
    acrescimo = b"\n1000 0 obj\n(acrescentado)\nendobj\n"
    resposta = _enviar(client, assinado + acrescimo)

    assert _veredito(resposta) in ("Documento com acréscimos depois da assinatura", "PDF ilegível")


def test_a_pdf_signed_by_another_key_is_not_ours(client, de_outra_chave):
    assert _veredito(_enviar(client, de_outra_chave)) == "Não assinado por nós"


def test_a_pdf_without_a_signature_says_so(client, sem_assinatura):
    assert _veredito(_enviar(client, sem_assinatura)) == "PDF sem assinatura digital"


def _bomba():
    """A PDF whose cross-reference stream inflates to 400 MB of zeros: parsing it needs the memory."""
    compressor = zlib.compressobj(1)
    pedaco = bytes(4 * 1024 * 1024)
    corpo = b"".join(compressor.compress(pedaco) for _ in range(100)) + compressor.flush()
    return (
        b"%PDF-1.7\n1 0 obj\n<</Type /XRef /Size 2 /W [1 4 4] /Filter /FlateDecode /Length "
        + str(len(corpo)).encode()
        + b">>\nstream\n"
        + corpo
        + b"\nendstream\nendobj\nstartxref\n9\n%%EOF\n"
    )


@pytest.mark.parametrize(
    ("nome", "dados", "titulo"),
    [
        ("aleatorio", os.urandom(4096), "Não é um PDF"),
        ("vazio_de_estrutura", b"%PDF-1.7\n" + os.urandom(2048), "PDF ilegível"),
        ("imagem", b"\x89PNG\r\n\x1a\n" + os.urandom(512), "Não é um PDF"),
        ("texto", "Comprovante autêntico, confie.".encode(), "Não é um PDF"),
    ],
)
def test_garbage_gets_a_verdict_not_an_error(client, nome, dados, titulo):
    assert _veredito(_enviar(client, dados)) == titulo


def test_a_truncated_pdf_is_not_authentic(client, assinado):
    titulo = _veredito(_enviar(client, assinado[: len(assinado) // 2]))

    # Cut before its signature, what is left reads as the unsigned first revision.
    assert titulo in ("PDF sem assinatura digital", "PDF ilegível", "Documento alterado depois de assinado")


def test_a_decompression_bomb_is_stopped_and_answered(client, settings):
    settings.PROTOCOLO_VERIFICACAO_PDF_MEMORIA_MB = 256

    titulo = _veredito(_enviar(client, _bomba()))

    assert titulo in ("Não foi possível verificar", "PDF ilegível")


def test_a_check_past_the_time_limit_is_stopped_and_answered(client, assinado, settings):
    settings.PROTOCOLO_VERIFICACAO_PDF_SEGUNDOS = 0.001

    assert _veredito(_enviar(client, assinado)) == "Não foi possível verificar"


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, settings):
    settings.PROTOCOLO_VERIFICACAO_PDF_BYTES = 1024 * 1024

    resposta = _enviar(client, b"%PDF-1.7\n" + bytes(3 * 1024 * 1024))

    assert resposta.status_code == 413
    assert "O arquivo tem mais de 1 MB: nenhum PDF nosso é tão grande." in resposta.text


def test_a_file_just_over_the_limit_is_refused_by_the_form(client, settings):
    settings.PROTOCOLO_VERIFICACAO_PDF_BYTES = 1024 * 1024

    resposta = _enviar(client, b"%PDF-1.7\n" + bytes(1024 * 1024 + 10))

    assert resposta.status_code == 413
    assert "O arquivo tem mais de 1 MB: nenhum PDF nosso é tão grande." in resposta.text


def test_a_post_without_a_file_asks_for_one_in_portuguese(client):
    resposta = client.post(URL, {})

    assert resposta.status_code == 200
    assert "Escolha o arquivo PDF a verificar." in resposta.text


def test_an_empty_file_is_refused_in_portuguese(client):
    resposta = _enviar(client, b"")

    assert resposta.status_code == 200
    assert "O arquivo enviado está vazio." in resposta.text


def test_the_upload_needs_the_pages_csrf_token(assinado):
    from django.test import Client

    resposta = Client(enforce_csrf_checks=True).post(
        URL, {"arquivo": SimpleUploadedFile("a.pdf", assinado, content_type="application/pdf")}
    )

    assert resposta.status_code == 403


def test_uploads_are_limited_per_network(client, assinado, settings):
    settings.PROTOCOLO_LIMITES = settings.PROTOCOLO_LIMITES | {"verificacao_pdf_ip": (2, 600)}

    estados = [_enviar(client, b"nada").status_code for _ in range(3)]

    assert estados == [200, 200, 429]


def test_the_code_form_still_works_beside_the_upload(client):
    resposta = client.get(URL)

    assert resposta.status_code == 200
    assert 'enctype="multipart/form-data"' in resposta.text
    assert 'name="codigo"' in resposta.text


def test_without_a_certificate_of_ours_the_upload_says_there_is_nothing_to_check(client, assinado, settings):
    settings.PROTOCOLO_ASSINATURA_PKCS12 = ""

    resposta = _enviar(client, assinado)

    assert resposta.status_code == 200
    assert resposta.context["veredito"] is None
    assert "Este portal ainda não assina os PDFs" in resposta.text
