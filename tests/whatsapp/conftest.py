import pytest

from protocolo import whatsapp
from protocolo.settings import _whatsapp
from tests.whatsapp import provedores


@pytest.fixture
def whatsapp_url(settings):
    """Point the WhatsApp backend at a URL, as WHATSAPP_URL does in production."""

    def configurar(url):
        settings.WHATSAPP = _whatsapp(url)

    return configurar


@pytest.fixture
def meta(whatsapp_url):
    """The fake Meta Cloud API, running, with WHATSAPP_URL pointing at it (timeout 1 s)."""
    with provedores.Meta() as servidor:
        whatsapp_url(provedores.url(servidor.porta))
        yield servidor


@pytest.fixture
def caixa_whatsapp():
    whatsapp.caixa.clear()
    yield whatsapp.caixa
    whatsapp.caixa.clear()
