"""
Delivery of the webhooks' lane of the outbox, by `manage.py entregar_webhooks` alone: never inside
a request nor by the e-mail deliverer, so a receiver that hangs delays nothing but its own events.

Each attempt is signed afresh with the `standardwebhooks` library: the same webhook-id every time,
the current timestamp (receivers refuse one more than five minutes off, so a signature made when
the event was written would fail every retry after that). A failed attempt is retried after each
wait of ESPERAS, about a day in all; after the last, the subscription is paused and supervisors are
told. Within a subscription, the events of one protocol go out in the order they were written: one
waits while an earlier one is undelivered.
"""

import datetime
import json
import logging
import time
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from standardwebhooks import Webhook

from .. import outbox, relogio
from ..dados_iniciais import SUPERVISORES
from ..models import AssinaturaWebhook, EntregaWebhook, TentativaWebhook
from . import eventos, rede

logger = logging.getLogger(__name__)

# The wait after each failed attempt: 5 minutes, doubling up to 10 h 40 min; nine attempts over
# 21 h 15 min. The ninth failure pauses the subscription.
ESPERAS = tuple(datetime.timedelta(minutes=5 * 2**n) for n in range(8))
AGENTE = "Protocolo-Webhooks/1"


def proxima_tentativa(tentativas, falhou_em):
    """When to try again after `tentativas` failed attempts, the last at `falhou_em`; None once
    the schedule is spent."""
    if tentativas > len(ESPERAS):
        return None
    return falhou_em + ESPERAS[tentativas - 1]


def assinar(assinatura, entrega, corpo, instante):
    """The three Standard Webhooks headers for this body at this instant."""
    return {
        "webhook-id": entrega.webhook_id,
        "webhook-timestamp": str(int(instante.timestamp())),
        "webhook-signature": Webhook(assinatura.segredo).sign(entrega.webhook_id, instante, corpo),
    }


def corpo_de(entrega):
    return json.dumps(entrega.payload, ensure_ascii=False, separators=(",", ":")).encode()


def _primeira_pendente():
    """The protocol's oldest undelivered event for the subscription. A scalar subquery, probed per
    candidate row through the entrega_webhook_ordem index whatever the table's statistics say: as
    an anti-join (NOT EXISTS an earlier one), a burst of events written before the table was
    analysed got a plan quadratic in the backlog."""
    return (
        EntregaWebhook.objects.filter(
            assinatura=OuterRef("assinatura"), protocolo=OuterRef("protocolo"), entregue_em__isnull=True
        )
        .order_by("pk")
        .values("pk")[:1]
    )


def devidas(agora):
    """Undelivered events due now, of subscriptions that are active, not paused and still allowed
    webhooks, each the oldest undelivered event of its protocol."""
    return EntregaWebhook.objects.filter(
        entregue_em__isnull=True,
        proxima_tentativa_em__lte=agora,
        assinatura__in=[pk for pk, _ in eventos.assinaturas_ativas()],
        assinatura__pausada_em__isnull=True,
        pk=Subquery(_primeira_pendente()),
    ).order_by("proxima_tentativa_em", "pk")


class Rodada(NamedTuple):
    entregues: int
    falhas: int


def entregar_pendentes(*, limite=1000, resolvedor=rede.resolver):
    """Rodada(delivered, failed) over the events due now, one at a time, each under its row lock
    (skipping those another deliverer holds). A subscription whose attempt fails is left alone for
    the rest of the round: a receiver that is down or hangs costs one timeout a round, not one per
    event waiting for it."""
    entregues = falhas = 0
    em_falha = set()
    while entregues + falhas < limite:
        with transaction.atomic():
            entrega = (
                devidas(relogio.agora())
                .exclude(assinatura__in=em_falha)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("assinatura")
                .first()
            )
            if entrega is None:
                break
            if tentar(entrega, resolvedor=resolvedor):
                entregues += 1
            else:
                falhas += 1
                em_falha.add(entrega.assinatura_id)
    return Rodada(entregues, falhas)


def tentar(entrega, *, resolvedor=rede.resolver):
    """One attempt of a locked, undelivered event, recorded; True when the receiver took it (2xx)."""
    assinatura = entrega.assinatura
    corpo = corpo_de(entrega)
    # The real clock, not relogio's: the receiver compares the timestamp with its own.
    cabecalhos = {
        **assinar(assinatura, entrega, corpo, timezone.now()),
        "Content-Type": "application/json",
        "User-Agent": AGENTE,
    }
    status, inicio, erro = None, b"", ""
    comeco = time.monotonic()
    try:
        resposta = rede.postar(assinatura.url, corpo, cabecalhos, resolvedor=resolvedor)
    except rede.EnderecoRecusado as recusa:
        erro = str(recusa)
    except Exception as falha:
        # A receiver's failure of any kind (refused, reset, TLS, timeout, a malformed answer) is a
        # failed attempt of this event, never the end of the round.
        erro = f"{type(falha).__name__}: {falha}" if str(falha) else type(falha).__name__
    else:
        status, inicio = resposta
        if 300 <= status < 400:
            erro = f"HTTP {status}: redirecionamento não seguido."
        elif not 200 <= status < 300:
            erro = f"HTTP {status}"
    latencia = round((time.monotonic() - comeco) * 1000)
    agora = relogio.agora()
    entrega.tentativas += 1
    TentativaWebhook.objects.create(
        entrega=entrega,
        # Counted, not read from `tentativas`: a resend starts a new schedule, the record goes on.
        numero=entrega.registro_de_tentativas.count() + 1,
        em=agora,
        status=status,
        latencia_ms=latencia,
        resposta=inicio.decode("utf-8", "replace")[:500],
        erro=erro[:500],
    )
    if not erro:
        entrega.entregue_em = agora
        entrega.ultimo_erro = ""
        entrega.proxima_tentativa_em = None
    else:
        entrega.ultimo_erro = erro
        entrega.proxima_tentativa_em = proxima_tentativa(entrega.tentativas, agora)
        logger.warning("Webhook %s não entregue (tentativa %s): %s", entrega.webhook_id, entrega.tentativas, erro)
        if entrega.proxima_tentativa_em is None:
            pausar(assinatura, entrega, agora)
    entrega.save(update_fields=["tentativas", "entregue_em", "ultimo_erro", "proxima_tentativa_em"])
    return not erro


def pausar(assinatura, entrega, agora):
    """After the last retry: the subscription stops until a supervisor resumes it, and every
    supervisor with an e-mail is told, through the outbox, in this same transaction."""
    if not AssinaturaWebhook.objects.filter(pk=assinatura.pk, pausada_em__isnull=True).update(pausada_em=agora):
        return
    assinatura.pausada_em = agora
    supervisores = (
        get_user_model()
        .objects.filter(groups__name=SUPERVISORES, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    for email in supervisores:
        outbox.enfileirar(
            destinatario=email,
            assunto=f"Webhook pausado: {assinatura.sistema}",
            corpo=(
                f"As entregas de webhooks de “{assinatura.sistema}” para {assinatura.url} falharam por "
                f"cerca de um dia, {entrega.tentativas} tentativas do evento {entrega.evento} "
                f"({entrega.webhook_id}). Último erro: {entrega.ultimo_erro}\n\n"
                "A assinatura foi pausada: os eventos seguintes ficam guardados. Quando o receptor voltar, "
                "retome-a na administração (Assinaturas de webhooks, ação “Retomar as entregas”): "
                f"{settings.PROTOCOLO_URL_BASE}/admin/protocolo/assinaturawebhook/{assinatura.pk}/change/"
            ),
        )


def retomar(assinatura):
    """Resume a paused subscription: its undelivered events are due now, on a new schedule.
    True when it was paused."""
    with transaction.atomic():
        pausada = AssinaturaWebhook.objects.filter(pk=assinatura.pk, pausada_em__isnull=False).update(pausada_em=None)
        EntregaWebhook.objects.filter(
            assinatura=assinatura, entregue_em__isnull=True, proxima_tentativa_em__isnull=True
        ).update(proxima_tentativa_em=relogio.agora(), tentativas=0)
    return bool(pausada)


def reenviar(entrega):
    """Deliver an event again, delivered or not: due now, on a new schedule, with the same
    webhook-id and payload (a receiver that kept it recognises the repeat)."""
    EntregaWebhook.objects.filter(pk=entrega.pk).update(
        entregue_em=None, proxima_tentativa_em=relogio.agora(), tentativas=0, ultimo_erro=""
    )
