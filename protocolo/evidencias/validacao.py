"""
The check of a PDF someone uploads to /verificar/: whether it is one of ours, untouched.

The file is hostile (a decompression bomb, a loop of references, a truncated body, megabytes of
garbage), so the parsing and the validation run in a child process started from a forkserver that
already imported pyHanko: the child gets an address-space and CPU limit, the parent waits at most
PROTOCOLO_VERIFICACAO_PDF_SEGUNDOS and kills it past that. Nothing is fetched from the network
(allow_fetching=False): only our own certificates are trusted, the revocation check soft-fails, and
the signer must be our certificate itself, not any certificate its CA issued (an ICP-Brasil root
vouches for every company's e-CNPJ, not only ours).

This module imports no Django at import time: the forkserver loads it alone.
"""

import enum
import hashlib
import io
import multiprocessing
import resource
import threading

# "__main__" first, as multiprocessing's own default: the forkserver imports the program's main module
# once (manage.py, gunicorn and pytest guard theirs) and each child inherits it instead of importing it.
MODULOS_PRECARREGADOS = [
    "__main__",
    "pyhanko.pdf_utils.reader",
    "pyhanko.sign.validation",
    "pyhanko_certvalidator",
    "protocolo.evidencias.validacao",
]


class Veredito(enum.StrEnum):
    AUTENTICO = "autentico"
    ALTERADO = "alterado"  # the signed bytes no longer match their signature
    ACRESCIDO = "acrescido"  # intact, but something was appended after the signature
    OUTRA_CHAVE = "outra_chave"  # a valid signature, not by our certificate
    NAO_ASSINADO = "nao_assinado"
    NAO_PDF = "nao_pdf"
    ILEGIVEL = "ilegivel"  # starts like a PDF, but its structure does not parse
    CORROMPIDO = "corrompido"  # a signature whose CMS does not parse
    EXCESSIVO = "excessivo"  # took more time or memory than allowed


def _validar(dados, raizes, nossos):
    """Runs in the child: the verdict for `dados`, trusting the DER certificates `raizes` and
    accepting as ours only a signer whose SHA-256 fingerprint is in `nossos`."""
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if not dados.lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
        return Veredito.NAO_PDF
    try:
        leitor = PdfFileReader(io.BytesIO(dados), strict=False)
        assinaturas = list(leitor.embedded_signatures)
    except Exception:  # Any parser failure on hostile input is a verdict, not a crash.
        return Veredito.ILEGIVEL
    if not assinaturas:
        return Veredito.NAO_ASSINADO
    contexto = ValidationContext(
        trust_roots=[x509.Certificate.load(raiz) for raiz in raizes],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    vereditos = []
    for assinatura in assinaturas:
        try:
            certificado = assinatura.signer_cert
            status = validate_pdf_signature(assinatura, contexto, skip_diff=True)
        except Exception:  # A damaged signature dictionary or CMS blob.
            vereditos.append(Veredito.CORROMPIDO)
            continue
        if not (status.intact and status.valid):
            vereditos.append(Veredito.ALTERADO)
        elif hashlib.sha256(certificado.dump()).hexdigest() not in nossos or not status.trusted:
            vereditos.append(Veredito.OUTRA_CHAVE)
        elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            vereditos.append(Veredito.ACRESCIDO)
        else:
            vereditos.append(Veredito.AUTENTICO)
    # Ours, untouched, decides; otherwise the first failure of a signature of ours, then any other.
    for preferido in (Veredito.AUTENTICO, Veredito.ACRESCIDO, Veredito.ALTERADO, Veredito.CORROMPIDO):
        if preferido in vereditos:
            return preferido
    return vereditos[0]


def _filho(conexao, dados, raizes, nossos, segundos, memoria):
    limite = memoria * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limite, limite))
    cpu = int(segundos) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    try:
        veredito = _validar(dados, raizes, nossos)
    except MemoryError:
        veredito = Veredito.EXCESSIVO
    conexao.send(str(veredito))
    conexao.close()


_contexto = None
_trava = threading.Lock()


def _processos():
    global _contexto
    with _trava:
        if _contexto is None:
            contexto = multiprocessing.get_context("forkserver")
            contexto.set_forkserver_preload(MODULOS_PRECARREGADOS)
            _contexto = contexto
    return _contexto


def verificar(dados, *, raizes, nossos, segundos, memoria):
    """The Veredito for an uploaded file, in a child process bounded in time and memory."""
    contexto = _processos()
    recebe, envia = contexto.Pipe(duplex=False)
    filho = contexto.Process(target=_filho, args=(envia, dados, tuple(raizes), frozenset(nossos), segundos, memoria))
    filho.start()
    envia.close()
    try:
        if recebe.poll(segundos):
            try:
                return Veredito(recebe.recv())
            except (EOFError, ValueError):
                return Veredito.EXCESSIVO
        return Veredito.EXCESSIVO
    finally:
        recebe.close()
        if filho.is_alive():
            filho.kill()
        filho.join()
