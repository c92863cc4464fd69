"""Files built in the tests, byte by byte or through Pillow: nothing binary is kept in the repository."""

import io
import zipfile

import pillow_heif
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# Latitude -23.5505, longitude -46.6333 (São Paulo), as a phone writes it.
GPS = {1: "S", 2: (23.0, 33.0, 1.8), 3: "W", 4: (46.0, 37.0, 59.88)}


def jpeg_com_gps(tamanho=(64, 48), cor=(200, 30, 30)):
    imagem = Image.new("RGB", tamanho, cor)
    exif = Image.Exif()
    exif[0x010F] = "Fabricante do Celular"
    exif[0x0132] = "2026:01:02 10:11:12"
    exif.get_ifd(0x8825).update(GPS)
    saida = io.BytesIO()
    imagem.save(saida, format="JPEG", exif=exif)
    return saida.getvalue()


def png(tamanho=(20, 20)):
    saida = io.BytesIO()
    Image.new("RGBA", tamanho, (0, 128, 0, 200)).save(saida, format="PNG")
    return saida.getvalue()


def webp(tamanho=(20, 20)):
    saida = io.BytesIO()
    Image.new("RGB", tamanho, (0, 0, 255)).save(saida, format="WEBP")
    return saida.getvalue()


def heic_com_gps(tamanho=(64, 48)):
    imagem = Image.new("RGB", tamanho, (10, 200, 10))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update(GPS)
    arquivo = pillow_heif.from_pillow(imagem)
    saida = io.BytesIO()
    arquivo.save(saida, quality=80, exif=exif.tobytes())
    return saida.getvalue()


def pdf(texto="Nota fiscal 123"):
    corpo = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"% " + texto.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return corpo


def zip_bomba():
    """A ZIP whose one member inflates from a few KB to 50 MB."""
    saida = io.BytesIO()
    with zipfile.ZipFile(saida, "w", compression=zipfile.ZIP_DEFLATED) as pacote:
        pacote.writestr("a.txt", b"0" * (50 * 1024 * 1024))
    return saida.getvalue()


def pdf_e_zip():
    """A polyglot: a PDF reader and unzip both open it."""
    return pdf() + zip_bomba()


def png_bomba(lado=20_000):
    """A PNG whose header claims lado×lado pixels: tiny on disk, gigabytes decoded."""
    saida = io.BytesIO()
    Image.new("1", (lado, lado)).save(saida, format="PNG")
    return saida.getvalue()


def upload(nome, dados, tipo="application/octet-stream"):
    return SimpleUploadedFile(nome, dados, content_type=tipo)


def exif_de(dados):
    return Image.open(io.BytesIO(dados)).getexif()


def _anexar(protocolo, publica):
    from django.core.files.base import ContentFile

    from protocolo import services

    entrada = services.anexar(
        protocolo=protocolo,
        arquivos=[ContentFile(pdf(), name="prova.pdf")],
        texto="Arquivo.",
        origem=services.Origem.CONSUMIDOR if publica else services.Origem.SISTEMA,
    )
    return {"numero": protocolo.numero, "ordem": entrada.ordem, "posicao": 1}


def anexo_publico(protocolo):
    """A file the consumer sent with a message on `protocolo`: the kwargs of its URLs."""
    return _anexar(protocolo, True)


def anexo_interno(protocolo):
    """A file of an internal note on `protocolo`: the kwargs of its URLs."""
    return _anexar(protocolo, False)
