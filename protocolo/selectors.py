"""Reads shared by several pages."""

import datetime

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, CharField, F, Func, Prefetch, Q, Value
from django.utils import timezone

from . import anexos, integridade, leitura, links, numeracao, prazos, relogio
from .exceptions import DadosInvalidos, NumeroInvalido
from .models import (
    PENDENTES,
    Anexo,
    Canal,
    Categoria,
    Consumidor,
    Contato,
    Interacao,
    LinkCurto,
    Protocolo,
    Situacao,
    niveis_servidos,
)
from .services import contatos
from .validators import normalizar_cpf


def protocolo_por_numero(texto, *, queryset=None, relacionados=("consumidor", "categoria", "responsavel")):
    """The protocol with this number typed in any format, or None. An impossible number (wrong
    length or check digits) is refused before any query."""
    try:
        numero = numeracao.validar(texto)
    except NumeroInvalido:
        return None
    queryset = queryset if queryset is not None else Protocolo.objects.all()
    return _unico(queryset.select_related(*relacionados).filter(numero=numero))


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


def linha_do_tempo_de_leitura(protocolo, *, publica=False):
    """The timeline a page only shows, on the replica when the request allows. The protocol itself,
    and whether the caller may see it, come from the primary: a lagging replica may show an entry
    a moment late, never a protocol whose access was taken away."""
    return leitura.de_leitura(linha_do_tempo(protocolo, publica=publica))


# What the API's timeline shows (protocolo/api/serializers.py, Entrada: no author), and the MAC that
# makes the last entry the chain head.
CAMPOS_DA_API = ("ordem", "tipo", "origem", "publica", "texto", "criada_em", "situacao_nova", "nivel_novo", "detalhes")


def linha_do_tempo_e_cabeca(protocolo, *, publica=False):
    """The API's timeline, with the chain head a receipt issued now seals, in one read (on the
    replica when the request allows): the head is the last entry of all, internal or not, so the
    public filter is applied here. A replica a moment behind gives an earlier head, whose receipt
    still verifies; one that has not yet seen the opening entry leaves the head to the primary."""
    entradas = Interacao.objects.filter(protocolo=protocolo).only(*CAMPOS_DA_API, "mac").order_by("ordem")
    entradas = list(leitura.de_leitura(entradas))
    cabeca = entradas[-1] if entradas else cabeca_da_cadeia(protocolo)
    return ([e for e in entradas if e.publica] if publica else entradas), cabeca


def cabeca_da_cadeia(protocolo):
    """The latest entry's position and MAC: what a receipt issued now would seal."""
    return next(iter(Interacao.objects.filter(protocolo=protocolo).only("ordem", "mac").order_by("-ordem")[:1]), None)


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


def protocolo_do_link_curto(codigo):
    """The protocol a short link of an SMS or WhatsApp text opens, or None: one that cannot be ours
    costs no query, and one query reads the rest. It opens nothing once expired, once its telephone
    is closed or no longer reaches the protocol, or once the protocol changed consumer."""
    if not LinkCurto.codigo_possivel(codigo):
        return None
    link = (
        LinkCurto.objects.select_related("protocolo__consumidor", "contato")
        .filter(codigo=codigo, expira_em__gt=relogio.agora())
        .first()
    )
    if link is None:
        return None
    contato, protocolo = link.contato, link.protocolo
    if contato.encerrado_em is not None or contato.confirmado_em is None or not contato.valor:
        return None
    if protocolo.consumidor_id != link.consumidor_id:
        return None
    if contato.consumidor_id is None:
        alcanca = contato.protocolo_id == protocolo.pk
    else:
        alcanca = contato.consumidor_id == protocolo.consumidor_id
    return protocolo if alcanca else None


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
# Only orders an index serves (Protocolo.Meta.indexes: protocolo_fila_* read forwards or backwards);
# any other key is refused by the form and the queue keeps its default order.
ORDENS = [
    ("prazo", "prazo mais próximo"),
    ("prazo_distante", "prazo mais distante"),
    ("recentes", "mais recentes"),
    ("antigos", "mais antigos"),
]
SITUACOES = [("", "pendentes"), ("todas", "todas"), *Situacao.choices]


def _inicio_do_dia(dia):
    return timezone.make_aware(datetime.datetime.combine(dia, datetime.time.min))


class SemAcento(Func):
    """The text lowercased and without accents, as the index consumidor_nome_sem_acento_trgm holds
    it (the IMMUTABLE wrapper of migration 0013: docs/pilha.md). SQLite has no unaccent: there it is
    only LOWER, so "joao" finds "Joao" but not "João" in the demo."""

    function = "protocolo_sem_acento"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="LOWER", **extra)


class CasaTexto(Func):
    """Whether the column's Portuguese words (stemmed, without accents) hold the search's words, as
    the GIN indexes protocolo_objeto_busca and interacao_publica_busca hold them."""

    template = (
        "to_tsvector('protocolo_pt'::regconfig, %(expressions)s) @@ "
        "plainto_tsquery('protocolo_pt'::regconfig, %(consulta)s)"
    )
    output_field = BooleanField()

    def __init__(self, coluna, consulta):
        super().__init__(coluna, consulta=consulta)
        self.consulta = consulta

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, consulta="%s", **extra)
        return sql, (*params, self.consulta)

    def as_sqlite(self, compiler, connection, **extra):
        coluna, params = compiler.compile(self.source_expressions[0])
        return f"INSTR(LOWER({coluna}), LOWER(%s)) > 0", (*params, self.consulta)


def _palavras(texto):
    return [p for p in texto.split() if p]


def _ids_por_nome(texto):
    """Consumers whose name holds every word typed, regardless of case and accents."""
    nomes = Consumidor.objects.alias(sem_acento=SemAcento("nome"))
    for palavra in _palavras(texto):
        nomes = nomes.filter(sem_acento__contains=SemAcento(Value(palavra)))
    return nomes.values("pk")


def _contatos(texto):
    """The open contacts whose stored value is what was typed, or None when it is no e-mail nor
    telephone. A telephone is normalised as the contacts are stored (E.164, with the ninth digit
    of a mobile), so any way of typing it finds it; a row the migration to E.164 could not read
    keeps its old digits, which are looked up too."""
    if "@" in texto:
        try:
            return Contato.objects.filter(tipo=Contato.Tipo.EMAIL, valor=contatos.normalizar(Contato.Tipo.EMAIL, texto))
        except DadosInvalidos:
            return None
    try:
        telefone = contatos.normalizar(Contato.Tipo.TELEFONE, texto)
    except DadosInvalidos:
        return None
    digitos = "".join(c for c in texto if c.isdigit())
    formas = {telefone, digitos, "+" + digitos}
    return Contato.objects.filter(tipo=Contato.Tipo.TELEFONE, valor__in=formas)


def _protocolos_do_contato(achados):
    """Protocol ids a contact reaches: the protocol it was typed for, or every protocol of the
    consumer it is bound to. A union of two indexed reads, never an OR across tables."""
    dos_protocolos = achados.filter(protocolo__isnull=False).values("protocolo_id")
    dos_consumidores = Protocolo.objects.filter(
        consumidor_id__in=achados.filter(consumidor__isnull=False).values("consumidor_id")
    ).values("pk")
    return dos_protocolos.union(dos_consumidores)


def _protocolos_por_texto(texto):
    """Protocol ids by name of the consumer, or by words of the demand (its objeto and its public
    entries): three indexed reads joined by UNION, so each keeps its own index."""
    por_nome = Protocolo.objects.filter(consumidor_id__in=_ids_por_nome(texto)).values("pk")
    por_objeto = Protocolo.objects.filter(CasaTexto("objeto", texto)).values("pk")
    por_interacao = Interacao.objects.filter(CasaTexto("texto", texto), publica=True).values("protocolo_id")
    return por_nome.union(por_objeto, por_interacao)


def _texto_da_busca(texto):
    return " ".join(str(texto or "").split())


def busca(queryset, texto):
    """One search box: a protocol number in any format (exact), a CPF in any format (exact, on the
    consumer), a telephone or e-mail (exact, on the contacts: Contato), or words: part of the name
    regardless of accents (trigram index over protocolo_sem_acento) or words of the demand
    (Portuguese full-text search on the objeto and the public entries)."""
    texto = _texto_da_busca(texto)
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
    if len(texto) > _NOME_MAXIMO:
        # Matching a text longer than any name against every name would hold the database.
        return queryset.none()
    achados = _contatos(texto)
    if achados is not None:
        return queryset.filter(pk__in=_protocolos_do_contato(achados))
    if not any(c.isalpha() for c in texto):
        # Digits that are neither a valid number, CPF nor telephone: a typo, never a name.
        return queryset.none()
    return queryset.filter(pk__in=_protocolos_por_texto(texto))


class FiltroFila(django_filters.FilterSet):
    """The painel's queue. Choices are given, never queried: the categorias come with the
    constructor, so validating a filter costs no query."""

    q = django_filters.CharFilter(
        label="Buscar: número, CPF ou nome",
        help_text="Também telefone, e-mail ou palavras da demanda; acentos não importam.",
        method="filtrar_busca",
        min_length=BUSCA_MINIMA,
        max_length=200,
    )
    situacao = django_filters.ChoiceFilter(
        label="Situação", choices=SITUACOES[1:], empty_label="pendentes", method="filtrar_situacao"
    )
    nivel = django_filters.ChoiceFilter(
        label="Nível",
        choices=[("todos", "todos"), *((str(v), r) for v, r in Protocolo.Nivel.choices)],
        empty_label="os que atendo",
        method="filtrar_nivel",
    )
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
    ordem = django_filters.ChoiceFilter(label="Ordem", choices=ORDENS, empty_label=None, method="ordenar")

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
        if not dados.get("nivel") and not dados.get("q"):
            # Each team's queue is its níveis (GRUPOS_DO_NIVEL), plus what was assigned to the person;
            # a search looks everywhere (the caller of another nível's case).
            queryset = queryset.filter(Q(nivel__in=niveis_servidos(self.usuario)) | Q(responsavel=self.usuario))
        if not dados.get("ordem"):
            queryset = self.ordenar(queryset, "ordem", "prazo")
        return super().filter_queryset(queryset)

    def filtrar_nivel(self, queryset, nome, valor):
        return queryset if valor == "todos" else queryset.filter(nivel=int(valor))

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
        # DESC puts NULLs first in PostgreSQL: the (prazo, id) indexes read backwards, with no sort.
        return queryset.order_by(
            *{
                "prazo": (F("prazo").asc(nulls_last=True), "id"),
                "prazo_distante": ("-prazo", "-id"),
                "recentes": ("-aberto_em", "-id"),
                "antigos": ("aberto_em", "id"),
            }[valor]
        )


def fila_filtrada(dados, *, usuario, categorias=()):
    """The painel's FilterSet over the base queryset; `.qs` is the filtered, sorted queue, read from
    the replica when the request allows (protocolo/leitura.py)."""
    base = leitura.de_leitura(Protocolo.objects.select_related("consumidor", "categoria", "responsavel"))
    return FiltroFila(dados, queryset=base, usuario=usuario, categorias=categorias)


def contagem_limitada(queryset, limite=None):
    """How many rows the queryset has, counting at most `limite` (LIMITE_CONTAGEM): the cost stays
    that of one page of the index however long the queue."""
    limite = LIMITE_CONTAGEM if limite is None else limite
    return queryset.order_by().values("pk")[:limite].count()


def contadores_da_fila(*, usuario, hoje=None, limite=LIMITE_CONTAGEM):
    """{"meus", "vencidos", "sem_responsavel"} among the pending protocols (the last two in the
    níveis the user serves), in one query; each count
    stops at `limite` (served by the partial indexes protocolo_fila_responsavel and
    protocolo_fila_prazo, never a count over the whole table); on the replica when the request allows."""
    hoje = hoje or relogio.hoje()
    abertos = Protocolo.objects.pendentes().order_by()
    niveis = niveis_servidos(usuario)
    partes = {
        "meus": abertos.filter(responsavel=usuario),
        "vencidos": Protocolo.objects.vencidos(hoje).filter(Q(nivel__in=niveis) | Q(responsavel=usuario)).order_by(),
        "sem_responsavel": abertos.filter(responsavel__isnull=True, nivel__in=niveis),
    }
    selecoes, parametros = [], []
    for nome, queryset in partes.items():
        sql, params = queryset.values("pk")[:limite].query.sql_with_params()
        # Django compiled the SQL and keeps the values as parameters; the alias is a constant above.
        selecoes.append(f"(SELECT COUNT(*) FROM ({sql}) AS {nome})")  # nosec B608  # noqa: S608
        parametros.extend(params)
    with connections[leitura.alias()].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selecoes), parametros)
        return dict(zip(partes, cursor.fetchone(), strict=True))


def busca_de_consumidor(queryset, texto):
    """A CPF in any format (exact), a telephone or e-mail (exact, on the contacts bound to the
    consumer or typed for their protocols), part of the name regardless of accents, or words of
    their demands; digits that make no valid CPF nor telephone match nobody."""
    texto = _texto_da_busca(texto)
    if not texto:
        return queryset
    try:
        return queryset.filter(cpf=normalizar_cpf(texto))
    except ValidationError:
        pass
    if len(texto) > _NOME_MAXIMO:
        return queryset.none()
    achados = _contatos(texto)
    if achados is not None:
        protocolos = Protocolo.objects.filter(pk__in=_protocolos_do_contato(achados)).values("consumidor_id")
        return queryset.filter(pk__in=protocolos)
    if not any(c.isalpha() for c in texto):
        return queryset.none()
    protocolos = Protocolo.objects.filter(pk__in=_protocolos_por_texto(texto)).values("consumidor_id")
    return queryset.filter(Q(pk__in=_ids_por_nome(texto)) | Q(pk__in=protocolos))


def consumidores_por_busca(texto, *, limite=LIMITE_CONSUMIDORES):
    """Consumers found by busca_de_consumidor, each with all their protocols: two queries whatever
    the number of protocols, on the replica when the request allows."""
    if not " ".join(str(texto or "").split()):
        return []
    protocolos = Prefetch(
        "protocolos", queryset=Protocolo.objects.select_related("categoria", "responsavel").order_by("-aberto_em")
    )
    encontrados = busca_de_consumidor(leitura.de_leitura(Consumidor.objects.all()), texto)
    return list(encontrados.order_by("nome", "pk").prefetch_related(protocolos)[:limite])


def protocolos_em_aberto_do_cpf(cpf):
    """The open protocols of a CPF (11 digits), newest first: what the API tells a telephone menu,
    read from the replica when the request allows."""
    return leitura.de_leitura(
        Protocolo.objects.filter(consumidor__cpf=cpf)
        .em_aberto()
        .select_related("categoria", "consumidor")
        .order_by("-aberto_em", "-id")
    )


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
    """Active people who serve protocols (the choices of an assignment): a few dozen, never every
    row. Superusers hold every permission, so they are among them; integrated systems' accounts
    are not."""
    permissao = Permission.objects.filter(content_type__app_label="protocolo", codename="atender_protocolo")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=permissao) | Q(user_permissions__in=permissao) | Q(is_superuser=True))
        # Integrated systems hold the permission to act through the API, never a protocol of their own.
        .filter(sistema_integrado__isnull=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# Attachments (protocolo/anexos.py) ------------------------------------------------------------------


def anexo_do_protocolo(protocolo, ordem, posicao, *, publica):
    """A file still kept in the protocol's entry at `ordem`, at its `posicao`; with publica=True
    only a file of a public entry that is not an internal note (what the consumer's side and an API
    without the internal scope may serve). None otherwise."""
    anexos = Anexo.objects.filter(
        protocolo=protocolo, interacao__ordem=ordem, posicao=posicao, removido_em__isnull=True
    ).select_related("interacao")
    if publica:
        anexos = anexos.filter(publica=True, interacao__publica=True).exclude(
            interacao__tipo=Interacao.Tipo.NOTA_INTERNA
        )
    return _unico(anexos)


def anexos_publicos(protocolo):
    """(name, SHA-256) of each file of the protocol's public entries, in the timeline's order, for
    the receipt: one query. A removed file keeps its hash and says why it is gone."""
    linhas = (
        Anexo.objects.filter(protocolo=protocolo, publica=True)
        .exclude(interacao__tipo=Interacao.Tipo.NOTA_INTERNA)
        .order_by("interacao__ordem", "posicao")
        .values_list("nome", "sha256", "remocao")
    )
    return [
        (f"{nome} ({anexos.REMOVIDO[remocao]})" if remocao in anexos.REMOVIDO else nome, sha256)
        for nome, sha256, remocao in linhas
    ]
