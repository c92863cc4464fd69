"""SMS through the outbox to real HTTP servers on loopback that answer as Twilio's Messages API and a
Zenvia-style gateway do (tests/sms/provedores.py)."""

import datetime
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from protocolo import outbox, services
from protocolo.models import Mensagem
from protocolo.settings import _sms
from tests.sms import provedores
from tests.sms.provedores import SID, TOKEN, TOKEN_GATEWAY

pytestmark = pytest.mark.django_db

DE = "+5511900000000"


def _twilio(porta, *, token=TOKEN, timeout="1"):
    return f"twilio://{SID}:{token}@127.0.0.1:{porta}/?de={DE}&inseguro=1&timeout={timeout}"


def _gateway(porta, *, token=TOKEN_GATEWAY):
    return f"http://127.0.0.1:{porta}/v2/channels/sms/messages?de=empresa&cabecalho=X-API-TOKEN:{token}&timeout=1"


def _enviar_numero(protocolo, atendente):
    (mensagem,) = services.protocolo_enviar_numero(protocolo=protocolo, autor=atendente)
    return mensagem


def test_the_number_goes_by_sms_once_to_twilio(so_telefone, atendente, sms_url):
    with provedores.twilio() as twilio:
        sms_url(_twilio(twilio.porta))
        mensagem = _enviar_numero(so_telefone, atendente)

        assert outbox.entregar(mensagem.pk) is True
        assert outbox.entregar(mensagem.pk) is False

    (recebida,) = twilio.recebidas
    assert recebida["To"] == "+5511987654321"
    assert recebida["From"] == DE
    assert so_telefone.numero_formatado in recebida["Body"]
    mensagem.refresh_from_db()
    assert (mensagem.canal, mensagem.destinatario, mensagem.tentativas) == ("sms", "+5511987654321", 1)
    assert mensagem.id_no_provedor.startswith("SM")
    assert mensagem.enviada_em is not None
    assert so_telefone.interacoes.filter(texto="Número do protocolo enviado por SMS.").exists()


def test_a_provider_down_then_back_gets_the_message_once(so_telefone, atendente, sms_url, time_machine):
    porta = provedores.porta_fechada()
    sms_url(_twilio(porta))
    mensagem = _enviar_numero(so_telefone, atendente)

    assert outbox.entregar(mensagem.pk) is False
    mensagem.refresh_from_db()
    assert mensagem.enviada_em is None
    assert "Twilio" in mensagem.ultimo_erro or "Connection" in mensagem.ultimo_erro

    with provedores.twilio(porta) as twilio:
        time_machine.move_to(mensagem.proxima_tentativa_em + datetime.timedelta(seconds=1))
        assert outbox.entregar_pendentes().enviadas == 1
        assert outbox.entregar_pendentes().enviadas == 0
        assert outbox.entregar(mensagem.pk) is False

    assert len(twilio.recebidas) == 1
    mensagem.refresh_from_db()
    assert mensagem.tentativas == 2
    assert mensagem.id_no_provedor.startswith("SM")
    assert mensagem.ultimo_erro == ""


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_failing_twilio_pushes_the_message_back(so_telefone, atendente, sms_url, time_machine, status):
    with provedores.twilio() as twilio:
        twilio.falhas = [status]
        sms_url(_twilio(twilio.porta))
        mensagem = _enviar_numero(so_telefone, atendente)
        antes = mensagem.proxima_tentativa_em

        assert outbox.entregar(mensagem.pk) is False
        mensagem.refresh_from_db()
        assert str(status) in mensagem.ultimo_erro
        assert mensagem.proxima_tentativa_em >= antes + datetime.timedelta(minutes=2)
        assert outbox.entregar_pendentes().enviadas == 0

        time_machine.move_to(mensagem.proxima_tentativa_em + datetime.timedelta(seconds=1))
        assert outbox.entregar_pendentes().enviadas == 1

    assert len(twilio.recebidas) == 1
    assert twilio.pedidos == 2


def test_a_provider_that_hangs_times_out_within_a_second(so_telefone, atendente, sms_url):
    with provedores.Mudo() as mudo:
        sms_url(_twilio(mudo.porta, timeout="0.5"))
        mensagem = _enviar_numero(so_telefone, atendente)
        inicio = time.monotonic()

        assert outbox.entregar(mensagem.pk) is False

        assert time.monotonic() - inicio < 1
    mensagem.refresh_from_db()
    assert "timed out" in mensagem.ultimo_erro.lower()


def test_wrong_credentials_are_refused_and_nothing_is_sent(so_telefone, atendente, sms_url):
    with provedores.twilio() as twilio:
        sms_url(_twilio(twilio.porta, token="errado"))
        mensagem = _enviar_numero(so_telefone, atendente)

        assert outbox.entregar(mensagem.pk) is False

    assert twilio.recebidas == []
    mensagem.refresh_from_db()
    assert "401" in mensagem.ultimo_erro
    assert "errado" not in mensagem.ultimo_erro


def test_the_gateway_gets_zenvias_body_and_our_id(so_telefone, atendente, sms_url):
    with provedores.gateway() as gateway:
        gateway.falhas = [503]
        sms_url(_gateway(gateway.porta))
        mensagem = _enviar_numero(so_telefone, atendente)

        assert outbox.entregar(mensagem.pk) is False
        assert outbox.entregar(mensagem.pk) is True

    (recebida,) = gateway.recebidas
    assert recebida["idempotency_key"] == mensagem.message_id
    mensagem.refresh_from_db()
    assert mensagem.id_no_provedor
    corpo = recebida["corpo"]
    assert (corpo["from"], corpo["to"]) == ("empresa", "+5511987654321")
    assert corpo["contents"] == [{"type": "text", "text": mensagem.corpo}]


def test_the_gateway_refuses_a_wrong_token(so_telefone, atendente, sms_url):
    with provedores.gateway() as gateway:
        sms_url(_gateway(gateway.porta, token="errado"))
        mensagem = _enviar_numero(so_telefone, atendente)

        assert outbox.entregar(mensagem.pk) is False

    assert gateway.recebidas == []
    mensagem.refresh_from_db()
    assert "401" in mensagem.ultimo_erro


def test_the_memory_backend_keeps_what_it_sent(so_telefone, atendente, sms_url, caixa_sms):
    sms_url("memoria://")
    mensagem = _enviar_numero(so_telefone, atendente)

    assert outbox.entregar(mensagem.pk) is True

    assert caixa_sms == [{"para": "+5511987654321", "texto": mensagem.corpo, "id": mensagem.message_id}]


def test_a_confirmed_email_still_gets_the_number_by_email(atendente, sms_url, caixa_sms):
    from tests.factories import ConsumidorFactory, abrir

    sms_url("memoria://")
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(telefone="11987654321"))

    (mensagem,) = services.protocolo_enviar_numero(protocolo=protocolo, autor=atendente)

    assert mensagem.canal == Mensagem.Canal.EMAIL


def test_without_an_sms_backend_a_telephone_alone_is_refused(so_telefone, atendente, settings):
    from protocolo.exceptions import DadosInvalidos

    settings.SMS = None

    with pytest.raises(DadosInvalidos, match="Nenhum e-mail confirmado"):
        services.protocolo_enviar_numero(protocolo=so_telefone, autor=atendente)
    assert not Mensagem.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        f"twilio://{SID}:{TOKEN}@api.exemplo.com/?de={DE}&inseguro=1",
        "http://gateway.exemplo.com/v2/messages",
        f"twilio://{SID}:{TOKEN}@/",
        "pombo://",
    ],
)
def test_plain_http_goes_only_to_loopback_and_unknown_setups_are_refused(url):
    with pytest.raises(ImproperlyConfigured):
        _sms(url)


def test_the_back_office_shows_the_sms_and_its_telephone_formatted(so_telefone, atendente, sms_url, client):
    sms_url("memoria://")
    client.force_login(atendente)

    resposta = client.post(reverse("atendimento:enviar_numero", args=[so_telefone.numero]), follow=True)

    assert resposta.status_code == 200
    assert "(11) 98765-4321" in resposta.text
    assert "<td>SMS</td>" in resposta.text


def test_the_console_backend_prints_the_sms(so_telefone, atendente, sms_url, capsys):
    sms_url("console://")
    mensagem = _enviar_numero(so_telefone, atendente)

    assert outbox.entregar(mensagem.pk) is True

    saida = capsys.readouterr().out
    assert "SMS para +5511987654321" in saida
    assert mensagem.corpo in saida


def test_one_round_delivers_emails_and_sms_each_by_its_own_way(so_telefone, atendente, sms_url, mailoutbox):
    from tests.factories import ConsumidorFactory, abrir

    with provedores.twilio() as twilio:
        sms_url(_twilio(twilio.porta))
        _enviar_numero(so_telefone, atendente)
        com_email = abrir(atendente=atendente, consumidor=ConsumidorFactory())
        services.protocolo_enviar_numero(protocolo=com_email, autor=atendente)

        rodada = outbox.entregar_pendentes()

    assert (rodada.enviadas, rodada.falhas) == (2, 0)
    assert len(twilio.recebidas) == 1
    assert len(mailoutbox) == 1
    assert not Mensagem.objects.filter(enviada_em=None).exists()
    assert Mensagem.objects.get(canal="sms").id_no_provedor.startswith("SM")
    assert Mensagem.objects.get(canal="email").id_no_provedor == ""


@pytest.mark.parametrize("codigo", [21211, 21610, 21614])
def test_a_number_twilio_refuses_for_good_is_given_up_and_never_tried_again(
    so_telefone, atendente, sms_url, time_machine, codigo
):
    with provedores.twilio() as twilio:
        twilio.recusas["+5511987654321"] = codigo
        sms_url(_twilio(twilio.porta))
        mensagem = _enviar_numero(so_telefone, atendente)

        rodada = outbox.entregar_pendentes()

        assert (rodada.enviadas, rodada.falhas, rodada.desistidas) == (0, 0, 1)
        time_machine.move_to(mensagem.proxima_tentativa_em + datetime.timedelta(days=1))
        outbox.entregar_pendentes()
        assert outbox.entregar(mensagem.pk) is False

    assert twilio.recebidas == []
    assert twilio.pedidos == 1
    mensagem.refresh_from_db()
    assert mensagem.desistida_em is not None
    assert mensagem.enviada_em is None
    assert f"Twilio respondeu 400, erro {codigo}" in mensagem.ultimo_erro
