"""
The receipt and the dossiê as PDFs (WeasyPrint), from templates/evidencias/.

WeasyPrint fetches whatever a stylesheet or an image names: ours names only our own static files,
and the fetcher refuses anything else (no network, no file:// outside them, no data: URLs), so text
a consumer or an attendant wrote can never make the server read a file or call an address.
"""

import io
import posixpath
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from protocolo import integridade, selectors

from . import assinatura

BASE = "https://estatico.protocolo.invalid/"
TIPOS = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2"}


class RecursoRecusado(ValueError):
    pass


def _arquivo_estatico(caminho):
    """The bytes of a static file by its name under STATIC_URL, from the collected storage
    (production) or the finders (development and tests), or None."""
    nome = posixpath.normpath(unquote(caminho))
    if nome.startswith(("/", "..")) or "\x00" in nome or nome == ".":
        return None
    if staticfiles_storage.exists(nome):
        with staticfiles_storage.open(nome) as arquivo:
            return arquivo.read()
    encontrado = finders.find(nome)
    if encontrado is None:
        return None
    with open(encontrado, "rb") as arquivo:
        return arquivo.read()


class SoEstaticos(URLFetcher):
    """Serves our static files by their URL under BASE; refuses every other URL."""

    def __init__(self):
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False)

    def fetch(self, url, headers=None):
        partes = urlsplit(url)
        prefixo = urlsplit(BASE + settings.STATIC_URL.lstrip("/")).path
        if f"{partes.scheme}://{partes.netloc}/" != BASE or not partes.path.startswith(prefixo):
            raise RecursoRecusado(f"Recurso fora dos arquivos estáticos: {url[:100]}")
        caminho = partes.path.removeprefix(prefixo)
        dados = _arquivo_estatico(caminho)
        if dados is None:
            raise RecursoRecusado(f"Arquivo estático inexistente: {caminho[:100]}")
        tipo = TIPOS.get(posixpath.splitext(caminho)[1], "application/octet-stream")
        return URLFetcherResponse(url, dados, {"Content-Type": tipo})


def _empresa():
    return {
        "nome": settings.PROTOCOLO_EMPRESA_NOME,
        "cnpj": settings.PROTOCOLO_EMPRESA_CNPJ,
        "telefone": settings.PROTOCOLO_EMPRESA_TELEFONE,
    }


def contexto_comum(protocolo):
    """What both documents print: the issuer, the receipt code and where to check it and the signature."""
    codigo = integridade.codigo_comprovante(protocolo, selectors.cabeca_da_cadeia(protocolo))
    certificado = assinatura.certificado()
    return {
        "protocolo": protocolo,
        "codigo": codigo,
        "url_verificacao": settings.PROTOCOLO_URL_BASE + reverse("consumidor:verificar", args=[codigo]),
        "url_certificado": settings.PROTOCOLO_URL_BASE + reverse("consumidor:certificado"),
        "empresa": _empresa(),
        "assinado": certificado is not None,
        "impressao_digital": certificado.impressao_digital_formatada if certificado else "",
    }


def anexos_do_dossie(linha):
    """(name, SHA-256) of each public file, in the timeline's order, from the public timeline as
    linha_publica gives it; a removed file keeps its hash and says why it is gone."""
    return [
        (f"{a['nome']} ({a['removido']})" if a["removido"] else a["nome"], a["sha256"])
        for entrada in linha
        for a in entrada.get("anexos", ())
    ]


def html_do_comprovante(protocolo):
    contexto = contexto_comum(protocolo) | {"anexos": selectors.anexos_publicos(protocolo)}
    qr = segno.make(contexto["url_verificacao"], error="m").svg_inline(scale=4, omitsize=True, lineclass=None)
    return render_to_string("evidencias/comprovante.html", contexto | {"qr": qr})


def html_do_dossie(protocolo, linha, anexos=()):
    """`linha`: the public timeline as consumidor.apresentacao.linha_publica gives it; `anexos`:
    (name, SHA-256) pairs, none until attachments exist."""
    contexto = contexto_comum(protocolo) | {"linha": linha, "anexos": list(anexos)}
    return render_to_string("evidencias/dossie.html", contexto)


def renderizar(html):
    """The HTML as PDF bytes, unsigned."""
    saida = io.BytesIO()
    HTML(string=html, base_url=BASE, url_fetcher=SoEstaticos()).write_pdf(saida)
    return saida.getvalue()


def documento(html):
    """The HTML as a PDF signed with our key when one is configured: (bytes, signed?)."""
    return assinatura.assinar(renderizar(html))
