"""The protocol's own admin page offers the list's actions (the same forms, the same services) and a
link to its back-office page; what it runs comes back to it."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from protocolo.forms import NINGUEM
from protocolo.models import Protocolo, Situacao
from tests.factories import AtendenteFactory, UsuarioFactory, abrir

pytestmark = pytest.mark.django_db


def _pagina(protocolo):
    return reverse("admin:protocolo_protocolo_change", args=[protocolo.pk])


def _acao(protocolo, nome):
    return reverse("admin:protocolo_protocolo_acao", args=[protocolo.pk, nome])


@pytest.fixture
def cliente_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client


def test_the_page_offers_every_action_and_the_back_office_page(cliente_supervisor):
    AtendenteFactory(first_name="Alice", last_name="Atendente")
    protocolo = abrir()

    resposta = cliente_supervisor.get(_pagina(protocolo))

    assert resposta.status_code == 200
    texto = resposta.text
    for nome in ("atribuir", "escalar", "resolver", "prorrogar", "cancelar"):
        assert f'action="{_acao(protocolo, nome)}"' in texto
    assert f'href="{reverse("atendimento:protocolo", args=[protocolo.numero])}"' in texto
    assert "Alice Atendente" in texto
    # The forms are outside the page's own (read-only) form: no nested <form>.
    assert texto.count("<form") == texto.count("</form>")
    assert 'id="id_escalar_motivo"' in texto and 'id="id_cancelar_motivo"' in texto


def test_an_action_from_the_page_runs_the_service_and_comes_back_to_it(cliente_supervisor, supervisor):
    alice = AtendenteFactory(first_name="Alice", last_name="Atendente")
    protocolo = abrir()

    resposta = cliente_supervisor.post(
        _acao(protocolo, "atribuir"),
        {"action": "atribuir", "_selected_action": protocolo.pk, "confirmar": "1", "responsavel": alice.pk},
    )

    assert resposta.status_code == 302
    assert resposta.url == _pagina(protocolo)
    assert Protocolo.objects.get(pk=protocolo.pk).responsavel == alice
    [mensagem] = [str(m) for m in get_messages(resposta.wsgi_request)]
    assert mensagem == f"Atribuído(s) a Alice Atendente: {protocolo.numero_formatado}."


def test_a_refused_form_is_shown_again_with_a_way_back_to_the_page(cliente_supervisor):
    protocolo = abrir()

    resposta = cliente_supervisor.post(
        _acao(protocolo, "atribuir"), {"action": "atribuir", "_selected_action": protocolo.pk, "confirmar": "1"}
    )

    assert resposta.status_code == 200
    assert resposta.context["form"].errors["responsavel"]
    assert f'href="{_pagina(protocolo)}" class="closelink"' in resposta.text


def test_returning_to_the_queue_from_the_page(cliente_supervisor, supervisor):
    alice = AtendenteFactory()
    protocolo = abrir(atendente=alice)

    cliente_supervisor.post(
        _acao(protocolo, "atribuir"),
        {"action": "atribuir", "_selected_action": protocolo.pk, "confirmar": "1", "responsavel": NINGUEM},
    )

    assert Protocolo.objects.get(pk=protocolo.pk).responsavel is None


def test_a_staff_member_without_the_permission_sees_no_action_and_cannot_post_one(client):
    usuario = UsuarioFactory(is_staff=True)
    usuario.user_permissions.add(Permission.objects.get(codename="view_protocolo"))
    client.force_login(usuario)
    protocolo = abrir()

    assert 'id="acoes-do-protocolo"' not in client.get(_pagina(protocolo)).text
    resposta = client.post(
        _acao(protocolo, "cancelar"),
        {"action": "cancelar", "_selected_action": protocolo.pk, "confirmar": "1", "motivo": "Sem permissão."},
    )

    assert resposta.status_code == 403
    assert Protocolo.objects.get(pk=protocolo.pk).situacao == Situacao.ABERTO


@pytest.mark.parametrize("nome", ["exportar_csv", "inexistente", "delete_selected"])
def test_no_other_action_is_reachable_through_the_page(cliente_supervisor, nome):
    protocolo = abrir()

    assert cliente_supervisor.post(_acao(protocolo, nome), {"confirmar": "1"}).status_code == 403


def test_a_get_runs_nothing_and_an_unknown_protocol_is_not_a_500(cliente_supervisor):
    protocolo = abrir()

    assert cliente_supervisor.get(_acao(protocolo, "cancelar")).url == _pagina(protocolo)
    assert Protocolo.objects.get(pk=protocolo.pk).situacao == Situacao.ABERTO
    resposta = cliente_supervisor.post(reverse("admin:protocolo_protocolo_acao", args=[999999, "cancelar"]))
    assert resposta.status_code == 302


@pytest.mark.parametrize("linhas", [1, 30])
def test_the_page_reads_a_fixed_number_of_queries(cliente_supervisor, django_assert_max_num_queries, linhas):
    protocolo = abrir()
    for _ in range(linhas):
        AtendenteFactory()

    with django_assert_max_num_queries(14):
        assert cliente_supervisor.get(_pagina(protocolo)).status_code == 200
