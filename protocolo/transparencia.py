"""
The public transparency figures (/indicadores/): over the protocols opened in the
last 12 months, by categoria and for all together. Aggregates only: no row, name, CPF or number leaves
the database, and a cell counting fewer than MINIMO cases is not shown (a small count could point at
one person's demand).

Which protocols count: opened in the window, neither cancelled nor joined to another (a duplicate is
the same demand counted twice).

- **Respondidos no prazo**: of those with a deadline that either got an answer or whose deadline has
  passed, the share answered (resolvido_em, local date) on or before the deadline.
- **Tempo mediano até a resposta**: the median of resolvido_em − aberto_em, over the answered ones.
- **Resolvidos na palavra do consumidor**: of the answered ones that are closed, the share the
  consumer confirmed as resolved (a rating is only given with that confirmation).
- **Nota média**: the average of the ratings.

Each figure is one aggregate query, grouped by categoria; the "all" row is one more query holding
the four together. The page caches the result (CACHE_SEGUNDOS). (On the SQLite demo, without percentile_cont, the
median comes from one query of durations.)
"""

import datetime
import statistics
from collections import defaultdict

from django.db import connection, models
from django.db.models import Avg, Count, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate

from protocolo import relogio
from protocolo.indicadores import Percentil
from protocolo.models import SEM_RESPOSTA_DEVIDA, Protocolo, Situacao

MINIMO = 10
JANELA = datetime.timedelta(days=365)
CACHE_SEGUNDOS = 5 * 60


# What each figure counts (its cases) and measures, as filtered aggregates over the window.
_RESPONDIDO = Q(resolvido_em__isnull=False)
_PRAZO_DECORRIDO = Q(prazo__isnull=False) & (_RESPONDIDO | Q(prazo__lt=F("hoje")))
_NO_PRAZO = _PRAZO_DECORRIDO & _RESPONDIDO & Q(resolvido_no_dia__lte=F("prazo"))
_CONCLUIDO = _RESPONDIDO & Q(situacao=Situacao.ENCERRADO)
_AVALIADO = Q(avaliacao__isnull=False)
_DURACAO = ExpressionWrapper(F("resolvido_em") - F("aberto_em"), output_field=models.DurationField())

FIGURAS = {
    "no_prazo": {"casos": Count("id", filter=_PRAZO_DECORRIDO), "valor": Count("id", filter=_NO_PRAZO)},
    "tempo": {"casos": Count("id", filter=_RESPONDIDO), "valor": None},
    "palavra": {"casos": Count("id", filter=_CONCLUIDO), "valor": Count("id", filter=_CONCLUIDO & _AVALIADO)},
    "nota": {"casos": Count("id", filter=_AVALIADO), "valor": Avg("avaliacao", filter=_AVALIADO)},
}


def _mediana():
    """The median answer time: percentile_cont on PostgreSQL (protocolo.indicadores.Percentil); the
    SQLite demo computes it from the same query's durations (see calcular)."""
    return Percentil(_DURACAO, 0.5, filter=_RESPONDIDO, output_field=models.DurationField())


def _base():
    inicio = relogio.agora() - JANELA
    return (
        Protocolo.objects.filter(aberto_em__gte=inicio, duplicado_de__isnull=True)
        .exclude(situacao__in=SEM_RESPOSTA_DEVIDA)
        .annotate(hoje=models.Value(relogio.hoje(), output_field=models.DateField()))
        .annotate(resolvido_no_dia=TruncDate("resolvido_em"))
    )


def _celula(nome, casos, valor):
    """One figure of one row: None (not shown) below MINIMO cases."""
    if casos < MINIMO or valor is None:
        return None
    if nome in ("no_prazo", "palavra"):
        return {"casos": casos, "valor": valor / casos}
    if nome == "nota":
        return {"casos": casos, "valor": float(valor)}
    return {"casos": casos, "valor": valor}


def _medianas_no_sqlite():
    """The SQLite demo has no percentile_cont: the answered protocols' durations in one query, the
    medians here. {categoria_id or None (all): (cases, median)}."""
    duracoes = defaultdict(list)
    linhas = _base().filter(_RESPONDIDO).annotate(d=_DURACAO).values_list("categoria_id", "categoria__nome", "d")
    nomes = {}
    for categoria, nome, duracao in linhas:
        duracoes[None].append(duracao.total_seconds())
        if categoria is not None:
            duracoes[categoria].append(duracao.total_seconds())
            nomes[categoria] = nome
    medianas = {k: (len(v), datetime.timedelta(seconds=statistics.median(v))) for k, v in duracoes.items()}
    return medianas, nomes


def calcular():
    """{"categorias": [{"nome", figure: cell}], "todos": {figure: cell}, "desde": date}: five queries,
    one per figure grouped by categoria, and one for all categorias together."""
    postgres = connection.vendor == "postgresql"
    categorias = {}
    for nome, figura in FIGURAS.items():
        if nome == "tempo" and not postgres:
            medianas, nomes = _medianas_no_sqlite()
            for chave, (casos, valor) in medianas.items():
                if chave is not None:
                    categorias.setdefault(chave, {"nome": nomes[chave]})[nome] = _celula(nome, casos, valor)
            continue
        valor = _mediana() if nome == "tempo" else figura["valor"]
        linhas = (
            _base()
            .filter(categoria__isnull=False)
            .values("categoria_id", "categoria__nome")
            .annotate(casos=figura["casos"], valor=valor)
            .order_by()
        )
        for linha in linhas:
            categoria = categorias.setdefault(linha["categoria_id"], {"nome": linha["categoria__nome"]})
            categoria[nome] = _celula(nome, linha["casos"], linha["valor"])
    agregados = {}
    for nome, figura in FIGURAS.items():
        agregados[f"{nome}_casos"] = figura["casos"]
        if nome != "tempo":
            agregados[f"{nome}_valor"] = figura["valor"]
        elif postgres:
            agregados[f"{nome}_valor"] = _mediana()
    todos = _base().aggregate(**agregados)
    if not postgres:
        todos["tempo_valor"] = medianas.get(None, (0, None))[1]
    return {
        "categorias": sorted(categorias.values(), key=lambda c: c["nome"]),
        "todos": {nome: _celula(nome, todos[f"{nome}_casos"], todos[f"{nome}_valor"]) for nome in FIGURAS},
        "desde": (relogio.agora() - JANELA).date(),
    }
