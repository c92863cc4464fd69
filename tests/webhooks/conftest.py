import pytest
import trustme
from django.contrib.auth.models import User

from protocolo.models import AssinaturaWebhook, EventoWebhook, SistemaIntegrado
from tests.factories import SupervisorFactory

from .receptor import Receptor

# The receivers' host name: it resolves nowhere, so only the address the tests' resolver gives
# (and the deliverer checked) can reach them.
NOME = "receptor.teste"


@pytest.fixture(scope="session")
def ca():
    return trustme.CA()


@pytest.fixture(scope="session")
def certificado(ca):
    return ca.issue_cert(NOME, "localhost", "127.0.0.1")


@pytest.fixture
def rede_de_teste(settings, ca, tmp_path):
    """The receivers serve HTTPS with the test CA, on loopback: the allowlist names 127.0.0.1 only,
    and the timeout is half a second."""
    arquivo = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(arquivo))
    settings.PROTOCOLO_WEBHOOKS_CA = str(arquivo)
    settings.PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS = ["127.0.0.1/32"]
    settings.PROTOCOLO_WEBHOOKS_TEMPO_LIMITE = 0.5
    return settings


@pytest.fixture
def receptores(certificado):
    """receptor(modos=…) starts one more receiver; all stop when the test ends."""
    iniciados = []

    def iniciar(modos=("ok",), **kwargs):
        receptor = Receptor(certificado, modos=modos, **kwargs)
        iniciados.append(receptor)
        return receptor

    yield iniciar
    for receptor in iniciados:
        receptor.parar()


def criar_sistema(nome=None, escopos=("webhooks",)):
    nome = nome or f"CRM {SistemaIntegrado.objects.count() + 1}"
    responsavel = SupervisorFactory()
    usuario = User.objects.create_user(username=f"sistema-{nome.lower().replace(' ', '-')}")
    return SistemaIntegrado.objects.create(nome=nome, escopos=list(escopos), responsavel=responsavel, usuario=usuario)


def assinar(url, *, sistema=None, eventos=None, receptor=None):
    """A subscription (validated as the admin validates it); the receiver learns its secret."""
    assinatura = AssinaturaWebhook(
        sistema=sistema or criar_sistema(), url=url, eventos=list(eventos or EventoWebhook.values)
    )
    assinatura.full_clean()
    assinatura.save()
    if receptor is not None:
        receptor.segredo = assinatura.segredo
    return assinatura
