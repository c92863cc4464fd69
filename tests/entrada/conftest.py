import pytest
from django.test import Client

from protocolo.settings import _sms
from tests.entrada.provedores import (
    SEGREDO_GATEWAY,
    SEGREDO_META,
    TOKEN_TWILIO,
    TOKEN_VERIFICACAO,
    Provedor,
)
from tests.factories import dados_iniciais


@pytest.fixture
def segredos(settings):
    """Every provider configured; the answers stay in the outbox, where the tests read them."""
    settings.WHATSAPP_SEGREDO_APP = SEGREDO_META
    settings.WHATSAPP_TOKEN_VERIFICACAO = TOKEN_VERIFICACAO
    settings.SMS_GATEWAY_SEGREDO = SEGREDO_GATEWAY
    settings.SMS = _sms(f"twilio://AC0001:{TOKEN_TWILIO}@127.0.0.1:9/?de=%2B5511900000000&inseguro=1")
    settings.PROTOCOLO_ENTREGA_IMEDIATA = False
    return settings


@pytest.fixture
def provedor(live_server, segredos, limites_zerados):
    dados_iniciais()
    # The server thread shares this process: what its first request would load (the URLconf, the
    # views) is loaded here, so no request waits past the one-second timeout for it.
    Client().get("/integracoes/whatsapp/meta/")
    cliente = Provedor(live_server.url, segredos.PROTOCOLO_URL_BASE)
    yield cliente
    cliente.sessao.close()
