"""The back-office's "Mensagens ao consumidor" shows a WhatsApp message, one given up with its reason,
and the replacement it got."""

import pytest
from django.db import transaction
from django.urls import reverse

from protocolo import outbox, services
from protocolo.models import Mensagem
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db


def test_the_protocol_page_shows_a_whatsapp_given_up_and_its_sms(client, atendente, canais_de_telefone):
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(email="", telefone="11987654321"))
    services.protocolo_resolver(protocolo=protocolo, texto="Estorno feito.", autor=atendente)
    with transaction.atomic():
        outbox.desistir(Mensagem.objects.select_for_update().get(), "63016: fora da janela de 24 horas")
    client.force_login(atendente)

    pagina = client.get(reverse("atendimento:protocolo", args=[protocolo.numero])).text

    assert pagina.count("(11) 98765-4321") >= 2
    assert "<td>WhatsApp</td>" in pagina
    assert "<td>SMS</td>" in pagina
    assert 'data-mensagem="desistida"' in pagina
    assert "não entregue: desistida" in pagina
    assert "Motivo: 63016: fora da janela de 24 horas" in pagina
    assert "Substituída por SMS para (11) 98765-4321." in pagina
    assert "Substitui a mensagem por WhatsApp, não entregue." in pagina


def test_a_message_given_up_without_a_replacement_says_so(client, atendente, canais_de_telefone, recusar):
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(email="", telefone="11987654321"))
    services.protocolo_resolver(protocolo=protocolo, texto="Estorno feito.", autor=atendente)
    recusar("sms")
    with transaction.atomic():
        outbox.desistir(Mensagem.objects.select_for_update().get(), "63016: fora da janela de 24 horas")
    client.force_login(atendente)

    pagina = client.get(reverse("atendimento:protocolo", args=[protocolo.numero])).text

    assert "Sem substituta: nenhum outro canal alcança o consumidor." in pagina
