import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.factories import AtendenteFactory, abrir


@pytest.fixture
def cliente_atendente(client, atendente):
    client.force_login(atendente)
    return client


def test_it_lists_my_open_protocols_and_the_most_urgent(cliente_atendente, atendente):
    meu = abrir(atendente=atendente)
    de_outro = abrir(atendente=AtendenteFactory())

    resposta = cliente_atendente.get(reverse("atendimento:painel"))

    assert resposta.status_code == 200
    assert list(resposta.context["meus"]) == [meu]
    assert set(resposta.context["urgentes"]) == {meu, de_outro}
    assert meu.numero_formatado in resposta.text


def test_it_counts_overdue_protocols(cliente_atendente, atendente):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC), tick=False):
        abrir(atendente=atendente)
    with time_machine.travel(datetime.datetime(2026, 11, 27, 10, tzinfo=datetime.UTC), tick=False):
        abrir(atendente=atendente)
        resposta = cliente_atendente.get(reverse("atendimento:painel"))

    assert resposta.context["vencidos"] == 1
    assert "vencido" in resposta.text


@pytest.mark.parametrize("quantidade", [1, 30])
def test_its_query_count_does_not_grow_with_the_queue(
    cliente_atendente, atendente, django_assert_num_queries, quantidade
):
    for _ in range(quantidade):
        abrir(atendente=atendente)
    # session, user, user permissions, group permissions, my queue, the urgent queue, overdue count
    with django_assert_num_queries(7):
        cliente_atendente.get(reverse("atendimento:painel"))


def test_the_header_shows_who_is_logged_in_and_a_skip_link(cliente_atendente, atendente):
    resposta = cliente_atendente.get(reverse("atendimento:painel"))

    assert atendente.get_full_name() in resposta.text
    assert 'href="#conteudo"' in resposta.text
    assert 'lang="pt-BR"' in resposta.text
