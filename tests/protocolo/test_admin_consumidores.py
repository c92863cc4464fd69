"""Consumers in the admin: exact CPF or name search, CPF always masked, only the legal hold editable,
the data subject's export and anonymisation as actions."""

import datetime
import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from protocolo import relogio, services
from protocolo.models import AcessoDadoPessoal, Consumidor, Interacao
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db

LISTA = "admin:protocolo_consumidor_changelist"
CPF = "52998224725"


@pytest.fixture
def cliente_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client


def _listados(cliente, **parametros):
    resposta = cliente.get(reverse(LISTA), parametros)
    assert resposta.status_code == 200
    return set(resposta.context["cl"].result_list)


def _antigo(consumidor):
    """Give the consumer one protocol that ended six years ago."""
    with relogio.em(relogio.agora() - datetime.timedelta(days=6 * 365)):
        Consumidor.objects.filter(pk=consumidor.pk).update(criado_em=relogio.agora())
        protocolo = abrir(consumidor=consumidor)
        services.protocolo_resolver(protocolo=protocolo, texto="Resolvido.")
        services.protocolo_encerrar(protocolo=protocolo, origem=Interacao.Origem.CONSUMIDOR)
    return protocolo


@pytest.mark.parametrize("digitado", [CPF, "529.982.247-25", "529 982 247 25"])
def test_search_by_cpf_in_any_format(cliente_supervisor, digitado):
    procurado = ConsumidorFactory(cpf=CPF)
    ConsumidorFactory()

    assert _listados(cliente_supervisor, q=digitado) == {procurado}


def test_search_by_part_of_the_name(cliente_supervisor):
    procurado = ConsumidorFactory(nome="Joana Conceição")
    ConsumidorFactory(nome="Pedro Alves")

    assert _listados(cliente_supervisor, q="CONCEI") == {procurado}


def test_the_cpf_is_masked_in_the_list_and_on_the_page(cliente_supervisor):
    consumidor = ConsumidorFactory(cpf=CPF, email="joana@exemplo.com.br")

    lista = cliente_supervisor.get(reverse(LISTA))
    pagina = cliente_supervisor.get(reverse("admin:protocolo_consumidor_change", args=[consumidor.pk]))

    for resposta in (lista, pagina):
        assert "***.982.247-**" in resposta.text
        assert CPF not in resposta.text
        assert "529.982.247-25" not in resposta.text


def test_only_the_legal_hold_is_editable(cliente_supervisor):
    consumidor = ConsumidorFactory(cpf=CPF, nome="Joana")
    url = reverse("admin:protocolo_consumidor_change", args=[consumidor.pk])

    resposta = cliente_supervisor.post(
        url,
        {
            "retencao_suspensa": "on",
            "motivo_retencao": "Processo 0001234-56.2025",
            "nome": "Outro",
            "cpf": "11144477735",
        },
    )

    assert resposta.status_code == 302
    consumidor.refresh_from_db()
    assert (consumidor.retencao_suspensa, consumidor.motivo_retencao) == (True, "Processo 0001234-56.2025")
    assert (consumidor.nome, consumidor.cpf) == ("Joana", CPF)


def test_a_legal_hold_needs_its_reason(cliente_supervisor):
    consumidor = ConsumidorFactory()

    resposta = cliente_supervisor.post(
        reverse("admin:protocolo_consumidor_change", args=[consumidor.pk]), {"retencao_suspensa": "on"}
    )

    assert resposta.status_code == 200
    assert "Informe o motivo da guarda legal" in resposta.text
    consumidor.refresh_from_db()
    assert consumidor.retencao_suspensa is False


def test_the_data_subjects_export_is_json_and_recorded(cliente_supervisor, supervisor):
    consumidor = ConsumidorFactory(cpf=CPF, nome="Joana Conceição")
    protocolo = abrir(consumidor=consumidor)

    resposta = cliente_supervisor.post(
        reverse(LISTA), {"action": "exportar_dados", "index": 0, "_selected_action": [consumidor.pk]}
    )

    assert resposta.status_code == 200
    assert resposta["Content-Type"] == "application/json; charset=utf-8"
    dados = json.loads(resposta.content)
    [titular] = dados["titulares"]
    assert titular["titular"]["nome"] == "Joana Conceição"
    assert titular["titular"]["cpf"] == "529.982.247-25"
    assert [p["numero"] for p in titular["protocolos"]] == [protocolo.numero_formatado]
    acesso = AcessoDadoPessoal.objects.get()
    assert (acesso.usuario, acesso.consumidor, acesso.tipo) == (supervisor, consumidor, AcessoDadoPessoal.Tipo.EXPORTAR)


def test_a_request_from_the_portal_is_not_answered_before_the_identity_is_confirmed(cliente_supervisor, client):
    """Whoever typed the CPF on /privacidade/ is not the holder until a contact is bound to them."""
    client.post(
        "/privacidade/",
        {"cpf": CPF, "nome": "Atacante", "email": "atacante@exemplo.com", "pedido": "acesso", "detalhes": "Quero."},
    )
    consumidor = Consumidor.objects.get(cpf=CPF)

    resposta = cliente_supervisor.post(
        reverse(LISTA), {"action": "exportar_dados", "index": 0, "_selected_action": [consumidor.pk]}, follow=True
    )

    assert resposta["Content-Type"].startswith("text/html")
    assert "Confirme antes a identidade do titular" in resposta.text
    assert not AcessoDadoPessoal.objects.exists()


def test_anonymising_asks_for_confirmation_naming_who_may_not_be(cliente_supervisor):
    elegivel, recente = ConsumidorFactory(), ConsumidorFactory()
    _antigo(elegivel)
    abrir(consumidor=recente)

    resposta = cliente_supervisor.post(
        reverse(LISTA), {"action": "anonimizar", "index": 0, "_selected_action": [elegivel.pk, recente.pk]}
    )

    assert resposta.status_code == 200
    assert "será anonimizado" in resposta.text
    assert "não será anonimizado" in resposta.text
    assert Consumidor.objects.get(pk=elegivel.pk).anonimizado_em is None


def test_anonymising_does_it_where_retention_allows_and_says_why_not_elsewhere(cliente_supervisor):
    elegivel, sob_guarda = ConsumidorFactory(), ConsumidorFactory(retencao_suspensa=True, motivo_retencao="Ação civil")
    _antigo(elegivel)
    _antigo(sob_guarda)

    resposta = cliente_supervisor.post(
        reverse(LISTA),
        {"action": "anonimizar", "_selected_action": [elegivel.pk, sob_guarda.pk], "confirmar": "1"},
        follow=True,
    )

    mensagens = [str(m) for m in get_messages(resposta.wsgi_request)] or [str(m) for m in resposta.context["messages"]]
    assert Consumidor.objects.get(pk=elegivel.pk).cpf is None
    assert Consumidor.objects.get(pk=sob_guarda.pk).cpf == sob_guarda.cpf
    assert any("anonimizado" in m and str(elegivel.pk) in m for m in mensagens)
    assert any("guarda legal (Ação civil)" in m for m in mensagens)


def test_nobody_adds_or_deletes_consumers_here(cliente_supervisor):
    consumidor = ConsumidorFactory()

    assert cliente_supervisor.get(reverse("admin:protocolo_consumidor_add")).status_code == 403
    resposta = cliente_supervisor.post(
        reverse("admin:protocolo_consumidor_delete", args=[consumidor.pk]), {"post": "yes"}
    )
    assert resposta.status_code == 403
    assert Consumidor.objects.filter(pk=consumidor.pk).exists()


def test_the_consumer_page_links_to_their_protocols(cliente_supervisor):
    consumidor = ConsumidorFactory()
    dele = abrir(consumidor=consumidor)
    abrir()

    pagina = cliente_supervisor.get(reverse("admin:protocolo_consumidor_change", args=[consumidor.pk]))
    lista = cliente_supervisor.get(
        reverse("admin:protocolo_protocolo_changelist"), {"consumidor__id__exact": consumidor.pk}
    )

    assert f"consumidor__id__exact={consumidor.pk}" in pagina.text
    assert set(lista.context["cl"].result_list) == {dele}
