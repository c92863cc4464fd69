"""
The ICP-Brasil roots, shipped for checking offline whether our signing certificate is an ICP-Brasil
certificate (an e-CNPJ A1): only then does a signature carry the legal presumption of the
MP 2.200-2/2001, art. 10, § 1º (docs/evidencias.md).

The roots come from the certifi-icpbr bundle, but the bundle is not trusted as a whole: it also
holds Mozilla's web roots and a hundred-odd intermediates. Only the self-signed roots whose SHA-256
fingerprints are pinned below are used, and each must also have the expected name and validity; a
bundle that does not hold exactly those (an upgrade that changed them, a tampered file) yields no
roots and a warning in the log, so the page says "not ICP-Brasil" instead of trusting something we
did not review. A new ICP-Brasil root means a new pin here, on purpose.

Nothing here touches the network: path building uses the PKCS#12's own certificates and the
bundle's ICP-Brasil intermediates, and revocation is not fetched (soft-fail).
"""

import asyncio
import datetime
import functools
import hashlib
import logging
from dataclasses import dataclass

import certifi_icpbr
from asn1crypto import pem, x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError

from .assinatura import sem_laco

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pino:
    nome: str  # subject common name
    valido_de: datetime.datetime
    valido_ate: datetime.datetime


def _utc(*partes):
    return datetime.datetime(*partes, tzinfo=datetime.UTC)


# SHA-256 of the DER of each root, read from certifi-icpbr 2023.7.3 and checked against the subject
# and validity below (docs/evidencias.md says how to add a root ICP-Brasil publishes).
PINOS = {
    "caa53fc6091c6951887c976e378f6ef89aa6377c55d97b6475422b71ed7e9b17": Pino(
        "Autoridade Certificadora Raiz Brasileira v5", _utc(2016, 3, 2, 13, 1, 38), _utc(2029, 3, 2, 23, 59, 38)
    ),
    "6e0bff069a26994c15de2c4888cc54af84882e5495b7fbf66be9ccffec7489f6": Pino(
        "Autoridade Certificadora Raiz Brasileira v10", _utc(2019, 7, 1, 19, 15, 59), _utc(2032, 7, 1, 12, 0, 59)
    ),
    "1406710058180fa4081aab3f246f1702429c552a11fa3143b84c88cb3ab8e5e7": Pino(
        "Autoridade Certificadora Raiz Brasileira v11", _utc(2019, 7, 1, 19, 26, 18), _utc(2032, 7, 1, 12, 0, 18)
    ),
}


def _blocos(caminho):
    """The DER of every certificate in the PEM bundle, or None when the file cannot be read."""
    try:
        with open(caminho, "rb") as arquivo:
            dados = arquivo.read()
        return [der for tipo, _, der in pem.unarmor(dados, multiple=True) if tipo == "CERTIFICATE"]
    except (OSError, ValueError) as erro:
        logger.warning("Pacote de certificados ICP-Brasil ilegível (%s): %s", caminho, erro)
        return None


def _confere(certificado, pino):
    """Whether a certificate whose bytes match a pin is also the root the pin describes."""
    validade = certificado["tbs_certificate"]["validity"]
    return (
        certificado.subject == certificado.issuer
        and certificado.subject.native.get("common_name") == pino.nome
        and certificado.subject.native.get("organization_name") == "ICP-Brasil"
        and certificado.ca
        and validade["not_before"].native == pino.valido_de
        and validade["not_after"].native == pino.valido_ate
    )


def carregar(caminho=None):
    """The pinned ICP-Brasil roots from the bundle at `caminho` (certifi-icpbr's by default), as
    asn1crypto certificates; () unless every pin is found and matches."""
    caminho = caminho or certifi_icpbr.where()
    blocos = _blocos(caminho)
    if blocos is None:
        return ()
    achadas = {}
    for der in blocos:
        digital = hashlib.sha256(der).hexdigest()
        if digital in PINOS and digital not in achadas:
            try:
                certificado = x509.Certificate.load(der)
                confere = _confere(certificado, PINOS[digital])
            except ValueError:
                confere = False
            if not confere:
                logger.warning("Raiz ICP-Brasil %s com nome ou validade inesperados em %s.", digital, caminho)
                return ()
            achadas[digital] = certificado
    faltam = set(PINOS) - set(achadas)
    if faltam:
        logger.warning(
            "Raízes ICP-Brasil fixadas ausentes de %s (%s): nenhuma raiz ICP-Brasil em uso.",
            caminho,
            ", ".join(PINOS[digital].nome for digital in sorted(faltam)),
        )
        return ()
    return tuple(achadas[digital] for digital in PINOS)


@functools.cache
def raizes():
    """The pinned roots of the installed bundle, read once per process."""
    return carregar()


def raizes_pem(caminho=None):
    """The pinned roots as one PEM file, each preceded by its name and fingerprint."""
    lista = carregar(caminho) if caminho else raizes()
    partes = []
    for certificado in lista:
        digital = hashlib.sha256(certificado.dump()).hexdigest()
        partes.append(f"# {PINOS[digital].nome}\n# SHA-256 {digital}\n")
        partes.append(pem.armor("CERTIFICATE", certificado.dump()).decode())
    return "".join(partes)


def _intermediarias(caminho):
    """The bundle's ICP-Brasil CAs other than the roots: candidates for path building only, never
    trust anchors, for a PKCS#12 exported without its chain."""
    blocos = _blocos(caminho) or []
    encontradas = []
    for der in blocos:
        if hashlib.sha256(der).hexdigest() in PINOS:
            continue
        try:
            certificado = x509.Certificate.load(der)
            icp_brasil = certificado.issuer.native.get("organization_name") == "ICP-Brasil"
            if icp_brasil and certificado.ca and certificado.subject != certificado.issuer:
                encontradas.append(certificado)
        except ValueError:
            continue
    return tuple(encontradas)


@functools.cache
def intermediarias():
    return _intermediarias(certifi_icpbr.where())


@dataclass(frozen=True)
class Cadeia:
    """Whether a certificate chains to one of the trust roots it was checked against."""

    icp: bool
    raiz: str = ""  # the common name of the root reached
    motivo: str = ""  # why not, for the log

    @property
    def versao_da_raiz(self):
        """ "v5" of "Autoridade Certificadora Raiz Brasileira v5"."""
        return self.raiz.rsplit(" ", 1)[-1] if self.raiz else ""


def conferir(certificado_der, intermediarios=(), *, raizes_confiaveis, outros=(), momento=None):
    """Whether the DER certificate chains, at `momento` (now by default), to one of
    `raizes_confiaveis` (asn1crypto certificates) through `intermediarios` and `outros`, without
    fetching anything: no AIA, no OCSP, no CRL."""
    if not raizes_confiaveis:
        return Cadeia(False, motivo="nenhuma raiz confiável")
    try:
        folha = x509.Certificate.load(certificado_der)
        contexto = ValidationContext(
            trust_roots=list(raizes_confiaveis),
            other_certs=list(outros),
            allow_fetching=False,
            revocation_mode="soft-fail",
            moment=momento,
        )
        validador = CertificateValidator(
            folha,
            intermediate_certs=[x509.Certificate.load(der) for der in intermediarios],
            validation_context=contexto,
        )
        caminho = sem_laco(asyncio.run, validador.async_validate_path())
    except (PathBuildingError, PathValidationError, ValidationError, ValueError) as erro:
        return Cadeia(False, motivo=f"{type(erro).__name__}: {erro}")
    nome = caminho.trust_anchor.authority.name.native.get("common_name", "")
    return Cadeia(True, raiz=nome)


@functools.lru_cache(maxsize=4)
def _da_nossa(der, cadeia, _dia):
    resultado = conferir(der, cadeia, raizes_confiaveis=raizes(), outros=intermediarias())
    if not resultado.icp:
        logger.info("O certificado de assinatura não encadeia até uma raiz ICP-Brasil: %s", resultado.motivo)
    return resultado


def do_certificado(certificado):
    """The ICP-Brasil check of our signing certificate (assinatura.Certificado), once per process
    and certificate; the day is part of the key so that an expiry shows without a restart."""
    return _da_nossa(certificado.der, certificado.cadeia, datetime.date.today())
