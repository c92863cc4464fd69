"""The dashboard's figures, each one aggregate query, checked against protocols built for them."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from protocolo import indicadores, relogio, resumos, services
from protocolo.models import Interacao, Protocolo
from tests.factories import AtendenteFactory, abrir

pytestmark = pytest.mark.django_db

Origem = Interacao.Origem


def _com_prazo(protocolo, dias):
    Protocolo.objects.filter(pk=protocolo.pk).update(prazo=relogio.hoje() + datetime.timedelta(days=dias))
    return Protocolo.objects.get(pk=protocolo.pk)


def _resolvido_apos(horas, *, antes=datetime.timedelta(days=2)):
    """A protocol opened `antes` ago and resolved `horas` later."""
    inicio = relogio.agora() - antes
    with relogio.em(inicio):
        protocolo = abrir()
    with relogio.em(inicio + datetime.timedelta(hours=horas)):
        services.protocolo_resolver(protocolo=protocolo, texto="Resolvido.")
    return protocolo


def test_open_protocols_by_situacao_and_nivel_in_one_query(django_assert_num_queries, supervisor):
    abrir(), abrir()
    escalado = abrir()
    services.protocolo_escalar(protocolo=escalado, motivo="Alçada.", autor=supervisor)
    cancelado = abrir()
    services.protocolo_cancelar(protocolo=cancelado, motivo="Engano.", autor=supervisor)
    resolvido = abrir()
    services.protocolo_resolver(protocolo=resolvido, texto="Feito.", autor=supervisor)

    with django_assert_num_queries(1):
        situacoes, niveis = indicadores.por_situacao_e_nivel()

    # A resolved protocol waits for the consumer, not for the team: not "em aberto".
    assert {rotulo: n for rotulo, n, _ in situacoes} == {
        "aberto": 3,
        "em atendimento": 0,
        "aguardando o consumidor": 0,
    }
    assert {rotulo: n for rotulo, n, _ in niveis} == {"1 · atendimento": 2, "2 · supervisão": 1, "3 · ouvidoria": 0}


def test_overdue_by_categoria_and_by_responsavel(django_assert_num_queries):
    alice = AtendenteFactory(first_name="Alice", last_name="Atendente")
    _com_prazo(abrir(atendente=alice), -2)
    _com_prazo(abrir(atendente=alice, categoria_codigo="cobranca"), -1)
    _com_prazo(abrir(), -1)
    _com_prazo(abrir(atendente=alice), 3)
    resolvido = abrir(atendente=alice)
    services.protocolo_resolver(protocolo=resolvido, texto="Feito.", autor=alice)
    _com_prazo(resolvido, -5)
    hoje = relogio.hoje()

    with django_assert_num_queries(2):
        por_categoria = indicadores.vencidos_por_categoria(hoje)
        por_responsavel = indicadores.vencidos_por_responsavel(hoje)

    assert [(nome, n) for nome, n, _ in por_categoria] == [("Reclamação", 2), ("Cobrança", 1)]
    assert por_responsavel == [("Alice Atendente", 2, alice.pk), ("sem responsável", 1, None)]


def test_deadline_compliance_for_7_and_30_days(django_assert_num_queries, supervisor):
    hoje = relogio.hoje()
    # Answered by the deadline, deadline 3 days ago
    no_prazo = _resolvido_apos(1, antes=datetime.timedelta(days=5))
    _com_prazo(no_prazo, -3)
    # Deadline 3 days ago, answered only yesterday
    atrasado = abrir()
    _com_prazo(atrasado, -3)
    services.protocolo_resolver(protocolo=atrasado, texto="Tarde.")
    # Deadline 20 days ago, never answered
    _com_prazo(abrir(), -20)
    # Cancelled: never counted; deadline not reached yet: not counted
    cancelado = abrir()
    services.protocolo_cancelar(protocolo=cancelado, motivo="Engano.", autor=supervisor)
    _com_prazo(cancelado, -3)
    # A call that dropped before any demand: closed without one, never to be answered either
    atendente = AtendenteFactory()
    caiu = abrir(atendente=atendente, categoria_codigo=None, objeto="")
    services.protocolo_encerrar_sem_demanda(protocolo=caiu, motivo="A ligação caiu.", autor=atendente)
    _com_prazo(caiu, -3)
    _com_prazo(abrir(), 2)

    with django_assert_num_queries(1):
        cumprimento = indicadores.cumprimento_do_prazo(hoje)

    assert cumprimento[7] == {"total": 2, "no_prazo": 1, "taxa": 0.5}
    assert cumprimento[30] == {"total": 3, "no_prazo": 1, "taxa": pytest.approx(1 / 3)}


def test_the_deadline_ends_at_midnight_in_sao_paulo_not_in_utc():
    prazo = relogio.hoje() - datetime.timedelta(days=3)
    meia_noite = timezone.make_aware(datetime.datetime.combine(prazo + datetime.timedelta(days=1), datetime.time()))
    for resolvido_em in (meia_noite - datetime.timedelta(minutes=30), meia_noite + datetime.timedelta(minutes=30)):
        with relogio.em(resolvido_em - datetime.timedelta(days=2)):
            protocolo = abrir()
        with relogio.em(resolvido_em):
            services.protocolo_resolver(protocolo=protocolo, texto="Resolvido.")
        Protocolo.objects.filter(pk=protocolo.pk).update(prazo=prazo)

    # 23:30 of the last day is 02:30 UTC of the next one: still on time; 00:30 is late.
    assert indicadores.cumprimento_do_prazo(relogio.hoje())[7] == {"total": 2, "no_prazo": 1, "taxa": 0.5}


def test_no_deadline_in_the_period_gives_no_rate():
    assert indicadores.cumprimento_do_prazo(relogio.hoje())[7] == {"total": 0, "no_prazo": 0, "taxa": None}


def test_median_and_90th_percentile_time_to_resolution_with_percentile_cont(django_assert_num_queries):
    for horas in range(1, 11):  # 1 h … 10 h
        _resolvido_apos(horas)

    with django_assert_num_queries(1):
        resolucao = indicadores.tempo_de_resolucao(relogio.agora())

    # percentile_cont interpolates: the median of 1..10 is 5.5, the 90th percentile 9.1
    assert resolucao["n"] == 10
    assert resolucao["mediana"] == pytest.approx(datetime.timedelta(hours=5.5), abs=datetime.timedelta(seconds=1))
    assert resolucao["p90"] == pytest.approx(datetime.timedelta(hours=9.1), abs=datetime.timedelta(seconds=1))


def test_the_percentile_sql_is_postgresqls_ordered_set_aggregate():
    consulta = Protocolo.objects.aggregate(m=indicadores.Percentil(indicadores._duracao(), 0.5))

    assert consulta == {"m": None}


def test_a_percentile_outside_0_to_1_is_refused():
    with pytest.raises(ValueError, match="fração"):
        indicadores.Percentil("aberto_em", 1.5)


def test_durations_are_said_as_people_say_them():
    assert indicadores.duracao_legivel(datetime.timedelta(days=2, hours=4, minutes=5)) == "2 d 4 h"
    assert indicadores.duracao_legivel(datetime.timedelta(hours=5, minutes=12)) == "5 h 12 min"
    assert indicadores.duracao_legivel(datetime.timedelta(minutes=40)) == "40 min"
    assert indicadores.duracao_legivel(None) == "—"


def test_ratings_distribution_and_mean(django_assert_num_queries):
    for nota in (5, 5, 4, 1):
        protocolo = abrir()
        services.protocolo_resolver(protocolo=protocolo, texto="Feito.")
        services.protocolo_encerrar(protocolo=protocolo, origem=Origem.CONSUMIDOR, avaliacao=nota)

    with django_assert_num_queries(1):
        avaliacoes = indicadores.avaliacoes(relogio.agora())

    assert avaliacoes["total"] == 4
    assert avaliacoes["media"] == pytest.approx(3.75)
    assert [(nota, n) for nota, n, _ in avaliacoes["distribuicao"]] == [(5, 2), (4, 1), (3, 0), (2, 0), (1, 1)]


def test_opened_per_day_counts_in_sao_paulo_days_with_empty_days(django_assert_num_queries):
    agora = timezone.localtime(relogio.agora())
    # 23:30 in São Paulo is already the next day in UTC: it must count on its São Paulo day.
    tarde_de_ontem = (agora - datetime.timedelta(days=1)).replace(hour=23, minute=30)
    with relogio.em(tarde_de_ontem):
        abrir()
    abrir(), abrir()
    with relogio.em(agora - datetime.timedelta(days=40)):
        abrir()

    with django_assert_num_queries(1):
        serie = indicadores.abertos_por_dia(relogio.hoje())

    assert len(serie) == 30
    assert serie[-1] == (relogio.hoje(), 2)
    assert serie[-2] == (relogio.hoje() - datetime.timedelta(days=1), 1)
    assert sum(n for _, n in serie) == 3


def test_the_escalation_queue_is_oldest_first_and_bounded(supervisor):
    escalados = []
    for dias in (3, 1, 2):
        with relogio.em(relogio.agora() - datetime.timedelta(days=dias)):
            protocolo = abrir()
        services.protocolo_escalar(protocolo=protocolo, motivo="Alçada.", autor=supervisor)
        escalados.append((dias, protocolo))
    abrir()

    fila = indicadores.fila_de_escalados()

    assert fila == [p for _, p in sorted(escalados, key=lambda item: -item[0])]
    assert len(indicadores.fila_de_escalados(limite=2)) == 2


def test_the_bar_chart_scales_to_the_highest_day():
    hoje = relogio.hoje()
    serie = [(hoje - datetime.timedelta(days=2 - i), n) for i, n in enumerate([0, 5, 10])]

    grafico = indicadores.grafico_de_barras(serie, largura=300, altura=100, margem=20)

    assert [b["altura"] for b in grafico.barras] == [0, 30.0, 60.0]
    assert grafico.maximo == 10
    assert {m["valor"] for m in grafico.marcas} == {0, 5, 10}


def _leituras_da_tabela(plano):
    """The nodes of an EXPLAIN (FORMAT JSON) plan that read protocolo_protocolo or a daily rollup."""
    if plano.get("Relation Name") in {"protocolo_protocolo", *resumos.TABELAS}:
        yield plano
    for filho in plano.get("Plans", []):
        yield from _leituras_da_tabela(filho)


def test_no_figure_reads_the_whole_protocol_table(supervisor):
    """At a million protocols a scan of the table costs seconds: every figure must be answered by an
    index bounded by a condition (a period, the overdue dates) or by a partial index over the open
    ones, and the figures over a period by their daily rollups' rows, never by the protocols.
    Sequential and bitmap scans are disabled so the planner shows, on these few rows, the index it
    would walk at scale; a figure with no such index shows a scan with neither."""
    escalado = abrir()
    services.protocolo_escalar(protocolo=escalado, motivo="Alçada.", autor=supervisor)
    _resolvido_apos(3)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'protocolo_protocolo' AND indexdef LIKE '% WHERE %'"
        )
        parciais = {nome for (nome,) in cursor.fetchall()}

    with CaptureQueriesContext(connection) as consultas:
        indicadores.painel()

    lidas, tabelas = 0, []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for consulta in consultas.captured_queries:
            cursor.execute("EXPLAIN (FORMAT JSON) " + consulta["sql"])
            [[explicacao]] = cursor.fetchall()
            for leitura in _leituras_da_tabela(explicacao[0]["Plan"]):
                lidas += 1
                tabelas.append(leitura["Relation Name"])
                limitada = "Index Cond" in leitura or leitura.get("Index Name") in parciais
                assert leitura["Node Type"] in {"Index Scan", "Index Only Scan"} and limitada, consulta["sql"]
    assert lidas == len(consultas.captured_queries)
    # Openings per day, the deadlines by categoria and by responsável, time to resolution, first
    # contact, the ratings and their trend: seven queries over the rollups.
    assert sorted(t for t in tabelas if t in resumos.TABELAS) == [
        "protocolo_aberturasdodia",
        "protocolo_avaliacoesdodia",
        "protocolo_avaliacoesdodia",
        "protocolo_prazosdodia",
        "protocolo_prazosdodia",
        "protocolo_resolucoesdodia",
        "protocolo_resolucoesdodia",
    ]


def test_the_escalation_queue_leaves_out_resolved_protocols(supervisor):
    escalado, resolvido = abrir(), abrir()
    for protocolo in (escalado, resolvido):
        services.protocolo_escalar(protocolo=protocolo, motivo="Alçada.", autor=supervisor)
    services.protocolo_resolver(protocolo=Protocolo.objects.get(pk=resolvido.pk), texto="Feito.", autor=supervisor)

    assert [p.pk for p in indicadores.fila_de_escalados()] == [escalado.pk]


def test_compliance_by_categoria_and_by_attendant_over_the_period(django_assert_num_queries, supervisor):
    alice = AtendenteFactory(first_name="Alice", last_name="Atendente")
    with relogio.em(relogio.agora() - datetime.timedelta(days=3)):
        no_prazo = abrir(atendente=alice)
        services.protocolo_resolver(protocolo=no_prazo, texto="Feito.", autor=alice)
    _com_prazo(no_prazo, -1)
    _com_prazo(abrir(atendente=alice, categoria_codigo="cobranca"), -2)
    _com_prazo(abrir(), -3)
    _com_prazo(abrir(), -40)  # before the period
    hoje = relogio.hoje()
    periodo = indicadores.Periodo.ultimos(30, hoje)

    with django_assert_num_queries(2):
        por_categoria = indicadores.cumprimento_por_categoria(periodo, hoje)
        por_responsavel = indicadores.cumprimento_por_responsavel(periodo, hoje)

    assert [(c["nome"], c["no_prazo"], c["total"]) for c in por_categoria] == [("Cobrança", 0, 1), ("Reclamação", 1, 2)]
    assert [(c["nome"], c["no_prazo"], c["total"]) for c in por_responsavel] == [
        ("sem responsável", 0, 1),
        ("Alice Atendente", 1, 2),
    ]


def test_first_contact_resolution_and_reopen_rate_in_one_query(django_assert_num_queries, supervisor):
    primeiro = abrir()
    services.protocolo_resolver(protocolo=primeiro, texto="Feito.", autor=supervisor)
    reaberto = abrir()
    services.protocolo_resolver(protocolo=reaberto, texto="Feito.", autor=supervisor)
    services.protocolo_reabrir(protocolo=Protocolo.objects.get(pk=reaberto.pk), motivo="Voltou.", autor=supervisor)
    services.protocolo_resolver(protocolo=Protocolo.objects.get(pk=reaberto.pk), texto="Agora sim.", autor=supervisor)
    _resolvido_apos(30)  # resolved the day after it was opened
    abrir()  # not resolved

    with django_assert_num_queries(1):
        numeros = indicadores.resolucao_no_periodo(indicadores.Periodo.ultimos(30, relogio.hoje()))

    assert (numeros["total"], numeros["primeiro_contato"], numeros["reabertos"]) == (3, 1, 1)


def test_the_rating_trend_is_the_mean_per_week_in_one_query(django_assert_num_queries):
    for nota in (5, 3):
        protocolo = abrir()
        services.protocolo_resolver(protocolo=protocolo, texto="Feito.")
        services.protocolo_encerrar(protocolo=protocolo, origem=Origem.CONSUMIDOR, avaliacao=nota)

    with django_assert_num_queries(1):
        [(semana, media, n)] = indicadores.tendencia_das_avaliacoes(indicadores.Periodo.ultimos(7, relogio.hoje()))

    assert (media, n) == (4, 2)
    assert timezone.localtime(semana).weekday() == 0
