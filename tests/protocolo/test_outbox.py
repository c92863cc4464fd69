"""
The outbox (docs/dominio.md §6): a message to the consumer is a row written in the transaction of the change
that causes it, delivered after commit and retried by `enviar_mensagens` until sent, with a stable
Message-ID. A mail server that refuses loses neither the change nor the message.
"""

import datetime
import socket
import threading
from io import StringIO

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from protocolo import outbox, services
from protocolo.models import Mensagem, Protocolo, Situacao
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
INSTAVEL = {"default": {"BACKEND": f"{__name__}.MailerInstavel"}}


class MailerInstavel(EmailBackend):
    """A provider whose API fails, with its own exception type, for addresses at quebrado.com.br."""

    def send_messages(self, messages):
        if any(to.endswith("@quebrado.com.br") for message in messages for to in message.to):
            raise RuntimeError("API do provedor respondeu 503")
        return super().send_messages(messages)


class FilaForaDoAr:
    """A task queue that cannot take the delivery task."""

    def enqueue(self, *args, **kwargs):
        raise ConnectionError("fila de tarefas indisponível")


def smtp_recusando():
    """An SMTP mailer pointed at a local port nobody listens on: every connection is refused."""
    with socket.socket() as livre:
        livre.bind(("127.0.0.1", 0))
        porta = livre.getsockname()[1]
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": porta, "timeout": 2},
        }
    }


@pytest.fixture
def protocolo(atendente):
    return abrir(atendente=atendente, consumidor=ConsumidorFactory(email="ana@exemplo.com.br"))


def _resolver(protocolo, atendente):
    return services.protocolo_resolver(protocolo=protocolo, texto="Estornamos a cobrança.", autor=atendente)


def _enviar_mensagens(*args):
    saida = StringIO()
    call_command("enviar_mensagens", *args, stdout=saida)
    return saida.getvalue()


def _enfileirar(assunto="Aviso", destinatario="ana@exemplo.com.br"):
    return outbox.enfileirar(destinatario=destinatario, assunto=assunto, corpo="Corpo da mensagem.")


# Written with the change ----------------------------------------------------------------------------


def test_the_message_is_written_in_the_transaction_of_the_change(
    protocolo, atendente, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as entregas:
        _resolver(protocolo, atendente)

    mensagem = Mensagem.objects.get(protocolo=protocolo)
    assert (mensagem.destinatario, mensagem.enviada_em, mensagem.tentativas) == ("ana@exemplo.com.br", None, 0)
    assert mensagem.assunto == f"Protocolo {protocolo.numero_formatado}: sua demanda foi resolvida"
    assert len(entregas) == 1
    assert mailoutbox == []


def test_a_rolled_back_change_leaves_neither_the_change_nor_the_message(
    protocolo, atendente, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as entregas,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _resolver(protocolo, atendente)
        raise RuntimeError("queda depois da mudança")

    assert Protocolo.objects.get(pk=protocolo.pk).situacao == Situacao.ABERTO
    assert not protocolo.interacoes.filter(tipo="resolucao").exists()
    assert not Mensagem.objects.exists()
    assert entregas == []
    assert mailoutbox == []


# Delivered after commit ---------------------------------------------------------------------------


def test_after_commit_the_message_goes_out_with_its_stored_message_id(
    protocolo, atendente, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _resolver(protocolo, atendente)

    mensagem = Mensagem.objects.get(protocolo=protocolo)
    [email] = mailoutbox
    assert email.to == ["ana@exemplo.com.br"]
    assert email.subject == mensagem.assunto
    assert email.message()["Message-ID"] == mensagem.message_id
    assert "Estornamos a cobrança." in email.body
    assert (mensagem.tentativas, mensagem.ultimo_erro) == (1, "")
    assert mensagem.enviada_em is not None


def test_each_message_gets_its_own_message_id_on_the_portal_domain(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        ids = {_enfileirar().message_id, _enfileirar().message_id}

    assert len(ids) == 2
    assert all(mid.startswith("<") and mid.endswith("@protocolo.exemplo.com.br>") for mid in ids)


def test_a_sent_message_is_never_sent_again(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mensagem = _enfileirar()
    assert len(mailoutbox) == 1

    assert outbox.entregar(mensagem.pk) is False
    assert "0 mensagem(ns) enviada(s)" in _enviar_mensagens()

    assert len(mailoutbox) == 1
    assert Mensagem.objects.get(pk=mensagem.pk).tentativas == 1


def test_line_breaks_in_a_subject_are_flattened(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mensagem = _enfileirar(assunto="Protocolo 2026\r\nBcc: todos@exemplo.com.br\n  resolvido")

    assert mensagem.assunto == "Protocolo 2026 Bcc: todos@exemplo.com.br resolvido"
    [email] = mailoutbox
    assert email.message()["Subject"] == mensagem.assunto
    assert email.message()["Bcc"] is None


def test_deferred_delivery_writes_the_message_without_sending_it(
    protocolo, atendente, mailoutbox, django_capture_on_commit_callbacks
):
    with outbox.entrega_adiada(), django_capture_on_commit_callbacks(execute=True) as entregas:
        _resolver(protocolo, atendente)

    assert entregas == []
    assert mailoutbox == []
    assert Mensagem.objects.get(protocolo=protocolo).enviada_em is None
    assert "1 mensagem(ns) enviada(s), 0 com falha" in _enviar_mensagens()
    assert len(mailoutbox) == 1


def test_deferral_ends_with_its_block(mailoutbox, django_capture_on_commit_callbacks):
    with outbox.entrega_adiada(), django_capture_on_commit_callbacks(execute=True):
        _enfileirar()
    with django_capture_on_commit_callbacks(execute=True):
        _enfileirar()

    assert len(mailoutbox) == 1


# A mail server that refuses -----------------------------------------------------------------------


@pytest.fixture
def recusada(settings, protocolo, atendente, django_capture_on_commit_callbacks):
    """The protocol resolved while the mail server refused every connection."""
    settings.MAILERS = smtp_recusando()
    with django_capture_on_commit_callbacks(execute=True):
        _resolver(protocolo, atendente)
    settings.MAILERS = LOCMEM
    return Mensagem.objects.get(protocolo=protocolo)


def test_a_refusing_mail_server_keeps_the_change_and_the_pending_message(protocolo, recusada, mailoutbox):
    assert Protocolo.objects.get(pk=protocolo.pk).situacao == Situacao.RESOLVIDO
    assert recusada.enviada_em is None
    assert recusada.tentativas == 1
    assert "ConnectionRefusedError" in recusada.ultimo_erro
    assert recusada.proxima_tentativa_em > timezone.now()
    assert mailoutbox == []


def test_the_command_waits_until_the_retry_is_due(recusada, mailoutbox):
    assert "0 mensagem(ns) enviada(s), 0 com falha" in _enviar_mensagens()

    assert mailoutbox == []
    assert Mensagem.objects.get(pk=recusada.pk).tentativas == 1


def test_the_command_delivers_the_retry_once_with_the_same_message_id(recusada, mailoutbox, time_machine):
    time_machine.move_to(recusada.proxima_tentativa_em + datetime.timedelta(seconds=1), tick=False)

    assert "1 mensagem(ns) enviada(s), 0 com falha" in _enviar_mensagens()
    assert "0 mensagem(ns) enviada(s), 0 com falha" in _enviar_mensagens()

    [email] = mailoutbox
    assert email.message()["Message-ID"] == recusada.message_id
    entregue = Mensagem.objects.get(pk=recusada.pk)
    assert (entregue.tentativas, entregue.ultimo_erro) == (2, "")
    assert entregue.enviada_em == timezone.now()


@pytest.mark.parametrize(
    ("tentativas_antes", "espera"),
    [(0, 2), (1, 4), (3, 16), (7, 256), (8, 360), (40, 360), (1000, 360)],
)
def test_the_wait_between_attempts_doubles_up_to_six_hours(settings, tentativas_antes, espera, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
    with outbox.entrega_adiada():
        mensagem = _enfileirar()
    Mensagem.objects.filter(pk=mensagem.pk).update(tentativas=tentativas_antes)
    settings.MAILERS = smtp_recusando()

    assert outbox.entregar(mensagem.pk) is False

    mensagem.refresh_from_db()
    assert mensagem.tentativas == tentativas_antes + 1
    assert mensagem.proxima_tentativa_em == timezone.now() + datetime.timedelta(minutes=espera)


# Failures of any kind ------------------------------------------------------------------------------


def test_a_provider_error_of_any_type_leaves_the_message_pending(settings, django_capture_on_commit_callbacks):
    settings.MAILERS = INSTAVEL

    with django_capture_on_commit_callbacks(execute=True):
        mensagem = _enfileirar(destinatario="ana@quebrado.com.br")

    mensagem.refresh_from_db()
    assert (mensagem.enviada_em, mensagem.tentativas) == (None, 1)
    assert mensagem.ultimo_erro == "RuntimeError: API do provedor respondeu 503"


def test_a_message_that_always_fails_does_not_hold_back_the_others(settings, mailoutbox):
    settings.MAILERS = INSTAVEL
    with outbox.entrega_adiada():
        _enfileirar(destinatario="ana@quebrado.com.br")
        _enfileirar(destinatario="bia@exemplo.com.br")

    assert "1 mensagem(ns) enviada(s), 1 com falha" in _enviar_mensagens()

    assert [email.to for email in mailoutbox] == [["bia@exemplo.com.br"]]


def test_a_task_queue_down_at_commit_time_neither_fails_the_change_nor_loses_the_message(
    monkeypatch, protocolo, atendente, mailoutbox, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(outbox, "entregar_mensagem", FilaForaDoAr())

    with django_capture_on_commit_callbacks(execute=True):
        _resolver(protocolo, atendente)

    assert Protocolo.objects.get(pk=protocolo.pk).situacao == Situacao.RESOLVIDO
    assert mailoutbox == []
    assert "1 mensagem(ns) enviada(s), 0 com falha" in _enviar_mensagens()
    assert len(mailoutbox) == 1


# Two workers at once ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_message_being_sent_by_another_worker_is_skipped(mailoutbox):
    with outbox.entrega_adiada():
        mensagem = _enfileirar()
    travada, liberar = threading.Event(), threading.Event()

    def outro_worker():
        try:
            with transaction.atomic():
                Mensagem.objects.select_for_update().get(pk=mensagem.pk)
                travada.set()
                liberar.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=outro_worker)
    worker.start()
    try:
        assert travada.wait(10)
        assert outbox.entregar(mensagem.pk) is False
    finally:
        liberar.set()
        worker.join(10)

    assert mailoutbox == []
    assert outbox.entregar(mensagem.pk) is True
    assert len(mailoutbox) == 1


# Delivery by the command running as a service (PROTOCOLO_ENTREGA_IMEDIATA off) ------------------------


def test_without_immediate_delivery_the_commit_only_writes_and_the_command_sends_all_over_one_connection(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.operacao import smtp

    conexoes = []
    atender = smtp._Sessao.handle
    monkeypatch.setattr(smtp._Sessao, "handle", lambda sessao: conexoes.append(1) or atender(sessao))
    settings.PROTOCOLO_ENTREGA_IMEDIATA = False
    with smtp.ServidorSMTP("aceitar") as servidor:
        settings.MAILERS = servidor.mailers()
        with django_capture_on_commit_callbacks(execute=True):
            mensagens = [_enfileirar(f"Aviso {n}") for n in range(3)]
        assert servidor.entregues == []

        assert "3 mensagem(ns) enviada(s), 0 com falha" in _enviar_mensagens()

        assert [m["Message-ID"] for m in servidor.entregues] == [m.message_id for m in mensagens]
    assert len(conexoes) == 1
    assert not Mensagem.objects.filter(enviada_em__isnull=True).exists()


@pytest.mark.parametrize("quantas", [3, 30])
def test_a_batch_is_locked_and_marked_sent_in_a_fixed_number_of_queries(settings, mailoutbox, quantas):
    settings.PROTOCOLO_ENTREGA_IMEDIATA = False
    mensagens = [_enfileirar(f"Aviso {n}") for n in range(quantas)]

    # the pending rows locked at once, their UPDATE, and the empty second look
    with CaptureQueriesContext(connection) as consultas:
        assert outbox.entregar_pendentes(lote=100) == (quantas, 0, "", 0)

    assert len([c for c in consultas.captured_queries if "SAVEPOINT" not in c["sql"]]) == 3
    assert sorted(m.extra_headers["Message-ID"] for m in mailoutbox) == sorted(m.message_id for m in mensagens)
    assert set(Mensagem.objects.values_list("tentativas", "ultimo_erro")) == {(1, "")}
    assert not Mensagem.objects.filter(enviada_em__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_message_another_deliverer_holds_is_skipped_never_sent_twice(settings, mailoutbox):
    settings.PROTOCOLO_ENTREGA_IMEDIATA = False
    presa, livre = _enfileirar("Presa"), _enfileirar("Livre")
    travada, liberar = threading.Event(), threading.Event()

    def outro_entregador():
        with transaction.atomic():
            Mensagem.objects.select_for_update().get(pk=presa.pk)
            travada.set()
            liberar.wait(10)
        connection.close()

    worker = threading.Thread(target=outro_entregador)
    worker.start()
    try:
        assert travada.wait(10)
        assert outbox.entregar_pendentes() == (1, 0, "", 0)
    finally:
        liberar.set()
        worker.join(10)

    assert [m.subject for m in mailoutbox] == ["Livre"]
    assert Mensagem.objects.get(pk=presa.pk).enviada_em is None
    assert Mensagem.objects.get(pk=livre.pk).enviada_em is not None


def test_in_a_batch_a_failure_does_not_stop_the_others_and_is_retried_later(settings, mailoutbox):
    settings.MAILERS = INSTAVEL
    settings.PROTOCOLO_ENTREGA_IMEDIATA = False
    _enfileirar("Antes")
    quebrada = _enfileirar("Quebrada", destinatario="ana@quebrado.com.br")
    _enfileirar("Depois")

    assert "2 mensagem(ns) enviada(s), 1 com falha" in _enviar_mensagens()

    assert [m.subject for m in mailoutbox] == ["Antes", "Depois"]
    quebrada.refresh_from_db()
    assert (quebrada.enviada_em, quebrada.tentativas) == (None, 1)
    assert "503" in quebrada.ultimo_erro


# Real commits: the service closes and reopens its database connection between rounds.
@pytest.mark.django_db(transaction=True)
def test_the_continuous_mode_delivers_what_comes_due_and_stops_on_a_signal(settings, mailoutbox):
    import os
    import signal
    import time

    settings.PROTOCOLO_ENTREGA_IMEDIATA = False
    _enfileirar("Pelo serviço")
    antes = signal.getsignal(signal.SIGINT)

    def parar_depois_da_entrega():
        limite = time.monotonic() + 10
        while not mailoutbox and time.monotonic() < limite:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)

    vigia = threading.Thread(target=parar_depois_da_entrega)
    vigia.start()
    saida = _enviar_mensagens("--continuo", "--intervalo", "0.05")
    vigia.join()

    assert [m.subject for m in mailoutbox] == ["Pelo serviço"]
    assert "1 mensagem(ns) enviada(s), 0 com falha" in saida
    assert signal.getsignal(signal.SIGINT) is antes


@pytest.mark.parametrize("argumentos", [["--limite", "0"], ["--continuo", "--intervalo", "0"]])
def test_the_command_refuses_a_limit_or_interval_that_makes_no_sense(argumentos):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        _enviar_mensagens(*argumentos)
