import pytest
from django.urls import reverse

from protocolo import services
from tests.factories import ConsumidorFactory, abrir, email_de

CONSUMIDORES = reverse("atendimento:consumidores")


def test_a_cpf_in_any_format_finds_the_consumer_with_all_their_protocols(cliente_atendente, atendente):
    consumidor = ConsumidorFactory(nome="Carla Dias")
    aberto = abrir(consumidor=consumidor)
    resolvido = abrir(consumidor=consumidor)
    services.protocolo_resolver(protocolo=resolvido, texto="Feito.", autor=atendente)
    abrir(consumidor=ConsumidorFactory())
    cpf = consumidor.cpf

    resposta = cliente_atendente.get(CONSUMIDORES, {"q": f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"})

    assert resposta.status_code == 200
    assert resposta.context["resultados"] == [consumidor]
    assert aberto.numero_formatado in resposta.text and resolvido.numero_formatado in resposta.text
    assert consumidor.cpf_mascarado in resposta.text and cpf not in resposta.text.replace(email_de(consumidor), "")


def test_part_of_a_name_finds_the_consumers(cliente_atendente):
    carla = ConsumidorFactory(nome="Carla Dias")
    ConsumidorFactory(nome="Pedro Alves")

    resposta = cliente_atendente.get(CONSUMIDORES, {"q": "dias"})

    assert resposta.context["resultados"] == [carla]


def test_nothing_found_says_so(cliente_atendente):
    resposta = cliente_atendente.get(CONSUMIDORES, {"q": "Ninguém Assim"})

    assert "Nenhum consumidor encontrado." in resposta.text


@pytest.mark.parametrize("consumidores", [1, 15])
def test_its_query_count_does_not_grow_with_the_results(cliente_atendente, django_assert_num_queries, consumidores):
    for _ in range(consumidores):
        consumidor = ConsumidorFactory(nome="Silva")
        abrir(consumidor=consumidor)
        abrir(consumidor=consumidor)
    # session, user, user permissions, group permissions, the consumers, their protocols
    with django_assert_num_queries(6):
        resposta = cliente_atendente.get(CONSUMIDORES, {"q": "silva"})
    assert len(resposta.context["resultados"]) == consumidores


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "1" * 300, "123", "\x00"])
def test_odd_searches_never_break_it(cliente_atendente, q):
    resposta = cliente_atendente.get(CONSUMIDORES, {"q": q})

    assert resposta.status_code == 200
    assert "<script>alert" not in resposta.text


def test_a_name_search_needs_three_letters(cliente_atendente):
    ConsumidorFactory(nome="Li Wu")

    resposta = cliente_atendente.get(CONSUMIDORES, {"q": "Li"})

    assert resposta.context["resultados"] is None
    assert "no mínimo 3 caracteres" in resposta.text
