"""Delivery receipts from Meta: the state only moves forward, a failure gives the message up, and the
attendant and the admin see the state."""

import pytest
from django.urls import reverse

from protocolo.models import Mensagem
from tests.entrada.provedores import estado_meta, notificacao_meta
from tests.factories import abrir

pytestmark = pytest.mark.django_db(transaction=True)

TELEFONE = "+5511987654321"


def _enviada(protocolo, id_no_provedor):
    mensagem = Mensagem.objects.create(
        protocolo=protocolo,
        canal="whatsapp",
        destinatario=TELEFONE,
        assunto=f"Aviso {id_no_provedor}",
        corpo="Olá",
        message_id=f"<{id_no_provedor}@teste>",
    )
    Mensagem.objects.filter(pk=mensagem.pk).update(id_no_provedor=id_no_provedor)
    return mensagem


def _estados(provedor, *pares):
    corpo = notificacao_meta(estados=[estado_meta(i, s, erro=131026 if s == "failed" else None) for i, s in pares])
    assert provedor.meta(corpo).status_code == 200


def test_receipts_never_move_backwards_and_failed_gives_the_message_up(provedor):
    protocolo = abrir()
    lida, falha = _enviada(protocolo, "wamid.lida"), _enviada(protocolo, "wamid.falha")

    _estados(provedor, ("wamid.lida", "sent"), ("wamid.lida", "delivered"))
    _estados(provedor, ("wamid.lida", "read"), ("wamid.falha", "failed"))
    _estados(provedor, ("wamid.lida", "delivered"), ("wamid.lida", "failed"), ("wamid.falha", "delivered"))
    _estados(provedor, ("wamid.nunca-enviada", "read"), ("wamid.lida", "deleted"))

    lida.refresh_from_db()
    falha.refresh_from_db()
    assert (lida.estado_no_provedor, lida.desistida_em) == ("lida", None)
    assert falha.estado_no_provedor == "falhou"
    assert falha.desistida_em is not None
    assert "131026" in falha.ultimo_erro


def test_the_attendant_sees_the_state_in_the_messages_table(provedor, client, atendente):
    protocolo = abrir(atendente=atendente)
    for i in ("wamid.a", "wamid.b"):
        mensagem = _enviada(protocolo, i)
        Mensagem.objects.filter(pk=mensagem.pk).update(enviada_em=mensagem.criada_em)
    _estados(provedor, ("wamid.a", "delivered"), ("wamid.b", "failed"))
    client.force_login(atendente)

    pagina = client.get(reverse("atendimento:protocolo", args=[protocolo.numero])).text

    tabela = pagina.split('id="titulo-mensagens"')[1].split("</table>")[0]
    assert 'data-estado="entregue"' in tabela
    assert 'data-estado="falhou"' in tabela
    assert "entregue" in tabela.split('data-estado="entregue">')[1].split("</div>")[0]


def test_the_admins_outbox_filters_by_the_providers_state(provedor, client, supervisor):
    protocolo = abrir()
    _enviada(protocolo, "wamid.x")
    _enviada(protocolo, "wamid.y")
    _estados(provedor, ("wamid.x", "read"))
    client.force_login(supervisor)

    lista = client.get(reverse("admin:protocolo_mensagem_changelist") + "?estado_no_provedor__exact=lida")

    assert lista.status_code == 200
    assert "Aviso wamid.x" in lista.text
    assert "Aviso wamid.y" not in lista.text
