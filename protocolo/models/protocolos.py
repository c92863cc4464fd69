"""
The protocol, the moves its situação allows, who works each nível, and its append-only timeline
with the record of who read personal data.
"""

import datetime

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from .. import dados_iniciais, numeracao, prazos, relogio
from ..exceptions import RegistroImutavel
from .cadastro import Categoria, Consumidor, _em


class Canal(models.TextChoices):
    TELEFONE = "telefone", "telefone"
    CHAT = "chat", "chat"
    EMAIL = "email", "e-mail"
    PRESENCIAL = "presencial", "presencial"
    WHATSAPP = "whatsapp", "WhatsApp"
    PORTAL = "portal", "portal do consumidor"


class CanalPreferido(models.TextChoices):
    """How the consumer asked to be told (docs/dominio.md, "Canais das mensagens"); the values are
    Mensagem's channels."""

    EMAIL = "email", "e-mail"
    WHATSAPP = "whatsapp", "WhatsApp"
    SMS = "sms", "SMS"


class Situacao(models.TextChoices):
    ABERTO = "aberto", "aberto"
    EM_ATENDIMENTO = "em_atendimento", "em atendimento"
    AGUARDANDO_CONSUMIDOR = "aguardando_consumidor", "aguardando o consumidor"
    RESOLVIDO = "resolvido", "resolvido"
    ENCERRADO = "encerrado", "encerrado"
    CANCELADO = "cancelado", "cancelado"
    # A contact that ended before any demand was recorded (a call that dropped): closed by whoever
    # opened it, on the opening day; the number stays accounted for (docs/dominio.md §4).
    SEM_DEMANDA = "sem_demanda", "encerrado sem demanda"


FINAIS = frozenset({Situacao.ENCERRADO, Situacao.CANCELADO, Situacao.SEM_DEMANDA})
# Ended without a demand to answer: left out of the compliance figures (the dashboard, /indicadores/),
# as duplicates are; their numbers stay accounted for.
SEM_RESPOSTA_DEVIDA = (Situacao.CANCELADO, Situacao.SEM_DEMANDA)
EM_ABERTO = tuple(s for s in Situacao if s not in FINAIS)
# What still needs the team: a resolved protocol only waits for the consumer's confirmation (or the
# 20 days), so it is neither in the default queue nor overdue.
PENDENTES = (Situacao.ABERTO, Situacao.EM_ATENDIMENTO, Situacao.AGUARDANDO_CONSUMIDOR)

# Every move the record allows, and the one action that makes it (docs/dominio.md §4). Anything else is
# refused. "mudar" marks the moves an attendant may make by just choosing the new situação.
TRANSICOES = {
    (Situacao.ABERTO, Situacao.EM_ATENDIMENTO): "mudar",
    (Situacao.ABERTO, Situacao.AGUARDANDO_CONSUMIDOR): "mudar",
    (Situacao.ABERTO, Situacao.RESOLVIDO): "resolver",
    (Situacao.EM_ATENDIMENTO, Situacao.AGUARDANDO_CONSUMIDOR): "mudar",
    (Situacao.AGUARDANDO_CONSUMIDOR, Situacao.EM_ATENDIMENTO): "mudar",
    (Situacao.EM_ATENDIMENTO, Situacao.RESOLVIDO): "resolver",
    (Situacao.AGUARDANDO_CONSUMIDOR, Situacao.RESOLVIDO): "resolver",
    (Situacao.RESOLVIDO, Situacao.ENCERRADO): "encerrar",
    (Situacao.RESOLVIDO, Situacao.EM_ATENDIMENTO): "reabrir",
    (Situacao.ABERTO, Situacao.ENCERRADO): "duplicar",
    (Situacao.EM_ATENDIMENTO, Situacao.ENCERRADO): "duplicar",
    (Situacao.AGUARDANDO_CONSUMIDOR, Situacao.ENCERRADO): "duplicar",
    (Situacao.ABERTO, Situacao.SEM_DEMANDA): "encerrar_sem_demanda",
    **{(s, Situacao.CANCELADO): "cancelar" for s in EM_ABERTO},
}

NIVEL_MAXIMO = 3
# Who works each nível, as the consumer is told (docs/dominio.md §4): every text that names where a
# protocol went reads it from here, so the words and the nível shown never disagree.
EQUIPE_DO_NIVEL = {1: "atendimento", 2: "supervisão", 3: "ouvidoria"}
# The groups that work each nível (docs/dominio.md §5). A protocol is worked by its nível's groups
# or by whoever is responsible for it; escalation hands it to the next nível's queue with nobody
# responsible. Supervisors oversee the first nível too; the ouvidoria, the last instance, answers
# to no other team.
GRUPOS_DO_NIVEL = {
    1: (dados_iniciais.ATENDENTES, dados_iniciais.SUPERVISORES),
    2: (dados_iniciais.SUPERVISORES,),
    3: (dados_iniciais.OUVIDORIA,),
}
# An integrated system (the telephone menu, a chatbot) serves the first nível, where it opens.
NIVEIS_DE_SISTEMA = frozenset({1})


def _sistemas():
    # Defined with the integration models, which import this module.
    from .integracao import SistemaIntegrado

    return SistemaIntegrado


def niveis_servidos(usuario):
    """The níveis whose queue `usuario` works (GRUPOS_DO_NIVEL), read once per user object."""
    if not getattr(usuario, "is_authenticated", False) or not usuario.is_active:
        return frozenset()
    if not hasattr(usuario, "_niveis_servidos"):
        if usuario.is_superuser:
            niveis = frozenset(GRUPOS_DO_NIVEL)
        else:
            grupos = set(usuario.groups.values_list("name", flat=True))
            niveis = frozenset(n for n, nomes in GRUPOS_DO_NIVEL.items() if grupos.intersection(nomes))
            if not niveis and _sistemas().objects.filter(usuario=usuario).exists():
                niveis = NIVEIS_DE_SISTEMA
        usuario._niveis_servidos = niveis
    return usuario._niveis_servidos


# How long the consumer may dispute a resolution before it is closed (docs/dominio.md §4).
PRAZO_CONTESTACAO = datetime.timedelta(days=20)


class ProtocoloQuerySet(models.QuerySet):
    def delete(self):
        raise RegistroImutavel("Protocolos não podem ser excluídos: o número fica registrado para sempre.")

    def em_aberto(self):
        return self.filter(situacao__in=EM_ABERTO)

    def pendentes(self):
        """Still waiting for an answer from the company."""
        return self.filter(situacao__in=PENDENTES)

    def pendentes_com_prazo(self, estado, hoje):
        """Still waiting for an answer, with the deadline in `estado` on `hoje` (prazos.situacao)."""
        return self.pendentes().filter(prazos.condicao(estado, hoje))

    def vencidos(self, hoje):
        """Still waiting for an answer after the last day to give it: the one meaning of "overdue"
        for the queue's counter, the dashboard, the admin filter and the periodic escalation
        (served by the partial index protocolo_fila_prazo)."""
        return self.pendentes_com_prazo("vencido", hoje)


class Protocolo(models.Model):
    class Nivel(models.IntegerChoices):
        ATENDIMENTO = 1, "1 · atendimento"
        SUPERVISAO = 2, "2 · supervisão"
        OUVIDORIA = 3, "3 · ouvidoria"

    numero = models.CharField("número", max_length=32, unique=True, editable=False)
    consumidor = models.ForeignKey(
        Consumidor, on_delete=models.PROTECT, null=True, blank=True, related_name="protocolos"
    )
    canal = models.CharField(max_length=12, choices=Canal)
    categoria = models.ForeignKey(Categoria, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    objeto = models.TextField("objeto da demanda", blank=True)
    situacao = models.CharField("situação", max_length=24, choices=Situacao, default=Situacao.ABERTO)
    nivel = models.PositiveSmallIntegerField("nível", choices=Nivel, default=Nivel.ATENDIMENTO)
    responsavel = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protocolos_sob_responsabilidade",
        verbose_name="responsável",
    )
    aberto_em = models.DateTimeField("aberto em", default=relogio.agora, editable=False)
    prazo = models.DateField(null=True, blank=True, help_text="Último dia para responder, até 23h59.")
    resolvido_em = models.DateTimeField(null=True, blank=True)
    encerrado_em = models.DateTimeField(
        null=True, blank=True, help_text="Quando chegou a uma situação final (encerrado, cancelado ou sem demanda)."
    )
    duplicado_de = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicados")
    # The deadline for which the periodic job already escalated, so it escalates once per deadline.
    escalado_no_prazo = models.DateField(null=True, blank=True, editable=False)
    avaliacao = models.PositiveSmallIntegerField("avaliação", null=True, blank=True)
    # Denormalised from the timeline so the queue can mark "the consumer wrote since our last
    # answer" without a subquery per row.
    consumidor_escreveu_em = models.DateTimeField(null=True, blank=True, editable=False)
    atendente_escreveu_em = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped by every change of situação, nível, responsável, prazo, categoria or consumidor, so a
    # form made on an older version is refused instead of silently undoing someone's change.
    versao = models.PositiveIntegerField("versão", default=1, editable=False)
    # The one-time key of the portal form that opened it: a resubmission whose first answer was
    # lost (a connection reset after the commit) returns this protocol instead of opening another.
    # NULL, not "", where there is none: the unique index leaves those rows out, and rows written
    # without the column (COPY) need no default.
    chave_de_abertura = models.CharField(max_length=32, null=True, blank=True, editable=False)  # noqa: DJ001
    # The channel the consumer asked for, first among those that may reach this protocol; empty:
    # none stated (protocolo/canais.py orders them). db_default: rows written by COPY get it too.
    canal_preferido = models.CharField(
        "canal preferido", max_length=10, choices=CanalPreferido, blank=True, default="", db_default=""
    )

    objects = ProtocoloQuerySet.as_manager()

    class Meta:
        verbose_name = "protocolo"
        ordering = ["-aberto_em"]
        permissions = [
            ("atender_protocolo", "Pode atender protocolos (retaguarda)"),
            ("escalar_protocolo", "Pode escalar protocolos"),
            ("atribuir_protocolo", "Pode atribuir protocolos a outros atendentes"),
            ("cancelar_protocolo", "Pode cancelar protocolos"),
            ("prorrogar_prazo", "Pode prorrogar o prazo de protocolos"),
            ("exportar_protocolos", "Pode exportar protocolos"),
            ("ver_cpf", "Pode ver o CPF completo"),
        ]
        constraints = [
            # Serves the resubmission's lookup by key; only portal openings carry one.
            models.UniqueConstraint(
                fields=["chave_de_abertura"],
                condition=Q(chave_de_abertura__isnull=False),
                name="protocolo_chave_de_abertura_unica",
            ),
            models.CheckConstraint(condition=_em("canal", Canal.choices), name="protocolo_canal_valido"),
            models.CheckConstraint(condition=_em("situacao", Situacao.choices), name="protocolo_situacao_valida"),
            models.CheckConstraint(condition=Q(nivel__gte=1, nivel__lte=NIVEL_MAXIMO), name="protocolo_nivel_valido"),
            models.CheckConstraint(
                condition=Q(avaliacao__isnull=True) | Q(avaliacao__gte=1, avaliacao__lte=5),
                name="protocolo_avaliacao_1_a_5",
            ),
            models.CheckConstraint(condition=Q(numero__regex=r"^[0-9]+$"), name="protocolo_numero_so_digitos"),
            models.CheckConstraint(
                condition=Q(canal_preferido="") | _em("canal_preferido", CanalPreferido.choices),
                name="protocolo_canal_preferido_valido",
            ),
            models.CheckConstraint(
                condition=Q(duplicado_de__isnull=True) | ~Q(duplicado_de=models.F("pk")),
                name="protocolo_nao_duplica_a_si",
            ),
        ]
        indexes = [
            # Back-office queue: open protocols sorted by deadline, the painel's default view. The
            # dashboard's overdue counts by categoria and by responsável read only this index.
            models.Index(
                fields=["prazo", "id"],
                include=["categoria", "responsavel"],
                condition=Q(situacao__in=PENDENTES),
                name="protocolo_fila_prazo",
            ),
            # "Meus" and "sem responsável" in the painel: an attendant's open protocols by deadline,
            # in the queue's order (prazo, id), so a page is read from the index without a sort.
            models.Index(
                fields=["responsavel", "prazo", "id"],
                condition=Q(situacao__in=PENDENTES),
                name="protocolo_fila_responsavel",
            ),
            # "Sem responsável" in the painel, in the queue's order: IS NULL is no equality, so the
            # index above cannot return these rows sorted by (prazo, id).
            models.Index(
                fields=["prazo", "id"],
                condition=Q(situacao__in=PENDENTES, responsavel__isnull=True),
                name="protocolo_fila_sem_responsavel",
            ),
            # Open protocols newest or oldest first: the painel's other orders and the admin's list
            # (ordered by -aberto_em, -id) filtered to the pending ones.
            models.Index(
                fields=["aberto_em", "id"], condition=Q(situacao__in=PENDENTES), name="protocolo_fila_recentes"
            ),
            # Resolved protocols by deadline (the painel's "resolvido" filter): few among a million.
            models.Index(
                fields=["prazo", "id"], condition=Q(situacao=Situacao.RESOLVIDO), name="protocolo_fila_resolvidos"
            ),
            # Period filters, opened-per-day charts and the daily numbering checks.
            models.Index(fields=["aberto_em"], name="protocolo_aberto_em"),
            # The dashboard's open protocols by situação and nível, counted from the index alone.
            models.Index(fields=["situacao", "nivel"], condition=Q(situacao__in=EM_ABERTO), name="protocolo_em_aberto"),
            # Escalation queue: nível 2 and 3 still open, oldest first.
            models.Index(
                fields=["aberto_em"],
                condition=Q(nivel__gt=1, situacao__in=EM_ABERTO),
                name="protocolo_fila_escalados",
            ),
            # Periodic closing of resolved protocols after 20 days without dispute, and the
            # dashboard's time to resolution over the last 30 days (from the index alone).
            models.Index(fields=["resolvido_em"], include=["aberto_em"], name="protocolo_resolvido_em"),
            # The dashboard's deadline compliance (protocols whose prazo ended in the last 7/30 days,
            # from the index alone) and every list sorted by prazo.
            models.Index(
                fields=["prazo", "id"], include=["resolvido_em", "situacao", "duplicado_de"], name="protocolo_prazo"
            ),
            # The dashboard's ratings over the last 90 days (from the index alone) and the retention
            # purge (protocols that ended long ago).
            models.Index(fields=["encerrado_em"], include=["avaliacao"], name="protocolo_encerrado_em"),
        ]
        triggers = [
            pgtrigger.Protect(name="protocolo_sem_exclusao", operation=pgtrigger.Delete),
        ]

    def __str__(self):
        return self.numero_formatado

    def delete(self, *args, **kwargs):
        raise RegistroImutavel("Protocolos não podem ser excluídos: o número fica registrado para sempre.")

    @property
    def numero_formatado(self):
        return numeracao.formatar(self.numero)

    @property
    def finalizado(self):
        return self.situacao in FINAIS

    @property
    def situacao_do_prazo(self):
        return prazos.situacao(self.prazo, relogio.hoje())

    @property
    def dias_para_o_prazo(self):
        """Days left (negative once overdue), or None without a prazo."""
        return None if self.prazo is None else (self.prazo - relogio.hoje()).days

    @property
    def consumidor_aguarda(self):
        """Whether the consumer wrote after the team's last entry (the queue's mark)."""
        escreveu, respondido = self.consumidor_escreveu_em, self.atendente_escreveu_em
        return escreveu is not None and (respondido is None or escreveu > respondido)

    @property
    def dentro_da_contestacao(self):
        """Whether the consumer may still dispute the last resolution."""
        return self.resolvido_em is not None and relogio.agora() - self.resolvido_em <= PRAZO_CONTESTACAO

    def acao_para(self, situacao):
        return TRANSICOES.get((self.situacao, situacao))

    def trabalhado_por(self, usuario):
        """Whether `usuario` may work this protocol now: its nível's team, or its responsável."""
        return (self.responsavel_id is not None and self.responsavel_id == usuario.pk) or (
            self.nivel in niveis_servidos(usuario)
        )

    def situacoes_possiveis(self, acao="mudar"):
        """The situações this protocol may move to by `acao` (the back-office offers these)."""
        return [para for (de, para), a in TRANSICOES.items() if de == self.situacao and a == acao]


class TipoInteracao(models.TextChoices):
    ABERTURA = "abertura", "abertura"
    IDENTIFICACAO = "identificacao", "identificação do consumidor"
    CATEGORIZACAO = "categorizacao", "categoria"
    OBJETO = "objeto", "registro da demanda"
    MENSAGEM = "mensagem", "resposta ao consumidor"
    MENSAGEM_CONSUMIDOR = "mensagem_consumidor", "mensagem do consumidor"
    NOTA_INTERNA = "nota_interna", "nota interna"
    SITUACAO = "situacao", "mudança de situação"
    ATRIBUICAO = "atribuicao", "atribuição"
    ESCALONAMENTO = "escalonamento", "escalonamento"
    RESOLUCAO = "resolucao", "resolução"
    REABERTURA = "reabertura", "reabertura"
    ENCERRAMENTO = "encerramento", "encerramento"
    CANCELAMENTO = "cancelamento", "cancelamento"
    SEM_DEMANDA = "sem_demanda", "encerramento sem demanda"
    DUPLICIDADE = "duplicidade", "duplicidade"
    PRORROGACAO = "prorrogacao", "prorrogação de prazo"
    ENVIO_NUMERO = "envio_numero", "envio do número"
    CONFIRMACAO_CONTATO = "confirmacao_contato", "confirmação de contato"
    VINCULACAO_CONTATO = "vinculacao_contato", "vínculo de contato ao consumidor"
    ANONIMIZACAO = "anonimizacao", "anonimização (LGPD)"
    CANAIS = "canais", "canais das mensagens"
    NAO_NOTIFICADO = "nao_notificado", "aviso obrigatório não entregue"
    REMOCAO_ANEXO = "remocao_anexo", "remoção de anexo por ordem judicial"


class Origem(models.TextChoices):
    ATENDENTE = "atendente", "atendente"
    CONSUMIDOR = "consumidor", "consumidor"
    SISTEMA = "sistema", "sistema"


class SomenteAcrescimoQuerySet(models.QuerySet):
    """Bulk paths (the admin's delete_selected, queryset.update) skip model methods: refuse here too."""

    def update(self, **kwargs):
        raise RegistroImutavel("O histórico é somente de acréscimo: registre uma nova interação.")

    def delete(self):
        raise RegistroImutavel("O histórico é somente de acréscimo: nada pode ser excluído.")


class InteracaoQuerySet(SomenteAcrescimoQuerySet):
    def publicas(self):
        return self.filter(publica=True)


class Interacao(models.Model):
    """One entry of a protocol's timeline, chained to the previous one by an HMAC (docs/dominio.md §1)."""

    Tipo = TipoInteracao
    Origem = Origem

    # No index of its own: interacao_ordem_unica (protocolo, ordem) serves every lookup by protocol,
    # already in order, and a second index would cost every append a write and ~15 bytes per entry.
    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, related_name="interacoes", db_index=False)
    ordem = models.PositiveIntegerField(editable=False)
    tipo = models.CharField(max_length=24, choices=Tipo)
    origem = models.CharField(max_length=12, choices=Origem)
    publica = models.BooleanField("pública", default=False)
    texto = models.TextField(blank=True)
    autor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    criada_em = models.DateTimeField(default=relogio.agora, editable=False)
    situacao_anterior = models.CharField(max_length=24, choices=Situacao, blank=True)
    situacao_nova = models.CharField(max_length=24, choices=Situacao, blank=True)
    nivel_anterior = models.PositiveSmallIntegerField(null=True, blank=True)
    nivel_novo = models.PositiveSmallIntegerField(null=True, blank=True)
    detalhes = models.JSONField(default=dict, blank=True)
    chave_versao = models.PositiveSmallIntegerField(editable=False)
    mac = models.CharField(max_length=64, editable=False)

    objects = InteracaoQuerySet.as_manager()

    class Meta:
        verbose_name = "interação"
        verbose_name_plural = "interações"
        ordering = ["protocolo", "ordem"]
        constraints = [
            # Serves the timeline (protocolo_id, ordem) and the chain head (the same, descending),
            # and makes two concurrent appends of the same position impossible.
            models.UniqueConstraint(fields=["protocolo", "ordem"], name="interacao_ordem_unica"),
            models.CheckConstraint(condition=_em("tipo", TipoInteracao.choices), name="interacao_tipo_valido"),
            models.CheckConstraint(condition=_em("origem", Origem.choices), name="interacao_origem_valida"),
        ]
        indexes = [
            # The dashboard's reopenings in a period (indicadores.resolucao_no_periodo): one probe per
            # resolved protocol into the few reopening entries, not into its whole timeline.
            models.Index(fields=["protocolo"], condition=Q(tipo=TipoInteracao.REABERTURA), name="interacao_reabertura"),
        ]
        triggers = [
            pgtrigger.Protect(name="interacao_somente_acrescimo", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.protocolo_id} #{self.ordem} {self.get_tipo_display()}"

    def save(self, *args, **kwargs):
        # A new instance carrying an existing pk would make Django UPDATE that row: refused too.
        if not self._state.adding or self.pk is not None:
            raise RegistroImutavel("O histórico é somente de acréscimo: registre uma nova interação.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RegistroImutavel("O histórico é somente de acréscimo: nada pode ser excluído.")


class Anexo(models.Model):
    """A file that is part of one timeline entry (docs/anexos.md). The entry's `detalhes["anexos"]`
    is the record the chain seals (name, type, size, SHA-256, what was done to it); this row is
    where the bytes are and whether they are still there. Its `posicao` is the file's place, from
    1, in that list."""

    class Remocao(models.TextChoices):
        ANONIMIZACAO = "anonimizacao", "anonimização (LGPD)"
        ORDEM_JUDICIAL = "ordem_judicial", "ordem judicial"

    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, related_name="anexos")
    interacao = models.ForeignKey(Interacao, on_delete=models.PROTECT, related_name="anexos")
    posicao = models.PositiveSmallIntegerField("posição")
    publica = models.BooleanField("pública", default=False)
    nome = models.CharField(max_length=120)
    tipo = models.CharField(max_length=40)
    tamanho = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    sha256_original = models.CharField("SHA-256 do arquivo recebido", max_length=64)
    tamanho_original = models.PositiveBigIntegerField("tamanho do arquivo recebido")
    chave = models.CharField("chave no armazenamento", max_length=200)
    criado_em = models.DateTimeField(default=relogio.agora, editable=False)
    removido_em = models.DateTimeField(null=True, blank=True)
    remocao = models.CharField("motivo da remoção", max_length=16, choices=Remocao, blank=True)

    class Meta:
        verbose_name = "anexo"
        verbose_name_plural = "anexos"
        ordering = ["interacao", "posicao"]
        permissions = [("remover_anexo", "Pode remover anexos por ordem judicial")]
        constraints = [
            models.UniqueConstraint(fields=["interacao", "posicao"], name="anexo_posicao_unica"),
        ]
        indexes = [models.Index(fields=["protocolo", "chave"], name="anexo_protocolo_chave")]

    def __str__(self):
        return self.nome

    @property
    def removido(self):
        return self.removido_em is not None


class AcessoDadoPessoal(models.Model):
    """Who saw or exported a consumer's personal data, and when (LGPD art. 37)."""

    class Tipo(models.TextChoices):
        VER_CPF = "ver_cpf", "CPF exibido por completo"
        EXPORTAR = "exportar", "exportação dos dados do titular"
        API = "api", "leitura por um sistema integrado (API)"

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    consumidor = models.ForeignKey(Consumidor, on_delete=models.PROTECT, related_name="acessos")
    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    tipo = models.CharField(max_length=10, choices=Tipo)
    em = models.DateTimeField(default=relogio.agora, editable=False)

    objects = SomenteAcrescimoQuerySet.as_manager()

    class Meta:
        verbose_name = "acesso a dado pessoal"
        verbose_name_plural = "acessos a dados pessoais"
        ordering = ["-em"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tipo__in=["ver_cpf", "exportar", "api"]), name="acessodadopessoal_tipo_valido"
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="acesso_somente_acrescimo", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.usuario} · {self.get_tipo_display()} · {self.em:%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise RegistroImutavel("O registro de acessos é somente de acréscimo.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RegistroImutavel("O registro de acessos é somente de acréscimo.")
