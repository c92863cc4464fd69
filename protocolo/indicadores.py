"""
The supervision dashboard's figures. Each is one aggregate query, never a loop over rows, and each
reads an index where the table is large, most from the index alone (index-only scans: the columns
they count are in the index's key or INCLUDE): the open protocols (protocolo_em_aberto), the overdue
queue (protocolo_fila_prazo), the escalation queue (protocolo_fila_escalados), the opening time
(protocolo_aberto_em), resolutions (protocolo_resolvido_em), deadlines (protocolo_prazo) and ratings
(protocolo_encerrado_em). Nothing reads the whole table.

The figures over a period (openings per day, time to resolution, first contact and reopenings,
deadlines met) would read every protocol of the period, a million rows for 90 days of a large
company: on PostgreSQL they sum the period's daily rollups instead (protocolo/resumos.py), which
triggers keep exact in the transaction of every change. `ao_vivo=True` aggregates the protocols,
as the demo on SQLite always does; the tests hold the two to the same answer. With a replica
(DATABASE_REPLICA_URL), the figures are read there, off the primary.
"""

import datetime
import math
import statistics
from dataclasses import dataclass

from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from . import leitura, relogio, resumos
from .models import (
    PENDENTES,
    SEM_RESPOSTA_DEVIDA,
    AberturasDoDia,
    AvaliacoesDoDia,
    Interacao,
    PrazosDoDia,
    Protocolo,
    ResolucoesDoDia,
    Situacao,
)

FILA_DE_ESCALADOS = 20


def _protocolos():
    """Every figure reads from the replica when the request allows (protocolo/leitura.py): a
    dashboard a second behind the primary says the same."""
    return leitura.de_leitura(Protocolo.objects.all())


def _resumido(ao_vivo):
    return not ao_vivo and resumos.disponiveis()


def _resumos(modelo, inicio, fim):
    """The rollup rows of the days from inicio to fim, both included."""
    return leitura.de_leitura(modelo.objects.filter(dia__gte=inicio, dia__lte=fim))


def _contagens(modelo, periodo, campo):
    """(campo, how many) summed over the period's rollup rows, leaving out the values whose rows
    sum to nothing (a protocol's share moved away leaves its row at zero)."""
    return (
        _resumos(modelo, periodo.inicio, periodo.fim)
        .values_list(campo)
        .annotate(quantos=Sum("n"))
        .filter(quantos__gt=0)
    )


class Percentil(Aggregate):
    """PostgreSQL's ordered-set aggregate: percentile_cont(f) WITHIN GROUP (ORDER BY expr)."""

    function = "PERCENTILE_CONT"
    name = "Percentil"
    template = "%(function)s(%(fracao)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expressao, fracao, **extra):
        if not 0 <= fracao <= 1:
            raise ValueError("A fração do percentil vai de 0 a 1.")
        super().__init__(expressao, fracao=float(fracao), **extra)


def _duracao():
    return ExpressionWrapper(F("resolvido_em") - F("aberto_em"), output_field=DurationField())


def por_situacao_e_nivel():
    """Protocols waiting for the team (PENDENTES: a resolved one only waits for the consumer), by
    situação and by nível, from one GROUP BY over the open queue's index."""
    # COUNT(*), not COUNT(id): the columns in protocolo_em_aberto are all it reads.
    linhas = _protocolos().filter(situacao__in=PENDENTES).values_list("situacao", "nivel").annotate(n=Count("*"))
    situacoes = dict.fromkeys(PENDENTES, 0)
    niveis = dict.fromkeys(Protocolo.Nivel.values, 0)
    for situacao, nivel, n in linhas:
        situacoes[situacao] += n
        niveis[nivel] += n
    return (
        [(Situacao(s).label, n, s) for s, n in situacoes.items()],
        [(Protocolo.Nivel(nivel).label, n, nivel) for nivel, n in niveis.items()],
    )


def _vencidos(hoje):
    return _protocolos().vencidos(hoje)


def vencidos_por_categoria(hoje):
    """[(nome, n, categoria_id)], the most overdue first."""
    return list(
        _vencidos(hoje)
        .values_list("categoria__nome", "categoria_id")
        .annotate(n=Count("id"))
        .order_by("-n", "categoria__nome")
        .values_list("categoria__nome", "n", "categoria_id")
    )


def _nome(nome, sobrenome, usuario):
    return f"{nome or ''} {sobrenome or ''}".strip() or usuario or "sem responsável"


def vencidos_por_responsavel(hoje):
    """[(nome, n, responsavel_id)], the most overdue first."""
    linhas = (
        _vencidos(hoje)
        .values_list("responsavel_id", "responsavel__first_name", "responsavel__last_name", "responsavel__username")
        .annotate(n=Count("id"))
        .order_by("-n", "responsavel__username")
    )
    return [(_nome(nome, sobrenome, usuario), n, pk) for pk, nome, sobrenome, usuario, n in linhas]


def cumprimento_do_prazo(hoje):
    """Of the protocols whose deadline ended in the last 7 and 30 days (the outcome is known), the
    share answered (resolved) by the end of that day. Cancelled ones, calls closed without
    a demand and duplicates are left out: they were never to be answered."""
    inicio_7, inicio_30 = hoje - datetime.timedelta(days=7), hoje - datetime.timedelta(days=30)
    no_prazo = Q(resolvido_em__isnull=False, resolvido_em__date__lte=F("prazo"))
    numeros = (
        _protocolos()
        .filter(prazo__gte=inicio_30, prazo__lt=hoje, duplicado_de__isnull=True)
        .exclude(situacao__in=SEM_RESPOSTA_DEVIDA)
        .aggregate(
            total_30=Count("id"),
            no_prazo_30=Count("id", filter=no_prazo),
            total_7=Count("id", filter=Q(prazo__gte=inicio_7)),
            no_prazo_7=Count("id", filter=no_prazo & Q(prazo__gte=inicio_7)),
        )
    )

    def taxa(dias):
        total = numeros[f"total_{dias}"]
        return {
            "total": total,
            "no_prazo": numeros[f"no_prazo_{dias}"],
            "taxa": numeros[f"no_prazo_{dias}"] / total if total else None,
        }

    return {7: taxa(7), 30: taxa(30)}


def tempo_de_resolucao(agora, dias=30, *, periodo=None, ao_vivo=False):
    """Median and 90th percentile of opening → resolution, for protocols resolved in `periodo`
    (by default the last `dias` days, today included). From the rollups, percentile_cont over the
    durations counted to the minute (to the hour from a day on); live, percentile_cont on
    PostgreSQL and the same computed from the durations on SQLite."""
    periodo = periodo or Periodo.ultimos(dias, timezone.localdate(agora))
    if _resumido(ao_vivo):
        faixas = list(_contagens(ResolucoesDoDia, periodo, "faixa").order_by("faixa"))
        return {
            "n": sum(n for _, n in faixas),
            "mediana": _percentil(faixas, 0.5),
            "p90": _percentil(faixas, 0.9),
        }
    resolvidos = _protocolos().filter(resolvido_em__gte=periodo.desde, resolvido_em__lt=periodo.ate)
    if connection.vendor == "postgresql":
        return resolvidos.aggregate(
            n=Count("*"),
            mediana=Percentil(_duracao(), 0.5, output_field=DurationField()),
            p90=Percentil(_duracao(), 0.9, output_field=DurationField()),
        )
    # The SQLite demo: a few rows.
    duracoes = [d.total_seconds() for d in resolvidos.annotate(d=_duracao()).values_list("d", flat=True)]
    if not duracoes:
        return {"n": 0, "mediana": None, "p90": None}
    decis = statistics.quantiles(duracoes, n=10, method="inclusive") if len(duracoes) > 1 else [duracoes[0]] * 9
    return {
        "n": len(duracoes),
        "mediana": datetime.timedelta(seconds=statistics.median(duracoes)),
        "p90": datetime.timedelta(seconds=decis[8]),
    }


def _percentil(faixas, fracao):
    """percentile_cont(fracao) over [(duration in seconds, how many)], sorted: the value at
    fracao·(n − 1) in the ordered durations, interpolated between its two neighbours."""
    total = sum(n for _, n in faixas)
    if not total:
        return None
    posicao = fracao * (total - 1)
    baixo, alto = math.floor(posicao), math.ceil(posicao)

    def valor(indice):
        acumulado = 0
        for faixa, n in faixas:
            acumulado += n
            if indice < acumulado:
                return faixa
        raise AssertionError("índice além das durações contadas")

    inferior, superior = valor(baixo), valor(alto)
    return datetime.timedelta(seconds=inferior + (posicao - baixo) * (superior - inferior))


def avaliacoes(agora, dias=90, *, periodo=None, ao_vivo=False):
    """Ratings (1–5) given in `periodo` (by default the last `dias` days, today included): their
    distribution and mean."""
    periodo = periodo or Periodo.ultimos(dias, timezone.localdate(agora))
    if _resumido(ao_vivo):
        linhas = dict(_contagens(AvaliacoesDoDia, periodo, "avaliacao"))
    else:
        linhas = dict(
            _protocolos()
            .filter(encerrado_em__gte=periodo.desde, encerrado_em__lt=periodo.ate, avaliacao__isnull=False)
            .values_list("avaliacao")
            .annotate(n=Count("*"))
        )
    total = sum(linhas.values())
    distribuicao = [
        (nota, linhas.get(nota, 0), linhas.get(nota, 0) / total if total else 0) for nota in range(5, 0, -1)
    ]
    media = sum(nota * n for nota, n in linhas.items()) / total if total else None
    return {"total": total, "media": media, "distribuicao": distribuicao, "dias": dias}


def abertos_por_dia(hoje, dias=30, *, ao_vivo=False):
    """[(day, count)] for the last `dias` days, today included, days without protocols as 0."""
    inicio = hoje - datetime.timedelta(days=dias - 1)
    if _resumido(ao_vivo):
        contagem = dict(_resumos(AberturasDoDia, inicio, hoje).values_list("dia", "n"))
    else:
        desde = timezone.make_aware(datetime.datetime.combine(inicio, datetime.time.min))
        contagem = dict(
            _protocolos()
            .filter(aberto_em__gte=desde)
            .annotate(dia=TruncDate("aberto_em", tzinfo=timezone.get_current_timezone()))
            .values_list("dia")
            .annotate(n=Count("*"))
            .order_by()
        )
    return [(dia, contagem.get(dia, 0)) for dia in (inicio + datetime.timedelta(days=i) for i in range(dias))]


def fila_de_escalados(limite=FILA_DE_ESCALADOS):
    """Protocols at nível 2 and 3 still waiting for the team (a resolved one is not: it waits for
    the consumer), oldest first (the protocolo_fila_escalados index)."""
    return list(
        _protocolos()
        .filter(nivel__gt=1, situacao__in=PENDENTES)
        .select_related("consumidor", "categoria", "responsavel")
        .order_by("aberto_em")[:limite]
    )


# The period -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Periodo:
    """The days the period figures cover, both ends included (São Paulo days)."""

    inicio: datetime.date
    fim: datetime.date

    @property
    def dias(self):
        return (self.fim - self.inicio).days + 1

    @property
    def desde(self):
        return timezone.make_aware(datetime.datetime.combine(self.inicio, datetime.time.min))

    @property
    def ate(self):
        """The first instant after the period."""
        return timezone.make_aware(datetime.datetime.combine(self.fim + datetime.timedelta(days=1), datetime.time.min))

    @classmethod
    def ultimos(cls, dias, hoje):
        return cls(hoje - datetime.timedelta(days=dias - 1), hoje)


NO_PRAZO = Q(resolvido_em__isnull=False, resolvido_em__date__lte=F("prazo"))


def _prazos_encerrados(periodo, hoje, campos, ao_vivo):
    """(*campos, total, no_prazo) of the protocols whose deadline ended within the period (and
    before today: the outcome is known), to be answered: cancelled ones, calls closed without a
    demand and duplicates never were. Live, from the protocolo_prazo index."""
    ultimo = min(periodo.fim, hoje - datetime.timedelta(days=1))
    if _resumido(ao_vivo):
        return (
            _resumos(PrazosDoDia, periodo.inicio, ultimo)
            .values_list(*campos)
            .annotate(soma_total=Sum("total"), soma_no_prazo=Sum("no_prazo"))
            .filter(soma_total__gt=0)
        )
    return (
        _protocolos()
        .filter(prazo__gte=periodo.inicio, prazo__lte=ultimo, duplicado_de__isnull=True)
        .exclude(situacao__in=SEM_RESPOSTA_DEVIDA)
        .values_list(*campos)
        .annotate(total=Count("id"), no_prazo=Count("id", filter=NO_PRAZO))
    )


def cumprimento_por_categoria(periodo, hoje, *, ao_vivo=False):
    """[{nome, id, total, no_prazo, taxa}] of the deadlines that ended in the period, one GROUP BY."""
    linhas = _prazos_encerrados(periodo, hoje, ("categoria_id", "categoria__nome"), ao_vivo).order_by("categoria__nome")
    return [_taxa(nome or "sem categoria", pk, total, no_prazo) for pk, nome, total, no_prazo in linhas]


def cumprimento_por_responsavel(periodo, hoje, *, ao_vivo=False):
    """The same by attendant (who holds the protocol now), worst rate first."""
    campos = ("responsavel_id", "responsavel__first_name", "responsavel__last_name", "responsavel__username")
    linhas = _prazos_encerrados(periodo, hoje, campos, ao_vivo).order_by("responsavel__username")
    taxas = [_taxa(_nome(n, s, u), pk, total, no_prazo) for pk, n, s, u, total, no_prazo in linhas]
    return sorted(taxas, key=lambda t: (t["taxa"], t["nome"]))


def _taxa(nome, pk, total, no_prazo):
    return {"nome": nome, "id": pk, "total": total, "no_prazo": no_prazo, "taxa": no_prazo / total if total else 0}


def resolucao_no_periodo(periodo, *, ao_vivo=False):
    """Of the protocols resolved in the period: how many were resolved at first contact (the day
    they were opened, at nível 1, never reopened) and how many were reopened after a resolution.
    One query. Live, from the protocolo_resolvido_em index, with the reopenings looked up by
    protocol in the interacao_reabertura partial index, which holds only reopening entries."""
    if _resumido(ao_vivo):
        numeros = _resumos(ResolucoesDoDia, periodo.inicio, periodo.fim).aggregate(
            total=Sum("n", default=0),
            reabertos=Sum("reabertos", default=0),
            primeiro_contato=Sum("primeiro_contato", default=0),
        )
    else:
        reaberto = Exists(Interacao.objects.filter(protocolo_id=OuterRef("pk"), tipo=Interacao.Tipo.REABERTURA))
        fuso = timezone.get_current_timezone()
        numeros = (
            _protocolos()
            .filter(resolvido_em__gte=periodo.desde, resolvido_em__lt=periodo.ate)
            .annotate(
                reaberto=reaberto,
                dia_aberto=TruncDate("aberto_em", tzinfo=fuso),
                dia_resolvido=TruncDate("resolvido_em", tzinfo=fuso),
            )
            .aggregate(
                total=Count("*"),
                reabertos=Count("id", filter=Q(reaberto=True)),
                primeiro_contato=Count("id", filter=Q(reaberto=False, nivel=1, dia_aberto=F("dia_resolvido"))),
            )
        )
    total = numeros["total"]
    return numeros | {
        "taxa_primeiro_contato": numeros["primeiro_contato"] / total if total else None,
        "taxa_reabertura": numeros["reabertos"] / total if total else None,
    }


def tendencia_das_avaliacoes(periodo, *, ao_vivo=False):
    """[(week's monday at midnight, mean, n)] of the ratings given in the period (live, from the
    protocolo_encerrado_em index)."""
    if _resumido(ao_vivo):
        semanas = (
            _resumos(AvaliacoesDoDia, periodo.inicio, periodo.fim)
            .annotate(semana=TruncWeek("dia"))
            .values_list("semana")
            .annotate(pontos=Sum(F("avaliacao") * F("n")), quantos=Sum("n"))
            .filter(quantos__gt=0)
            .order_by("semana")
        )
        return [
            (timezone.make_aware(datetime.datetime.combine(segunda, datetime.time.min)), pontos / quantos, quantos)
            for segunda, pontos, quantos in semanas
        ]
    return list(
        _protocolos()
        .filter(avaliacao__isnull=False, encerrado_em__gte=periodo.desde, encerrado_em__lt=periodo.ate)
        .annotate(semana=TruncWeek("encerrado_em", tzinfo=timezone.get_current_timezone()))
        .values_list("semana")
        .annotate(media=Avg("avaliacao"), n=Count("*"))
        .order_by("semana")
    )


@dataclass
class Grafico:
    """A bar chart drawn on the server as SVG presentation attributes (no style, no script: CSP)."""

    barras: list
    largura: int
    altura: int
    maximo: int
    marcas: list


def grafico_de_barras(serie, *, largura=720, altura=200, margem=28):
    maximo = max((n for _, n in serie), default=0) or 1
    passo = (largura - margem) / max(len(serie), 1)
    util = altura - 2 * margem
    barras = []
    for i, (dia, n) in enumerate(serie):
        h = round(util * n / maximo, 1)
        barras.append(
            {
                "x": round(margem + i * passo + 1, 1),
                "y": round(altura - margem - h, 1),
                "largura": round(max(passo - 2, 1), 1),
                "altura": h,
                "dia": dia,
                "n": n,
                "rotulo": i % 5 == 0 or i == len(serie) - 1,
                "rotulo_x": round(margem + i * passo + passo / 2, 1),
            }
        )
    marcas = [
        {"valor": v, "y": round(altura - margem - util * v / maximo, 1)} for v in sorted({0, maximo // 2, maximo})
    ]
    return Grafico(barras=barras, largura=largura, altura=altura, maximo=maximo, marcas=marcas)


def duracao_legivel(duracao):
    """2 d 4 h, 5 h 12 min, 40 min: how long a resolution took, as people say it."""
    if duracao is None:
        return "—"
    minutos = int(duracao.total_seconds() // 60)
    dias, resto = divmod(minutos, 24 * 60)
    horas, minutos = divmod(resto, 60)
    if dias:
        return f"{dias} d {horas} h"
    if horas:
        return f"{horas} h {minutos} min"
    return f"{minutos} min"


def painel(periodo=None):
    """Every figure of the dashboard, one aggregate query each; those over a period cover
    `periodo` (the last 30 days by default)."""
    agora = relogio.agora()
    hoje = timezone.localdate(agora)
    periodo = periodo or Periodo.ultimos(30, hoje)
    situacoes, niveis = por_situacao_e_nivel()
    serie = abertos_por_dia(periodo.fim, periodo.dias)
    resolucao = tempo_de_resolucao(agora, periodo=periodo)
    resolucao |= {
        "mediana_texto": duracao_legivel(resolucao["mediana"]),
        "p90_texto": duracao_legivel(resolucao["p90"]),
    }
    por_categoria = cumprimento_por_categoria(periodo, hoje)
    total = sum(c["total"] for c in por_categoria)
    no_prazo = sum(c["no_prazo"] for c in por_categoria)
    return {
        "hoje": hoje,
        "periodo": periodo,
        "por_situacao": situacoes,
        "por_nivel": niveis,
        "vencidos_por_categoria": vencidos_por_categoria(hoje),
        "vencidos_por_responsavel": vencidos_por_responsavel(hoje),
        "cumprimento": {"total": total, "no_prazo": no_prazo, "taxa": no_prazo / total if total else None},
        "cumprimento_por_categoria": por_categoria,
        "cumprimento_por_responsavel": cumprimento_por_responsavel(periodo, hoje),
        "prazos_ate": min(periodo.fim, hoje - datetime.timedelta(days=1)),
        "resolucao": resolucao,
        "resolvidos": resolucao_no_periodo(periodo),
        "avaliacoes": avaliacoes(agora, periodo=periodo),
        "tendencia": tendencia_das_avaliacoes(periodo),
        "abertos_por_dia": serie,
        "abertos_no_periodo": sum(n for _, n in serie),
        "grafico": grafico_de_barras(serie),
        "escalados": fila_de_escalados(),
    }
