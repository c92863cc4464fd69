"""Which channel each notice goes by (docs/dominio.md, "Canais das mensagens"): the preferred channel,
then e-mail, WhatsApp and SMS, each only when it reaches the consumer; a required notice that every
channel the consumer has refused is recorded, never forced through."""

import pytest
from django.db import transaction
from django.urls import reverse

from consumidor import acesso
from protocolo import services
from protocolo.models import Interacao, LinkCurto, Mensagem, Protocolo
from protocolo.services import canais_de_envio
from protocolo.services.consumidores import contatos_do_atendimento
from protocolo.services.historico import _travar
from tests.canais.conftest import TELEFONE
from tests.factories import ConsumidorFactory, abrir, email_de

pytestmark = pytest.mark.django_db


def _so_telefone(atendente, **dados):
    return abrir(atendente=atendente, consumidor=ConsumidorFactory(email="", telefone="11987654321", **dados))


def _resolver(protocolo, atendente):
    services.protocolo_resolver(protocolo=protocolo, texto="Estorno de R$ 50 feito.", autor=atendente)
    return list(Mensagem.objects.filter(protocolo=protocolo).order_by("pk"))


def _nao_notificados(protocolo):
    return list(protocolo.interacoes.filter(tipo=Interacao.Tipo.NAO_NOTIFICADO))


def test_a_confirmed_email_comes_first_even_with_whatsapp_and_sms(atendente, canais_de_telefone):
    consumidor = ConsumidorFactory(telefone="11987654321")
    protocolo = abrir(atendente=atendente, consumidor=consumidor)

    (mensagem,) = _resolver(protocolo, atendente)

    assert (mensagem.canal, mensagem.destinatario, mensagem.aviso) == ("email", email_de(consumidor), "resolucao")
    assert "Estorno de R$ 50 feito." in mensagem.corpo
    assert not LinkCurto.objects.exists()


def test_without_an_email_a_notice_goes_by_whatsapp_with_its_template_and_a_short_link(
    atendente, canais_de_telefone, settings
):
    protocolo = _so_telefone(atendente)

    (mensagem,) = _resolver(protocolo, atendente)

    link = LinkCurto.objects.get()
    endereco = f"{settings.PROTOCOLO_URL_BASE}/l/{link.codigo}/"
    assert (mensagem.canal, mensagem.destinatario, mensagem.aviso) == ("whatsapp", TELEFONE, "resolucao")
    assert mensagem.modelo == "protocolo_resolucao"
    assert mensagem.parametros == [protocolo.numero_formatado, endereco]
    assert protocolo.numero_formatado in mensagem.corpo
    assert endereco in mensagem.corpo
    assert (link.protocolo, link.contato, link.consumidor) == (protocolo, mensagem.contato, protocolo.consumidor)
    assert mensagem.contato.valor == TELEFONE
    assert canais_de_telefone == []


def test_a_telephone_that_refused_whatsapp_gets_an_sms(atendente, canais_de_telefone, recusar):
    protocolo = _so_telefone(atendente)
    recusar("whatsapp")

    (mensagem,) = _resolver(protocolo, atendente)

    assert (mensagem.canal, mensagem.destinatario, mensagem.modelo, mensagem.parametros) == ("sms", TELEFONE, "", [])
    assert protocolo.numero_formatado in mensagem.corpo


def test_the_preferred_channel_comes_before_email(atendente, canais_de_telefone):
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(telefone="11987654321"))
    Protocolo.objects.filter(pk=protocolo.pk).update(canal_preferido="sms")

    (mensagem,) = _resolver(protocolo, atendente)

    assert (mensagem.canal, mensagem.destinatario) == ("sms", TELEFONE)


def test_every_telephone_of_the_first_channel_that_reaches_gets_it(atendente, canais_de_telefone):
    protocolo = _so_telefone(atendente)
    contatos_do_atendimento(protocolo, email="", telefone="(21) 99876-5432")

    mensagens = _resolver(protocolo, atendente)

    assert sorted((m.canal, m.destinatario) for m in mensagens) == [
        ("whatsapp", "+5511987654321"),
        ("whatsapp", "+5521998765432"),
    ]
    # One short link for each telephone: a link opens nothing once its own telephone is closed.
    assert sorted(LinkCurto.objects.values_list("contato__valor", flat=True)) == [TELEFONE, "+5521998765432"]


def test_an_unconfirmed_telephone_gets_no_notice_and_no_link(atendente, canais_de_telefone):
    protocolo = abrir(atendente=atendente)
    services.contato_do_protocolo(protocolo=protocolo, tipo="telefone", valor="11987654321", origem="portal")

    assert _resolver(protocolo, atendente) == []
    assert not LinkCurto.objects.exists()
    assert _nao_notificados(protocolo) == []


def test_an_unconfirmed_email_alone_still_gets_its_copy_held(atendente, canais_de_telefone):
    protocolo = abrir(atendente=atendente)
    services.contato_do_protocolo(protocolo=protocolo, tipo="email", valor="digitado@exemplo.com.br", origem="portal")

    (mensagem,) = _resolver(protocolo, atendente)

    assert (mensagem.canal, mensagem.destinatario, mensagem.aguarda_confirmacao) == (
        "email",
        "digitado@exemplo.com.br",
        True,
    )


def test_without_whatsapp_and_sms_configured_a_telephone_alone_gets_nothing_as_before(atendente, recusar):
    protocolo = _so_telefone(atendente)
    recusar("sms")

    assert _resolver(protocolo, atendente) == []
    assert _nao_notificados(protocolo) == []


def test_a_required_notice_to_a_consumer_who_refused_every_channel_is_recorded_and_shown(
    atendente, canais_de_telefone, recusar, client
):
    protocolo = _so_telefone(atendente)
    recusar("whatsapp")
    recusar("sms")

    assert _resolver(protocolo, atendente) == []

    (entrada,) = _nao_notificados(protocolo)
    assert (entrada.texto, entrada.publica, entrada.origem) == (
        "Não notificado: o consumidor recusou todos os canais",
        True,
        "sistema",
    )
    assert entrada.detalhes == {"aviso": "resolucao"}
    sessao = client.session
    acesso.conceder(sessao, protocolo)
    sessao.save()
    pagina = client.get(reverse("consumidor:protocolo", args=[protocolo.numero]))
    assert "Aviso não enviado" in pagina.text
    assert "Não notificado: o consumidor recusou todos os canais" in pagina.text
    assert "Aviso: resolução." in pagina.text


def test_a_notice_the_law_does_not_require_is_simply_not_sent(atendente, canais_de_telefone, recusar):
    protocolo = _so_telefone(atendente)
    recusar("whatsapp")
    recusar("sms")

    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Envie a fatura.", autor=atendente, publica=True)

    assert not Mensagem.objects.exists()
    assert _nao_notificados(protocolo) == []


def test_a_refusal_of_one_channel_is_not_a_refusal_of_all(atendente, canais_de_telefone, recusar):
    protocolo = _so_telefone(atendente)
    recusar("sms")

    (mensagem,) = _resolver(protocolo, atendente)

    assert mensagem.canal == "whatsapp"
    assert _nao_notificados(protocolo) == []


def test_the_number_goes_by_whatsapp_with_its_opening_time(atendente, canais_de_telefone):
    protocolo = _so_telefone(atendente)

    (mensagem,) = services.protocolo_enviar_numero(protocolo=protocolo, autor=atendente)

    assert mensagem.canal == "whatsapp"
    assert mensagem.modelo == "protocolo_numero"
    assert mensagem.parametros[0] == protocolo.numero_formatado
    assert mensagem.parametros[1] in mensagem.corpo
    assert protocolo.interacoes.filter(
        tipo=Interacao.Tipo.ENVIO_NUMERO, texto="Número do protocolo enviado por WhatsApp."
    ).exists()
    # The number carries no link: nothing to read on the portal yet.
    assert not LinkCurto.objects.exists()


def test_the_number_to_a_consumer_who_refused_everything_is_recorded_and_the_attendant_told(
    atendente, canais_de_telefone, recusar, client
):
    protocolo = _so_telefone(atendente)
    recusar("whatsapp")
    recusar("sms")
    client.force_login(atendente)

    resposta = client.post(reverse("atendimento:enviar_numero", args=[protocolo.numero]), follow=True)

    assert "recusou todos os canais" in resposta.text
    assert "Informe o número por telefone" in resposta.text
    assert not Mensagem.objects.exists()
    (entrada,) = _nao_notificados(protocolo)
    assert entrada.detalhes == {"aviso": "numero"}
    assert not protocolo.interacoes.filter(tipo=Interacao.Tipo.ENVIO_NUMERO).exists()


@pytest.mark.parametrize("telefones", [1, 3])
def test_routing_to_telephones_reads_a_fixed_number_of_times(
    atendente, canais_de_telefone, django_assert_num_queries, telefones
):
    protocolo = _so_telefone(atendente)
    for n in range(1, telefones):
        contatos_do_atendimento(protocolo, email="", telefone=f"(21) 99876-543{n}")

    with transaction.atomic():
        travado = _travar(protocolo)
        # 1 the e-mails that may receive the protocol's messages; 2 its telephones; 3 their
        # refusals (canais.recusados); then for each telephone its short link and its message.
        with django_assert_num_queries(3 + 2 * telefones):
            mensagens = canais_de_envio.avisar(travado, "mensagem", "nova mensagem", texto="Envie a fatura.")

    assert len(mensagens) == telefones


def test_routing_by_email_reads_only_the_emails(atendente, canais_de_telefone, django_assert_num_queries):
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(telefone="11987654321"))

    with transaction.atomic():
        travado = _travar(protocolo)
        # 1 the e-mails; 2 the message. The telephones are never read.
        with django_assert_num_queries(2):
            (mensagem,) = canais_de_envio.avisar(travado, "mensagem", "nova mensagem", texto="Envie a fatura.")

    assert mensagem.canal == "email"


def test_a_confirmed_telephone_comes_before_an_email_not_yet_confirmed(atendente, canais_de_telefone):
    protocolo = _so_telefone(atendente)
    services.contato_do_protocolo(protocolo=protocolo, tipo="email", valor="digitado@exemplo.com.br", origem="portal")

    (mensagem,) = _resolver(protocolo, atendente)

    assert (mensagem.canal, mensagem.destinatario) == ("whatsapp", TELEFONE)
