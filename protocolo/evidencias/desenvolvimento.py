"""
The development certificate `make run` creates when no PKCS#12 is configured: a self-signed CA and a
signing certificate it issues, in one PKCS#12 file. It proves nothing to anyone but its own holder,
and says so in its names. The tests create theirs with the same function.
"""

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _nome(comum, organizacao):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organizacao),
            x509.NameAttribute(NameOID.COMMON_NAME, comum),
        ]
    )


def criar(caminho, *, senha, organizacao="Empresa Exemplo S.A. (desenvolvimento)", dias=3650):
    """Write a PKCS#12 (key, signing certificate and its CA) to `caminho`; returns the path."""
    agora = datetime.datetime.now(datetime.UTC)
    chave_ac = ec.generate_private_key(ec.SECP256R1())
    nome_ac = _nome("AC de desenvolvimento do Protocolo", organizacao)
    ac = (
        x509.CertificateBuilder()
        .subject_name(nome_ac)
        .issuer_name(nome_ac)
        .public_key(chave_ac.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(agora - datetime.timedelta(days=1))
        .not_valid_after(agora + datetime.timedelta(days=dias))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(chave_ac.public_key()), critical=False)
        .sign(chave_ac, hashes.SHA256())
    )
    chave = ec.generate_private_key(ec.SECP256R1())
    certificado = (
        x509.CertificateBuilder()
        .subject_name(_nome("Assinatura de documentos (desenvolvimento)", organizacao))
        .issuer_name(nome_ac)
        .public_key(chave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(agora - datetime.timedelta(days=1))
        .not_valid_after(agora + datetime.timedelta(days=dias - 1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(chave.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(chave_ac.public_key()),
            critical=False,
        )
        .sign(chave_ac, hashes.SHA256())
    )
    dados = pkcs12.serialize_key_and_certificates(
        b"protocolo",
        chave,
        certificado,
        [ac],
        serialization.BestAvailableEncryption(senha.encode()),
    )
    caminho = Path(caminho)
    caminho.parent.mkdir(parents=True, exist_ok=True)
    temporario = caminho.with_suffix(".tmp")
    temporario.write_bytes(dados)
    temporario.chmod(0o600)
    temporario.replace(caminho)
    return caminho
