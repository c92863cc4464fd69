"""
The signed PDFs of a protocol and the public checks of our signature (docs/evidencias.md).

The receipt and the dossiê are downloaded by whoever may see the protocol on the portal (the receipt
page's access: this browser's grant from a lookup or a signed link); they carry only what the public
timeline shows. /verificar/ takes an uploaded PDF: the body is refused past the size limit while it
arrives, and the file is checked in a child process (protocolo/evidencias/validacao.py).
"""

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from protocolo.evidencias import assinatura, icp, pdf, validacao
from protocolo.operacao import limites
from protocolo.operacao.rede import ip_do_cliente

from . import apresentacao, views
from .forms import VerificacaoPdfForm


def _icp_no_veredito(cadeia):
    return (
        f"O nosso certificado foi emitido pela ICP-Brasil (cadeia até a AC Raiz {cadeia.versao_da_raiz} conferida "
        "aqui, sem consulta à rede): a assinatura tem a presunção de veracidade do art. 10, § 1º, da MP 2.200-2/2001."
    )


# What the page says of each verdict: (alert class, title, explanation).
VEREDITOS = {
    validacao.Veredito.AUTENTICO: (
        "success",
        "Documento autêntico e inalterado",
        "A assinatura digital é nossa e cobre o arquivo inteiro: nada mudou desde que o emitimos.",
    ),
    validacao.Veredito.ALTERADO: (
        "danger",
        "Documento alterado depois de assinado",
        "A assinatura não confere com o conteúdo: o arquivo foi modificado depois da emissão (ou a assinatura "
        "foi danificada). Não o aceite como emitido por nós; baixe de novo no portal.",
    ),
    validacao.Veredito.ACRESCIDO: (
        "danger",
        "Documento com acréscimos depois da assinatura",
        "A parte assinada por nós está intacta, mas alguém acrescentou conteúdo ao arquivo depois da assinatura: "
        "o que foi acrescentado não é nosso.",
    ),
    validacao.Veredito.OUTRA_CHAVE: (
        "danger",
        "Não assinado por nós",
        "O PDF tem uma assinatura digital, mas de um certificado que não é o nosso.",
    ),
    validacao.Veredito.CORROMPIDO: (
        "danger",
        "Assinatura danificada",
        "O PDF tem um campo de assinatura, mas a assinatura não pode ser lida: o arquivo foi danificado ou alterado.",
    ),
    validacao.Veredito.NAO_ASSINADO: (
        "warning",
        "PDF sem assinatura digital",
        "Este PDF não tem assinatura digital: não é um comprovante ou dossiê baixado do portal, ou foi salvo de "
        "novo (impresso em PDF, por exemplo), o que descarta a assinatura.",
    ),
    validacao.Veredito.ILEGIVEL: (
        "warning",
        "PDF ilegível",
        "O arquivo começa como um PDF, mas está incompleto ou danificado.",
    ),
    validacao.Veredito.NAO_PDF: ("warning", "Não é um PDF", "O arquivo enviado não é um PDF."),
    validacao.Veredito.EXCESSIVO: (
        "warning",
        "Não foi possível verificar",
        "O arquivo pediu tempo ou memória demais para ser verificado: nenhum PDF nosso é assim.",
    ),
}


def _pdf(dados, nome):
    resposta = HttpResponse(dados, content_type="application/pdf")
    resposta["Content-Disposition"] = f'attachment; filename="{nome}"'
    resposta["X-Content-Type-Options"] = "nosniff"
    return resposta


@require_safe
@never_cache
def comprovante_pdf(request, numero):
    protocolo = views._protocolo_do_visitante(request, numero)
    if protocolo is None:
        return views._nao_encontrado(request)
    dados, _ = pdf.documento(pdf.html_do_comprovante(protocolo))
    return _pdf(dados, f"comprovante-{protocolo.numero}.pdf")


@require_safe
@never_cache
def dossie_pdf(request, numero):
    protocolo = views._protocolo_do_visitante(request, numero)
    if protocolo is None:
        return views._nao_encontrado(request)
    dados, _ = pdf.documento(html_do_dossie(protocolo))
    return _pdf(dados, f"dossie-{protocolo.numero}.pdf")


def html_do_dossie(protocolo):
    """The dossiê as HTML, before it becomes a PDF: the public timeline only, as the history page shows it."""
    linha = apresentacao.linha_publica(views._linha(protocolo))
    return pdf.html_do_dossie(protocolo, linha, pdf.anexos_do_dossie(linha))


@require_safe
def certificado(request):
    atual = assinatura.certificado()
    contexto = {
        "certificado": atual,
        "cadeia_icp": icp.do_certificado(atual) if atual is not None else None,
        "raizes_icp": bool(icp.raizes()),
    }
    return render(request, "consumidor/certificado.html", contexto)


@require_safe
def certificado_pem(request):
    atual = assinatura.certificado()
    if atual is None:
        raise Http404
    resposta = HttpResponse(
        atual.pem + atual.intermediarias_pem + atual.raizes_pem, content_type="application/x-pem-file"
    )
    resposta["Content-Disposition"] = 'attachment; filename="certificado-protocolo.pem"'
    resposta["X-Content-Type-Options"] = "nosniff"
    return resposta


@require_safe
def certificado_icp_pem(request):
    """The pinned ICP-Brasil roots, for whoever checks our signature offline (docs/evidencias.md)."""
    raizes = icp.raizes_pem()
    if not raizes:
        raise Http404
    resposta = HttpResponse(raizes, content_type="application/x-pem-file")
    resposta["Content-Disposition"] = 'attachment; filename="icp-brasil.pem"'
    resposta["X-Content-Type-Options"] = "nosniff"
    return resposta


class _LimiteDoEnvio(FileUploadHandler):
    """Stops reading an upload once it passes the limit: a body of gigabytes is never written to disk."""

    def __init__(self, request=None):
        super().__init__(request)
        self.recebidos = 0

    def receive_data_chunk(self, raw_data, start):
        self.recebidos += len(raw_data)
        if self.recebidos > settings.PROTOCOLO_VERIFICACAO_PDF_BYTES:
            self.request.envio_grande_demais = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _pagina(request, form, *, status=200, veredito=None, erro="", cadeia_icp=None):
    explicacao = VEREDITOS.get(veredito)
    if veredito == validacao.Veredito.AUTENTICO and cadeia_icp is not None and cadeia_icp.icp:
        classe, titulo, texto = explicacao
        explicacao = (classe, titulo, f"{texto} {_icp_no_veredito(cadeia_icp)}")
    contexto = {"inicio": veredito is None, "form_pdf": form, "veredito": explicacao, "erro_pdf": erro}
    return render(request, "consumidor/verificar.html", contexto, status=status)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def verificar_inicio(request):
    """/verificar/: a receipt's code (GET, consumidor.views.verificar_inicio) or an uploaded PDF (POST).
    A POST's body is bounded before anything reads it: its declared length first, then an upload
    handler while it arrives; the CSRF token is checked after that (reading it parses the body)."""
    if request.method != "POST":
        return views.verificar_inicio(request)
    if _grande_demais(request):
        return _grande_demais_pagina(request)
    request.upload_handlers.insert(0, _LimiteDoEnvio(request))
    return _verificar_pdf(request)


def _grande_demais(request):
    try:
        tamanho = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return tamanho > settings.PROTOCOLO_VERIFICACAO_PDF_BYTES + 64 * 1024


def _grande_demais_pagina(request):
    mb = settings.PROTOCOLO_VERIFICACAO_PDF_BYTES // (1024 * 1024)
    erro = f"O arquivo tem mais de {mb} MB: nenhum PDF nosso é tão grande."
    return _pagina(request, VerificacaoPdfForm(), status=413, erro=erro)


@csrf_protect
def _verificar_pdf(request):
    try:
        limites.consumir("verificacao_pdf_ip", limites.rede(ip_do_cliente(request)))
    except limites.Limitado as erro:
        return views._limitado(request, erro)
    form = VerificacaoPdfForm(request.POST, request.FILES)
    if getattr(request, "envio_grande_demais", False):
        return _grande_demais_pagina(request)
    if not form.is_valid():
        return _pagina(request, form)
    atual = assinatura.certificado()
    if atual is None:
        messages.warning(request, "Este portal ainda não assina os PDFs: não há assinatura nossa a conferir.")
        return _pagina(request, VerificacaoPdfForm())
    arquivo = form.cleaned_data["arquivo"]
    arquivo.seek(0)
    veredito = validacao.verificar(
        arquivo.read(settings.PROTOCOLO_VERIFICACAO_PDF_BYTES + 1),
        raizes=atual.raizes,
        nossos={atual.impressao_digital},
        segundos=settings.PROTOCOLO_VERIFICACAO_PDF_SEGUNDOS,
        memoria=settings.PROTOCOLO_VERIFICACAO_PDF_MEMORIA_MB,
    )
    return _pagina(request, VerificacaoPdfForm(), veredito=veredito, cadeia_icp=icp.do_certificado(atual))
