"""Reads shared by several pages."""

import datetime

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Prefetch, Q
from django.utils import timezone

from . import integridade, links, numeracao, prazos, relogio
from .exceptions import NumeroInvalido
from .models import PENDENTES, Canal, Categoria, Consumidor, Contato, Interacao, Protocolo, Situacao
from .validators import normalizar_cpf


def protocolo_por_numero(texto, *, queryset=None):
    """The protocol with this number typed in any format, or None. An impossible number (wrong
    length or check digits) is refused before any query."""
    try:
        numero = numeracao.validar(texto)
    except NumeroInvalido:
        return None
    queryset = queryset if queryset is not None else Protocolo.objects.all()
    return queryset.select_related("consumidor", "categoria", "responsavel").filter(numero=numero).first()


# What the public timeline shows (consumidor/apresentacao.py): not the chain's MAC, nor the author's
# account beyond a first name.
CAMPOS_PUBLICOS = (
    "ordem",
    "tipo",
    "origem",
    "publica",
    "texto",
    "criada_em",
    "situacao_nova",
    "nivel_novo",
    "detalhes",
    "autor__first_name",
)


def linha_do_tempo(protocolo, *, publica=False):
    interacoes = Interacao.objects.filter(protocolo=protocolo).select_related("autor").order_by("ordem")
    return interacoes.publicas().only(*CAMPOS_PUBLICOS) if publica else interacoes


def cabeca_da_cadeia(protocolo):
    """The latest entry: what a receipt issued now would seal."""
    return Interacao.objects.filter(protocolo=protocolo).order_by("-ordem").first()


# Portal do consumidor: what a visitor reaches with a number and CPF, a signed link or a receipt's code


def _unico(queryset):
    """The one row of a filter on a unique field, or None. first() would order by the model's
    ordering (a compile and a sort for a single row); a bare slice does not."""
    return next(iter(queryset.order_by()[:1]), None)


def protocolo_do_portal(numero):
    """The protocol with a valid `numero` and what its public pages show: the consumer, the
    categoria and the original it duplicates (named, never opened). Whether the visitor may see it
    is the caller's to decide."""
    return _unico(Protocolo.objects.select_related("consumidor", "categoria", "duplicado_de").filter(numero=numero))


def protocolo_por_numero_e_cpf(numero, cpf):
    """The public lookup: the protocol only when the number and the CPF belong together, or None.
    A wrong CPF and a missing number are the same one query."""
    return _unico(Protocolo.objects.filter(numero=numero, consumidor__cpf=cpf).only("pk", "numero"))


def _contato_alcanca(contato_id, protocolo):
    """Whether the contact a link was sent to still reaches the protocol: open, and the protocol's
    own or bound to its consumer. None (a link made without a contact) reaches nothing but what
    the seal allows."""
    if contato_id is None:
        return True
    return (
        Contato.objects.filter(pk=contato_id, encerrado_em__isnull=True)
        .filter(Q(protocolo=protocolo, consumidor=None) | Q(consumidor_id=protocolo.consumidor_id or -1))
        .exclude(valor="")
        .exists()
    )


def protocolo_do_link(token):
    """The protocol a signed link opens, or None: a forged or expired token costs no query, and a
    link sent before the protocol changed consumer, or to a contact since closed, opens nothing."""
    dados = links.protocolo_do_token(token)
    protocolo = Protocolo.objects.select_related("consumidor").filter(pk=dados[0]).first() if dados else None
    if protocolo is None or not links.selo_do_protocolo_confere(protocolo, dados[1], dados[2]):
        return None
    if not _contato_alcanca(dados[1], protocolo):
        return None
    return protocolo


def consumidor_do_link(token):
    """The consumer whose demands a recovery link opens, or None: a forged or expired token costs
    no query, and a link sent to a contact no longer bound to them opens nothing."""
    dados = links.consumidor_do_token(token)
    if dados is None or not links.selo_confere(dados[0], dados[1], dados[2]):
        return None
    contato = (
        Contato.objects.select_related("consumidor")
        .filter(pk=dados[1], consumidor_id=dados[0], encerrado_em__isnull=True)
        .exclude(valor="")
        .first()
    )
    return contato.consumidor if contato is not None else None


def consumidor_com_demandas(pk):
    """(consumer, [(protocol, its public entries)]) for the consumer with this pk, or None. Three
    queries whatever the number of protocols: the consumer; the protocols; their public entries
    with the authors."""
    consumidor = Consumidor.objects.filter(pk=pk).first()
    if consumidor is None:
        return None
    publicas = Prefetch(
        "interacoes",
        queryset=Interacao.objects.filter(publica=True).select_related("autor").order_by("ordem"),
        to_attr="publicas",
    )
    protocolos = (
        consumidor.protocolos.select_related("consumidor", "categoria", "duplicado_de")
        .prefetch_related(publicas)
        .order_by("-aberto_em")
    )
    return consumidor, [(p, p.publicas) for p in protocolos]


def protocolo_do_comprovante(codigo):
    """The protocol whose receipt this code authenticates, or None; read with only what the public
    verification shows (number, opening, situação). Something not shaped like a code, or carrying
    an impossible number, costs no query (whether a number is possible is public: its check digits).
    Any other code costs the same whether or not its number and position exist: one query of one
    shape (the entry with its protocol) and one HMAC (integridade.codigo_confere)."""
    partes = integridade.decompor_codigo(codigo)
    if partes is None:
        return None
    numero, ordem, _, _ = partes
    try:
        numeracao.validar(numero)
    except NumeroInvalido:
        return None
    entrada = (
        Interacao.objects.filter(protocolo__numero=numero, ordem=ordem)
        .select_related("protocolo")
        .only("ordem", "mac", "protocolo__numero", "protocolo__aberto_em", "protocolo__situacao")
        .first()
    )
    protocolo = entrada.protocolo if entrada is not None else None
    if not integridade.codigo_confere(codigo, protocolo, entrada):
        return None
    return protocolo


def categoria_ativa(codigo):
    """The categoria with this code while it is in use, or None."""
    return Categoria.objects.filter(codigo=codigo, ativa=True).first()


# Retaguarda: the painel's queue, counters and the lookups of the back-office ---------------------

LIMITE_CONTAGEM = 1000
# Below three letters the trigram index cannot serve a name search, which then matches nearly
# everyone and reads the whole table; numbers and CPFs are longer anyway.
BUSCA_MINIMA = 3
_NOME_MAXIMO = Consumidor._meta.get_field("nome").max_length
LIMITE_CONSUMIDORES = 20
PRAZOS = [
    ("vencido", "vencido"),
    ("vence_hoje", "vence hoje"),
    ("vence_em_breve", "vence em até 2 dias"),
    ("no_prazo", "no prazo (mais de 2 dias)"),
]
RESPONSAVEIS = [("meus", "meus"), ("sem", "sem responsável")]
ORDENS = [
    ("prazo", "por prazo"),
    ("recentes", "mais recentes"),
    ("antigos", "mais antigos"),
]
SITUACOES = [("", "pendentes"), ("todas", "todas"), *Situacao.choices]


def _inicio_do_dia(dia):
    return timezone.make_aware(datetime.datetime.combine(dia, datetime.time.min))


def busca(queryset, texto):
    """One search box: a protocol number in any format (exact), a CPF in any format (exact, on the
    consumer) or part of a name (served by the trigram index consumidor_nome_trgm)."""
    texto = " ".join(str(texto or "").split())
    if not texto:
        return queryset
    try:
        return queryset.filter(numero=numeracao.validar(texto))
    except NumeroInvalido:
        pass
    try:
        return queryset.filter(consumidor__cpf=normalizar_cpf(texto))
    except ValidationError:
        pass
    if not any(c.isalpha() for c in texto) or len(texto) > _NOME_MAXIMO:
        # Digits that are neither a valid number nor a valid CPF: a typo, never a name. Nor is a text
        # longer than any name, and matching one against every name would hold the database.
        return queryset.none()
    return queryset.filter(consumidor__nome__icontains=texto)


class FiltroFila(django_filters.FilterSet):
    """The painel's queue. Choices are given, never queried: the categorias come with the
    constructor, so validating a filter costs no query."""

    q = django_filters.CharFilter(
        label="Buscar: número, CPF ou nome", method="filtrar_busca", min_length=BUSCA_MINIMA, max_length=200
    )
    situacao = django_filters.ChoiceFilter(
        label="Situação", choices=SITUACOES[1:], empty_label="pendentes", method="filtrar_situacao"
    )
    nivel = django_filters.ChoiceFilter(label="Nível", choices=Protocolo.Nivel.choices, empty_label="todos")
    canal = django_filters.ChoiceFilter(label="Canal", choices=Canal.choices, empty_label="todos")
    categoria = django_filters.ChoiceFilter(
        label="Categoria", field_name="categoria_id", choices=[], empty_label="todas"
    )
    responsavel = django_filters.ChoiceFilter(
        label="Responsável", choices=RESPONSAVEIS, empty_label="qualquer", method="filtrar_responsavel"
    )
    prazo = django_filters.ChoiceFilter(label="Prazo", choices=PRAZOS, empty_label="qualquer", method="filtrar_prazo")
    aberto_de = django_filters.DateFilter(label="Aberto de", method="filtrar_aberto_de")
    aberto_ate = django_filters.DateFilter(label="Aberto até", method="filtrar_aberto_ate")
    ordem = django_filters.ChoiceFilter(label="Ordem", choices=ORDENS[1:], empty_label=ORDENS[0][1], method="ordenar")

    def __init__(self, data=None, *, usuario, categorias=(), hoje=None, **kwargs):
        super().__init__(data, **kwargs)
        self.usuario = usuario
        self.hoje = hoje or relogio.hoje()
        self.filters["categoria"].extra["choices"] = [(str(c.pk), c.nome) for c in categorias]

    def filter_queryset(self, queryset):
        dados = self.form.cleaned_data
        # No situação chosen: the pending ones (served by the partial indexes), unless a search looks
        # for one protocol or consumer, whose closed protocols matter too (a caller who lost the number).
        if not dados.get("situacao") and not dados.get("q"):
            queryset = queryset.filter(situacao__in=PENDENTES)
        if not dados.get("ordem"):
            queryset = queryset.order_by(F("prazo").asc(nulls_last=True), "id")
        return super().filter_queryset(queryset)

    def filtrar_busca(self, queryset, nome, valor):
        return busca(queryset, valor)

    def filtrar_situacao(self, queryset, nome, valor):
        return queryset if valor == "todas" else queryset.filter(situacao=valor)

    def filtrar_responsavel(self, queryset, nome, valor):
        if valor == "meus":
            return queryset.filter(responsavel=self.usuario)
        return queryset.filter(responsavel__isnull=True)

    def filtrar_prazo(self, queryset, nome, valor):
        return queryset.filter(prazos.condicao(valor, self.hoje))

    # The opening day in São Paulo, as bounds on aberto_em: served by the protocolo_aberto_em index,
    # which aberto_em__date (a conversion per row) would not use.
    def filtrar_aberto_de(self, queryset, nome, valor):
        return queryset.filter(aberto_em__gte=_inicio_do_dia(valor))

    def filtrar_aberto_ate(self, queryset, nome, valor):
        if valor == datetime.date.max:
            # The day after 31/12/9999 does not exist, and nothing was opened after it.
            return queryset
        return queryset.filter(aberto_em__lt=_inicio_do_dia(valor + datetime.timedelta(days=1)))

    def ordenar(self, queryset, nome, valor):
        return queryset.order_by("-aberto_em", "-id") if valor == "recentes" else queryset.order_by("aberto_em", "id")


def fila_filtrada(dados, *, usuario, categorias=()):
    """The painel's FilterSet over the base queryset; `.qs` is the filtered, sorted queue."""
    base = Protocolo.objects.select_related("consumidor", "categoria", "responsavel")
    return FiltroFila(dados, queryset=base, usuario=usuario, categorias=categorias)


def contadores_da_fila(*, usuario, hoje=None, limite=LIMITE_CONTAGEM):
    """{"meus", "vencidos", "sem_responsavel"} among the pending protocols, in one query; each count
    stops at `limite` (served by the partial indexes protocolo_fila_responsavel and
    protocolo_fila_prazo, never a count over the whole table)."""
    hoje = hoje or relogio.hoje()
    abertos = Protocolo.objects.pendentes().order_by()
    partes = {
        "meus": abertos.filter(responsavel=usuario),
        "vencidos": Protocolo.objects.vencidos(hoje).order_by(),
        "sem_responsavel": abertos.filter(responsavel__isnull=True),
    }
    selecoes, parametros = [], []
    for nome, queryset in partes.items():
        sql, params = queryset.values("pk")[:limite].query.sql_with_params()
        # Django compiled the SQL and keeps the values as parameters; the alias is a constant above.
        selecoes.append(f"(SELECT COUNT(*) FROM ({sql}) AS {nome})")  # nosec B608  # noqa: S608
        parametros.extend(params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selecoes), parametros)
        return dict(zip(partes, cursor.fetchone(), strict=True))


def busca_de_consumidor(queryset, texto):
    """A CPF in any format (exact) or part of the name (served by the trigram index); digits that
    make no valid CPF match nobody."""
    texto = " ".join(str(texto or "").split())
    if not texto:
        return queryset
    try:
        return queryset.filter(cpf=normalizar_cpf(texto))
    except ValidationError:
        pass
    if not any(c.isalpha() for c in texto) or len(texto) > _NOME_MAXIMO:
        return queryset.none()
    return queryset.filter(nome__icontains=texto)


def consumidores_por_busca(texto, *, limite=LIMITE_CONSUMIDORES):
    """Consumers found by busca_de_consumidor, each with all their protocols: two queries whatever
    the number of protocols."""
    if not " ".join(str(texto or "").split()):
        return []
    protocolos = Prefetch(
        "protocolos", queryset=Protocolo.objects.select_related("categoria", "responsavel").order_by("-aberto_em")
    )
    encontrados = busca_de_consumidor(Consumidor.objects.all(), texto)
    return list(encontrados.order_by("nome", "pk").prefetch_related(protocolos)[:limite])


def outros_em_aberto(protocolo, *, limite=20):
    """The consumer's other open protocols: a repeated demand is linked, not duplicated."""
    if protocolo.consumidor_id is None:
        return []
    return list(
        Protocolo.objects.em_aberto()
        .filter(consumidor_id=protocolo.consumidor_id)
        .exclude(pk=protocolo.pk)
        .select_related("categoria")
        .order_by("-aberto_em")[:limite]
    )


def atendentes_ativos():
    """Active users who serve protocols (the choices of an assignment): a few dozen, never every
    row. Superusers hold every permission, so they are among them."""
    permissao = Permission.objects.filter(content_type__app_label="protocolo", codename="atender_protocolo")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=permissao) | Q(user_permissions__in=permissao) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
