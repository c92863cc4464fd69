"""
The company's signature on our PDFs (PAdES baseline, pyHanko) and what a third party needs to check
it: the certificate, its SHA-256 fingerprint, the roots to trust.

The key comes from a PKCS#12 file (PROTOCOLO_ASSINATURA_PKCS12, its password in
PROTOCOLO_ASSINATURA_SENHA): an e-CNPJ A1 in production, the development certificate of `make run`
otherwise. It is read once per process and file version. Without one, PDFs go out unsigned and say
so; `check --deploy` refuses that configuration (protocolo/operacao/verificacoes.py).
"""

import asyncio
import concurrent.futures
import functools
import hashlib
import io
import logging
import os
from dataclasses import dataclass

import aiohttp
from asn1crypto import pem
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

logger = logging.getLogger(__name__)

CAMPO = "AssinaturaProtocolo"


class CertificadoInvalido(Exception):
    """The configured PKCS#12 does not open (wrong password, damaged file)."""


@dataclass(frozen=True)
class Certificado:
    """Our signing certificate as pages and the validator use it."""

    der: bytes
    raizes: tuple[bytes, ...]  # DER of the trust anchors: the CAs in the PKCS#12, or the certificate itself
    titular: str
    emissor: str
    valido_de: object
    valido_ate: object
    cadeia: tuple[bytes, ...] = ()  # DER of every other certificate in the PKCS#12, for path building
    intermediarias: tuple[bytes, ...] = ()  # the CAs of the PKCS#12 between the certificate and its roots

    @property
    def pem(self):
        return pem.armor("CERTIFICATE", self.der).decode()

    @property
    def impressao_digital(self):
        return hashlib.sha256(self.der).hexdigest()

    @property
    def impressao_digital_formatada(self):
        digital = self.impressao_digital.upper()
        return ":".join(digital[i : i + 2] for i in range(0, len(digital), 2))

    @property
    def raizes_pem(self):
        return "".join(pem.armor("CERTIFICATE", raiz).decode() for raiz in self.raizes)

    @property
    def intermediarias_pem(self):
        return "".join(pem.armor("CERTIFICATE", ac).decode() for ac in self.intermediarias)


@functools.lru_cache(maxsize=4)
def _assinante(caminho, senha, _versao):
    signer = signers.SimpleSigner.load_pkcs12(caminho, passphrase=senha.encode() if senha else None)
    if signer is None:
        raise CertificadoInvalido(
            f"PROTOCOLO_ASSINATURA_PKCS12: não foi possível abrir {caminho!r} (confira a senha e o arquivo)."
        )
    return signer


def assinante():
    """The pyHanko signer of the configured PKCS#12, or None when none is configured."""
    caminho = settings.PROTOCOLO_ASSINATURA_PKCS12
    if not caminho:
        return None
    estado = os.stat(caminho)
    return _assinante(caminho, settings.PROTOCOLO_ASSINATURA_SENHA, (estado.st_mtime_ns, estado.st_size))


def certificado():
    """Our signing certificate, or None when none is configured."""
    signer = assinante()
    if signer is None:
        return None
    cert = signer.signing_cert
    autoassinado = cert.subject == cert.issuer
    cadeia = [c for c in signer.cert_registry if c.ca and c.subject == c.issuer]
    raizes = (cert.dump(),) if autoassinado or not cadeia else tuple(c.dump() for c in cadeia)
    return Certificado(
        der=cert.dump(),
        raizes=raizes,
        titular=cert.subject.human_friendly,
        emissor=cert.issuer.human_friendly,
        valido_de=cert.not_valid_before,
        valido_ate=cert.not_valid_after,
        cadeia=tuple(c.dump() for c in signer.cert_registry if c.dump() != cert.dump()),
        intermediarias=tuple(
            c.dump() for c in signer.cert_registry if c.ca and c.subject != c.issuer and c.dump() != cert.dump()
        ),
    )


def sem_laco(funcao, *args, **kwargs):
    """Call one of pyHanko's synchronous functions, which run their own event loop (asyncio.run):
    in a thread of its own when this thread already runs a loop (an ASGI server, a test driving a
    browser), where asyncio.run would refuse."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return funcao(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(funcao, *args, **kwargs).result()


def _carimbador():
    url = settings.PROTOCOLO_CARIMBO_URL
    return HTTPTimeStamper(url, timeout=settings.PROTOCOLO_CARIMBO_TEMPO_LIMITE) if url else None


def _assinar(dados, signer, carimbador):
    escritor = IncrementalPdfFileWriter(io.BytesIO(dados), strict=False)
    metadados = signers.PdfSignatureMetadata(
        field_name=CAMPO,
        reason="Documento emitido pelo serviço de atendimento",
        location=settings.PROTOCOLO_URL_BASE,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    saida = io.BytesIO()
    assinador = signers.PdfSigner(metadados, signer=signer, timestamper=carimbador)
    sem_laco(assinador.sign_pdf, escritor, output=saida)
    return saida.getvalue()


def assinar(dados):
    """The PDF signed with our key, time-stamped when an authority is configured; (bytes, signed?).
    An authority that does not answer costs the timestamp, never the document: it is signed without
    one, and the failure logged."""
    signer = assinante()
    if signer is None:
        return dados, False
    carimbador = _carimbador()
    if carimbador is not None:
        try:
            return _assinar(dados, signer, carimbador), True
        except (TimestampRequestError, aiohttp.ClientError, OSError, TimeoutError) as erro:
            logger.warning("Carimbo do tempo indisponível (%s): PDF assinado sem carimbo.", type(erro).__name__)
    return _assinar(dados, signer, None), True
