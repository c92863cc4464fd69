"""A supervisor's day in the admin, at 375 px and 1280 px: the protocol list, one protocol's page
(acting from it) and the supervision dashboard, with long names, every deadline badge and a long
timeline. No page wider than the screen, at 1280 px no table column behind a scroll, axe clean."""

import datetime

import pytest
from playwright.sync_api import expect

from protocolo import relogio, services
from protocolo.models import Interacao
from tests.factories import AtendenteFactory, ConsumidorFactory, SupervisorFactory, abrir, dados_iniciais
from tests.segundo_fator import codigo, dispositivo_de

pytestmark = pytest.mark.django_db(transaction=True)

NOME_LONGO = "Maria Aparecida de Albuquerque Cavalcanti Figueiredo dos Santos Magalhães"


def _dados():
    dados_iniciais()
    supervisor = SupervisorFactory(username="sergio", first_name="Sérgio", last_name="Supervisor")
    alice = AtendenteFactory(first_name="Alice Bernadete", last_name="Vasconcelos de Oliveira Guimarães")
    protocolos = []
    # Every deadline state: overdue, due today, within two days, on time; and resolved, escalated.
    for dias in (14, 10, 9, 8, 5, 2, 0):
        with relogio.em(relogio.agora() - datetime.timedelta(days=dias)):
            protocolos.append(abrir(consumidor=ConsumidorFactory(nome=NOME_LONGO), atendente=alice))
    longo = protocolos[0]
    for i in range(30):
        services.protocolo_registrar_interacao(
            protocolo=longo, texto=f"Contato {i}: " + "o consumidor pede o estorno da cobrança. " * 6, autor=alice
        )
    services.protocolo_escalar(protocolo=protocolos[1], motivo="Valor acima da alçada.", autor=supervisor)
    with relogio.em(relogio.agora() - datetime.timedelta(days=2)):
        services.protocolo_resolver(protocolo=protocolos[2], texto="Estornamos o valor.")
    services.protocolo_encerrar(protocolo=protocolos[2], origem=Interacao.Origem.CONSUMIDOR, avaliacao=4)
    return supervisor, alice, longo


def _cabe(page):
    largura = page.evaluate("() => document.documentElement.scrollWidth")
    assert largura <= page.viewport_size["width"], f"a página tem {largura} px"
    if page.viewport_size["width"] >= 1280:
        escondidas = page.evaluate(
            "() => [...document.querySelectorAll('table')].filter(t => t.scrollWidth > t.clientWidth + 1)"
            ".map(t => `${t.id || t.caption?.textContent}: ${t.scrollWidth} > ${t.clientWidth}`)"
        )
        assert escondidas == []
        # No table wider than the box that holds it (a column behind its overflow).
        cortadas = page.evaluate(
            "() => [...document.querySelectorAll('table')].filter(t => t.parentElement.scrollWidth >"
            " t.parentElement.clientWidth + 1)"
            ".map(t => `${t.id || t.caption?.textContent}: ${t.parentElement.scrollWidth}`"
            " + ` > ${t.parentElement.clientWidth}`)"
        )
        assert cortadas == []


@pytest.mark.parametrize("largura", [375, 1280])
def test_a_supervisor_walks_the_admin(page, live_server, capturar, acessibilidade, largura):
    supervisor, _, longo = _dados()
    aplicativo = dispositivo_de(supervisor)
    page.set_viewport_size({"width": largura, "height": 900})
    page.set_default_timeout(8000)

    page.goto(f"{live_server.url}/admin/")
    # The admin's login is the back-office's page: one look from the password to the admin.
    expect(page.get_by_role("heading", name="Entrar na supervisão")).to_be_visible()
    assert acessibilidade() == []
    capturar("entrada")
    page.get_by_label("Usuário").fill(supervisor.username)
    page.get_by_label("Senha").fill("senha-de-teste")
    page.get_by_role("button", name="Entrar").click()
    page.get_by_label("Código de 6 dígitos").fill(codigo(aplicativo))
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("link", name="Painel de supervisão")).to_be_visible()

    page.goto(f"{live_server.url}/admin/protocolo/protocolo/")
    expect(page.locator("#result_list")).to_contain_text("vencido")
    capturar("lista")
    _cabe(page)
    assert acessibilidade() == []

    page.goto(f"{live_server.url}/admin/protocolo/protocolo/{longo.pk}/change/")
    expect(page.get_by_role("link", name="Abrir na retaguarda")).to_be_visible()
    page.locator("#acao-atribuir summary").click()
    expect(page.locator("#id_atribuir_responsavel")).to_have_value("")
    capturar("protocolo")
    _cabe(page)
    assert acessibilidade() == []
    page.locator("#id_atribuir_responsavel").select_option("fila")
    page.locator("#acao-atribuir").get_by_role("button", name="Atribuir").click()
    expect(page.locator(".messagelist")).to_contain_text("Devolvido(s) à fila")
    expect(page.get_by_role("link", name="Abrir na retaguarda")).to_be_visible()

    page.goto(f"{live_server.url}/admin/supervisao/")
    expect(page.get_by_role("heading", name="Painel de supervisão")).to_be_visible()
    capturar("painel")
    _cabe(page)
    assert acessibilidade() == []
