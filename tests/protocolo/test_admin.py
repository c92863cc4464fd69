import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from protocolo.models import Interacao, Protocolo
from tests.factories import ConsumidorFactory, abrir


@pytest.fixture
def cliente_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client


def test_a_supervisor_sees_the_protocols_with_masked_cpf(cliente_supervisor):
    protocolo = abrir(consumidor=ConsumidorFactory(cpf="52998224725"))

    resposta = cliente_supervisor.get(reverse("admin:protocolo_protocolo_changelist"))

    assert resposta.status_code == 200
    assert protocolo.numero_formatado in resposta.text
    assert "***.982.247-**" in resposta.text
    assert "52998224725" not in resposta.text
    assert "529.982.247-25" not in resposta.text


@pytest.mark.parametrize("quantidade", [1, 25])
def test_the_changelist_query_count_does_not_grow_with_the_rows(
    cliente_supervisor, django_assert_num_queries, quantidade
):
    for _ in range(quantidade):
        abrir()
    # session, user, user permissions, group permissions, filter choices for categoria, the
    # filtered count, the page of protocols with their joins
    with django_assert_num_queries(7):
        resposta = cliente_supervisor.get(reverse("admin:protocolo_protocolo_changelist"))
    assert resposta.status_code == 200


def test_search_finds_a_number_typed_in_any_format(cliente_supervisor):
    procurado, outro = abrir(), abrir()

    resposta = cliente_supervisor.get(
        reverse("admin:protocolo_protocolo_changelist"), {"q": procurado.numero_formatado.replace(" ", ".")}
    )

    assert list(resposta.context["cl"].result_list) == [procurado]
    assert outro.numero_formatado not in resposta.text


def test_the_protocol_page_is_read_only_with_its_timeline(cliente_supervisor):
    protocolo = abrir(objeto="Cobrança em dobro na fatura de outubro.")

    resposta = cliente_supervisor.get(reverse("admin:protocolo_protocolo_change", args=[protocolo.pk]))

    assert resposta.status_code == 200
    assert "Cobrança em dobro na fatura de outubro." in resposta.text
    assert 'name="_save"' not in resposta.text


@pytest.mark.parametrize("modelo", ["protocolo", "interacao"])
def test_not_even_a_superuser_can_delete_the_record(client, db, modelo):
    protocolo = abrir()
    objeto = protocolo if modelo == "protocolo" else protocolo.interacoes.get()
    client.force_login(User.objects.create_superuser("raiz", "raiz@exemplo.com.br", "senha-de-teste"))

    resposta = client.post(reverse(f"admin:protocolo_{modelo}_delete", args=[objeto.pk]), {"post": "yes"})

    assert resposta.status_code == 403
    assert Protocolo.objects.filter(pk=protocolo.pk).exists()
    assert Interacao.objects.filter(protocolo=protocolo).count() == 1


def test_the_bulk_delete_action_is_not_offered(client, db):
    abrir()
    client.force_login(User.objects.create_superuser("raiz", "raiz@exemplo.com.br", "senha-de-teste"))

    resposta = client.get(reverse("admin:protocolo_protocolo_changelist"))

    assert "delete_selected" not in resposta.text


def test_an_attendant_is_not_let_into_the_admin(client, atendente):
    client.force_login(atendente)

    resposta = client.get(reverse("admin:protocolo_protocolo_changelist"))

    assert resposta.status_code == 302
    assert resposta.url.startswith(reverse("admin:login"))
