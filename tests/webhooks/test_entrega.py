"""Deliveries to real HTTPS receivers on loopback that verify each signature with the
`standardwebhooks` library: retries, a receiver down, one that fails, hangs, redirects or answers
too much, and the rules that keep a webhook from reaching the company's own network."""

import datetime
import time

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from protocolo import outbox, services
from protocolo.models import AssinaturaWebhook, EntregaWebhook, EventoWebhook, Mensagem, Situacao
from protocolo.webhooks import entrega, rede
from tests.factories import ConsumidorFactory, SupervisorFactory, abrir

from .conftest import NOME, assinar
from .receptor import Receptor, porta_livre

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rede_de_teste")]
E = EventoWebhook


def loopback(host, porta):
    """The tests' resolver: the receivers' name is on loopback."""
    return ["127.0.0.1"]


def entregar(**kwargs):
    return entrega.entregar_pendentes(resolvedor=loopback, **kwargs)


def test_a_delivery_is_signed_the_standard_webhooks_way_and_recorded(receptores, atendente):
    receptor = receptores()
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    protocolo = abrir(atendente=atendente)

    assert entregar() == entrega.Rodada(1, 0)

    (recebido,) = receptor.recebidos
    assert recebido["valida"]
    evento = assinatura.entregas.get()
    assert recebido["id"] == evento.webhook_id
    assert recebido["payload"] == evento.payload
    assert recebido["payload"]["data"]["numero"] == protocolo.numero
    assert recebido["cabecalhos"]["Content-Type"] == "application/json"
    assert abs(recebido["timestamp"] - time.time()) < 5
    assert evento.entregue and evento.tentativas == 1 and evento.proxima_tentativa_em is None
    (tentativa,) = evento.registro_de_tentativas.all()
    assert (tentativa.numero, tentativa.status, tentativa.resposta, tentativa.erro) == (1, 200, "recebido", "")
    assert 0 <= tentativa.latencia_ms < 1000
    # Delivered once: the next round has nothing to do.
    assert entregar() == entrega.Rodada(0, 0)


def test_a_receiver_down_then_back_gets_every_event_in_order_per_protocol(receptores, atendente):
    porta = porta_livre()
    assinatura = assinar(f"https://{NOME}:{porta}/webhooks")
    primeiro, segundo = abrir(atendente=atendente), abrir(atendente=atendente)
    services.protocolo_mudar_situacao(protocolo=primeiro, situacao=Situacao.EM_ATENDIMENTO, autor=atendente)
    services.protocolo_resolver(protocolo=segundo, texto="Feito.", autor=atendente)
    services.protocolo_resolver(protocolo=primeiro, texto="Feito.", autor=atendente)

    # Down: the first event due fails, and the subscription waits for the next round.
    assert entregar() == entrega.Rodada(0, 1)
    falhou = assinatura.entregas.get(tentativas=1)
    assert "ConnectionRefusedError" in falhou.ultimo_erro
    assert falhou.proxima_tentativa_em == falhou.registro_de_tentativas.get().em + datetime.timedelta(minutes=5)

    receptor = receptores(porta=porta)
    receptor.segredo = assinatura.segredo
    # Within five minutes only the other protocol's events go: the one that failed waits, and the
    # events of its protocol after it.
    assert entregar() == entrega.Rodada(2, 0)
    assert {r["payload"]["data"]["numero"] for r in receptor.recebidos} == {segundo.numero}
    with time_machine.travel(falhou.proxima_tentativa_em + datetime.timedelta(seconds=1), tick=True):
        assert entregar() == entrega.Rodada(3, 0)

    assert all(r["valida"] for r in receptor.recebidos)
    ids = assinatura.entregas.values_list("webhook_id", flat=True)
    assert sorted(r["id"] for r in receptor.recebidos) == sorted(ids)
    por_protocolo = {}
    for recebido in receptor.recebidos:
        dados = recebido["payload"]["data"]
        por_protocolo.setdefault(dados["numero"], []).append(dados["interacao"]["ordem"])
    assert por_protocolo == {primeiro.numero: [1, 2, 3], segundo.numero: [1, 2]}
    assert not assinatura.entregas.filter(entregue_em__isnull=True).exists()


def test_a_later_event_of_a_protocol_waits_while_an_earlier_one_is_undelivered(receptores, atendente):
    receptor = receptores(modos=["erro", "ok"])
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    protocolo = abrir(atendente=atendente)
    services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)

    assert entregar() == entrega.Rodada(0, 1)
    assert [r["payload"]["type"] for r in receptor.recebidos] == [E.ABERTO]
    # The resolution is due, but the opening before it is not delivered yet.
    assert list(entrega.devidas(timezone.now() + datetime.timedelta(days=1))) == [assinatura.entregas.earliest("pk")]


def test_each_retry_is_signed_afresh_with_the_same_webhook_id(receptores, atendente):
    receptor = receptores(modos=["erro", "ok"])
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    abrir(atendente=atendente)

    assert entregar() == entrega.Rodada(0, 1)
    evento = assinatura.entregas.get()
    assert evento.ultimo_erro == "HTTP 500"
    assert evento.registro_de_tentativas.get().resposta == "falhou"
    with time_machine.travel(evento.proxima_tentativa_em, tick=True):
        assert entregar() == entrega.Rodada(1, 0)
        primeira, segunda = receptor.recebidos
        assert primeira["valida"] and segunda["valida"]
        assert primeira["id"] == segunda["id"] == evento.webhook_id
        assert segunda["timestamp"] - primeira["timestamp"] >= 5 * 60
        # The first signature, made five minutes earlier, would no longer pass.
        with pytest.raises(WebhookVerificationError, match="too old"):
            Webhook(assinatura.segredo).verify(primeira["corpo"], primeira["cabecalhos"])
    assert list(evento.registro_de_tentativas.values_list("numero", "status")) == [(1, 500), (2, 200)]


def test_the_retries_follow_the_schedule_then_pause_the_subscription_and_tell_supervisors(receptores, atendente):
    supervisor = SupervisorFactory(email="supervisao@exemplo.com.br")
    SupervisorFactory(email="")
    receptor = receptores(modos=["erro"])
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    abrir(atendente=atendente)
    evento = assinatura.entregas.get()

    esperas = []
    for _ in range(len(entrega.ESPERAS) + 1):
        with time_machine.travel(evento.proxima_tentativa_em, tick=True):
            assert entregar() == entrega.Rodada(0, 1)
        evento.refresh_from_db()
        ultima = evento.registro_de_tentativas.latest("numero")
        if evento.proxima_tentativa_em is not None:
            esperas.append(evento.proxima_tentativa_em - ultima.em)

    assert esperas == list(entrega.ESPERAS)
    assert datetime.timedelta(hours=20) < sum(esperas, datetime.timedelta()) < datetime.timedelta(hours=26)
    assert evento.tentativas == 9 and not evento.entregue
    assinatura.refresh_from_db()
    assert assinatura.pausada_em == ultima.em
    (aviso,) = Mensagem.objects.filter(destinatario=supervisor.email)
    assert assinatura.sistema.nome in aviso.assunto and assinatura.url in aviso.corpo
    assert Mensagem.objects.filter(assunto__startswith="Webhook pausado").count() == 1

    # Paused: new events are kept, none is tried.
    abrir(atendente=atendente)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2), tick=True):
        assert entregar() == entrega.Rodada(0, 0)
    # Resumed by a supervisor, with the receiver back: everything goes, in order.
    receptor.modos = ["ok"]
    assert entrega.retomar(assinatura)
    assert entregar() == entrega.Rodada(2, 0)
    assert len(receptor.recebidos) == 11


def test_the_schedule_is_about_a_day_of_doubling_waits():
    falhou = timezone.now()
    assert entrega.proxima_tentativa(1, falhou) == falhou + datetime.timedelta(minutes=5)
    assert entrega.proxima_tentativa(2, falhou) == falhou + datetime.timedelta(minutes=10)
    assert entrega.proxima_tentativa(8, falhou) == falhou + datetime.timedelta(minutes=640)
    assert entrega.proxima_tentativa(9, falhou) is None
    assert sum(entrega.ESPERAS, datetime.timedelta()) == datetime.timedelta(hours=21, minutes=15)


def test_a_receiver_that_hangs_times_out_and_never_delays_an_email(receptores, atendente, settings):
    settings.PROTOCOLO_ENTREGA_IMEDIATA = False
    receptor = receptores(modos=["pendura"])
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    consumidor = ConsumidorFactory()
    protocolo = abrir(atendente=atendente, consumidor=consumidor)
    services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)

    # The e-mail lane knows nothing of the webhooks: the consumer's message goes at once.
    comeco = time.monotonic()
    assert outbox.entregar_pendentes().enviadas == 1
    assert time.monotonic() - comeco < 0.5
    assert len(mail.outbox) == 1
    assert not assinatura.entregas.filter(tentativas__gt=0).exists()

    comeco = time.monotonic()
    assert entregar() == entrega.Rodada(0, 1)
    assert time.monotonic() - comeco < 1.5
    evento = assinatura.entregas.get(tentativas=1)
    assert "timed out" in evento.ultimo_erro or "TimeoutError" in evento.ultimo_erro
    assert evento.registro_de_tentativas.get().status is None


def test_a_redirect_is_not_followed(receptores, atendente):
    destino = receptores()
    receptor = receptores(modos=["redireciona"], destino=destino.url(NOME))
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    abrir(atendente=atendente)

    assert entregar() == entrega.Rodada(0, 1)

    assert destino.recebidos == []
    evento = assinatura.entregas.get()
    assert not evento.entregue and evento.ultimo_erro == "HTTP 302: redirecionamento não seguido."
    assert evento.registro_de_tentativas.get().status == 302


def test_only_the_first_bytes_of_the_answer_are_read(receptores, atendente):
    receptor = receptores(modos=["grande"])
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    abrir(atendente=atendente)

    comeco = time.monotonic()
    assert entregar() == entrega.Rodada(1, 0)
    assert time.monotonic() - comeco < 1

    # We hung up long before the 8 MB were sent.
    assert receptor.cortado.wait(2)
    tentativa = assinatura.entregas.get().registro_de_tentativas.get()
    assert tentativa.resposta == "x" * 500


def test_with_the_allowlist_empty_a_receiver_on_localhost_is_refused(receptores, atendente, settings):
    settings.PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS = []
    receptor = receptores()
    assinatura = assinar(receptor.url("localhost"), receptor=receptor)
    abrir(atendente=atendente)

    # The real resolver: localhost is 127.0.0.1 (and ::1), not a public address.
    assert entrega.entregar_pendentes() == entrega.Rodada(0, 1)

    assert receptor.recebidos == []
    evento = assinatura.entregas.get()
    assert "localhost resolve para" in evento.ultimo_erro and "127.0.0.1" in evento.ultimo_erro
    assert evento.registro_de_tentativas.get().status is None


@pytest.mark.parametrize(
    "respostas",
    [
        ["10.0.0.7"],
        ["192.168.0.10"],
        ["169.254.169.254"],  # a cloud's metadata service
        ["100.64.0.1"],  # carrier-grade NAT
        ["::1"],
        ["fd00::1"],
        ["::ffff:10.0.0.7"],
        ["0.0.0.0"],  # noqa: S104 (an answer to refuse, nothing binds to it)
        ["8.8.8.8", "10.0.0.7"],  # a public answer beside an internal one
    ],
)
def test_a_name_that_resolves_to_an_address_that_is_not_public_is_refused(receptores, atendente, respostas):
    receptor = receptores()
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    abrir(atendente=atendente)

    assert entrega.entregar_pendentes(resolvedor=lambda host, porta: respostas) == entrega.Rodada(0, 1)

    assert receptor.recebidos == []
    assert "não é público" in assinatura.entregas.get().ultimo_erro


def test_the_connection_goes_to_the_address_that_was_checked(receptores, atendente):
    """DNS rebinding: the name is resolved once per delivery, and that checked answer is where the
    connection goes; the host name still travels in the handshake (SNI) and the Host header."""
    receptor = receptores()
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    respostas = [["127.0.0.1"], ["10.0.0.7"], ["10.0.0.7"]]
    consultas = []

    def volavel(host, porta):
        consultas.append((host, porta))
        return respostas[len(consultas) - 1]

    abrir(atendente=atendente)
    assert entrega.entregar_pendentes(resolvedor=volavel) == entrega.Rodada(1, 0)

    (recebido,) = receptor.recebidos
    assert consultas == [(NOME, receptor.porta)]
    assert recebido["sni"] == NOME
    assert recebido["host"] == f"{NOME}:{receptor.porta}"
    # The next delivery looks the name up again, and its new answer is checked again.
    abrir(atendente=atendente)
    assert entrega.entregar_pendentes(resolvedor=volavel) == entrega.Rodada(0, 1)
    assert len(receptor.recebidos) == 1
    assert "10.0.0.7" in assinatura.entregas.get(entregue_em__isnull=True).ultimo_erro


def test_a_certificate_the_trusted_authorities_did_not_sign_is_refused(receptores, atendente, settings):
    settings.PROTOCOLO_WEBHOOKS_CA = ""
    receptor = receptores()
    assinatura = assinar(receptor.url(NOME), receptor=receptor)
    abrir(atendente=atendente)

    assert entregar() == entrega.Rodada(0, 1)

    assert receptor.recebidos == []
    assert "CERTIFICATE_VERIFY_FAILED" in assinatura.entregas.get().ultimo_erro


def test_a_certificate_for_another_name_is_refused(receptores, atendente, ca):
    outro = ca.issue_cert("outro.teste")
    receptor = Receptor(outro)
    try:
        assinatura = assinar(receptor.url(NOME), receptor=receptor)
        abrir(atendente=atendente)
        assert entregar() == entrega.Rodada(0, 1)
        assert receptor.recebidos == []
        assert "CERTIFICATE_VERIFY_FAILED" in assinatura.entregas.get().ultimo_erro
    finally:
        receptor.parar()


def test_an_http_url_is_refused_at_delivery_too(atendente):
    # A plain HTTP receiver, and a subscription that skipped validation (written by hand).
    receptor = Receptor(None)
    try:
        assinatura = assinar("https://crm.exemplo.com.br/webhooks")
        AssinaturaWebhook.objects.filter(pk=assinatura.pk).update(url=receptor.url())
        abrir(atendente=atendente)

        assert entregar() == entrega.Rodada(0, 1)

        assert receptor.recebidos == []
        assert assinatura.entregas.get().ultimo_erro == "Só URLs https:// são aceitas."
    finally:
        receptor.parar()


@pytest.mark.parametrize(
    ("endereco", "permitido"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.0.2.1", False),  # documentation
        ("::ffff:127.0.0.1", False),
        ("::ffff:8.8.8.8", True),
        ("fe80::1%eth0", False),
        ("64:ff9b::a00:1", False),  # NAT64 to 10.0.0.1
        ("64:ff9b::808:808", True),  # NAT64 to 8.8.8.8
        ("2002:a00:1::1", False),  # 6to4 from 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
        ("255.255.255.255", False),
    ],
)
def test_only_globally_routable_addresses_are_allowed(endereco, permitido, settings):
    settings.PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS = []
    assert rede.endereco_permitido(endereco) is permitido


def test_the_allowlist_takes_addresses_and_networks(settings):
    settings.PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS = ["10.20.0.0/16", "::1"]
    assert rede.endereco_permitido("10.20.3.4") and rede.endereco_permitido("::1")
    assert not rede.endereco_permitido("10.21.0.1") and not rede.endereco_permitido("127.0.0.1")


def test_the_command_delivers_what_is_due(receptores, atendente, capsys):
    receptor = receptores()
    assinar(receptor.url("127.0.0.1"), receptor=receptor)
    abrir(atendente=atendente)

    call_command("entregar_webhooks")

    assert "1 evento(s) entregue(s), 0 com falha" in capsys.readouterr().out
    assert receptor.recebidos[0]["valida"]
    assert EntregaWebhook.objects.get().entregue


def test_an_address_that_refuses_gives_way_to_the_next_checked_one(receptores, atendente, settings):
    settings.PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS = ["127.0.0.0/8"]
    receptor = receptores()
    assinar(receptor.url(NOME), receptor=receptor)
    abrir(atendente=atendente)

    # Nothing listens on 127.0.0.2: the connection goes to the second address of the same answer.
    assert entrega.entregar_pendentes(resolvedor=lambda host, porta: ["127.0.0.2", "127.0.0.1"]) == entrega.Rodada(1, 0)

    assert receptor.recebidos[0]["valida"]
