import pytest

from protocolo import canais, sms
from protocolo.models import EscolhaDeCanal

TELEFONE = "+5511987654321"


@pytest.fixture
def canais_de_telefone(settings):
    """WhatsApp and SMS configured, as WHATSAPP and SMS_URL=memoria:// do; what the SMS backend sent
    is in the returned list."""
    settings.WHATSAPP = {"backend": "memoria"}
    settings.SMS = {"backend": "memoria"}
    sms.caixa.clear()
    yield sms.caixa
    sms.caixa.clear()


@pytest.fixture
def recusar():
    """Record the consumer's SAIR for a telephone and channel."""

    def _recusar(canal, telefone=TELEFONE):
        return canais.registrar(
            telefone=telefone, canal=canal, aceita=False, origem=EscolhaDeCanal.Origem.PALAVRA_CHAVE
        )

    return _recusar
