"""The public transparency page (issue 13, item 14): aggregates of the last 12 months by categoria,
one query per figure, cached, no cell under 10 cases, a 404 unless published."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protocolo import relogio, services
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db

URL = reverse("consumidor:indicadores")
# Wednesday 2026-11-04, 10:00 in São Paulo: every deadline below has passed by AGORA.
INICIO = datetime.datetime(2026, 11, 4, 13, tzinfo=datetime.UTC)
AGORA = datetime.datetime(2026, 12, 1, 13, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def sem_cache():
    cache.clear()
    yield
    cache.clear()


def _respondido(*, categoria, horas, avaliacao=None, consumidor=None):
    """Opened at INICIO, answered `horas` later, confirmed by the consumer with `avaliacao` if given."""
    with relogio.em(INICIO):
        protocolo = abrir(categoria_codigo=categoria, consumidor=consumidor)
    with relogio.em(INICIO + datetime.timedelta(hours=horas)):
        protocolo = services.protocolo_resolver(protocolo=protocolo, texto="Resolvido.")
        if avaliacao is not None:
            services.protocolo_responder_resolucao(protocolo=protocolo, resolvido=True, avaliacao=avaliacao)
    return protocolo


@pytest.fixture
def casos(time_machine):
    """Reclamação: 12 answered (10 within the 7 days, 2 after), those 10 confirmed with 4 and 5, and one
    never answered past its deadline; Cobrança: 3 answered (too few to show)."""
    time_machine.move_to(AGORA, tick=False)
    maria = ConsumidorFactory(nome="Maria Aparecida dos Santos Figueiredo", cpf="52998224725")
    for i in range(10):
        _respondido(categoria="reclamacao", horas=24 + i, avaliacao=(4, 5)[i % 2], consumidor=maria)
    _respondido(categoria="reclamacao", horas=24 * 10)
    _respondido(categoria="reclamacao", horas=24 * 12)
    with relogio.em(INICIO):
        abrir(categoria_codigo="reclamacao")
    for _ in range(3):
        _respondido(categoria="cobranca", horas=5, avaliacao=1)
    return maria


def _linha(texto, nome):
    inicio = texto.index(f'<th scope="row">{nome}</th>')
    return texto[inicio : texto.index("</tr>", inicio)]


def test_it_shows_each_figure_by_categoria_in_one_query_each_and_hides_small_cells(client, casos):
    # Queries: answered within the deadline, median time, resolved at the consumer's word and
    # average rating, each grouped by categoria; then the four for all categorias together.
    with CaptureQueriesContext(connection) as consultas:
        resposta = client.get(URL)
    assert resposta.status_code == 200
    assert len(consultas) == 5, [c["sql"] for c in consultas]
    assert all("GROUP BY" in c["sql"] or "COUNT(" in c["sql"] for c in consultas)

    reclamacao = _linha(resposta.text, "Reclamação")
    # 10 of the 12 answered within 7 days + the one overdue unanswered: 10 of 13.
    assert "77%" in reclamacao and "13 casos" in reclamacao
    # Median of 24..33 h, 240 h, 288 h: the 6th and 7th of 12 (29 h, 30 h).
    assert "1 d 5 h" in reclamacao
    # Closed: the 10 confirmed ones (the 2 late ones still wait for an answer); ratings 4 and 5.
    assert "100%" in reclamacao and "4,5" in reclamacao
    cobranca = _linha(resposta.text, "Cobrança")
    assert cobranca.count("—") == 4
    assert "1,0" not in cobranca


def test_it_holds_no_personal_data_and_is_cached(client, casos, django_assert_num_queries):
    texto = client.get(URL).text

    assert "Maria" not in texto and "982.247" not in texto and "52998224725" not in texto
    with django_assert_num_queries(0):
        assert client.get(URL).status_code == 200


def test_it_is_a_404_unless_published(client, settings, db):
    settings.PROTOCOLO_INDICADORES_PUBLICOS = False

    assert client.get(URL).status_code == 404
