"""What a file must be to be kept, what is done to it, and the refusals in Portuguese
(protocolo/anexos.py)."""

import hashlib
import io

import pytest
from PIL import Image

from protocolo import anexos
from protocolo.exceptions import DadosInvalidos

from . import arquivos


def test_a_jpeg_loses_its_exif_and_gps_and_keeps_the_received_hash_beside():
    original = arquivos.jpeg_com_gps()
    assert arquivos.exif_de(original).get_ifd(0x8825)
    preparado = anexos.preparar_um(arquivos.upload("foto.jpeg", original))
    exif = arquivos.exif_de(preparado.conteudo)
    assert not exif.get_ifd(0x8825)
    assert 0x010F not in exif and 0x0132 not in exif
    assert preparado.tipo == "image/jpeg" and preparado.nome == "foto.jpg"
    assert preparado.sha256_original == hashlib.sha256(original).hexdigest()
    assert preparado.sha256 == hashlib.sha256(preparado.conteudo).hexdigest() != preparado.sha256_original
    registro = preparado.registro()
    assert registro["original"] == {"tipo": "image/jpeg", "tamanho": len(original), "sha256": preparado.sha256_original}
    assert "sem metadados" in registro["tratamento"]


def test_a_heic_photo_becomes_a_jpeg_without_gps():
    original = arquivos.heic_com_gps()
    preparado = anexos.preparar_um(arquivos.upload("IMG_0001.HEIC", original))
    assert preparado.tipo == "image/jpeg" and preparado.nome == "IMG_0001.jpg"
    assert preparado.tipo_original == "image/heic"
    assert Image.open(io.BytesIO(preparado.conteudo)).format == "JPEG"
    assert not arquivos.exif_de(preparado.conteudo).get_ifd(0x8825)
    assert "HEIC convertida em JPEG" in preparado.tratamento


@pytest.mark.parametrize(
    ("dados", "tipo"),
    [(arquivos.png(), "image/png"), (arquivos.webp(), "image/webp"), (arquivos.pdf(), "application/pdf")],
)
def test_png_webp_and_pdf_are_accepted_by_their_content(dados, tipo):
    preparado = anexos.preparar_um(arquivos.upload("qualquer.exe", dados))
    assert preparado.tipo == tipo
    assert preparado.nome.startswith("qualquer.")


def test_a_pdf_is_kept_byte_for_byte():
    dados = arquivos.pdf()
    preparado = anexos.preparar_um(arquivos.upload("nota.pdf", dados))
    assert preparado.conteudo == dados and "original" not in preparado.registro()


def test_utf8_text_is_plain_text():
    preparado = anexos.preparar_um(arquivos.upload("conversa", "Olá, tudo bem? Ação!\r\n".encode()))
    assert (preparado.tipo, preparado.nome) == ("text/plain", "conversa.txt")


@pytest.mark.parametrize(
    ("nome", "dados", "trecho"),
    [
        ("bomba.pdf", arquivos.zip_bomba(), "não é de um tipo aceito"),
        ("poliglota.pdf", arquivos.pdf_e_zip(), "mistura um PDF com outro formato"),
        ("pagina.txt", b"<html><script>alert(1)</script></html>", "página da web"),
        ("binario.txt", b"abc\x00def", "não é de um tipo aceito"),
        ("latin1.txt", "ação".encode("latin-1"), "não é de um tipo aceito"),
        ("vazio.pdf", b"", "está vazio"),
        ("cortado.pdf", arquivos.pdf()[:60], "não é um PDF completo"),
        ("cortada.jpg", arquivos.jpeg_com_gps()[:200], "corrompida"),
        ("gigante.png", arquivos.png_bomba(), "pixels demais"),
        # Past our own limit (40 megapixels) but not Pillow's: refused before a pixel is decoded.
        ("grande.png", arquivos.png_bomba(7_000), "pixels demais"),
        ("script.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>', "página da web"),
    ],
)
def test_hostile_files_are_refused_in_portuguese(nome, dados, trecho):
    with pytest.raises(DadosInvalidos, match=trecho):
        anexos.preparar_um(arquivos.upload(nome, dados))


def test_a_file_past_the_limit_is_refused_before_it_is_read(settings):
    settings.PROTOCOLO_ANEXOS_TAMANHO_MAXIMO = 100
    with pytest.raises(DadosInvalidos, match="passa de 100 bytes"):
        anexos.preparar_um(arquivos.upload("grande.txt", b"a" * 101))


def test_the_message_limits(settings):
    settings.PROTOCOLO_ANEXOS_POR_MENSAGEM = 2
    with pytest.raises(DadosInvalidos, match="no máximo 2 arquivo"):
        anexos.preparar([arquivos.upload(f"{n}.txt", b"a") for n in range(3)])
    settings.PROTOCOLO_ANEXOS_TAMANHO_POR_MENSAGEM = 10
    with pytest.raises(DadosInvalidos, match="limite por envio"):
        anexos.preparar([arquivos.upload("a.txt", b"a" * 6), arquivos.upload("b.txt", b"b" * 6)])


@pytest.mark.parametrize(
    ("enviado", "esperado"),
    [
        ("../../etc/passwd", "passwd.txt"),
        ("..\\..\\windows\\system32\\foto.jpg", "foto.txt"),
        ("fatura\u202egpj.exe", "faturagpj.txt"),
        ("\u200bnome\u0000 com\ttab.txt", "nome comtab.txt"),
        ("...", "anexo.txt"),
        ("", "anexo.txt"),
        ('a<b>c:"d|e?f*.txt', "a_b_c__d_e_f_.txt"),
        ("x" * 300 + ".txt", "x" * 80 + ".txt"),
    ],
)
def test_names_lose_folders_direction_marks_and_controls(enviado, esperado):
    assert anexos.nome_seguro(enviado, "txt") == esperado


def test_comments_and_xmp_do_not_survive_the_re_encoding():
    imagem = Image.new("RGB", (16, 16), (1, 2, 3))
    saida = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Rua das Flores, 123</x:xmpmeta>'
    imagem.save(saida, format="JPEG", comment=b"Casa da Joana", xmp=xmp)
    assert b"Rua das Flores" in saida.getvalue() and b"Casa da Joana" in saida.getvalue()
    preparado = anexos.preparar_um(arquivos.upload("foto.jpg", saida.getvalue()))
    assert b"Rua das Flores" not in preparado.conteudo and b"Casa da Joana" not in preparado.conteudo
