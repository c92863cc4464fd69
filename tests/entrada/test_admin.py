"""The supervisors' read-only list of the messages consumers sent to the SMS and WhatsApp numbers."""

import pytest
from django.urls import reverse

from protocolo.models import MensagemRecebida
from tests.factories import abrir

LISTA = "admin:protocolo_mensagemrecebida_changelist"


def _recebidas(quantidade):
    protocolo = abrir()
    for i in range(quantidade):
        MensagemRecebida.objects.create(
            canal="whatsapp" if i % 2 else "sms",
            provedor="meta" if i % 2 else "twilio",
            id_no_provedor=f"id-{i}",
            telefone="+5511987654321",
            texto=f"Meu CPF é 529.982.247-25, protocolo {protocolo.numero}",
            protocolo=protocolo,
            resultado="anexada",
        )


@pytest.fixture
def cliente_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.mark.parametrize("quantidade", [1, 20])
def test_the_list_query_count_does_not_grow_with_the_rows(cliente_supervisor, django_assert_num_queries, quantidade):
    _recebidas(quantidade)
    # session, user, the second factor's device, user permissions, group permissions, the limited
    # count, the page of messages with their protocols
    with django_assert_num_queries(7):
        resposta = cliente_supervisor.get(reverse(LISTA))
    assert resposta.status_code == 200


def test_the_list_masks_cpfs_and_finds_a_telephone_as_typed(cliente_supervisor):
    _recebidas(2)

    resposta = cliente_supervisor.get(reverse(LISTA), {"q": "(11) 98765-4321"})

    assert resposta.status_code == 200
    assert resposta.context["cl"].result_count == 2
    assert "529.982.247-25" not in resposta.text


def test_nobody_adds_or_changes_a_received_message(cliente_supervisor):
    _recebidas(1)
    recebida = MensagemRecebida.objects.get()

    assert cliente_supervisor.get(reverse("admin:protocolo_mensagemrecebida_add")).status_code == 403
    pagina = cliente_supervisor.get(reverse("admin:protocolo_mensagemrecebida_change", args=[recebida.pk]))
    assert pagina.status_code == 200
    assert 'name="_save"' not in pagina.text
