"""
Mail down (issue 7 item 7): with a real SMTP server that refuses, opening a protocol, resolving it
and recovering protocols by CPF all succeed through the HTTP views; the outbox keeps each message
and `enviar_mensagens` delivers it once the server accepts, at least once, with the Message-ID of
the first attempt, and never again after that.
"""

import datetime
import logging
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from protocolo import outbox
from protocolo.management.commands.enviar_mensagens import espera_pelo_servidor
from protocolo.models import Mensagem, Protocolo, Situacao
from tests.factories import AtendenteFactory, ConsumidorFactory, abrir, categoria
from tests.operacao.smtp import ServidorSMTP

# Real commits: delivery starts after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

CPF = "529.982.247-25"
EMAIL = "maria@exemplo.com.br"


@pytest.fixture
def smtp(settings):
    with ServidorSMTP(modo="adiar") as servidor:
        settings.MAILERS = servidor.mailers()
        yield servidor


def _enviar_mensagens():
    saida = StringIO()
    call_command("enviar_mensagens", stdout=saida)
    return saida.getvalue()


def _abrir_no_portal(cliente):
    return cliente.post(
        "/abrir/",
        {
            "cpf": CPF,
            "nome": "Maria Aparecida Souza",
            "email": EMAIL,
            "categoria": categoria("cobranca").pk,
            "objeto": "Cobraram duas vezes a mensalidade.",
        },
        follow=True,
    )


def _pendentes():
    return list(Mensagem.objects.filter(enviada_em__isnull=True).order_by("pk"))


def test_opening_resolving_and_recovering_succeed_with_mail_down_and_are_delivered_once_it_is_back(smtp, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 27, 14, tzinfo=datetime.UTC), tick=False)
    consumidor_web = Client()

    # Opening on the portal: the number is shown, the protocol saved, the confirmation link kept
    # and the number held for the address typed.
    aberta = _abrir_no_portal(consumidor_web)
    assert aberta.status_code == 200
    protocolo = Protocolo.objects.get()
    assert f"Protocolo {protocolo.numero_formatado} aberto." in aberta.text
    [confirmacao, aviso_de_abertura] = _pendentes()
    assert (confirmacao.destinatario, confirmacao.tentativas) == (EMAIL, 1)
    assert "SMTPDataError" in confirmacao.ultimo_erro
    assert (aviso_de_abertura.destinatario, aviso_de_abertura.tentativas) == (EMAIL, 0)
    assert aviso_de_abertura.aguarda_confirmacao

    # The consumer confirms the address (the link reached them some other way): the number is
    # released and tried at once.
    link = re.search(r"/confirmar/\S+/", confirmacao.corpo).group(0)
    assert Client().post(link).status_code == 200
    aviso_de_abertura.refresh_from_db()
    assert not aviso_de_abertura.aguarda_confirmacao and aviso_de_abertura.tentativas == 1

    # Resolution in the back-office: the consumer is told, through the outbox.
    atendente = Client()
    atendente.force_login(AtendenteFactory())
    resolvida = atendente.post(
        reverse("atendimento:resolver", args=[protocolo.numero]),
        {"resolver-versao": protocolo.versao, "resolver-texto": "Estornamos a cobrança em dobro."},
    )
    assert resolvida.status_code == 302
    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.RESOLVIDO
    aviso_de_resolucao = _pendentes()[2]
    assert aviso_de_resolucao.protocolo == protocolo and aviso_de_resolucao.tentativas == 1
    assert "Estornamos a cobrança em dobro." in aviso_de_resolucao.corpo

    # Recovery by CPF: the same answer as for any CPF; the message waits for the command.
    recuperada = Client().post("/recuperar/", {"cpf": CPF})
    desconhecido = Client().post("/recuperar/", {"cpf": "111.444.777-35"})
    assert (recuperada.status_code, recuperada.url) == (302, "/recuperar/?enviado=1")
    assert (desconhecido.status_code, desconhecido.url) == (302, "/recuperar/?enviado=1")
    assert len(_pendentes()) == 3

    # While the server still refuses, the command answers the recovery (this protocol, to the
    # address confirmed for it), tries again and keeps everything.
    time_machine.shift(datetime.timedelta(minutes=3))
    assert "0 mensagem(ns) enviada(s), 4 com falha" in _enviar_mensagens()
    assert len(_pendentes()) == 4
    recuperacao = _pendentes()[3]
    assert (recuperacao.destinatario, recuperacao.protocolo) == (EMAIL, protocolo)
    primeiras = {m["Message-ID"] for m in smtp.tentativas}
    esperadas = {
        confirmacao.message_id,
        aviso_de_abertura.message_id,
        aviso_de_resolucao.message_id,
        recuperacao.message_id,
    }
    assert primeiras == esperadas
    assert smtp.entregues == []

    # The server is back: each message goes out with the Message-ID of its first attempt.
    smtp.modo = "aceitar"
    time_machine.shift(datetime.timedelta(hours=1))
    assert "4 mensagem(ns) enviada(s), 0 com falha" in _enviar_mensagens()
    assert sorted(m["Message-ID"] for m in smtp.entregues) == sorted(esperadas)
    assert _pendentes() == []
    assert all(m["To"] == EMAIL for m in smtp.entregues)

    # And never again.
    time_machine.shift(datetime.timedelta(hours=7))
    assert "0 mensagem(ns) enviada(s), 0 com falha" in _enviar_mensagens()
    assert len(smtp.entregues) == 4


def test_a_server_out_of_service_at_the_greeting_neither_fails_the_opening_nor_loses_the_message(smtp, time_machine):
    smtp.modo = "fora"

    resposta = _abrir_no_portal(Client())

    assert resposta.status_code == 200
    protocolo = Protocolo.objects.get()
    assert f"Protocolo {protocolo.numero_formatado} aberto." in resposta.text
    [mensagem, numero] = _pendentes()
    assert "SMTPConnectError" in mensagem.ultimo_erro
    assert numero.aguarda_confirmacao  # the number waits for the address to be confirmed
    assert smtp.tentativas == []

    smtp.modo = "aceitar"
    time_machine.move_to(mensagem.proxima_tentativa_em + datetime.timedelta(seconds=1))
    assert "1 mensagem(ns) enviada(s), 0 com falha" in _enviar_mensagens()
    [entregue] = smtp.entregues
    assert entregue["Message-ID"] == mensagem.message_id
    assert "/confirmar/" in entregue.get_payload(decode=True).decode()


def test_a_closed_port_on_the_back_office_resolution_is_not_a_500(settings, time_machine):
    with ServidorSMTP() as servidor:
        porta_fechada = servidor.porta
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": porta_fechada, "timeout": 2},
        }
    }
    protocolo = abrir(consumidor=ConsumidorFactory(email=EMAIL))
    atendente = Client()
    atendente.force_login(AtendenteFactory())

    resposta = atendente.post(
        reverse("atendimento:resolver", args=[protocolo.numero]),
        {"resolver-versao": protocolo.versao, "resolver-texto": "Resolvido."},
        follow=True,
    )

    assert resposta.status_code == 200
    assert Protocolo.objects.get(pk=protocolo.pk).situacao == Situacao.RESOLVIDO
    assert all("ConnectionRefusedError" in m.ultimo_erro for m in _pendentes())
    assert len(_pendentes()) >= 1


def test_an_unreachable_server_ends_the_round_at_once_and_charges_no_message(smtp, caplog):
    # A 10 s outage used to push every message of the round back by the first wait (2 minutes),
    # each with a warning of its own.
    with outbox.entrega_adiada():
        for n in range(5):
            outbox.enfileirar(destinatario=f"c{n}@exemplo.com.br", assunto=f"Aviso {n}", corpo="Texto.")
    vencimentos = [m.proxima_tentativa_em for m in _pendentes()]
    smtp.modo = "fora"

    with caplog.at_level(logging.WARNING, logger="protocolo.outbox"):
        saida = _enviar_mensagens()

    assert "0 mensagem(ns) enviada(s), 0 com falha" in saida
    assert "Servidor de e-mail indisponível (SMTPConnectError" in saida
    assert [(m.tentativas, m.ultimo_erro) for m in _pendentes()] == [(0, "")] * 5
    assert [m.proxima_tentativa_em for m in _pendentes()] == vencimentos
    assert [r.getMessage()[:33] for r in caplog.records] == ["Servidor de e-mail indisponível ("]

    smtp.modo = "aceitar"
    assert "5 mensagem(ns) enviada(s), 0 com falha" in _enviar_mensagens()
    assert sorted(m["Subject"] for m in smtp.entregues) == [f"Aviso {n}" for n in range(5)]
    assert _pendentes() == []


@pytest.mark.parametrize(
    ("seguidas", "espera"), [(1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (6, 30.0), (60, 30.0), (10_000, 30.0)]
)
def test_the_continuous_deliverer_retries_an_unreachable_server_within_seconds(seguidas, espera):
    assert espera_pelo_servidor(1.0, seguidas) == espera
