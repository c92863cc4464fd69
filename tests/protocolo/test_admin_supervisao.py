"""The supervision dashboard at /admin/supervisao/: who gets in, what it shows, its query count."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from protocolo import relogio, services
from protocolo.models import Protocolo
from tests.factories import AtendenteFactory, UsuarioFactory, abrir

pytestmark = pytest.mark.django_db

URL = "/admin/supervisao/"


@pytest.fixture
def cliente_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client


def test_it_lives_at_the_agreed_address():
    assert reverse("supervisao") == URL


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    resposta = client.get(URL)

    assert resposta.status_code == 302
    assert resposta.url == f"{reverse('admin:login')}?next={URL}"


def test_an_attendant_is_sent_to_the_admin_login(client, atendente):
    client.force_login(atendente)

    resposta = client.get(URL)

    assert resposta.status_code == 302
    assert resposta.url.startswith(reverse("admin:login"))


def test_staff_without_the_supervisors_permission_is_refused(client):
    usuario = UsuarioFactory(is_staff=True)
    usuario.user_permissions.add(Permission.objects.get(codename="view_protocolo"))
    client.force_login(usuario)

    assert client.get(URL).status_code == 403


def test_the_admin_index_links_to_it_for_supervisors_only(client, cliente_supervisor):
    assert f'href="{URL}"' in cliente_supervisor.get(reverse("admin:index")).text

    usuario = UsuarioFactory(is_staff=True)
    usuario.user_permissions.add(Permission.objects.get(codename="view_protocolo"))
    client.force_login(usuario)
    assert f'href="{URL}"' not in client.get(reverse("admin:index")).text


def test_it_shows_the_figures(cliente_supervisor, supervisor):
    alice = AtendenteFactory(first_name="Alice", last_name="Atendente")
    vencido = abrir(atendente=alice)
    Protocolo.objects.filter(pk=vencido.pk).update(prazo=relogio.hoje() - datetime.timedelta(days=1))
    escalado = abrir()
    services.protocolo_escalar(protocolo=escalado, motivo="Alçada.", autor=supervisor)

    resposta = cliente_supervisor.get(URL)

    assert resposta.status_code == 200
    texto = resposta.text
    assert "Painel de supervisão" in texto
    assert "<strong>2</strong> protocolos em aberto" in texto
    assert "<strong>1</strong> com prazo vencido" in texto
    assert "Alice Atendente" in texto
    assert escalado.numero_formatado in texto
    assert "<svg" in texto and "<rect" in texto


def test_the_chart_obeys_the_strict_csp(cliente_supervisor):
    abrir()

    texto = cliente_supervisor.get(URL).text

    assert not re.search(r"<[^>]+\sstyle=", texto)
    assert "<style" not in texto
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", texto.replace("nonce=", ""))


@pytest.mark.parametrize("quantidade", [1, 20])
def test_the_query_count_is_fixed_whatever_the_rows(
    cliente_supervisor, supervisor, django_assert_num_queries, quantidade
):
    for _ in range(quantidade):
        protocolo = abrir()
        services.protocolo_escalar(protocolo=protocolo, motivo="Alçada.", autor=supervisor)
    # session, user, the second factor's device, user permissions, group permissions; then one per
    # figure: open by situação and nível, overdue by categoria, overdue by responsável, deadline
    # compliance by categoria and by attendant, resolution percentiles, first contact and
    # reopenings, ratings, their weekly trend, opened per day, the escalation queue
    with django_assert_num_queries(16):
        resposta = cliente_supervisor.get(URL)
    assert resposta.status_code == 200


@pytest.mark.parametrize(
    ("consulta", "dias"), [({}, 30), ({"periodo": "7"}, 7), ({"periodo": "90"}, 90), ({"periodo": "30"}, 30)]
)
def test_the_period_selector_sets_the_days_of_the_figures(cliente_supervisor, consulta, dias):
    resposta = cliente_supervisor.get(URL, consulta)

    assert resposta.status_code == 200
    assert resposta.context["periodo"].dias == dias
    assert len(resposta.context["abertos_por_dia"]) == dias
    # The selector shows the period the figures cover.
    assert f'<option value="{dias}" selected>' in resposta.text


def test_a_custom_range_covers_its_days(cliente_supervisor):
    hoje = relogio.hoje()
    de = hoje - datetime.timedelta(days=9)

    resposta = cliente_supervisor.get(URL, {"periodo": "outro", "de": de.isoformat(), "ate": hoje.isoformat()})

    assert (resposta.context["periodo"].inicio, resposta.context["periodo"].fim) == (de, hoje)


@pytest.mark.parametrize(
    ("consulta", "erro"),
    [
        ({"periodo": "outro"}, "Informe as duas datas do período."),
        ({"periodo": "outro", "de": "2026-12-01", "ate": "2026-11-01"}, "A data inicial é posterior à final."),
        ({"periodo": "outro", "de": "2020-01-01", "ate": "2022-01-01"}, "Escolha um período de no máximo 366 dias."),
        ({"periodo": "outro", "de": "ontem", "ate": "\x00"}, "Informe uma data válida."),
        ({"periodo": "1000"}, "Faça uma escolha válida."),
    ],
)
def test_bad_period_input_is_a_portuguese_form_error_not_a_500(cliente_supervisor, consulta, erro):
    resposta = cliente_supervisor.get(URL, consulta)

    assert resposta.status_code == 200
    assert erro in resposta.text
    assert resposta.context["periodo"].dias == 30


def test_every_figure_links_to_the_filtered_list_behind_it(cliente_supervisor, supervisor):
    alice = AtendenteFactory(first_name="Alice", last_name="Atendente")
    vencido = abrir(atendente=alice)
    Protocolo.objects.filter(pk=vencido.pk).update(prazo=relogio.hoje() - datetime.timedelta(days=1))

    texto = cliente_supervisor.get(URL).text
    lista = reverse("admin:protocolo_protocolo_changelist")
    links = re.findall(r'href="(' + re.escape(lista) + r'\?[^"]+)"', texto)

    assert f"{lista}?prazo=vencido&amp;responsavel={alice.pk}" in links
    assert f"{lista}?situacao__exact=aberto" in links
    # Each link opens the list, never its "?e=1" redirect (a filter the list cannot apply).
    for link in set(links):
        resposta = cliente_supervisor.get(link.replace("&amp;", "&"))
        assert resposta.status_code == 200, link
    vencidos = cliente_supervisor.get(f"{lista}?prazo=vencido&responsavel={alice.pk}")
    assert vencidos.context["cl"].result_count == 1


def test_the_escalation_queue_flags_overdue_protocols(cliente_supervisor, supervisor):
    escalado = abrir()
    services.protocolo_escalar(protocolo=escalado, motivo="Alçada.", autor=supervisor)
    Protocolo.objects.filter(pk=escalado.pk).update(prazo=relogio.hoje() - datetime.timedelta(days=1))

    texto = cliente_supervisor.get(URL).text

    fila = texto[texto.index('id="fila-de-escalados"') :]
    assert '<strong class="vencido">vencido</strong>' in fila
