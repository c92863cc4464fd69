import datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protocolo import services
from protocolo.models import Canal, Situacao
from tests.factories import AtendenteFactory, ConsumidorFactory, abrir

PAINEL = reverse("atendimento:painel")
AGORA = datetime.datetime(2026, 11, 27, 13, tzinfo=datetime.UTC)


def _numeros(resposta):
    return [p.numero for p in resposta.context["pagina"].object_list]


def test_it_lists_open_protocols_by_deadline_with_a_badge(cliente_atendente, atendente):
    with time_machine.travel(AGORA - datetime.timedelta(days=10), tick=False):
        vencido = abrir(atendente=atendente)
    with time_machine.travel(AGORA, tick=False):
        cancelamento = abrir(categoria_codigo="cancelamento")  # prazo: today
        reclamacao = abrir()  # prazo: in 7 days
        sem_categoria = abrir(categoria_codigo=None)  # prazo: the 7 days from the opening
        resolvido = abrir()
        services.protocolo_resolver(protocolo=resolvido, texto="Feito.", autor=atendente)

        resposta = cliente_atendente.get(PAINEL)

    assert resposta.status_code == 200
    assert _numeros(resposta) == [p.numero for p in (vencido, cancelamento, reclamacao, sem_categoria)]
    assert "vencido" in resposta.text and "vence hoje" in resposta.text and "sem prazo" not in resposta.text
    assert vencido.numero_formatado in resposta.text


def test_the_counters_count_mine_overdue_and_unassigned(cliente_atendente, atendente):
    with time_machine.travel(AGORA - datetime.timedelta(days=10), tick=False):
        abrir(atendente=atendente)
        abrir()
    with time_machine.travel(AGORA, tick=False):
        abrir(atendente=atendente)
        abrir(atendente=AtendenteFactory())
        resposta = cliente_atendente.get(PAINEL)

    assert resposta.context["contadores"] == {"meus": 2, "vencidos": 2, "sem_responsavel": 1}


def test_a_counter_stops_at_its_limit(atendente, monkeypatch):
    from protocolo import selectors

    for _ in range(3):
        abrir(atendente=atendente)

    assert selectors.contadores_da_fila(usuario=atendente, limite=2)["meus"] == 2


@pytest.mark.parametrize(
    ("filtro", "esperados"),
    [
        ({"responsavel": "meus"}, {"meu"}),
        ({"responsavel": "sem"}, {"sem_dono"}),
        ({"canal": Canal.CHAT}, {"chat"}),
        ({"nivel": "2"}, {"escalado"}),
        ({"prazo": "vencido"}, {"antigo"}),
        ({"prazo": "vence_hoje"}, {"cancelamento"}),
        # The attendant's queue is the first nível's: what rose is the supervisors' (docs/dominio.md §5).
        ({"prazo": "no_prazo"}, {"meu", "sem_dono", "chat", "sem_categoria"}),
        ({"prazo": "no_prazo", "nivel": "todos"}, {"meu", "sem_dono", "chat", "escalado", "sem_categoria"}),
        ({"situacao": Situacao.EM_ATENDIMENTO}, set()),
        ({"situacao": Situacao.EM_ATENDIMENTO, "nivel": "todos"}, {"escalado"}),
        ({"situacao": Situacao.RESOLVIDO}, {"resolvido"}),
        ({"aberto_de": "2026-11-17", "aberto_ate": "2026-11-17"}, {"antigo"}),
        ({"aberto_de": "2026-11-27"}, {"meu", "sem_dono", "chat", "cancelamento", "sem_categoria"}),
    ],
)
def test_each_filter_narrows_the_queue(cliente_atendente, atendente, filtro, esperados):
    outro = AtendenteFactory()
    with time_machine.travel(AGORA - datetime.timedelta(days=10), tick=False):
        protocolos = {"antigo": abrir(atendente=outro)}
    with time_machine.travel(AGORA, tick=False):
        protocolos |= {
            "meu": abrir(atendente=atendente),
            "sem_dono": abrir(),
            "chat": abrir(canal=Canal.CHAT, atendente=outro),
            "escalado": abrir(atendente=outro),
            "cancelamento": abrir(categoria_codigo="cancelamento", atendente=outro),
            "sem_categoria": abrir(categoria_codigo=None, atendente=outro),
            "resolvido": abrir(atendente=outro),
        }
        services.protocolo_mudar_situacao(protocolo=protocolos["escalado"], situacao="em_atendimento", autor=outro)
        services.protocolo_escalar(protocolo=protocolos["escalado"], motivo="Caso grave.", autor=outro)
        services.protocolo_resolver(protocolo=protocolos["resolvido"], texto="Feito.", autor=outro)

        resposta = cliente_atendente.get(PAINEL, filtro)

    assert set(_numeros(resposta)) == {protocolos[nome].numero for nome in esperados}


def test_the_categoria_filter_costs_no_extra_query(cliente_atendente, categoria):
    reclamacao = abrir()
    abrir(categoria_codigo="cobranca")

    resposta = cliente_atendente.get(PAINEL, {"categoria": categoria.pk})

    assert _numeros(resposta) == [reclamacao.numero]


@pytest.mark.parametrize("formato", ["{}", "{f}", "{f_pontos}"])
def test_the_search_box_finds_a_number_in_any_format_even_closed(cliente_atendente, atendente, formato):
    protocolo = abrir()
    abrir()
    services.protocolo_resolver(protocolo=protocolo, texto="Feito.", autor=atendente)
    texto = formato.format(
        protocolo.numero, f=protocolo.numero_formatado, f_pontos=protocolo.numero_formatado.replace(" ", ".")
    )

    resposta = cliente_atendente.get(PAINEL, {"q": texto or protocolo.numero})

    assert _numeros(resposta) == [protocolo.numero]


@pytest.mark.parametrize("formatar", [lambda c: c, lambda c: f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]}"])
def test_the_search_box_finds_a_cpf_in_any_format(cliente_atendente, formatar):
    consumidor = ConsumidorFactory()
    protocolo = abrir(consumidor=consumidor)
    abrir(consumidor=ConsumidorFactory())

    resposta = cliente_atendente.get(PAINEL, {"q": formatar(consumidor.cpf)})

    assert _numeros(resposta) == [protocolo.numero]


def test_the_search_box_finds_part_of_a_name(cliente_atendente):
    protocolo = abrir(consumidor=ConsumidorFactory(nome="Maria Aparecida da Silva"))
    abrir(consumidor=ConsumidorFactory(nome="João Souza"))

    resposta = cliente_atendente.get(PAINEL, {"q": "  aparecida "})

    assert _numeros(resposta) == [protocolo.numero]


def test_digits_that_are_neither_a_number_nor_a_cpf_find_nothing(cliente_atendente):
    abrir()

    resposta = cliente_atendente.get(PAINEL, {"q": "12345"})

    assert resposta.status_code == 200
    assert _numeros(resposta) == []
    assert "Nenhum protocolo com esses filtros." in resposta.text


def test_it_marks_a_protocol_whose_consumer_wrote_since_our_last_entry(cliente_atendente, atendente):
    respondido = abrir(consumidor=ConsumidorFactory())
    aguardando = abrir(consumidor=ConsumidorFactory())
    for protocolo in (respondido, aguardando):
        services.protocolo_registrar_interacao(
            protocolo=protocolo, texto="Alguma novidade?", origem=services.Origem.CONSUMIDOR
        )
    services.protocolo_registrar_interacao(protocolo=respondido, texto="Sim.", autor=atendente, publica=True)

    resposta = cliente_atendente.get(PAINEL)

    marcados = {p.numero for p in resposta.context["pagina"].object_list if p.consumidor_aguarda}
    assert marcados == {aguardando.numero}
    assert resposta.text.count("data-consumidor-escreveu") == 1


@pytest.mark.parametrize("ordem", ["recentes", "antigos"])
def test_it_sorts_by_opening_when_asked(cliente_atendente, ordem):
    with time_machine.travel(AGORA - datetime.timedelta(days=1), tick=False):
        primeiro = abrir(categoria_codigo="lgpd")
    with time_machine.travel(AGORA, tick=False):
        segundo = abrir(categoria_codigo="cancelamento")
        resposta = cliente_atendente.get(PAINEL, {"ordem": ordem})

    esperado = [segundo.numero, primeiro.numero] if ordem == "recentes" else [primeiro.numero, segundo.numero]
    assert _numeros(resposta) == esperado


def test_it_pages_without_counting_the_queue(cliente_atendente):
    protocolos = [abrir() for _ in range(27)]

    primeira = cliente_atendente.get(PAINEL)
    segunda = cliente_atendente.get(PAINEL, {"pagina": 2})
    grande = cliente_atendente.get(PAINEL, {"por_pagina": 50})

    assert len(_numeros(primeira)) == 25
    assert primeira.context["pagina"].has_next()
    assert "?pagina=2" in primeira.text
    assert _numeros(segunda) == [p.numero for p in protocolos[25:]]
    assert not segunda.context["pagina"].has_next()
    assert len(_numeros(grande)) == 27


@pytest.mark.parametrize(
    "parametros",
    [
        {"pagina": "x"},
        {"pagina": "-3"},
        {"pagina": "99999"},
        {"por_pagina": "1000000"},
        {"situacao": "<script>"},
        {"aberto_de": "31/02/2026"},
        {"aberto_ate": "31/12/9999"},
        {"aberto_de": "01/01/0001", "aberto_ate": "01/01/0001"},
        {"categoria": "999999"},
        {"q": "<script>alert(1)</script>"},
        {"q": "x" * 10_000},
        {"q": "\x00"},
    ],
)
def test_hostile_or_odd_parameters_never_break_it(cliente_atendente, parametros):
    abrir()

    resposta = cliente_atendente.get(PAINEL, parametros)

    assert resposta.status_code == 200
    assert "<script>alert" not in resposta.text


def test_filters_live_in_the_url(cliente_atendente):
    resposta = cliente_atendente.get(PAINEL, {"responsavel": "meus", "prazo": "vencido", "pagina": 1})

    assert resposta.context["parametros"] == "responsavel=meus&prazo=vencido"
    assert 'value="meus" selected' in resposta.text


# session, user, user permissions, group permissions, the user's groups (the níveis they serve),
# categorias (filter choices), the three counters in one query, the page (per_page + 1 rows with
# consumer, categoria and responsável), the bounded count of the filtered queue
CONSULTAS_DO_PAINEL = 9


@pytest.mark.parametrize("quantidade", [1, 30])
@pytest.mark.parametrize(
    "parametros",
    [
        {},
        {"por_pagina": 100},
        {"por_pagina": 50, "pagina": 2},
        {"q": "Silva", "situacao": "todas", "responsavel": "meus", "prazo": "no_prazo", "canal": "telefone"},
        {"categoria": "1", "nivel": "1", "aberto_de": "2026-01-01", "aberto_ate": "2030-01-01", "ordem": "recentes"},
        {"q": "529.982.247-25"},
        {"q": "joão silva"},
        {"q": "(11) 99999-0000"},
        {"q": "ana@example.com"},
        {"q": "cobrança indevida"},
    ],
)
def test_its_query_count_is_fixed_whatever_the_page_size_and_filters(
    cliente_atendente, atendente, django_assert_num_queries, quantidade, parametros
):
    for _ in range(quantidade):
        abrir(atendente=atendente, consumidor=ConsumidorFactory(nome="Ana Silva"))
    with django_assert_num_queries(CONSULTAS_DO_PAINEL):
        resposta = cliente_atendente.get(PAINEL, parametros)
    assert resposta.status_code == 200


def test_the_header_shows_who_is_logged_in_and_a_skip_link(cliente_atendente, atendente):
    resposta = cliente_atendente.get(PAINEL)

    assert atendente.get_full_name() in resposta.text
    assert 'href="#conteudo"' in resposta.text
    assert 'lang="pt-BR"' in resposta.text


@pytest.mark.parametrize(("por_pagina", "ultima"), [(25, 200), (50, 100), (100, 50)])
def test_a_page_beyond_the_last_reachable_one_is_clamped(cliente_atendente, por_pagina, ultima):
    # The OFFSET stays under 5,000 rows whatever the page size: PostgreSQL joins every row it
    # skips, ~60 ms there on a million protocols, 200–330 ms at 20,000.
    resposta = cliente_atendente.get(PAINEL, {"pagina": 10**9, "por_pagina": por_pagina})

    assert resposta.status_code == 200
    assert resposta.context["pagina"].number == ultima
    assert not resposta.context["pagina"].has_next()


def test_starting_a_service_is_one_button_on_the_painel(cliente_atendente):
    resposta = cliente_atendente.get(PAINEL)

    assert f'action="{reverse("atendimento:iniciar")}"' in resposta.text
    assert "Iniciar atendimento" in resposta.text


def test_a_name_search_needs_three_letters(cliente_atendente):
    # Fewer letters are served by no index and match nearly everyone: a scan of the whole table.
    abrir(consumidor=ConsumidorFactory(nome="Li Wu"))

    resposta = cliente_atendente.get(PAINEL, {"q": "Li"})

    assert resposta.status_code == 200
    assert "no mínimo 3 caracteres" in resposta.text


def test_every_deadline_state_is_said_in_words_not_only_in_colour(cliente_atendente):
    # WCAG 1.4.1: "vence em até 2 dias" and "no prazo" differ only by the badge's colour otherwise.
    from protocolo.models import Protocolo
    from protocolo.relogio import hoje

    amanha, depois, longe = abrir(), abrir(), abrir()
    for protocolo, dias in ((amanha, 1), (depois, 2), (longe, 10)):
        Protocolo.objects.filter(pk=protocolo.pk).update(prazo=hoje() + datetime.timedelta(days=dias))

    resposta = cliente_atendente.get(PAINEL)

    assert "vence amanhã" in resposta.text
    assert "vence em 2 dias" in resposta.text
    assert "no prazo" in resposta.text.split("<tbody>")[1]


def _nos(plano):
    yield plano
    for filho in plano.get("Plans", []):
        yield from _nos(filho)


@pytest.mark.parametrize(
    ("parametros", "indice"),
    [
        ({}, "protocolo_fila_prazo"),
        ({"prazo": "vencido"}, "protocolo_fila_prazo"),
        ({"responsavel": "meus"}, "protocolo_fila_responsavel"),
        ({"responsavel": "sem"}, "protocolo_fila_sem_responsavel"),
        ({"situacao": "resolvido"}, "protocolo_fila_resolvidos"),
        ({"ordem": "recentes"}, "protocolo_fila_recentes"),
        ({"ordem": "antigos"}, "protocolo_fila_recentes"),
        ({"ordem": "prazo_distante"}, "protocolo_fila_prazo"),
        ({"ordem": "prazo_distante", "responsavel": "sem"}, "protocolo_fila_sem_responsavel"),
    ],
)
def test_the_common_views_read_a_page_straight_from_an_index_in_order(cliente_atendente, atendente, parametros, indice):
    """At a million protocols a page must cost the same as at a thousand: read in the queue's order
    from an index over the few pending (or resolved) rows and stop after one page, never sort every
    match. Sequential and bitmap scans are off so the planner, on these few rows, picks the plan it
    would at scale."""
    outro = AtendenteFactory()
    for dias in (-3, 0, 5):
        with time_machine.travel(AGORA + datetime.timedelta(days=dias), tick=False):
            abrir(atendente=atendente), abrir(atendente=outro), abrir()
            services.protocolo_resolver(protocolo=abrir(atendente=atendente), texto="Feito.", autor=atendente)
    with CaptureQueriesContext(connection) as consultas:
        assert cliente_atendente.get(PAINEL, parametros).status_code == 200
    linhas = 'SELECT "protocolo_protocolo"."id"'
    [pagina] = [q["sql"] for q in consultas.captured_queries if q["sql"].startswith(linhas)]

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + pagina)
        [[explicacao]] = cursor.fetchall()

    nos = list(_nos(explicacao[0]["Plan"]))
    assert [n.get("Index Name") for n in nos if n.get("Relation Name") == "protocolo_protocolo"] == [indice]
    assert not [n["Node Type"] for n in nos if "Sort" in n["Node Type"]]


# Sorting, counting and the phone's filters --------------------------------------------------------


def test_it_sorts_by_the_farthest_deadline_when_asked(cliente_atendente):
    with time_machine.travel(AGORA, tick=False):
        hoje = abrir(categoria_codigo="cancelamento")
        semana = abrir()
        resposta = cliente_atendente.get(PAINEL, {"ordem": "prazo_distante"})

    assert _numeros(resposta) == [semana.numero, hoje.numero]


@pytest.mark.parametrize("ordem", ["numero", "-prazo; DROP TABLE x", "consumidor__nome", "x" * 500])
def test_an_unknown_sort_key_falls_back_to_the_deadline_order(cliente_atendente, ordem):
    with time_machine.travel(AGORA, tick=False):
        semana = abrir()
        hoje = abrir(categoria_codigo="cancelamento")
        resposta = cliente_atendente.get(PAINEL, {"ordem": ordem})

    assert resposta.status_code == 200
    assert _numeros(resposta) == [hoje.numero, semana.numero]


def test_the_number_and_deadline_headers_sort_the_queue_both_ways(cliente_atendente):
    abrir()

    padrao = cliente_atendente.get(PAINEL, {"responsavel": "sem"}).text
    distante = cliente_atendente.get(PAINEL, {"responsavel": "sem", "ordem": "prazo_distante"}).text

    assert 'aria-sort="ascending"' in padrao.split("</thead>")[0]
    assert "?responsavel=sem&amp;ordem=prazo_distante" in padrao
    assert "?responsavel=sem&amp;ordem=antigos" in padrao
    assert 'aria-sort="descending"' in distante.split("</thead>")[0]
    assert "?responsavel=sem&amp;ordem=prazo" in distante


def test_it_says_how_many_protocols_match(cliente_atendente):
    for _ in range(3):
        abrir()

    resposta = cliente_atendente.get(PAINEL)

    assert resposta.context["total"] == 3
    assert "3 protocolos" in resposta.text


def test_the_count_stops_at_the_limit(cliente_atendente, monkeypatch):
    from protocolo import selectors

    monkeypatch.setattr(selectors, "LIMITE_CONTAGEM", 2)
    for _ in range(3):
        abrir()

    resposta = cliente_atendente.get(PAINEL)

    assert resposta.context["total"] == 2
    assert "2+ protocolos" in resposta.text


def test_the_filters_fold_behind_one_button_that_counts_the_active_ones(cliente_atendente):
    nenhum = cliente_atendente.get(PAINEL).text
    dois = cliente_atendente.get(PAINEL, {"prazo": "vencido", "canal": "telefone", "por_pagina": 50}).text

    assert "data-alterna" in nenhum and 'aria-controls="filtros"' in nenhum
    assert "data-filtros-ativos" not in nenhum
    assert '<span class="badge text-bg-primary" data-filtros-ativos>2' in dois
