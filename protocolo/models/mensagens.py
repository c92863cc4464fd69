"""
Messages to consumers (the outbox), the contacts they go to, and the requests the portal and the
back-office only write down for `enviar_mensagens` (recovery by CPF, password reset).
"""

import string

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.crypto import get_random_string

from .. import relogio
from ..exceptions import RegistroImutavel
from .cadastro import Consumidor, _em
from .protocolos import Protocolo


class CanalMensagem(models.TextChoices):
    EMAIL = "email", "e-mail"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class EstadoNoProvedor(models.TextChoices):
    """What the provider's delivery receipts said last (docs/operacao.md, "Recibos de entrega")."""

    ENVIADA = "enviada", "enviada"
    ENTREGUE = "entregue", "entregue"
    LIDA = "lida", "lida"
    FALHOU = "falhou", "falhou"


class AvisoMensagem(models.TextChoices):
    """The notice a message to a consumer carries (docs/dominio.md, "Canais das mensagens"): what a
    replacement on another channel is written from, and whether the law requires it."""

    NUMERO = "numero", "número do protocolo"
    MENSAGEM = "mensagem", "nova mensagem da empresa"
    RESOLUCAO = "resolucao", "resolução"
    ENCERRAMENTO = "encerramento", "encerramento"
    CANCELAMENTO = "cancelamento", "cancelamento"
    ESCALONAMENTO = "escalonamento", "escalonamento"
    PRORROGACAO = "prorrogacao", "prorrogação de prazo"
    DUPLICIDADE = "duplicidade", "duplicidade"


class Mensagem(models.Model):
    """The outbox: every message to a consumer, written in the transaction that causes it."""

    Canal = CanalMensagem
    Estado = EstadoNoProvedor
    Aviso = AvisoMensagem

    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, null=True, blank=True, related_name="mensagens")
    canal = models.CharField(max_length=10, choices=CanalMensagem, default=CanalMensagem.EMAIL)
    # An e-mail address, or a telephone in E.164 for an SMS.
    destinatario = models.CharField("destinatário", max_length=254)
    # The contact it goes to (None for rows written before contacts existed).
    contato = models.ForeignKey("Contato", on_delete=models.PROTECT, null=True, blank=True, related_name="mensagens")
    # Held until its contact is confirmed: a public form's e-mail first gets only the confirmation
    # link, and the protocol's messages once the owner of the address has clicked it.
    aguarda_confirmacao = models.BooleanField("aguarda confirmação", default=False)
    assunto = models.CharField(max_length=200)
    corpo = models.TextField()
    # Generated once, so a retried delivery is recognisably the same message to the receiving side.
    message_id = models.CharField(max_length=200, unique=True, editable=False)
    # What the provider calls the message once it took it (Twilio's SM… sid, a gateway's id): the
    # key its delivery receipts will carry. Empty for e-mail.
    id_no_provedor = models.CharField("id no provedor", max_length=100, blank=True, editable=False)
    criada_em = models.DateTimeField(default=relogio.agora, editable=False)
    enviada_em = models.DateTimeField(null=True, blank=True)
    tentativas = models.PositiveIntegerField(default=0)
    proxima_tentativa_em = models.DateTimeField(default=relogio.agora)
    ultimo_erro = models.TextField("último erro", blank=True)
    # The provider's last delivery receipt for it and when it came; empty until one does.
    estado_no_provedor = models.CharField(
        "estado no provedor", max_length=10, choices=EstadoNoProvedor, blank=True, default="", db_default=""
    )
    estado_em = models.DateTimeField("estado em", null=True, blank=True)
    # Given up for good (the provider refused it for good, or reported it failed): never retried.
    # The next channel that may reach the consumer, if any, got a message of its own (substitui).
    desistida_em = models.DateTimeField("desistida em", null=True, blank=True)
    # WhatsApp: the approved template a message the company starts goes out with, and its body
    # parameters in order; outside the 24-hour window only a template may be sent (Meta's rule).
    modelo = models.CharField(max_length=100, blank=True, default="", db_default="")
    parametros = models.JSONField("parâmetros", default=list, blank=True)
    substitui = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="substitutas", editable=False
    )
    # The protocol's notice it carries; empty for the rest (confirmation links, recoveries, warnings
    # about a new binding), which never change channel.
    aviso = models.CharField(max_length=15, choices=AvisoMensagem, blank=True, default="", db_default="")

    class Meta:
        verbose_name = "mensagem"
        verbose_name_plural = "caixa de saída"
        ordering = ["-criada_em"]
        constraints = [
            models.CheckConstraint(condition=_em("canal", CanalMensagem.choices), name="mensagem_canal_valido"),
            models.CheckConstraint(
                condition=Q(estado_no_provedor="") | _em("estado_no_provedor", EstadoNoProvedor.choices),
                name="mensagem_estado_valido",
            ),
            models.CheckConstraint(
                condition=Q(aviso="") | _em("aviso", AvisoMensagem.choices), name="mensagem_aviso_valido"
            ),
        ]
        indexes = [
            # The delivery command: pending messages whose next attempt is due.
            models.Index(
                fields=["proxima_tentativa_em"],
                condition=Q(enviada_em__isnull=True, aguarda_confirmacao=False, desistida_em__isnull=True),
                name="mensagem_pendente",
            ),
            # A delivery receipt: the message its provider's id names (protocolo/entrada/processar.py).
            models.Index(fields=["id_no_provedor"], condition=~Q(id_no_provedor=""), name="mensagem_id_no_provedor"),
        ]

    def __str__(self):
        return f"{self.assunto} → {self.destinatario}"

    @property
    def enviada(self):
        return self.enviada_em is not None

    @property
    def desistida(self):
        return self.desistida_em is not None


class LinkCurto(models.Model):
    """A link in an SMS or WhatsApp text, /l/<codigo>/: a signed token does not fit one SMS segment, so
    the text carries a random id and this row holds what it grants (consumidor/curto.py). It opens
    the protocol as the e-mail's signed link does, while it has not expired, the telephone it was
    sent to stays open and confirmed, and the protocol keeps the consumer it had. Made only for a
    confirmed telephone."""

    # Ten base62 characters: about 60 random bits, out of reach of guessing, and short in a text.
    ALFABETO = string.ascii_letters + string.digits
    TAMANHO = 10

    codigo = models.CharField("código", max_length=16, unique=True, editable=False)
    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, related_name="+")
    contato = models.ForeignKey("Contato", on_delete=models.PROTECT, related_name="+")
    # The protocol's consumer when the link was made, like the signed link's seal: once the protocol
    # is identified as someone else's, the link opens nothing.
    consumidor = models.ForeignKey(Consumidor, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    criado_em = models.DateTimeField(default=relogio.agora, editable=False)
    expira_em = models.DateTimeField()

    class Meta:
        verbose_name = "link curto"
        verbose_name_plural = "links curtos"

    def __str__(self):
        return f"Link curto do protocolo {self.protocolo_id}"

    @classmethod
    def novo_codigo(cls):
        return get_random_string(cls.TAMANHO, cls.ALFABETO)

    @classmethod
    def codigo_possivel(cls, codigo):
        """Whether `codigo` could be one of ours: anything else is refused before any query."""
        return len(codigo) == cls.TAMANHO and all(c in cls.ALFABETO for c in codigo)


class PedidoDeSenha(models.Model):
    """A back-office password reset asked for on its page and not yet answered. The page only writes
    this row, whatever the e-mail, so its answer takes the same time for an account of the team and
    for anyone else; `enviar_mensagens` then looks the e-mail up, writes and sends the mail, and
    deletes the row (protocolo/contas/redefinicao.py). The link itself is never stored: it is made
    at sending time and goes straight to the mail server, never to the outbox that the admin shows."""

    email = models.CharField(max_length=254)
    pedido_em = models.DateTimeField(default=relogio.agora, editable=False)

    class Meta:
        verbose_name = "pedido de nova senha"
        verbose_name_plural = "pedidos de nova senha"

    def __str__(self):
        return f"Pedido de nova senha {self.pk}"


class TipoContato(models.TextChoices):
    EMAIL = "email", "e-mail"
    TELEFONE = "telefone", "telefone"


class OrigemContato(models.TextChoices):
    """Where a contact came from; what each may reach is protocolo.services.contatos.ESCOPOS and
    the table in docs/seguranca.md."""

    PORTAL = "portal", "formulário público (portal, chatbot)"
    ATENDIMENTO = "atendimento", "atendimento (retaguarda)"
    OIDC = "oidc", "entrada com OpenID"
    API = "api", "API de integração"
    WHATSAPP = "whatsapp", "WhatsApp (mensagem recebida)"
    SMS = "sms", "SMS (mensagem recebida)"
    MIGRACAO = "migracao", "cadastro anterior (migração)"


class ContatoQuerySet(models.QuerySet):
    def delete(self):
        raise RegistroImutavel("Contatos não são excluídos: encerre o contato (a história fica).")

    def abertos(self):
        return self.filter(encerrado_em__isnull=True)

    def vinculados(self):
        """Bound to their consumer and still open: they serve every protocol of the CPF."""
        return self.filter(consumidor__isnull=False, encerrado_em__isnull=True)


class Contato(models.Model):
    """An e-mail or telephone and what it may receive (docs/seguranca.md, "Contatos"). Typed for a
    protocol (protocolo set, consumidor empty) it serves that protocol only; bound to a consumer
    (consumidor and vinculado_em set, after an identity check) it serves all their protocols and
    the recovery. A re-binding closes the previous one (encerrado_em): nothing is deleted."""

    Tipo = TipoContato
    Origem = OrigemContato

    tipo = models.CharField(max_length=10, choices=TipoContato)
    valor = models.CharField(max_length=254)
    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, null=True, blank=True, related_name="contatos")
    consumidor = models.ForeignKey(Consumidor, on_delete=models.PROTECT, null=True, blank=True, related_name="contatos")
    origem = models.CharField(max_length=12, choices=OrigemContato)
    confirmado_em = models.DateTimeField(null=True, blank=True)
    vinculado_em = models.DateTimeField(null=True, blank=True)
    vinculado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verificacao = models.CharField("verificação de identidade", max_length=200, blank=True)
    encerrado_em = models.DateTimeField(null=True, blank=True)
    criado_em = models.DateTimeField(default=relogio.agora, editable=False)

    objects = ContatoQuerySet.as_manager()

    class Meta:
        verbose_name = "contato"
        ordering = ["criado_em", "pk"]
        constraints = [
            models.CheckConstraint(condition=_em("tipo", TipoContato.choices), name="contato_tipo_valido"),
            models.CheckConstraint(condition=_em("origem", OrigemContato.choices), name="contato_origem_valida"),
            models.CheckConstraint(
                condition=Q(protocolo__isnull=False) | Q(consumidor__isnull=False), name="contato_de_alguem"
            ),
            # Bound means bound after a recorded identity check, and nothing else.
            models.CheckConstraint(
                condition=Q(consumidor__isnull=True, vinculado_em__isnull=True)
                | (Q(consumidor__isnull=False, vinculado_em__isnull=False) & ~Q(verificacao="")),
                name="contato_vinculo_com_verificacao",
            ),
        ]
        indexes = [
            models.Index(
                fields=["consumidor", "tipo"],
                condition=Q(consumidor__isnull=False, encerrado_em__isnull=True),
                name="contato_vinculado_aberto",
            ),
            # The back-office search by telephone or e-mail: an exact match on the stored value.
            models.Index(fields=["valor"], name="contato_valor"),
        ]

    def __str__(self):
        return f"{self.get_tipo_display()} {self.valor}"

    def delete(self, *args, **kwargs):
        raise RegistroImutavel("Contatos não são excluídos: encerre o contato (a história fica).")

    @property
    def vinculado(self):
        return self.consumidor_id is not None and self.encerrado_em is None

    @property
    def confirmado(self):
        return self.confirmado_em is not None


class PedidoDeRecuperacao(models.Model):
    """A recovery by CPF asked on the portal. The page only writes this row; whatever depends on
    the CPF existing (the lookup, the messages) runs later in `enviar_mensagens`, which then
    clears the CPF."""

    cpf = models.CharField("CPF", max_length=11, blank=True)
    pedido_em = models.DateTimeField(default=relogio.agora, editable=False)
    processado_em = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "pedido de recuperação"
        verbose_name_plural = "pedidos de recuperação"
        indexes = [
            models.Index(fields=["pedido_em"], condition=Q(processado_em__isnull=True), name="recuperacao_pendente"),
        ]

    def __str__(self):
        return f"Pedido de recuperação {self.pk}"


class OrigemEscolha(models.TextChoices):
    PALAVRA_CHAVE = "palavra_chave", "palavra-chave enviada pelo consumidor (SAIR)"
    PORTAL = "portal", "portal do consumidor"
    ATENDIMENTO = "atendimento", "pedido ao atendimento"


class EscolhaDeCanal(models.Model):
    """A consumer's choice about one channel for one telephone: stop (aceita False, the keyword SAIR
    or the portal) or receive again. Append-only, so the record shows when each choice was made
    (LGPD art. 8 §5 and 18); the newest row for a telephone and channel is the one in force, and
    no message of any kind overrides a refusal (docs/dominio.md, "Canais das mensagens")."""

    Origem = OrigemEscolha

    telefone = models.CharField(max_length=20)
    canal = models.CharField(max_length=10, choices=CanalMensagem)
    aceita = models.BooleanField()
    origem = models.CharField(max_length=15, choices=OrigemEscolha)
    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    em = models.DateTimeField(default=relogio.agora, editable=False)

    class Meta:
        verbose_name = "escolha de canal"
        verbose_name_plural = "escolhas de canal"
        ordering = ["-em", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(canal__in=["sms", "whatsapp"]), name="escolha_canal_de_telefone"),
            models.CheckConstraint(condition=_em("origem", OrigemEscolha.choices), name="escolha_origem_valida"),
        ]
        indexes = [
            # The one read before every message to a telephone: the newest choice for it.
            models.Index(fields=["telefone", "canal", "-em", "-id"], name="escolha_vigente"),
        ]

    def __str__(self):
        return f"{self.get_canal_display()} {self.telefone}: {'aceita' if self.aceita else 'recusada'}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise RegistroImutavel("Escolhas de canal são só de acréscimo: registre uma nova.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RegistroImutavel("Escolhas de canal são só de acréscimo: registre uma nova.")


class ResultadoRecebida(models.TextChoices):
    ANEXADA = "anexada", "anexada ao protocolo"
    ABERTURA = "abertura", "abriu um protocolo"
    SAIR = "sair", "pedido para parar (SAIR)"
    RECUSADA = "recusada", "recusada (protocolo fora do alcance do telefone)"
    LIMITE = "limite", "acima do limite do remetente"
    # A kind the portal does not read (an image, an audio, a location) or an SMS without a protocol
    # number: answered with where to write instead, and nothing else.
    IGNORADA = "ignorada", "não tratada (sem texto, ou SMS sem número de protocolo)"


class MensagemRecebida(models.Model):
    """A message a consumer sent to the company's SMS or WhatsApp number, as the provider delivered
    it (docs/operacao.md, "Mensagens recebidas"). One row per provider's message id, so a call the
    provider repeats is recognised; the telephone's newest WhatsApp row opens Meta's 24-hour window
    for free text."""

    Resultado = ResultadoRecebida

    canal = models.CharField(max_length=10, choices=CanalMensagem)
    provedor = models.CharField(max_length=20)
    id_no_provedor = models.CharField("id no provedor", max_length=200)
    telefone = models.CharField(max_length=20)
    texto = models.TextField(blank=True)
    recebida_em = models.DateTimeField(default=relogio.agora, editable=False)
    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resultado = models.CharField(max_length=10, choices=ResultadoRecebida, blank=True)

    class Meta:
        verbose_name = "mensagem recebida"
        verbose_name_plural = "mensagens recebidas"
        ordering = ["-recebida_em"]
        constraints = [
            models.UniqueConstraint(fields=["provedor", "id_no_provedor"], name="recebida_uma_vez"),
            models.CheckConstraint(condition=Q(canal__in=["sms", "whatsapp"]), name="recebida_canal_de_telefone"),
        ]
        indexes = [
            # The 24-hour window and the limit per sender: a telephone's newest messages.
            models.Index(fields=["telefone", "canal", "-recebida_em"], name="recebida_por_telefone"),
        ]

    def __str__(self):
        return f"{self.get_canal_display()} de {self.telefone} ({self.recebida_em:%d/%m/%Y %H:%M})"


class FimDoCodigo(models.TextChoices):
    USADO = "usado", "confirmou o telefone"
    TENTATIVAS = "tentativas", "tentativas esgotadas"
    SUBSTITUIDO = "substituido", "substituído por um código novo"


class CodigoDeConfirmacao(models.Model):
    """A one-time code sent to a telephone typed on the portal, which its owner types back on the
    protocol's page (docs/seguranca.md, "Confirmação por código"). The code itself is stored
    nowhere: it is derived from `semente` with the secret key (protocolo/codigos.py), put into the
    message only on its way to the provider, and checked by deriving it again. Valid until
    `expira_em`, for a few wrong tries; it then ends (`encerrado_em`, `fim`) and a new one is asked."""

    Fim = FimDoCodigo

    contato = models.ForeignKey(Contato, on_delete=models.PROTECT, related_name="codigos")
    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, related_name="+")
    # The contact's value when sent (E.164): the limit per telephone counts across protocols.
    telefone = models.CharField(max_length=20)
    semente = models.CharField(max_length=64, editable=False)
    # The outbox row that carries it (the outbox is not the record: anonymisation deletes it).
    mensagem = models.OneToOneField(
        Mensagem, on_delete=models.SET_NULL, null=True, blank=True, related_name="codigo", editable=False
    )
    criado_em = models.DateTimeField(default=relogio.agora, editable=False)
    expira_em = models.DateTimeField()
    tentativas = models.PositiveSmallIntegerField(default=0)
    encerrado_em = models.DateTimeField(null=True, blank=True)
    fim = models.CharField(max_length=12, choices=FimDoCodigo, blank=True)

    class Meta:
        verbose_name = "código de confirmação"
        verbose_name_plural = "códigos de confirmação"
        constraints = [
            models.CheckConstraint(condition=Q(fim="") | _em("fim", FimDoCodigo.choices), name="codigo_fim_valido"),
        ]
        indexes = [
            # The limit per telephone: the codes sent to it in the last hour.
            models.Index(fields=["telefone", "criado_em"], name="codigo_por_telefone"),
            # The protocol page: the live code of each of its telephones.
            models.Index(fields=["contato", "-criado_em"], name="codigo_do_contato"),
        ]

    def __str__(self):
        return f"Código de confirmação {self.pk}"

    @property
    def vivo(self):
        return self.encerrado_em is None and self.expira_em > relogio.agora()
