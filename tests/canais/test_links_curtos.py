"""Short links (/l/<codigo>/) in SMS and WhatsApp texts: they grant access to their protocol as the
e-mail's signed link does, only while the telephone stays open and confirmed, and otherwise answer the
portal's one 404, which says nothing of why."""

import datetime

import pytest
from django.urls import reverse

from protocolo import relogio, services
from protocolo.models import Contato, LinkCurto, Mensagem, Protocolo
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db


@pytest.fixture
def enviado(atendente, canais_de_telefone):
    """A protocol whose consumer has only a telephone, and the short link the answer sent it."""
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(email="", telefone="11987654321"))
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Envie a fatura.", autor=atendente, publica=True)
    link = LinkCurto.objects.get()
    assert reverse("consumidor:link_curto", args=[link.codigo]) in Mensagem.objects.get().corpo
    return protocolo, link


def _abrir(client, codigo):
    return client.get(reverse("consumidor:link_curto", args=[codigo]))


def _recusado(resposta):
    assert resposta.status_code == 404
    assert "Link inválido ou expirado" in resposta.text
    return True


def test_a_short_link_opens_its_protocol_for_this_browser(client, enviado):
    protocolo, link = enviado

    resposta = _abrir(client, link.codigo)

    assert resposta.status_code == 302
    assert resposta.url == reverse("consumidor:protocolo", args=[protocolo.numero])
    pagina = client.get(resposta.url)
    assert pagina.status_code == 200
    assert "Envie a fatura." in pagina.text


def test_an_expired_short_link_opens_nothing(client, enviado, settings, time_machine):
    _, link = enviado
    time_machine.move_to(relogio.agora() + datetime.timedelta(days=settings.PROTOCOLO_LINK_DIAS, seconds=1))

    assert _recusado(_abrir(client, link.codigo))


def test_a_short_link_to_a_closed_telephone_opens_nothing(client, enviado):
    _, link = enviado
    Contato.objects.filter(pk=link.contato_id).update(encerrado_em=relogio.agora())

    assert _recusado(_abrir(client, link.codigo))


def test_a_short_link_to_a_telephone_no_longer_confirmed_opens_nothing(client, enviado):
    _, link = enviado
    Contato.objects.filter(pk=link.contato_id).update(confirmado_em=None)

    assert _recusado(_abrir(client, link.codigo))


def test_a_short_link_opens_nothing_once_the_protocol_is_someone_elses(client, enviado):
    protocolo, link = enviado
    Protocolo.objects.filter(pk=protocolo.pk).update(consumidor=ConsumidorFactory())

    assert _recusado(_abrir(client, link.codigo))


def test_a_telephone_typed_for_another_protocol_opens_nothing(client, enviado, atendente):
    _, link = enviado
    outro = abrir(atendente=atendente)
    LinkCurto.objects.filter(pk=link.pk).update(protocolo=outro, consumidor=None)

    assert _recusado(_abrir(client, link.codigo))


@pytest.mark.parametrize("codigo", ["abc", "x" * 11, "abcdefghi-", "ÁÉÍÓÚáéíóú"])
def test_a_code_that_cannot_be_ours_is_refused_without_a_query(client, django_assert_num_queries, codigo):
    with django_assert_num_queries(0):
        resposta = _abrir(client, codigo)

    assert _recusado(resposta)


def test_an_unknown_code_gets_the_same_page(client, enviado):
    assert _recusado(_abrir(client, "A" * LinkCurto.TAMANHO))
