"""
Attachments: evidence that cannot be swapped (docs/anexos.md).

A file is read for what it is, never for what its name or the browser say; only a few types pass,
images are decoded and written again (which drops EXIF, and with it a phone photo's GPS position),
and its name is reduced to something harmless. What is kept goes to its own storage under a key
built from the protocol and the SHA-256 of its bytes, and its description (name, type, size, hash,
the received file's hash, what was done) goes into the entry's `detalhes`, which the chain's MAC
covers: a file swapped in the storage no longer matches a sealed hash, and
`verificar_integridade` names it.

Keys never name the uploaded file, and one protocol's key never serves another: removing one
protocol's files (anonymisation, a legal order) never touches another protocol's evidence.
"""

import dataclasses
import hashlib
import io
import logging
import re
import unicodedata
import warnings

import filetype
import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse
from PIL import Image, ImageOps

from .exceptions import DadosInvalidos

logger = logging.getLogger(__name__)

pillow_heif.register_heif_opener()

PDF, JPEG, PNG, WEBP, HEIC, TEXTO = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "text/plain",
)
# What each accepted type is stored as: (type kept, extension, Pillow's format to decode, to encode).
TIPOS = {
    PDF: (PDF, "pdf", None, None),
    JPEG: (JPEG, "jpg", "JPEG", "JPEG"),
    PNG: (PNG, "png", "PNG", "PNG"),
    WEBP: (WEBP, "webp", "WEBP", "WEBP"),
    # A phone's HEIC photo is kept as JPEG: every browser and PDF reader opens it.
    HEIC: (JPEG, "jpg", "HEIF", "JPEG"),
    TEXTO: (TEXTO, "txt", None, None),
}
ACEITOS = "PDF, foto (JPEG, PNG, WebP ou HEIC) ou texto simples"
# Control characters a plain text may hold: tab, line feed, form feed, carriage return.
CONTROLES_DE_TEXTO = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# What makes a browser or a reader take a file for HTML or for another format: refused at the start
# of a PDF or a text, where sniffers look.
MARCAS_DE_OUTRO_FORMATO = re.compile(rb"<\s*(?:html|script|body|svg|iframe|!doctype)|%PDF-", re.IGNORECASE)
NOME_MAXIMO = 80


def armazenamento():
    return storages["anexos"]


def chave_de(protocolo, sha256):
    """The object's key: the protocol's number and the stored bytes' SHA-256, never a name anyone
    typed. The same file sent twice to one protocol is one object; to two protocols, two."""
    return f"protocolos/{protocolo.numero}/{sha256}"


def _tamanho(n):
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} bytes"


# Names ---------------------------------------------------------------------------------------------


def nome_seguro(nome, extensao):
    """The name shown and sent back: no folders, no control or direction marks (an RTL override
    makes “fdp.exe” read “exe.pdf”), none of the characters file systems refuse, the extension
    of the type read from the content, at most NOME_MAXIMO characters before it."""
    nome = unicodedata.normalize("NFKC", str(nome or ""))
    nome = nome.replace("\\", "/").rsplit("/", 1)[-1]
    # Categories C*: controls, format characters (the bidirectional marks among them), surrogates,
    # private use and unassigned.
    nome = "".join(c for c in nome if not unicodedata.category(c).startswith("C"))
    nome = re.sub(r'[<>:"|?*;%]', "_", nome)
    nome = " ".join(nome.split()).strip(" .")
    base = nome.rsplit(".", 1)[0] if "." in nome else nome
    base = base[:NOME_MAXIMO].strip(" .") or "anexo"
    return f"{base}.{extensao}"


def _rotulo(nome):
    """How a refusal names the file: its safe name without the extension we would give it."""
    return nome_seguro(nome, "x")[:-2][:60]


# Reading what a file is ---------------------------------------------------------------------------


@dataclasses.dataclass
class Preparado:
    """A file ready to be stored: its bytes as they will be kept and the record of what it was."""

    nome: str
    tipo: str
    conteudo: bytes
    sha256: str
    tipo_original: str
    sha256_original: str
    tamanho_original: int
    tratamento: str

    @property
    def tamanho(self):
        return len(self.conteudo)

    def registro(self):
        """What the entry's `detalhes["anexos"]` holds for it: sealed by the chain's MAC."""
        registro = {
            "nome": self.nome,
            "tipo": self.tipo,
            "tamanho": self.tamanho,
            "sha256": self.sha256,
            "tratamento": self.tratamento,
        }
        if self.sha256_original != self.sha256:
            registro["original"] = {
                "tipo": self.tipo_original,
                "tamanho": self.tamanho_original,
                "sha256": self.sha256_original,
            }
        return registro


def _tipo(dados):
    """The type read from the content, among TIPOS, or None."""
    tipo = filetype.guess(dados)
    if tipo is not None:
        return tipo.mime if tipo.mime in TIPOS and tipo.mime != TEXTO else None
    return TEXTO if _e_texto(dados) else None


def _e_texto(dados):
    try:
        texto = dados.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not CONTROLES_DE_TEXTO.search(texto)


def _conferir_pdf(dados, rotulo):
    # A PDF that is also a ZIP (its directory at the end, where unzip looks) or that opens as HTML
    # (markup where browsers sniff) is two files in one: refused, whatever a reader would show.
    if b"PK\x05\x06" in dados[-(65536 + 22) :] or MARCAS_DE_OUTRO_FORMATO.search(dados[5:1024]):
        raise DadosInvalidos(f"O arquivo “{rotulo}” mistura um PDF com outro formato e não é aceito.")
    if b"%%EOF" not in dados[-4096:]:
        raise DadosInvalidos(f"O arquivo “{rotulo}” não é um PDF completo: envie-o de novo.")


def _conferir_texto(dados, rotulo):
    if MARCAS_DE_OUTRO_FORMATO.search(dados[:1024]):
        raise DadosInvalidos(
            f"O arquivo “{rotulo}” parece uma página da web ou outro formato, não texto simples, e não é aceito."
        )


def _recodificar(dados, tipo, rotulo):
    """(bytes written again, type kept, what was done). Decoding is limited in pixels before any
    pixel is read; whatever the decoder refuses is the sender's file, never our error."""
    _, _, formato, saida = TIPOS[tipo]
    maximo = settings.PROTOCOLO_ANEXOS_PIXELS_MAXIMO
    grande = f"A imagem “{rotulo}” tem pixels demais (o limite é {maximo // 1_000_000} megapixels)."
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            imagem = Image.open(io.BytesIO(dados), formats=[formato])
            largura, altura = imagem.size
            if largura * altura > maximo:
                raise DadosInvalidos(grande)
            quadros = getattr(imagem, "n_frames", 1)
            imagem.seek(0)
            icc = imagem.info.get("icc_profile")
            # The orientation the EXIF gave, applied to the pixels before the EXIF goes.
            imagem = ImageOps.exif_transpose(imagem)
            imagem.info = {}
            opcoes = {"icc_profile": icc} if icc else {}
            if saida == "JPEG":
                if imagem.mode not in ("RGB", "L"):
                    imagem = imagem.convert("RGB")
                opcoes |= {"quality": 90}
            elif saida == "PNG":
                if imagem.mode not in ("1", "L", "LA", "RGB", "RGBA", "I", "I;16"):
                    imagem = imagem.convert("RGBA")
            else:
                imagem = imagem.convert("RGBA" if "A" in imagem.getbands() else "RGB")
                opcoes |= {"quality": 90}
            destino = io.BytesIO()
            imagem.save(destino, format=saida, **opcoes)
        except DadosInvalidos:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise DadosInvalidos(grande) from None
        except Exception:
            raise DadosInvalidos(f"A imagem “{rotulo}” está corrompida ou incompleta e não pôde ser lida.") from None
    tratamento = "imagem regravada sem metadados (EXIF, GPS)"
    if tipo == HEIC:
        tratamento = "foto HEIC convertida em JPEG, sem metadados (EXIF, GPS)"
    if quadros > 1:
        tratamento += "; só o primeiro quadro da animação"
    return destino.getvalue(), TIPOS[tipo][0], tratamento


def _ler(arquivo, rotulo):
    maximo = settings.PROTOCOLO_ANEXOS_TAMANHO_MAXIMO
    excedido = f"O arquivo “{rotulo}” passa de {_tamanho(maximo)}, o limite por arquivo."
    tamanho = getattr(arquivo, "size", None)
    if tamanho is not None and tamanho > maximo:
        raise DadosInvalidos(excedido)
    if hasattr(arquivo, "seek"):
        arquivo.seek(0)
    dados = arquivo.read(maximo + 1)
    if len(dados) > maximo:
        raise DadosInvalidos(excedido)
    if not dados:
        raise DadosInvalidos(f"O arquivo “{rotulo}” está vazio.")
    return dados


def preparar_um(arquivo):
    """One uploaded file (anything with .name and .read(): an UploadedFile, a django File, a
    ContentFile with a name) as it will be kept, or DadosInvalidos in Portuguese."""
    enviado = getattr(arquivo, "name", "") or ""
    rotulo = _rotulo(enviado)
    dados = _ler(arquivo, rotulo)
    tipo = _tipo(dados)
    if tipo is None:
        raise DadosInvalidos(f"O arquivo “{rotulo}” não é de um tipo aceito: envie {ACEITOS}.")
    sha_original = hashlib.sha256(dados).hexdigest()
    conteudo, tipo_final, tratamento = dados, tipo, "guardado como recebido"
    if tipo == PDF:
        _conferir_pdf(dados, rotulo)
    elif tipo == TEXTO:
        _conferir_texto(dados, rotulo)
    else:
        conteudo, tipo_final, tratamento = _recodificar(dados, tipo, rotulo)
    return Preparado(
        nome=nome_seguro(enviado, TIPOS[tipo][1]),
        tipo=tipo_final,
        conteudo=conteudo,
        sha256=hashlib.sha256(conteudo).hexdigest(),
        tipo_original=tipo,
        sha256_original=sha_original,
        tamanho_original=len(dados),
        tratamento=tratamento,
    )


def preparar(arquivos):
    """The files of one message, read and checked against the per-message limits before anything
    is written. Slow (images are decoded): outside any lock."""
    arquivos = list(arquivos or ())
    if len(arquivos) > settings.PROTOCOLO_ANEXOS_POR_MENSAGEM:
        raise DadosInvalidos(
            f"Envie no máximo {settings.PROTOCOLO_ANEXOS_POR_MENSAGEM} arquivo(s) por vez; foram {len(arquivos)}."
        )
    total = sum(getattr(a, "size", 0) or 0 for a in arquivos)
    if total > settings.PROTOCOLO_ANEXOS_TAMANHO_POR_MENSAGEM:
        raise DadosInvalidos(_excedeu_a_mensagem())
    preparados = [preparar_um(a) for a in arquivos]
    if sum(p.tamanho_original for p in preparados) > settings.PROTOCOLO_ANEXOS_TAMANHO_POR_MENSAGEM:
        raise DadosInvalidos(_excedeu_a_mensagem())
    return preparados


def _excedeu_a_mensagem():
    return (
        f"Os arquivos juntos passam de {_tamanho(settings.PROTOCOLO_ANEXOS_TAMANHO_POR_MENSAGEM)}, "
        "o limite por envio. Envie menos arquivos de cada vez."
    )


def conferir_limites_do_protocolo(protocolo, preparados):
    """Per protocol, on its locked row: how many files it has and how many bytes they take."""
    from .models import Anexo

    existentes = Anexo.objects.filter(protocolo=protocolo).values_list("tamanho", flat=True)
    existentes = list(existentes)
    if len(existentes) + len(preparados) > settings.PROTOCOLO_ANEXOS_POR_PROTOCOLO:
        raise DadosInvalidos(
            f"Este protocolo já tem {len(existentes)} arquivo(s) e aceita no máximo "
            f"{settings.PROTOCOLO_ANEXOS_POR_PROTOCOLO}."
        )
    if sum(existentes) + sum(p.tamanho for p in preparados) > settings.PROTOCOLO_ANEXOS_TAMANHO_POR_PROTOCOLO:
        raise DadosInvalidos(
            "Os arquivos deste protocolo passariam de "
            f"{_tamanho(settings.PROTOCOLO_ANEXOS_TAMANHO_POR_PROTOCOLO)}, o limite por protocolo."
        )


# Storing, reading, removing -----------------------------------------------------------------------


def guardar(protocolo, preparados):
    """Write the files of the locked protocol; the keys this call created (the caller removes
    them if its transaction fails, while the protocol is still locked and nobody shares them)."""
    destino = armazenamento()
    criadas = []
    try:
        for preparado in preparados:
            chave = chave_de(protocolo, preparado.sha256)
            if destino.exists(chave):
                continue
            gravada = destino.save(chave, ContentFile(preparado.conteudo))
            criadas.append(gravada)
            if gravada != chave:
                raise OSError(f"O armazenamento gravou {gravada!r} no lugar de {chave!r}.")
    except Exception:
        apagar_criadas(criadas)
        raise
    return criadas


def apagar_criadas(chaves):
    destino = armazenamento()
    for chave in chaves:
        try:
            destino.delete(chave)
        except Exception:
            logger.exception("Anexo gravado e não registrado ficou no armazenamento: %s", chave)


def registrar(interacao, preparados):
    """The rows of the files of a new entry (whose `detalhes["anexos"]` holds their records)."""
    from .models import Anexo

    return Anexo.objects.bulk_create(
        Anexo(
            protocolo_id=interacao.protocolo_id,
            interacao=interacao,
            posicao=posicao,
            publica=interacao.publica,
            nome=p.nome,
            tipo=p.tipo,
            tamanho=p.tamanho,
            sha256=p.sha256,
            sha256_original=p.sha256_original,
            tamanho_original=p.tamanho_original,
            chave=chave_de(interacao.protocolo, p.sha256),
            criado_em=interacao.criada_em,
        )
        for posicao, p in enumerate(preparados, start=1)
    )


def abrir(anexo):
    """The stored bytes, as a file to stream (FileResponse closes it)."""
    return armazenamento().open(anexo.chave, "rb")


# A file we serve is never a page of ours: no script, no plugin, no form, no frame, no fetch, even
# if a browser ignored the type and the attachment disposition.
CSP_DO_ARQUIVO = "sandbox; default-src 'none'"


def resposta(anexo):
    """The file streamed from the storage (disk or S3) as a download, or None when its bytes
    are not there. Never a URL of the storage: whoever reached this has passed the page's access
    check, and a pre-signed link would outlive it."""
    try:
        arquivo = abrir(anexo)
    except Exception:
        logger.warning("Anexo sem bytes no armazenamento: %s", anexo.chave, exc_info=True)
        return None
    tipo = f"{anexo.tipo}; charset=utf-8" if anexo.tipo == TEXTO else anexo.tipo
    saida = FileResponse(arquivo, as_attachment=True, filename=anexo.nome, content_type=tipo)
    saida["X-Content-Type-Options"] = "nosniff"
    saida["Content-Security-Policy"] = CSP_DO_ARQUIVO
    saida["Cross-Origin-Resource-Policy"] = "same-origin"
    saida["Cache-Control"] = "private, no-store"
    return saida


def sha256_guardado(chave):
    """The SHA-256 of the bytes stored under `chave`, read in chunks; None when there are none."""
    destino = armazenamento()
    try:
        arquivo = destino.open(chave, "rb")
    except (FileNotFoundError, OSError):
        return None
    except Exception:
        # S3 answers a missing key with botocore's own errors.
        logger.warning("Anexo ilegível no armazenamento: %s", chave, exc_info=True)
        return None
    resumo = hashlib.sha256()
    with arquivo:
        for bloco in iter(lambda: arquivo.read(1024 * 1024), b""):
            resumo.update(bloco)
    return resumo.hexdigest()


def remover_do_armazenamento(chaves):
    """Remove the bytes once the transaction that records their removal commits. A failure is
    logged: the record already says they are gone, and `verificar_integridade` does not look for
    them any more."""
    destino = armazenamento()
    for chave in sorted(set(chaves)):
        try:
            destino.delete(chave)
        except Exception:
            logger.exception("Anexo removido do registro e não do armazenamento: %s", chave)


def registros(interacao):
    """The entry's file records (its `detalhes["anexos"]`), read defensively: a malformed value is
    no file at all."""
    detalhes = interacao.detalhes if isinstance(interacao.detalhes, dict) else {}
    lista = detalhes.get("anexos")
    if not isinstance(lista, list):
        return []
    return [r for r in lista if isinstance(r, dict)]


def descrever(interacao):
    """What the pages list of an entry's files: (posição, nome, tamanho legível, SHA-256, removido,
    tratamento), straight from the sealed record, without a query."""
    itens = []
    for posicao, registro in enumerate(registros(interacao), start=1):
        tamanho = registro.get("tamanho")
        itens.append(
            {
                "posicao": posicao,
                "nome": str(registro.get("nome") or "anexo"),
                "tamanho": _tamanho(tamanho) if isinstance(tamanho, int) else "",
                "sha256": str(registro.get("sha256") or ""),
                "removido": REMOVIDO.get(registro.get("removido"), "") if registro.get("removido") else "",
                "tratamento": str(registro.get("tratamento") or ""),
            }
        )
    return itens


def marcar_removidos(detalhes, motivo, posicoes=None):
    """A copy of an entry's `detalhes` whose file records (all, or those at `posicoes`) say they
    were removed and why; the hash and size stay: the record still proves what there was."""
    if not isinstance(detalhes, dict) or not isinstance(detalhes.get("anexos"), list):
        return detalhes
    lista = []
    for posicao, registro in enumerate(detalhes["anexos"], start=1):
        if isinstance(registro, dict) and not registro.get("removido") and (posicoes is None or posicao in posicoes):
            registro = {**registro, "removido": motivo}
        lista.append(registro)
    return {**detalhes, "anexos": lista}


REMOVIDO = {
    "anonimizacao": "arquivo removido (anonimização, LGPD)",
    "ordem_judicial": "arquivo removido por ordem judicial",
}


# Verification -------------------------------------------------------------------------------------


def verificar(numero, interacoes, anexos):
    """Problems with one protocol's files: [(ordem, interacao_id, motivo)]. `interacoes`: the
    protocol's entries; `anexos`: its Anexo rows. The sealed record is the reference: each file it
    says is kept must have its row, under its key, with bytes whose SHA-256 is the sealed one."""
    por_entrada = {}
    for anexo in anexos:
        por_entrada[(anexo.interacao_id, anexo.posicao)] = anexo
    problemas = []
    for entrada in interacoes:
        for posicao, registro in enumerate(registros(entrada), start=1):
            nome = str(registro.get("nome") or "anexo")[: NOME_MAXIMO + 5]
            if registro.get("removido"):
                continue
            anexo = por_entrada.get((entrada.id, posicao))
            selado = registro.get("sha256")
            if anexo is None or anexo.sha256 != selado:
                problemas.append((entrada.ordem, entrada.id, f"o anexo {posicao} (“{nome}”) não tem o registro selado"))
                continue
            chave = f"protocolos/{numero}/{selado}"
            if anexo.chave != chave:
                problemas.append((entrada.ordem, entrada.id, f"o anexo {posicao} (“{nome}”) aponta para outra chave"))
                continue
            lido = sha256_guardado(chave)
            if lido is None:
                problemas.append((entrada.ordem, entrada.id, f"o arquivo do anexo {posicao} (“{nome}”) sumiu"))
            elif lido != selado:
                problemas.append(
                    (
                        entrada.ordem,
                        entrada.id,
                        f"o arquivo do anexo {posicao} (“{nome}”) foi alterado: o SHA-256 guardado é {lido}, "
                        f"o selado é {selado}",
                    )
                )
    return problemas


# The upload's limit while it is read --------------------------------------------------------------


class LimiteDoEnvio(FileUploadHandler):
    """Stops reading a request body at the first file byte past the per-file or per-message limit
    (or at its first file when the declared length is already past it), so a 2 GB upload is not
    written to a temporary file first. The fields sent before the files are kept, and the request
    carries the refusal (`request.anexos_recusados`) for the form to show."""

    # The form's fields besides the files: what the body may carry beyond the files' bytes.
    FOLGA = 1024 * 1024

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.total = 0
        self.excedido = content_length > settings.PROTOCOLO_ANEXOS_TAMANHO_POR_MENSAGEM + self.FOLGA

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        por_arquivo = start + len(raw_data) > settings.PROTOCOLO_ANEXOS_TAMANHO_MAXIMO
        if self.excedido or por_arquivo or self.total > settings.PROTOCOLO_ANEXOS_TAMANHO_POR_MENSAGEM:
            self.request.anexos_recusados = (
                f"O arquivo “{_rotulo(self.file_name)}” passa de "
                f"{_tamanho(settings.PROTOCOLO_ANEXOS_TAMANHO_MAXIMO)}, o limite por arquivo."
                if por_arquivo and not self.excedido
                else _excedeu_a_mensagem()
            )
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
