"""WhatsApp through the outbox to a real HTTP server on loopback that answers as Meta's Cloud API
does (tests/whatsapp/provedores.py): templates, free text in the 24-hour window, Meta's errors
for now and for good."""

import datetime
import io
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from protocolo import outbox, relogio, whatsapp
from protocolo.models import Mensagem, MensagemRecebida
from protocolo.settings import _sms, _whatsapp
from tests.sms import provedores as provedores_sms
from tests.whatsapp import provedores
from tests.whatsapp.provedores import NUMERO_ID, TOKEN

pytestmark = pytest.mark.django_db

TELEFONE = "+5511987654321"
NUMERO = "2026.0001234-5"


def _mensagem(*, corpo=f"Seu protocolo é {NUMERO}.", modelo="protocolo_numero", parametros=(NUMERO,), para=TELEFONE):
    return outbox.enfileirar(
        canal=Mensagem.Canal.WHATSAPP,
        destinatario=para,
        assunto="Número do protocolo",
        corpo=corpo,
        modelo=modelo,
        parametros=parametros,
    )


def _escreveu(telefone=TELEFONE, *, ha=datetime.timedelta(hours=1)):
    """The consumer's message, as the inbound webhook records it."""
    return MensagemRecebida.objects.create(
        canal="whatsapp",
        provedor="meta",
        id_no_provedor=f"wamid.recebida-{time.monotonic_ns()}",
        telefone=telefone,
        texto="Oi",
        recebida_em=relogio.agora() - ha,
    )


def test_a_template_message_goes_out_once_with_its_parameters(meta):
    mensagem = _mensagem()

    assert outbox.entregar(mensagem.pk) is True
    assert outbox.entregar(mensagem.pk) is False

    (recebida,) = meta.recebidas
    corpo = recebida["corpo"]
    assert (corpo["messaging_product"], corpo["to"], corpo["type"]) == ("whatsapp", "5511987654321", "template")
    assert corpo["template"] == {
        "name": "protocolo_numero",
        "language": {"code": "pt_BR"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": NUMERO}]}],
    }
    assert corpo["biz_opaque_callback_data"] == mensagem.message_id
    mensagem.refresh_from_db()
    assert (mensagem.tentativas, mensagem.ultimo_erro, mensagem.id_no_provedor) == (1, "", recebida["id"])
    assert mensagem.id_no_provedor.startswith("wamid.")
    assert mensagem.enviada_em is not None


def test_free_text_goes_inside_the_window(meta):
    _escreveu(ha=datetime.timedelta(hours=23))
    meta.escreveu(TELEFONE)
    mensagem = _mensagem(corpo="Recebemos sua mensagem.\nResponderemos em breve.")

    assert outbox.entregar(mensagem.pk) is True

    (recebida,) = meta.recebidas
    assert recebida["corpo"]["type"] == "text"
    assert recebida["corpo"]["text"] == {"preview_url": False, "body": mensagem.corpo}
    assert meta.pedidos == 1


def test_a_message_without_a_template_goes_as_free_text(meta):
    meta.escreveu(TELEFONE)
    mensagem = _mensagem(modelo="", parametros=())

    assert outbox.entregar(mensagem.pk) is True

    assert meta.recebidas[0]["corpo"]["text"]["body"] == mensagem.corpo


def test_outside_the_window_a_message_goes_as_its_template_at_once(meta):
    _escreveu(ha=datetime.timedelta(hours=25))
    meta.escreveu(TELEFONE)
    mensagem = _mensagem()

    assert outbox.entregar(mensagem.pk) is True

    assert [r["corpo"]["type"] for r in meta.recebidas] == ["template"]
    assert meta.pedidos == 1


def test_free_text_meta_refuses_for_the_window_goes_again_as_its_template_once(meta):
    # Our record says the consumer wrote, Meta says the window is closed (131047).
    _escreveu()
    mensagem = _mensagem()

    assert outbox.entregar(mensagem.pk) is True
    assert outbox.entregar_pendentes().enviadas == 0

    (recebida,) = meta.recebidas
    assert recebida["corpo"]["template"]["name"] == "protocolo_numero"
    assert meta.pedidos == 2
    mensagem.refresh_from_db()
    assert (mensagem.tentativas, mensagem.id_no_provedor) == (1, recebida["id"])


def test_free_text_outside_the_window_without_a_template_is_given_up(meta):
    _escreveu()
    mensagem = _mensagem(modelo="", parametros=())

    assert outbox.entregar(mensagem.pk) is False

    assert meta.recebidas == []
    mensagem.refresh_from_db()
    assert mensagem.desistida_em is not None
    assert "131047" in mensagem.ultimo_erro
    assert mensagem.enviada_em is None


def test_the_confirmation_code_goes_in_the_authentication_template_and_its_button(meta):
    mensagem = _mensagem(corpo="Seu código é 123456.", modelo="protocolo_codigo", parametros=["123456"])

    assert outbox.entregar(mensagem.pk) is True

    componentes = meta.recebidas[0]["corpo"]["template"]["components"]
    assert componentes == [
        {"type": "body", "parameters": [{"type": "text", "text": "123456"}]},
        {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "123456"}]},
    ]


def test_parameters_with_line_breaks_are_flattened_as_meta_requires(meta):
    mensagem = _mensagem(modelo="protocolo_mensagem", parametros=[NUMERO, "Linha um\n\tlinha     dois"])

    assert outbox.entregar(mensagem.pk) is True

    parametros = meta.recebidas[0]["corpo"]["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parametros] == [NUMERO, "Linha um linha dois"]


def test_a_provider_down_then_back_gets_every_message_exactly_once(whatsapp_url, time_machine):
    porta = provedores_sms.porta_fechada()
    whatsapp_url(provedores.url(porta))
    mensagens = [_mensagem(para=f"+551198765432{i}") for i in range(3)]

    rodada = outbox.entregar_pendentes()

    assert (rodada.enviadas, rodada.falhas, rodada.desistidas) == (0, 3, 0)
    for mensagem in mensagens:
        mensagem.refresh_from_db()
        assert "WhatsApp inacessível" in mensagem.ultimo_erro
        assert mensagem.desistida_em is None
    with provedores.Meta(porta) as meta:
        time_machine.move_to(mensagens[0].proxima_tentativa_em + datetime.timedelta(seconds=1))
        assert outbox.entregar_pendentes().enviadas == 3
        assert outbox.entregar_pendentes().enviadas == 0
        assert outbox.entregar(mensagens[0].pk) is False

    assert sorted(r["corpo"]["biz_opaque_callback_data"] for r in meta.recebidas) == sorted(
        m.message_id for m in mensagens
    )
    assert meta.pedidos == 3
    assert Mensagem.objects.filter(tentativas=2, ultimo_erro="", id_no_provedor__startswith="wamid.").count() == 3


@pytest.mark.parametrize(("status", "codigo"), [(429, "130429"), (500, "131000"), (503, "133004")])
def test_a_busy_or_failing_meta_pushes_the_message_back_and_it_goes_later(meta, time_machine, status, codigo):
    meta.falhas = [status]
    mensagem = _mensagem()
    antes = mensagem.proxima_tentativa_em

    assert outbox.entregar(mensagem.pk) is False
    mensagem.refresh_from_db()
    assert f"WhatsApp respondeu {status}, erro {codigo}" in mensagem.ultimo_erro
    assert "fbtrace_id" in mensagem.ultimo_erro
    assert mensagem.proxima_tentativa_em >= antes + datetime.timedelta(minutes=2)
    assert mensagem.desistida_em is None
    assert outbox.entregar_pendentes().enviadas == 0

    time_machine.move_to(mensagem.proxima_tentativa_em + datetime.timedelta(seconds=1))
    assert outbox.entregar_pendentes().enviadas == 1

    assert len(meta.recebidas) == 1
    assert meta.pedidos == 2


def test_meta_that_hangs_times_out_within_a_second(meta, whatsapp_url):
    meta.pendurar = True
    whatsapp_url(provedores.url(meta.porta, timeout="0.5"))
    mensagem = _mensagem()
    inicio = time.monotonic()

    assert outbox.entregar(mensagem.pk) is False

    assert time.monotonic() - inicio < 1
    mensagem.refresh_from_db()
    assert "tempo esgotado" in mensagem.ultimo_erro
    assert mensagem.desistida_em is None


def test_a_wrong_token_sends_nothing_and_the_message_waits_for_the_right_one(meta, whatsapp_url, time_machine):
    whatsapp_url(provedores.url(meta.porta, token="EAAGerrado"))
    mensagem = _mensagem()

    assert outbox.entregar(mensagem.pk) is False

    assert meta.recebidas == []
    mensagem.refresh_from_db()
    assert "WhatsApp respondeu 401, erro 190" in mensagem.ultimo_erro
    assert "EAAGerrado" not in mensagem.ultimo_erro
    assert mensagem.desistida_em is None

    whatsapp_url(provedores.url(meta.porta))
    time_machine.move_to(mensagem.proxima_tentativa_em + datetime.timedelta(seconds=1))
    assert outbox.entregar_pendentes().enviadas == 1
    assert len(meta.recebidas) == 1


def test_a_number_not_on_whatsapp_is_given_up_and_never_tried_again(meta, time_machine):
    meta.fora_do_whatsapp.add("5511987654321")
    mensagem = _mensagem()

    rodada = outbox.entregar_pendentes()

    assert (rodada.enviadas, rodada.falhas, rodada.desistidas) == (0, 0, 1)
    mensagem.refresh_from_db()
    assert mensagem.desistida_em is not None
    assert mensagem.enviada_em is None
    assert mensagem.tentativas == 1
    assert "erro 131026: Message Undeliverable" in mensagem.ultimo_erro
    time_machine.move_to(relogio.agora() + datetime.timedelta(days=2))
    outbox.entregar_pendentes()
    assert outbox.entregar(mensagem.pk) is False
    assert meta.pedidos == 1


def test_a_template_meta_does_not_have_is_given_up(meta):
    mensagem = _mensagem(modelo="protocolo_inexistente")

    assert outbox.entregar(mensagem.pk) is False

    mensagem.refresh_from_db()
    assert mensagem.desistida_em is not None
    assert "132001" in mensagem.ultimo_erro


def test_the_console_backend_prints_the_message(whatsapp_url, capsys):
    whatsapp_url("console://")
    mensagem = _mensagem()

    assert outbox.entregar(mensagem.pk) is True

    saida = capsys.readouterr().out
    assert f"WhatsApp para {TELEFONE}" in saida
    assert f"modelo protocolo_numero (pt_BR): ['{NUMERO}']" in saida
    assert mensagem.corpo in saida


def test_the_memory_backend_keeps_what_it_sent_and_in_which_form(whatsapp_url, caixa_whatsapp):
    whatsapp_url("memoria://")
    _escreveu("+5511900000001")
    no_modelo, na_janela = _mensagem(), _mensagem(para="+5511900000001")

    assert outbox.entregar(no_modelo.pk) is True
    assert outbox.entregar(na_janela.pk) is True

    assert caixa_whatsapp == [
        {
            "para": TELEFONE,
            "tipo": "template",
            "texto": no_modelo.corpo,
            "modelo": "protocolo_numero",
            "parametros": [NUMERO],
            "id": no_modelo.message_id,
        },
        {
            "para": "+5511900000001",
            "tipo": "text",
            "texto": na_janela.corpo,
            "modelo": "protocolo_numero",
            "parametros": [NUMERO],
            "id": na_janela.message_id,
        },
    ]


def test_without_a_backend_a_whatsapp_message_stays_pending(settings):
    settings.WHATSAPP = None
    mensagem = _mensagem()

    assert whatsapp.ativo() is False
    assert outbox.entregar(mensagem.pk) is False

    mensagem.refresh_from_db()
    assert "WHATSAPP_URL não configurada" in mensagem.ultimo_erro
    assert mensagem.desistida_em is None


def test_the_window_is_the_last_24_hours_of_the_telephones_whatsapp_messages():
    assert whatsapp.janela_aberta(TELEFONE) is False
    _escreveu(ha=datetime.timedelta(hours=25))
    MensagemRecebida.objects.create(
        canal="sms", provedor="twilio", id_no_provedor="SM1", telefone=TELEFONE, texto="Oi", recebida_em=relogio.agora()
    )
    _escreveu("+5511900000001")
    assert whatsapp.janela_aberta(TELEFONE) is False

    _escreveu(ha=datetime.timedelta(hours=23, minutes=59))

    assert whatsapp.janela_aberta(TELEFONE) is True


def test_one_round_delivers_emails_sms_and_whatsapp_each_by_its_own_way(meta, settings, mailoutbox):
    with provedores_sms.twilio() as twilio:
        settings.SMS = _sms(
            f"twilio://{provedores_sms.SID}:{provedores_sms.TOKEN}@127.0.0.1:{twilio.porta}/"
            "?de=+5511900000000&inseguro=1&timeout=1"
        )
        outbox.enfileirar(destinatario="consumidor@exemplo.com.br", assunto="Número", corpo="Seu protocolo.")
        outbox.enfileirar(canal=Mensagem.Canal.SMS, destinatario=TELEFONE, assunto="Número", corpo="Seu protocolo.")
        _mensagem()

        rodada = outbox.entregar_pendentes()

    assert rodada == (3, 0, "", 0)
    assert len(mailoutbox) == len(twilio.recebidas) == len(meta.recebidas) == 1
    assert Mensagem.objects.get(canal="email").id_no_provedor == ""
    assert Mensagem.objects.get(canal="sms").id_no_provedor.startswith("SM")
    assert Mensagem.objects.get(canal="whatsapp").id_no_provedor.startswith("wamid.")
    assert not Mensagem.objects.filter(enviada_em=None).exists()


def test_the_setting_reads_metas_url_and_its_options():
    assert _whatsapp("") is None
    assert _whatsapp("console://") == {"backend": "console", "idioma": "pt_BR"}
    assert _whatsapp(f"meta://{TOKEN}@graph.facebook.com/v21.0/{NUMERO_ID}?timeout=5") == {
        "backend": "meta",
        "url": f"https://graph.facebook.com/v21.0/{NUMERO_ID}/messages",
        "token": TOKEN,
        "timeout": 5.0,
        "idioma": "pt_BR",
    }
    assert _whatsapp(f"meta://{TOKEN}@127.0.0.1:8089/v21.0/{NUMERO_ID}/?inseguro=1")["url"] == (
        f"http://127.0.0.1:8089/v21.0/{NUMERO_ID}/messages"
    )


@pytest.mark.parametrize(
    ("url", "erro"),
    [
        ("pombo://", "WHATSAPP_URL com esquema desconhecido: 'pombo'"),
        ("https://graph.facebook.com/v21.0/1", "WHATSAPP_URL com esquema desconhecido: 'https'"),
        (f"meta://{TOKEN}@graph.facebook.com/v21.0/{NUMERO_ID}?inseguro=1", "http sem TLS só vale para 127.0.0.1"),
        (f"meta://{TOKEN}@graph.facebook.com/{NUMERO_ID}", "pede ACCESS_TOKEN@graph.facebook.com/vXX.X/"),
        (f"meta://graph.facebook.com/v21.0/{NUMERO_ID}", "pede ACCESS_TOKEN@"),
        (f"meta://{TOKEN}@graph.facebook.com/v21.0/{NUMERO_ID}?timeout=nunca", "timeout precisa ser"),
        (f"meta://{TOKEN}@graph.facebook.com/v21.0/{NUMERO_ID}?idioma=português", "idioma 'português' inválido"),
    ],
)
def test_unknown_setups_and_plain_http_beyond_loopback_are_refused(url, erro):
    with pytest.raises(ImproperlyConfigured, match=erro):
        _whatsapp(url)


def test_the_delivery_command_reports_the_messages_given_up(meta):
    meta.fora_do_whatsapp.add("5511987654321")
    _mensagem()
    _mensagem(para="+5511900000001")
    saida = io.StringIO()

    call_command("enviar_mensagens", stdout=saida)

    assert "1 mensagem(ns) enviada(s), 0 com falha" in saida.getvalue()
    assert "1 recusada(s) para sempre pelo provedor" in saida.getvalue()
