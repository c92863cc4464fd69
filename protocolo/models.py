import base64
import datetime
import secrets

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from stdnum.br import cpf as stdnum_cpf

from . import dados_iniciais, numeracao, prazos, relogio
from .exceptions import RegistroImutavel
from .validators import validar_cpf


def _em(campo, escolhas):
    return Q(**{f"{campo}__in": [valor for valor, _ in escolhas]})


class Consumidor(models.Model):
    # NULL, not "": several anonymised or not yet identified consumers have no CPF, and NULLs
    # never collide under the unique constraint.
    cpf = models.CharField("CPF", max_length=11, null=True, blank=True, unique=True, validators=[validar_cpf])
    nome = models.CharField(max_length=200, blank=True)
    # No e-mail or telephone here: a contact is a Contato, scoped to the protocol it was typed for
    # or bound to this consumer after an identity check (docs/seguranca.md, "Contatos").
    criado_em = models.DateTimeField(default=relogio.agora)
    anonimizado_em = models.DateTimeField(null=True, blank=True)
    retencao_suspensa = models.BooleanField(
        "guarda legal", default=False, help_text="Impede a anonimização (processo, ordem judicial)."
    )
    motivo_retencao = models.TextField("motivo da guarda legal", blank=True)

    class Meta:
        verbose_name = "consumidor"
        verbose_name_plural = "consumidores"
        constraints = [
            models.CheckConstraint(
                condition=Q(cpf__isnull=True) | Q(cpf__regex=r"^[0-9]{11}$"), name="consumidor_cpf_11_digitos"
            ),
        ]

    def __str__(self):
        return self.nome or self.cpf_mascarado or f"Consumidor {self.pk}"

    @property
    def cpf_mascarado(self):
        return mascarar_cpf(self.cpf)


def mascarar_cpf(cpf):
    """***.456.789-** : enough for the consumer to recognise it, too little to reuse it."""
    if not cpf:
        return ""
    return f"***.{cpf[3:6]}.{cpf[6:9]}-**"


def nome_de(usuario):
    """How the team and the record name a user: the full name, else the username; "" for nobody."""
    return (usuario.get_full_name() or usuario.get_username()) if usuario else ""


def formatar_cpf(cpf):
    return stdnum_cpf.format(cpf) if cpf else ""


class TipoPrazo(models.TextChoices):
    CORRIDOS = "corridos", "dias corridos"
    UTEIS = "uteis", "dias úteis"
    IMEDIATO = "imediato", "imediato (no mesmo dia)"


class Calendario(models.TextChoices):
    CIVIL = "civil", "civil: feriados nacionais e estaduais"
    B3 = "b3", "B3 (bolsa): fecha também no Carnaval, Corpus Christi, 24 e 31/12"
    BANCARIO = "bancario", "bancário (Res. CMN 4.880/2020): feriados nacionais e Carnaval"


class Categoria(models.Model):
    TipoPrazo = TipoPrazo
    Calendario = Calendario

    codigo = models.SlugField("código", max_length=40, unique=True)
    nome = models.CharField(max_length=100)
    prazo_dias = models.PositiveSmallIntegerField("prazo (dias)", default=7)
    tipo_prazo = models.CharField("tipo de prazo", max_length=10, choices=TipoPrazo, default=TipoPrazo.CORRIDOS)
    calendario = models.CharField(
        "calendário",
        max_length=10,
        choices=Calendario,
        default=Calendario.CIVIL,
        help_text="Ouvidoria de banco (Res. CMN 4.860): bancário. Feriados municipais (na cidade de São "
        "Paulo, 25 de janeiro e Corpus Christi) não estão em nenhum calendário: cadastre-os em "
        "Feriados locais; os dados de demonstração não trazem nenhum.",
    )
    ativa = models.BooleanField(default=True)

    class Meta:
        verbose_name = "categoria"
        ordering = ["nome"]
        constraints = [
            models.CheckConstraint(condition=_em("tipo_prazo", TipoPrazo.choices), name="categoria_tipo_prazo_valido"),
            models.CheckConstraint(condition=_em("calendario", Calendario.choices), name="categoria_calendario_valido"),
        ]

    def __str__(self):
        return self.nome

    def descricao_prazo(self):
        if self.tipo_prazo == self.TipoPrazo.IMEDIATO:
            return "imediato"
        return f"{self.prazo_dias} {self.get_tipo_prazo_display()}"


class Feriado(models.Model):
    """Local non-business days supervisors add: municipal holidays, company closures."""

    data = models.DateField(
        unique=True,
        help_text="Vale para todos os calendários. Os feriados municipais só entram por aqui (na cidade "
        "de São Paulo: 25 de janeiro, aniversário da cidade, e Corpus Christi); os dados de "
        "demonstração não trazem nenhum.",
    )
    descricao = models.CharField("descrição", max_length=100)

    class Meta:
        verbose_name = "feriado local"
        verbose_name_plural = "feriados locais"
        ordering = ["-data"]

    def __str__(self):
        return f"{self.data:%d/%m/%Y} — {self.descricao}"


class Canal(models.TextChoices):
    TELEFONE = "telefone", "telefone"
    CHAT = "chat", "chat"
    EMAIL = "email", "e-mail"
    PRESENCIAL = "presencial", "presencial"
    WHATSAPP = "whatsapp", "WhatsApp"
    PORTAL = "portal", "portal do consumidor"


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
            if not niveis and SistemaIntegrado.objects.filter(usuario=usuario).exists():
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

    protocolo = models.ForeignKey(Protocolo, on_delete=models.PROTECT, related_name="interacoes")
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


class CanalMensagem(models.TextChoices):
    EMAIL = "email", "e-mail"
    SMS = "sms", "SMS"


class Mensagem(models.Model):
    """The outbox: every message to a consumer, written in the transaction that causes it."""

    Canal = CanalMensagem

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

    class Meta:
        verbose_name = "mensagem"
        verbose_name_plural = "caixa de saída"
        ordering = ["-criada_em"]
        constraints = [
            models.CheckConstraint(condition=_em("canal", CanalMensagem.choices), name="mensagem_canal_valido"),
        ]
        indexes = [
            # The delivery command: pending messages whose next attempt is due.
            models.Index(
                fields=["proxima_tentativa_em"],
                condition=Q(enviada_em__isnull=True, aguarda_confirmacao=False),
                name="mensagem_pendente",
            ),
        ]

    def __str__(self):
        return f"{self.assunto} → {self.destinatario}"

    @property
    def enviada(self):
        return self.enviada_em is not None


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


class RespostaPronta(models.Model):
    """A canned answer supervisors keep in the admin, for one categoria or for all (categoria
    empty). Its placeholders (respostas.MARCADORES) are replaced by plain substitution when an
    attendant picks it; the attendant edits the result before sending. Every saved state is kept
    in VersaoDeRespostaPronta, and nothing is deleted: an answer out of use is marked inactive."""

    titulo = models.CharField("título", max_length=100)
    categoria = models.ForeignKey(
        Categoria,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vazia: a resposta serve a todas as categorias.",
    )
    texto = models.TextField(
        help_text="Marcadores: {nome} (do consumidor), {numero} (do protocolo), {prazo} (data) e "
        "{telefone_empresa}. São trocados pelo valor, nada mais é interpretado."
    )
    ativa = models.BooleanField(default=True)

    class Meta:
        verbose_name = "resposta pronta"
        verbose_name_plural = "respostas prontas"
        ordering = ["titulo", "pk"]
        triggers = [pgtrigger.Protect(name="resposta_pronta_sem_exclusao", operation=pgtrigger.Delete)]

    def __str__(self):
        return self.titulo


class VersaoDeRespostaPronta(models.Model):
    """One saved state of a canned answer and who saved it: the content's history, append-only
    (the admin's LogEntry says only that something changed)."""

    resposta = models.ForeignKey(RespostaPronta, on_delete=models.PROTECT, related_name="versoes")
    titulo = models.CharField("título", max_length=100)
    categoria = models.ForeignKey(Categoria, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    texto = models.TextField()
    ativa = models.BooleanField()
    autor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    salva_em = models.DateTimeField(default=relogio.agora, editable=False)

    objects = SomenteAcrescimoQuerySet.as_manager()

    class Meta:
        verbose_name = "versão de resposta pronta"
        verbose_name_plural = "versões de respostas prontas"
        ordering = ["-salva_em", "-pk"]
        triggers = [
            pgtrigger.Protect(name="versao_resposta_somente_acrescimo", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self):
        return f"{self.titulo} ({self.salva_em:%d/%m/%Y %H:%M})"

    def save(self, *args, **kwargs):
        if not self._state.adding or self.pk is not None:
            raise RegistroImutavel("As versões são somente de acréscimo: salve a resposta de novo.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RegistroImutavel("As versões são somente de acréscimo: nada pode ser excluído.")


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
    from .webhooks.rede import validar_url

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
