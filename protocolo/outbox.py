"""
The outbox (docs/dominio.md §6): every message to a consumer is a row written in the same transaction as the
change that causes it, handed to a task after commit and retried by `manage.py enviar_mensagens`
until sent. A crash or a mail server that refuses loses neither the change nor the message.

With settings.PROTOCOLO_ENTREGA_IMEDIATA off, nothing is handed to a task: `manage.py
enviar_mensagens --continuo`, running as a service, delivers every message a moment after its
commit, several per connection to the mail server, and the request that caused it never waits for
the mail server (an SMTP conversation costs a portal opening more than the opening itself).
"""

import contextlib
import contextvars
import datetime
import logging
import smtplib
from functools import partial
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, mailers, make_msgid
from django.db import transaction
from django.db.models import F
from django.tasks import task

from . import canais, codigos, relogio, sms, whatsapp
from .models import Mensagem

logger = logging.getLogger(__name__)

ESPERA_MAXIMA = datetime.timedelta(hours=6)

_adiar = contextvars.ContextVar("adiar_entrega", default=False)


@contextlib.contextmanager
def entrega_adiada():
    """Write messages without delivering them after commit: bulk work (seeding, batch jobs) leaves
    them to `manage.py enviar_mensagens`."""
    token = _adiar.set(True)
    try:
        yield
    finally:
        _adiar.reset(token)


def _dominio():
    return urlsplit(settings.PROTOCOLO_URL_BASE).hostname or "localhost"


def enfileirar(
    *,
    destinatario,
    assunto,
    corpo,
    protocolo=None,
    contato=None,
    aguarda_confirmacao=False,
    canal=Mensagem.Canal.EMAIL,
    modelo="",
    parametros=(),
    aviso="",
    substitui=None,
):
    """Write the message; delivery starts once the surrounding transaction commits (or, when it
    waits for its contact's confirmation, once that contact is confirmed). canal: e-mail, or SMS or
    WhatsApp to a telephone in E.164 (the subject is then only shown in the back-office); modelo and
    parametros: a WhatsApp template and its body parameters; aviso: the protocol's notice it
    carries; substitui: the message given up that this one replaces on another channel."""
    mensagem = Mensagem.objects.create(
        protocolo=protocolo,
        canal=canal,
        destinatario=destinatario,
        contato=contato,
        aguarda_confirmacao=aguarda_confirmacao,
        # A header with a line break would be refused at send time, forever.
        assunto=" ".join(assunto.split())[:200],
        corpo=corpo,
        message_id=make_msgid(domain=_dominio()),
        modelo=modelo,
        parametros=[str(p) for p in parametros],
        aviso=aviso,
        substitui=substitui,
    )
    if not aguarda_confirmacao:
        entregar_apos_commit(mensagem.pk)
    return mensagem


def entregar_apos_commit(mensagem_id):
    """Hand a deliverable message to a task once the surrounding transaction commits."""
    if settings.PROTOCOLO_ENTREGA_IMEDIATA and not _adiar.get():
        # robust: the change has committed by then; a failed delivery is logged and left to
        # `enviar_mensagens`, never raised into the request that made the change.
        transaction.on_commit(partial(entregar_mensagem.enqueue, mensagem_id), robust=True)


@task
def entregar_mensagem(mensagem_id):
    entregar(mensagem_id)


def entregar(mensagem_id, *, conexao=None):
    """Send one pending message; True when it went out. The row lock keeps two workers from
    sending it twice at once. conexao: a mailer (mailers.default) to send through and leave open
    for the next message of a batch; None sends this one over a connection of its own."""
    with transaction.atomic():
        mensagem = (
            Mensagem.objects.select_for_update(skip_locked=True)
            .filter(pk=mensagem_id, enviada_em__isnull=True, aguarda_confirmacao=False, desistida_em__isnull=True)
            .first()
        )
        if mensagem is None or not _enviar(mensagem, conexao):
            return False
        mensagem.enviada_em = relogio.agora()
        mensagem.ultimo_erro = ""
        mensagem.save(update_fields=["tentativas", "enviada_em", "ultimo_erro", "id_no_provedor"])
        return True


class ServidorIndisponivel(Exception):
    """The mail server could not be reached: no message is to blame, and none is charged for it."""


def _enviar(mensagem, conexao):
    """Send a locked, pending message; True when it went out (the caller records that). A failure
    of the message is recorded on the row and logged here; a connection to the server that cannot
    be opened raises ServidorIndisponivel and leaves the row as it was. An SMS goes to the SMS
    backend (protocolo/sms.py), a WhatsApp message to the WhatsApp one (protocolo/whatsapp.py),
    whatever the connection; a provider's refusal for good gives the message up (desistir)."""
    if mensagem.canal in canais.CANAIS_DE_TELEFONE and not canais.aceita(mensagem.destinatario, mensagem.canal):
        # Stopped after it was queued (SAIR, the portal): a refusal holds from the next message
        # on, this one included, and the next channel that reaches the consumer takes it.
        desistir(mensagem, f"O consumidor parou o {mensagem.get_canal_display()} deste telefone antes do envio.")
        return False
    if mensagem.canal == Mensagem.Canal.SMS:
        # A confirmation code goes into the text only here, on its way out (protocolo/codigos.py).
        texto, _, segredo = codigos.no_envio(mensagem)
        return _tentar(
            mensagem,
            partial(sms.enviar, para=mensagem.destinatario, texto=texto, id_mensagem=mensagem.message_id),
            segredo=segredo,
        )
    if mensagem.canal == Mensagem.Canal.WHATSAPP:
        texto, parametros, segredo = codigos.no_envio(mensagem)
        return _tentar(
            mensagem,
            partial(
                whatsapp.enviar,
                para=mensagem.destinatario,
                texto=texto,
                modelo=mensagem.modelo,
                parametros=parametros,
                id_mensagem=mensagem.message_id,
            ),
            segredo=segredo,
        )
    if conexao is not None:
        try:
            # A no-op while the connection is open; a server that is down fails here.
            conexao.open()
        except Exception as erro:
            raise ServidorIndisponivel(f"{type(erro).__name__}: {erro}") from erro
    email = EmailMessage(
        subject=mensagem.assunto,
        body=mensagem.corpo,
        to=[mensagem.destinatario],
        headers={"Message-ID": mensagem.message_id},
    )
    return _tentar(mensagem, email.send if conexao is None else partial(conexao.send_messages, [email]))


def _tentar(mensagem, envio, *, segredo=""):
    """segredo: a confirmation code the text carried, kept out of the error stored and logged (a
    provider may quote the text back)."""
    mensagem.tentativas += 1
    try:
        resposta = envio()
    except sms.RecusaDefinitiva as erro:
        # Trying again would be refused the same way (an invalid number, one not on WhatsApp).
        mensagem.save(update_fields=["tentativas"])
        desistir(mensagem, codigos.sem_segredo(f"{type(erro).__name__}: {erro}", segredo))
        return False
    except Exception as erro:
        # Any backend's failure (SMTP, network, a provider's API): the message stays pending
        # and is retried; one message that always fails must not stop the ones after it.
        mensagem.proxima_tentativa_em = relogio.agora() + _espera(mensagem.tentativas)
        mensagem.ultimo_erro = codigos.sem_segredo(f"{type(erro).__name__}: {erro}", segredo)[:2000]
        mensagem.save(update_fields=["tentativas", "proxima_tentativa_em", "ultimo_erro"])
        logger.warning(
            "Mensagem %s não entregue (tentativa %s): %s",
            mensagem.pk,
            mensagem.tentativas,
            codigos.sem_segredo(str(erro), segredo),
            # A traceback would carry the exception's text as it was, code and all.
            exc_info=not segredo and not isinstance(erro, smtplib.SMTPException | OSError | sms.ErroDoProvedor),
        )
        return False
    if mensagem.canal != Mensagem.Canal.EMAIL:
        mensagem.id_no_provedor = str(resposta or "")[:100]
    return True


def desistir(mensagem, motivo):
    """Give a message up for good, inside the caller's transaction (the row locked): the provider
    refused it for good or reported it failed. It is never retried; it stays in the outbox with
    the reason, and the back-office shows it. In the same transaction the next channel that may
    still reach the consumer gets a message of its own (docs/dominio.md, "Canais das mensagens").
    A message already given up is left as it is: a provider that repeats its receipt replaces
    nothing twice."""
    if mensagem.desistida_em is not None:
        return mensagem
    # Imported here: the services write through this module.
    from .services.canais_de_envio import substituir

    mensagem.desistida_em = relogio.agora()
    mensagem.ultimo_erro = str(motivo)[:2000]
    mensagem.save(update_fields=["desistida_em", "ultimo_erro"])
    logger.warning("Mensagem %s desistida: %s", mensagem.pk, motivo)
    substituir(mensagem)
    return mensagem


def _espera(tentativas):
    """2, 4, 8 … minutes after each failed attempt, at most ESPERA_MAXIMA. The exponent is capped
    first: after about 40 attempts 2**n minutes no longer fits in a timedelta."""
    return min(datetime.timedelta(minutes=2 ** min(tentativas, 16)), ESPERA_MAXIMA)


# Messages locked and marked sent together: one query and one UPDATE a batch instead of two
# statements and a transaction a message, while a crash resends at most one batch (docs/falhas.md).
LOTE = 100


class Rodada(NamedTuple):
    enviadas: int
    # Failed this time, to be tried again.
    falhas: int
    # The connection error that ended the round early, or "" when the server could be reached.
    servidor_indisponivel: str = ""
    # Refused for good by their provider and given up (desistir).
    desistidas: int = 0


def entregar_pendentes(*, limite=1000, lote=LOTE):
    """Rodada(sent, failed, why the server was unreachable, given up) for the pending messages whose next
    attempt is due, oldest first, over one connection to the mail server (opened again after a
    failure, which may have broken it). Rows are locked a batch at a time, skipping those another
    deliverer holds, and the batch's sent ones are marked in one UPDATE at its commit: a crash
    before it sends them again, with the same Message-ID — at least once, never lost.

    A server that cannot be reached ends the round at once, with every message still due: trying
    each of them against a refused connection would only push each one back by the first wait (two
    minutes for an outage of seconds) and log a line per message."""
    enviadas = falhas = desistidas = 0
    indisponivel = ""
    conexao = mailers.default
    try:
        while enviadas + falhas + desistidas < limite and not indisponivel:
            with transaction.atomic():
                mensagens = list(
                    Mensagem.objects.select_for_update(skip_locked=True)
                    .filter(
                        enviada_em__isnull=True,
                        aguarda_confirmacao=False,
                        desistida_em__isnull=True,
                        proxima_tentativa_em__lte=relogio.agora(),
                    )
                    .order_by("proxima_tentativa_em")[: min(lote, limite - enviadas - falhas - desistidas)]
                )
                if not mensagens:
                    break
                enviados, ids_no_provedor = [], {}
                for mensagem in mensagens:
                    try:
                        enviada = _enviar(mensagem, conexao)
                    except ServidorIndisponivel as erro:
                        indisponivel = str(erro)
                        break
                    if enviada:
                        enviados.append(mensagem.pk)
                        if mensagem.id_no_provedor:
                            ids_no_provedor[mensagem.pk] = mensagem.id_no_provedor
                    else:
                        if mensagem.desistida:
                            desistidas += 1
                        else:
                            falhas += 1
                        # A failed e-mail may have broken the connection; an SMS or WhatsApp
                        # message never used it.
                        if mensagem.canal == Mensagem.Canal.EMAIL:
                            with contextlib.suppress(Exception):
                                conexao.close()
                Mensagem.objects.filter(pk__in=enviados).update(
                    tentativas=F("tentativas") + 1, enviada_em=relogio.agora(), ultimo_erro=""
                )
                # One more UPDATE only for the SMS and WhatsApp messages of the batch, which have
                # a provider's id.
                for pk, id_no_provedor in ids_no_provedor.items():
                    Mensagem.objects.filter(pk=pk).update(id_no_provedor=id_no_provedor)
                enviadas += len(enviados)
    finally:
        with contextlib.suppress(Exception):
            conexao.close()
    if indisponivel:
        logger.warning(
            "Servidor de e-mail indisponível (%s): a rodada parou; as mensagens seguem pendentes.", indisponivel
        )
    return Rodada(enviadas, falhas, indisponivel, desistidas)
