"""The dashboard's daily rollups (protocolo/resumos.py) against the protocols they sum: after every
kind of change the application makes, and one it does not (a bulk update), each figure over a
period says what the live aggregate over the protocols says."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from protocolo import indicadores, relogio, resumos, services
from protocolo.models import AberturasDoDia, Interacao, Protocolo, ResolucoesDoDia
from tests.factories import AtendenteFactory, abrir, categoria

pytestmark = pytest.mark.django_db

Origem = Interacao.Origem
HORA = datetime.timedelta(hours=1)
DIA = datetime.timedelta(days=1)


def _recarregado(protocolo):
    return Protocolo.objects.get(pk=protocolo.pk)


def _figuras(periodo, hoje, *, ao_vivo):
    tempo = indicadores.tempo_de_resolucao(None, periodo=periodo, ao_vivo=ao_vivo)
    notas = indicadores.avaliacoes(None, periodo=periodo, ao_vivo=ao_vivo)
    return {
        "abertos_por_dia": indicadores.abertos_por_dia(periodo.fim, periodo.dias, ao_vivo=ao_vivo),
        "por_categoria": indicadores.cumprimento_por_categoria(periodo, hoje, ao_vivo=ao_vivo),
        "por_responsavel": indicadores.cumprimento_por_responsavel(periodo, hoje, ao_vivo=ao_vivo),
        "resolucao": indicadores.resolucao_no_periodo(periodo, ao_vivo=ao_vivo),
        "tempo": (tempo["n"], tempo["mediana"], tempo["p90"]),
        "avaliacoes": notas | {"media": notas["media"] and round(notas["media"], 9)},
        "tendencia": [
            (semana, round(media, 9), n)
            for semana, media, n in indicadores.tendencia_das_avaliacoes(periodo, ao_vivo=ao_vivo)
        ],
    }


@pytest.fixture
def historia(supervisor):
    """Three weeks of a team's work, every instant a whole minute (whole hours past a day), so the
    durations fall on the rollups' bounds and the percentiles compare exactly."""
    alice = AtendenteFactory(first_name="Alice")
    bruno = AtendenteFactory(first_name="Bruno")
    inicio = timezone.make_aware(datetime.datetime.combine(relogio.hoje() - 20 * DIA, datetime.time(10)))

    def em(dias=0, horas=0):
        return relogio.em(inicio + dias * DIA + horas * HORA)

    with em():
        primeiro = abrir(atendente=alice)
        no_dia_seguinte = abrir(atendente=alice, categoria_codigo="cobranca")
        reaberto = abrir(atendente=bruno)
        escalado = abrir()
        cancelado = abrir(atendente=bruno)
        duplicado = abrir(atendente=alice)
        mudado = abrir(atendente=alice)
        atrasado = abrir(categoria_codigo="")
        em_massa = abrir(atendente=bruno)
        avaliado = abrir(atendente=bruno, categoria_codigo="cobranca")
        contestado = abrir(atendente=alice)
    with em(horas=2):
        services.protocolo_resolver(protocolo=primeiro, texto="Feito.", autor=supervisor)
        services.protocolo_escalar(protocolo=escalado, motivo="Alçada.", autor=supervisor)
        services.protocolo_cancelar(protocolo=cancelado, motivo="Engano.", autor=supervisor)
        services.protocolo_marcar_duplicado(protocolo=duplicado, original=primeiro, autor=supervisor)
        services.protocolo_resolver(protocolo=reaberto, texto="Feito.", autor=supervisor)
        services.protocolo_resolver(protocolo=avaliado, texto="Feito.", autor=supervisor)
        services.protocolo_resolver(protocolo=contestado, texto="Feito.", autor=supervisor)
        # Reopened at the very instant of its resolution: the rollups must not lean on the clock.
        services.protocolo_reabrir(protocolo=_recarregado(reaberto), motivo="Voltou.", autor=supervisor)
    with em(horas=5):
        services.protocolo_resolver(protocolo=_recarregado(escalado), texto="Feito.", autor=supervisor)
        services.protocolo_atribuir(protocolo=_recarregado(mudado), responsavel=bruno, autor=supervisor)
        services.protocolo_definir_categoria(
            protocolo=_recarregado(mudado), categoria=categoria("cobranca"), autor=supervisor
        )
        services.protocolo_encerrar(protocolo=_recarregado(avaliado), origem=Origem.CONSUMIDOR, avaliacao=4)
        services.protocolo_responder_resolucao(
            protocolo=_recarregado(contestado), resolvido=False, comentario="Não resolveu."
        )
    with em(dias=1, horas=6):
        services.protocolo_resolver(protocolo=no_dia_seguinte, texto="Feito.", autor=supervisor)
    with em(dias=3):
        services.protocolo_resolver(protocolo=_recarregado(reaberto), texto="Agora sim.", autor=supervisor)
        services.protocolo_resolver(protocolo=_recarregado(contestado), texto="Agora sim.", autor=supervisor)
        services.protocolo_prorrogar_prazo(
            protocolo=_recarregado(mudado),
            novo_prazo=_recarregado(mudado).prazo + 2 * DIA,
            motivo="Depende da transportadora.",
            autor=supervisor,
        )
    with em(dias=9):
        services.protocolo_encerrar(protocolo=_recarregado(primeiro), origem=Origem.CONSUMIDOR, avaliacao=2)
        services.protocolo_encerrar(protocolo=_recarregado(no_dia_seguinte), origem=Origem.CONSUMIDOR, avaliacao=5)
    with em(dias=12, horas=7):
        services.protocolo_resolver(protocolo=_recarregado(atrasado), texto="Tarde.", autor=supervisor)
    # Beside the application: a bulk change written straight to the table.
    Protocolo.objects.filter(pk=em_massa.pk).update(
        responsavel=alice, prazo=relogio.hoje() - 10 * DIA, resolvido_em=inicio + 26 * HORA, situacao="resolvido"
    )
    with em(dias=14):
        hoje_mesmo = abrir(atendente=alice)
        services.protocolo_resolver(protocolo=hoje_mesmo, texto="Feito.", autor=supervisor)
    return inicio


@pytest.mark.parametrize("dias", [1, 7, 30, 90])
def test_every_figure_over_a_period_matches_the_live_aggregate_after_every_kind_of_change(historia, dias):
    hoje = relogio.hoje()
    for periodo in (
        indicadores.Periodo.ultimos(dias, hoje),
        indicadores.Periodo(timezone.localdate(historia), timezone.localdate(historia) + (dias - 1) * DIA),
    ):
        resumidas = _figuras(periodo, hoje, ao_vivo=False)
        assert resumidas == _figuras(periodo, hoje, ao_vivo=True), periodo


def test_the_history_reaches_every_figure(historia):
    """The comparison above is between figures that count something, not between zeros."""
    hoje = relogio.hoje()
    figuras = _figuras(indicadores.Periodo.ultimos(30, hoje), hoje, ao_vivo=False)

    assert sum(n for _, n in figuras["abertos_por_dia"]) == 12
    assert figuras["resolucao"]["reabertos"] == 2
    assert figuras["resolucao"]["primeiro_contato"] >= 2
    assert {c["nome"] for c in figuras["por_categoria"]} >= {"sem categoria"}
    assert len(figuras["por_responsavel"]) >= 2
    assert 0 < sum(c["no_prazo"] for c in figuras["por_categoria"]) < sum(c["total"] for c in figuras["por_categoria"])
    assert figuras["tempo"][0] == 9
    assert figuras["avaliacoes"]["total"] == 3
    assert len(figuras["tendencia"]) == 2


def test_rebuilding_the_rollups_from_the_protocols_gives_the_rows_the_triggers_kept(historia):
    pelos_gatilhos = resumos.linhas()

    resumos.recalcular()

    assert resumos.linhas() == pelos_gatilhos
    assert {tabela for tabela, *_ in pelos_gatilhos} == set(resumos.TABELAS)


def test_rows_written_with_the_triggers_off_are_counted_once_rebuilt():
    """bench/semear.py copies protocols with session_replication_role = replica, as a restore does."""
    abrir()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            abrir()
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    assert AberturasDoDia.objects.get(dia=relogio.hoje()).n == 1

    resumos.recalcular()

    assert AberturasDoDia.objects.get(dia=relogio.hoje()).n == 2


@pytest.mark.parametrize(
    ("duracao", "faixa"),
    [
        (datetime.timedelta(seconds=59), 0),
        (datetime.timedelta(hours=2, minutes=30, seconds=40), 9000),
        (datetime.timedelta(hours=23, minutes=59, seconds=59), 86340),
        (datetime.timedelta(days=3, hours=5, minutes=20), 277200),
    ],
)
def test_a_resolution_is_counted_to_the_minute_under_a_day_and_to_the_hour_from_a_day_on(duracao, faixa):
    aberto = relogio.agora() - datetime.timedelta(days=4)
    with relogio.em(aberto):
        protocolo = abrir()
    with relogio.em(aberto + duracao):
        services.protocolo_resolver(protocolo=protocolo, texto="Feito.")

    assert list(ResolucoesDoDia.objects.filter(n__gt=0).values_list("faixa", flat=True)) == [faixa]
    tempo = indicadores.tempo_de_resolucao(relogio.agora())
    assert tempo["mediana"] == datetime.timedelta(seconds=faixa)


def test_a_change_the_figures_do_not_read_leaves_the_rollups_alone():
    protocolo = abrir()
    antes = resumos.linhas()

    Protocolo.objects.filter(pk=protocolo.pk).update(objeto="Outro texto.", consumidor_escreveu_em=relogio.agora())

    assert resumos.linhas() == antes


def test_the_command_checks_the_rollups_and_rebuilds_them_after_a_drift(historia):
    call_command("recalcular_resumos", "--conferir", stdout=io.StringIO())
    # A rollup row changed behind the triggers' back (a restore, a hand edit).
    AberturasDoDia.objects.filter(dia=timezone.localdate(historia)).update(n=F("n") + 5)

    with pytest.raises(CommandError, match="1 linha"):
        call_command("recalcular_resumos", "--conferir", stdout=io.StringIO())
    saida = io.StringIO()
    call_command("recalcular_resumos", stdout=saida)

    assert "(1 diferiam)" in saida.getvalue()
    call_command("recalcular_resumos", "--conferir", stdout=io.StringIO())
    assert AberturasDoDia.objects.get(dia=timezone.localdate(historia)).n == 11


def _escritas_nos_resumos():
    """Rows this transaction inserted into or updated in the rollups (the statistics of the
    current transaction, which pytest-django's test wraps)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)",
            [list(resumos.TABELAS)],
        )
        return cursor.fetchone()[0]


def test_a_change_touches_only_the_rollups_whose_share_moved(supervisor):
    """Moving an open protocol between situações, or escalating one nobody holds, changes nothing
    the figures count: no rollup row is locked or written. Resolving it does."""
    protocolo = abrir()
    antes = _escritas_nos_resumos()

    services.protocolo_mudar_situacao(protocolo=protocolo, situacao="em_atendimento", autor=supervisor)
    services.protocolo_escalar(protocolo=_recarregado(protocolo), motivo="Alçada.", autor=supervisor)
    assert _escritas_nos_resumos() == antes

    services.protocolo_resolver(protocolo=_recarregado(protocolo), texto="Feito.", autor=supervisor)
    # Its deadline's row (now answered) and its resolution's row.
    assert _escritas_nos_resumos() == antes + 3
