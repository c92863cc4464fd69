import pytest

from protocolo import sms
from protocolo.settings import _sms
from tests.factories import ConsumidorFactory, abrir


@pytest.fixture
def sms_url(settings):
    """Point the SMS backend at a URL, as SMS_URL does in production."""

    def configurar(url):
        settings.SMS = _sms(url)

    return configurar


@pytest.fixture
def caixa_sms():
    sms.caixa.clear()
    yield sms.caixa
    sms.caixa.clear()


@pytest.fixture
def so_telefone(atendente):
    """A protocol whose consumer has a confirmed telephone, typed the old way, and no e-mail."""
    return abrir(atendente=atendente, consumidor=ConsumidorFactory(email="", telefone="(11) 8765-4321"))
