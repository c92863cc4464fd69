import pytest
from pyhanko.sign import signers

from protocolo.evidencias import assinatura, desenvolvimento, pdf

HTML = """<!doctype html><html lang="pt-BR"><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/css/evidencias.css"></head>
<body><h1>Documento de teste</h1><p>Conteúdo que a assinatura cobre: ação, ênfase.</p></body></html>"""


@pytest.fixture(autouse=True)
def _limites(limites_zerados):
    """Every test starts with fresh rate-limit counters (the PDF check counts per network)."""


@pytest.fixture(scope="module")
def sem_assinatura():
    """A PDF as WeasyPrint draws it, before any signature; rendered once per module."""
    return pdf.renderizar(HTML)


@pytest.fixture(scope="module")
def assinado(sem_assinatura):
    """The same PDF signed with the configured key (the tests' development certificate)."""
    dados, com_assinatura = assinatura.assinar(sem_assinatura)
    assert com_assinatura
    return dados


@pytest.fixture(scope="module")
def de_outra_chave(sem_assinatura, tmp_path_factory):
    """The same PDF signed by someone else's certificate, made the way ours is."""
    caminho = desenvolvimento.criar(
        tmp_path_factory.mktemp("outra") / "outra.p12", senha="outra", organizacao="Outra Empresa Ltda."
    )
    signer = signers.SimpleSigner.load_pkcs12(str(caminho), passphrase=b"outra")
    return assinatura._assinar(sem_assinatura, signer, None)
