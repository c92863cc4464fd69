"""The privacy notice names every provider that may receive personal data for messages, what it
receives, and the international transfer (LGPD art. 33)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_privacy_page_names_each_message_provider_and_the_transfer_abroad(client):
    resposta = client.get(reverse("consumidor:privacidade"))

    assert resposta.status_code == 200
    texto = " ".join(resposta.text.split())
    for nome in ("Meta", "WhatsApp Business Cloud API", "Twilio", "Zenvia"):
        assert nome in texto
    assert texto.count("o telefone e o texto da mensagem") == 3
    assert texto.count("transferência internacional de dados, feita nos termos do art. 33 da LGPD") == 2
    assert "responda SAIR" in texto
