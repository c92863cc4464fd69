"""
Integrated systems and their tokens, webhook subscriptions and deliveries, and the API's
idempotency keys (docs/integracao.md).
"""

import base64
import secrets

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from .. import relogio
from ..exceptions import RegistroImutavel
from .cadastro import _em
from .protocolos import Interacao, Protocolo, SomenteAcrescimoQuerySet


class EscopoSistema(models.TextChoices):
    """What an integrated system may do through the API (docs/integracao.md)."""

    ABRIR = "protocolos:abrir", "abrir protocolos"
    LER = "protocolos:ler", "ler protocolos"
    INTERACOES = "interacoes:escrever", "escrever interações"
    AGIR = "protocolos:agir", "agir sobre protocolos"
    CONSUMIDORES = "consumidores:ler", "ler os protocolos de um consumidor"
    VINCULAR = "contatos:vincular", "vincular contatos a um consumidor"
    WEBHOOKS = "webhooks", "assinar webhooks"


class SistemaIntegrado(models.Model):
    """Another system of the company (the telephone menu, a chatbot, the CRM) that reaches the
    protocols through the API with a token of its own. Supervisors keep it in the admin; nothing is
    deleted, a system out of use is deactivated and its tokens revoked."""

    Escopo = EscopoSistema

    nome = models.CharField(max_length=100, unique=True)
    escopos = models.JSONField(default=list, blank=True)
    # Empty: any address. Otherwise the addresses or networks (CIDR) the system calls from.
    enderecos_permitidos = models.JSONField("endereços permitidos", default=list, blank=True)
    responsavel = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="responsável"
    )
    # The account the system acts as: the services check its permissions (granted from the scopes)
    # and the timeline names it as the author. It has no usable password and belongs to no group.
    usuario = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sistema_integrado", verbose_name="usuário"
    )
    ativo = models.BooleanField(default=True)
    criado_em = models.DateTimeField(default=relogio.agora, editable=False)

    class Meta:
        verbose_name = "sistema integrado"
        verbose_name_plural = "sistemas integrados"
        ordering = ["nome"]
        triggers = [pgtrigger.Protect(name="sistema_integrado_sem_exclusao", operation=pgtrigger.Delete)]

    def __str__(self):
        return self.nome

    def pode(self, escopo):
        return self.ativo and escopo in self.escopos


class CredencialQuerySet(models.QuerySet):
    def validas(self):
        return self.filter(revogada_em__isnull=True, sistema__ativo=True)


class Credencial(models.Model):
    """A token of an integrated system. The token is shown once, when it is made; only its SHA-256
    is kept. A system may hold two valid tokens at once, so a rotation needs no downtime."""

    sistema = models.ForeignKey(SistemaIntegrado, on_delete=models.PROTECT, related_name="credenciais")
    # The first characters of the token, to tell the tokens apart in the admin and in logs.
    prefixo = models.CharField(max_length=16)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    criada_em = models.DateTimeField(default=relogio.agora, editable=False)
    criada_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ultimo_uso_em = models.DateTimeField("último uso em", null=True, blank=True)
    revogada_em = models.DateTimeField(null=True, blank=True)

    objects = CredencialQuerySet.as_manager()

    class Meta:
        verbose_name = "credencial de sistema"
        verbose_name_plural = "credenciais de sistemas"
        ordering = ["-criada_em"]
        triggers = [pgtrigger.Protect(name="credencial_sem_exclusao", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.sistema} · {self.prefixo}…"


class EventoWebhook(models.TextChoices):
    """What a subscription may ask to be told (docs/integracao.md, "Webhooks")."""

    ABERTO = "protocolo.aberto", "protocolo aberto"
    ATUALIZADO = "protocolo.atualizado", "protocolo atualizado (situação, nível, prazo ou responsável)"
    INTERACAO_PUBLICA = "protocolo.interacao_publica", "interação pública"
    RESOLVIDO = "protocolo.resolvido", "protocolo resolvido"
    ENCERRADO = "protocolo.encerrado", "protocolo encerrado"


def segredo_de_webhook():
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64, as its libraries read it."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def id_de_webhook():
    """The message id a delivery keeps through every retry: receivers drop a repeat by it."""
    return "msg_" + secrets.token_hex(16)


def validar_url_de_webhook(url):
    # Imported here: the network rules live with the delivery, which imports these models.
    from ..webhooks.rede import validar_url

    validar_url(url)


class AssinaturaWebhook(models.Model):
    """An integrated system's URL and the events it wants there. The secret is made once, when the
    subscription is; nothing is deleted: a subscription out of use is deactivated. After the last
    retry of a delivery (protocolo.webhooks.entrega.ESPERAS) it is paused until a supervisor
    resumes it; events keep being recorded meanwhile, and are delivered then."""

    Evento = EventoWebhook

    sistema = models.ForeignKey(SistemaIntegrado, on_delete=models.PROTECT, related_name="assinaturas")
    url = models.CharField("URL", max_length=500, validators=[validar_url_de_webhook])
    eventos = models.JSONField(default=list)
    segredo = models.CharField(max_length=100, default=segredo_de_webhook, editable=False)
    ativa = models.BooleanField(default=True)
    pausada_em = models.DateTimeField(null=True, blank=True, editable=False)
    criada_em = models.DateTimeField(default=relogio.agora, editable=False)

    class Meta:
        verbose_name = "assinatura de webhook"
        verbose_name_plural = "assinaturas de webhooks"
        ordering = ["sistema__nome", "pk"]
        triggers = [pgtrigger.Protect(name="assinatura_webhook_sem_exclusao", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.sistema} → {self.url}"

    @property
    def pausada(self):
        return self.pausada_em is not None


class EntregaWebhook(models.Model):
    """One event for one subscription: the webhooks' lane of the outbox, written in the transaction
    of the change (the timeline entry it reports). Signed afresh at each attempt; the webhook-id and
    the payload never change. proxima_tentativa_em empty: no attempt is due until a supervisor
    resumes the subscription or resends it."""

    assinatura = models.ForeignKey(AssinaturaWebhook, on_delete=models.PROTECT, related_name="entregas")
    evento = models.CharField(max_length=40, choices=EventoWebhook)
    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, related_name="+")
    interacao = models.ForeignKey(Interacao, on_delete=models.PROTECT, related_name="+", verbose_name="interação")
    webhook_id = models.CharField("webhook-id", max_length=40, unique=True, default=id_de_webhook, editable=False)
    payload = models.JSONField()
    criada_em = models.DateTimeField(default=relogio.agora, editable=False)
    entregue_em = models.DateTimeField(null=True, blank=True)
    tentativas = models.PositiveIntegerField(default=0)
    proxima_tentativa_em = models.DateTimeField("próxima tentativa em", null=True, blank=True, default=relogio.agora)
    ultimo_erro = models.TextField("último erro", blank=True)

    class Meta:
        verbose_name = "entrega de webhook"
        verbose_name_plural = "entregas de webhooks"
        ordering = ["-id"]
        permissions = [("reenviar_entregawebhook", "Pode reenviar entregas de webhooks")]
        constraints = [
            models.CheckConstraint(
                condition=_em("evento", EventoWebhook.choices), name="entrega_webhook_evento_valido"
            ),
        ]
        indexes = [
            # The deliverer: undelivered events whose next attempt is due.
            models.Index(
                fields=["proxima_tentativa_em"],
                condition=Q(entregue_em__isnull=True),
                name="entrega_webhook_pendente",
            ),
            # The order per protocol: whether an earlier event of the same subscription and protocol
            # is still undelivered.
            models.Index(
                fields=["assinatura", "protocolo", "id"],
                condition=Q(entregue_em__isnull=True),
                name="entrega_webhook_ordem",
            ),
        ]
        triggers = [pgtrigger.Protect(name="entrega_webhook_sem_exclusao", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.evento} · {self.webhook_id}"

    @property
    def entregue(self):
        return self.entregue_em is not None


class TentativaWebhook(models.Model):
    """One attempt of a delivery and what the receiver answered: append-only."""

    entrega = models.ForeignKey(EntregaWebhook, on_delete=models.PROTECT, related_name="registro_de_tentativas")
    numero = models.PositiveIntegerField("tentativa")
    em = models.DateTimeField(default=relogio.agora, editable=False)
    status = models.PositiveSmallIntegerField("status HTTP", null=True, blank=True)
    latencia_ms = models.PositiveIntegerField("latência (ms)")
    # The first characters of the answer only: what a receiver sends back is never stored whole.
    resposta = models.CharField("início da resposta", max_length=500, blank=True)
    erro = models.CharField(max_length=500, blank=True)

    objects = SomenteAcrescimoQuerySet.as_manager()

    class Meta:
        verbose_name = "tentativa de entrega de webhook"
        verbose_name_plural = "tentativas de entrega de webhooks"
        ordering = ["entrega", "numero", "pk"]
        triggers = [
            pgtrigger.Protect(name="tentativa_webhook_somente_acrescimo", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self):
        return f"{self.entrega_id} #{self.numero}"

    def save(self, *args, **kwargs):
        if not self._state.adding or self.pk is not None:
            raise RegistroImutavel("As tentativas são somente de acréscimo.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RegistroImutavel("As tentativas são somente de acréscimo: nada pode ser excluído.")

    @property
    def sucesso(self):
        return self.status is not None and 200 <= self.status < 300 and not self.erro


class ChaveDeIdempotencia(models.Model):
    """The Idempotency-Key an integrated system sent with an opening, and the protocol it opened:
    a retry with the same key returns that protocol instead of opening another (docs/integracao.md).
    The unique constraint makes concurrent requests with one key open one protocol."""

    sistema = models.ForeignKey(SistemaIntegrado, on_delete=models.PROTECT, related_name="+")
    chave = models.CharField(max_length=255)
    # SHA-256 of the request's content: the same key with another content is refused, not replayed.
    impressao = models.CharField("impressão do pedido", max_length=64)
    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, related_name="+")
    criada_em = models.DateTimeField(default=relogio.agora, editable=False)

    class Meta:
        verbose_name = "chave de idempotência"
        verbose_name_plural = "chaves de idempotência"
        constraints = [
            # Serves the replay's lookup by (system, key) and refuses a second opening under one key.
            models.UniqueConstraint(fields=["sistema", "chave"], name="idempotencia_chave_unica_por_sistema"),
        ]

    def __str__(self):
        return f"{self.sistema} · {self.chave[:40]}"
