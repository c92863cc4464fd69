"""A message given up for good (outbox.desistir) is replaced, in the same transaction, on the next
channel that reaches the consumer: the same telephone's other channel, then the rest of the order;
with none left, a notice the law requires is recorded as not sent (docs/dominio.md, "Canais das
mensagens")."""

import datetime

import pytest
from django.db import transaction

from protocolo import lgpd, outbox, relogio, services
from protocolo.models import Interacao, Mensagem, Protocolo
from protocolo.services.contatos import pedir_confirmacao
from protocolo.whatsapp import caixa as caixa_whatsapp
from tests.canais.conftest import TELEFONE
from tests.factories import ConsumidorFactory, abrir, email_de

pytestmark = pytest.mark.django_db

MOTIVO = "63016: o número não está no WhatsApp"


def _desistir(mensagem, motivo=MOTIVO):
    """As a provider's permanent refusal or a "failed" receipt does: the row locked, then given up."""
    with transaction.atomic():
        travada = Mensagem.objects.select_for_update().get(pk=mensagem.pk)
        outbox.desistir(travada, motivo)
    return list(Mensagem.objects.filter(substitui=mensagem))


def _resolvido(atendente, consumidor, *, preferido=""):
    protocolo = abrir(atendente=atendente, consumidor=consumidor)
    Protocolo.objects.filter(pk=protocolo.pk).update(canal_preferido=preferido)
    services.protocolo_resolver(protocolo=protocolo, texto="Estorno de R$ 50 feito.", autor=atendente)
    (mensagem,) = Mensagem.objects.filter(protocolo=protocolo)
    return protocolo, mensagem


def _nao_notificados(protocolo):
    return list(protocolo.interacoes.filter(tipo=Interacao.Tipo.NAO_NOTIFICADO).values_list("texto", "detalhes"))


def test_whatsapp_refused_for_good_goes_once_by_sms_with_the_same_text(atendente, canais_de_telefone):
    _, whatsapp = _resolvido(atendente, ConsumidorFactory(email="", telefone="11987654321"))
    assert whatsapp.canal == "whatsapp"

    (sms,) = _desistir(whatsapp)
    # The same receipt again replaces nothing twice.
    assert _desistir(whatsapp) == [sms]

    whatsapp.refresh_from_db()
    assert whatsapp.desistida
    assert whatsapp.ultimo_erro == MOTIVO
    assert (sms.canal, sms.destinatario, sms.contato_id) == ("sms", TELEFONE, whatsapp.contato_id)
    assert (sms.corpo, sms.assunto, sms.aviso) == (whatsapp.corpo, whatsapp.assunto, "resolucao")
    assert outbox.entregar(sms.pk) is True
    assert canais_de_telefone == [{"para": TELEFONE, "texto": whatsapp.corpo, "id": sms.message_id}]


def test_sms_refused_too_goes_by_email_then_nothing_left_is_recorded(atendente, canais_de_telefone):
    consumidor = ConsumidorFactory(telefone="11987654321")
    protocolo, whatsapp = _resolvido(atendente, consumidor, preferido="whatsapp")
    (sms,) = _desistir(whatsapp)

    (email,) = _desistir(sms, "30008: operadora recusou")

    assert (email.canal, email.destinatario, email.aviso) == ("email", email_de(consumidor), "resolucao")
    assert whatsapp.corpo in email.corpo
    assert "por SMS" in email.corpo
    assert "/acesso/" in email.corpo
    assert _nao_notificados(protocolo) == []

    assert _desistir(email, "550 caixa inexistente") == []

    assert _nao_notificados(protocolo) == [
        (
            "Não notificado: nenhum canal conseguiu entregar a mensagem",
            {"aviso": "resolucao", "mensagem": email.message_id},
        )
    ]
    assert Mensagem.objects.filter(protocolo=protocolo).count() == 3


def test_an_email_given_up_goes_by_whatsapp_with_its_own_link(atendente, canais_de_telefone):
    protocolo, email = _resolvido(atendente, ConsumidorFactory(telefone="11987654321"))
    assert email.canal == "email"

    (whatsapp,) = _desistir(email, "550 caixa inexistente")

    assert (whatsapp.canal, whatsapp.destinatario, whatsapp.modelo) == ("whatsapp", TELEFONE, "protocolo_resolucao")
    assert whatsapp.parametros[0] == protocolo.numero_formatado
    assert whatsapp.parametros[1] in whatsapp.corpo


def test_a_telephone_that_refused_sms_since_gets_no_sms_and_the_refusal_is_recorded(
    atendente, canais_de_telefone, recusar
):
    protocolo, whatsapp = _resolvido(atendente, ConsumidorFactory(email="", telefone="11987654321"))
    recusar("sms")
    recusar("whatsapp")

    assert _desistir(whatsapp) == []

    assert _nao_notificados(protocolo) == [
        (
            "Não notificado: o consumidor recusou todos os canais",
            {"aviso": "resolucao", "mensagem": whatsapp.message_id},
        )
    ]


def test_a_notice_the_law_does_not_require_left_without_a_channel_records_nothing(
    atendente, canais_de_telefone, recusar
):
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(email="", telefone="11987654321"))
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="Envie a fatura.", autor=atendente, publica=True)
    (whatsapp,) = Mensagem.objects.all()
    recusar("sms")

    assert _desistir(whatsapp) == []
    assert _nao_notificados(protocolo) == []


def test_a_message_that_carries_no_notice_is_never_replaced(atendente, canais_de_telefone):
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(telefone="11987654321"))
    contato = services.contato_do_protocolo(
        protocolo=protocolo, tipo="email", valor="digitado@exemplo.com.br", origem="portal"
    )
    confirmacao = pedir_confirmacao(contato, protocolo=protocolo)

    assert _desistir(confirmacao) == []
    assert Mensagem.objects.count() == 1


def test_anonymisation_clears_a_given_up_message_and_its_replacement(atendente, canais_de_telefone, time_machine):
    consumidor = ConsumidorFactory(email="", telefone="11987654321")
    protocolo, whatsapp = _resolvido(atendente, consumidor)
    _desistir(whatsapp)
    services.protocolo_encerrar(protocolo=protocolo, origem=Interacao.Origem.CONSUMIDOR, avaliacao=4)
    time_machine.move_to(relogio.agora() + datetime.timedelta(days=6 * 365))

    lgpd.anonimizar(consumidor)

    assert not Mensagem.objects.exists()


def test_a_channel_stopped_after_the_message_was_queued_is_not_used_and_the_next_one_takes_it(
    atendente, canais_de_telefone, recusar
):
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(email="", telefone="11987654321"))
    services.protocolo_resolver(protocolo=protocolo, texto="Estorno de R$ 50 feito.", autor=atendente)
    (whatsapp,) = Mensagem.objects.filter(protocolo=protocolo)
    whatsapp_enviados = len(caixa_whatsapp)
    recusar("whatsapp")

    rodada = outbox.entregar_pendentes()

    whatsapp.refresh_from_db()
    assert whatsapp.desistida and not whatsapp.enviada
    assert "parou o WhatsApp" in whatsapp.ultimo_erro
    assert len(caixa_whatsapp) == whatsapp_enviados
    (sms,) = Mensagem.objects.filter(substitui=whatsapp)
    assert (sms.canal, sms.destinatario) == ("sms", TELEFONE)
    assert [m["para"] for m in canais_de_telefone] == [TELEFONE]
    assert (rodada.enviadas, rodada.desistidas) == (1, 1)
