"""The queue, a protocol's page and the consumer search as an attendant and as a supervisor live
them, at 375 px and 1280 px, with realistic data: long names, every deadline badge, the consumer's
mark, an escalated and a resolved protocol, a long timeline. One browser session per role and
width walks the pages; on each, nothing widens the page, no column of a table hides behind a scroll
at 1280 px, axe finds nothing serious, and a screenshot is saved."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from protocolo import relogio, services
from protocolo.models import Categoria
from tests.factories import AtendenteFactory, ConsumidorFactory, SupervisorFactory, abrir, dados_iniciais

pytestmark = pytest.mark.django_db(transaction=True)

NOME_LONGO = "Maria Aparecida da Conceição Figueiredo de Albuquerque Vasconcelos Bittencourt"
RESPONSAVEL = ("Ana Beatriz Guimarães", "Nascimento de Oliveira Cavalcanti")
CPF = "529.982.247-25"
TEXTO_LONGO = (
    "O consumidor relata que a cobrança da fatura de novembro veio em dobro, com um serviço adicional "
    "que nunca contratou, e pede o estorno integral; já ligou três vezes sem solução. "
)


def _dados(usuario):
    """The queue a morning finds: one protocol in each deadline state, the consumer's mark, an
    escalated one, a resolved one, and one with a long history."""
    dados_iniciais()
    Categoria.objects.create(
        codigo="contestacao",
        nome="Contestação de cobrança indevida em fatura de serviços adicionais",
        prazo_dias=10,
        tipo_prazo="corridos",
        calendario="civil",
    )
    colega = AtendenteFactory(first_name=RESPONSAVEL[0], last_name=RESPONSAVEL[1])
    agora = relogio.agora()
    consumidor = ConsumidorFactory(nome=NOME_LONGO, cpf=CPF.replace(".", "").replace("-", ""))
    with relogio.em(agora - datetime.timedelta(days=10)):
        vencido = abrir(consumidor=consumidor, atendente=colega)
    with relogio.em(agora - datetime.timedelta(days=6)):
        abrir(consumidor=ConsumidorFactory(nome="João Pedro Antunes de Magalhães Nogueira Sobrinho"))
    abrir(consumidor=consumidor, categoria_codigo="cancelamento", atendente=usuario)
    abrir(consumidor=ConsumidorFactory(nome=NOME_LONGO + " Neto"), categoria_codigo="contestacao", atendente=colega)
    abrir(categoria_codigo=None)
    escrito = abrir(consumidor=ConsumidorFactory(nome="Luíza Fernanda Castanheira"), categoria_codigo="lgpd")
    services.protocolo_registrar_interacao(
        protocolo=escrito, texto="Alguma novidade?", origem=services.Origem.CONSUMIDOR
    )
    services.protocolo_escalar(protocolo=escrito, motivo="Valor acima da alçada.", autor=colega)
    resolvido = abrir(consumidor=consumidor)
    services.protocolo_resolver(protocolo=resolvido, texto="Estornamos a cobrança.", autor=colega)

    # The protocol with a long history: answers (sent as messages), internal notes, the consumer.
    for n in range(12):
        services.protocolo_registrar_interacao(
            protocolo=vencido, texto=f"{n + 1}. {TEXTO_LONGO * 2}", autor=colega, publica=n % 3 == 0
        )
        services.protocolo_registrar_interacao(
            protocolo=vencido, texto=f"Resposta do consumidor {n + 1}.", origem=services.Origem.CONSUMIDOR
        )
    return vencido, resolvido, escrito


def _entrar(page, live_server, usuario):
    page.goto(f"{live_server.url}/atendimento/entrar/")
    page.get_by_label("Usuário").fill(usuario.username)
    page.get_by_label("Senha").fill("senha-de-teste")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Painel de atendimento")).to_be_visible()


def _cabe(page, largura):
    """Nothing wider than the screen; at desktop width no table scrolls sideways."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= largura
    if largura >= 1280:
        escondidas = page.evaluate(
            "() => [...document.querySelectorAll('table')]"
            ".filter(t => t.scrollWidth > t.clientWidth || t.parentElement.scrollWidth > t.parentElement.clientWidth)"
            ".map(t => t.querySelector('caption')?.textContent)"
        )
        assert escondidas == []


@pytest.mark.parametrize("largura", [375, 1280])
@pytest.mark.parametrize("papel", ["atendente", "supervisor"])
def test_the_back_office_fits_the_screen(page, live_server, capturar, acessibilidade, papel, largura):
    fabrica = AtendenteFactory if papel == "atendente" else SupervisorFactory
    usuario = fabrica(first_name="Francisca Helena", last_name="Vasconcelos de Albuquerque Figueiredo")
    vencido, resolvido, escalado = _dados(usuario)
    # The escalated one is the supervisors' (nível 2): in their queue, not in the attendant's.
    supervisiona = papel == "supervisor"
    page.set_viewport_size({"width": largura, "height": 800})
    _entrar(page, live_server, usuario)

    # The queue: every badge, the consumer's mark, the count.
    expect(page.locator("[data-niveis]")).to_contain_text(
        "nível 1 (atendimento), nível 2 (supervisão)" if supervisiona else "Sua fila: nível 1 (atendimento), e"
    )
    expect(page.locator("[data-total]")).to_contain_text("6 protocolos" if supervisiona else "5 protocolos")
    expect(page.locator("[data-consumidor-escreveu]")).to_have_count(2 if supervisiona else 1)
    if largura < 768:
        expect(page.get_by_label("Buscar: número, CPF ou nome")).to_be_hidden()
        filtros = page.get_by_role("button", name=re.compile("^Filtros"))
        filtros.click()
        expect(page.get_by_label("Buscar: número, CPF ou nome")).to_be_visible()
    _cabe(page, largura)
    assert acessibilidade() == []
    capturar(f"{papel}-fila")

    # Sorted by the farthest deadline, through the column's header; filtered to all situações.
    page.locator("[data-ordenar=prazo]").click()
    expect(page.locator("th[aria-sort=descending]")).to_have_count(1)
    if largura < 768:
        filtros.click()
    page.get_by_label("Situação").select_option("todas")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.locator("[data-total]")).to_contain_text("7 protocolos" if supervisiona else "6 protocolos")
    if largura < 768:
        expect(page.locator("[data-filtros-ativos]")).to_contain_text("2")
    _cabe(page, largura)
    assert acessibilidade() == []
    capturar(f"{papel}-fila-filtrada")

    # The long protocol: the forms before its history on a phone.
    page.goto(f"{live_server.url}/atendimento/protocolos/{vencido.numero}/")
    expect(page.locator("[data-linha-do-tempo] > li")).to_have_count(25)
    interacao = page.locator("#titulo-interacao").bounding_box()
    linha = page.locator("#titulo-linha").bounding_box()
    if largura < 992:
        assert interacao["y"] < linha["y"]
    _cabe(page, largura)
    assert acessibilidade() == []
    capturar(f"{papel}-protocolo")

    # A resolved one: no demand forms, no running deadline.
    page.goto(f"{live_server.url}/atendimento/protocolos/{resolvido.numero}/")
    expect(page.locator("[data-prazo-encerrado]")).to_contain_text("respondido")
    expect(page.locator('[data-form="categoria"]')).to_have_count(0)
    _cabe(page, largura)
    assert acessibilidade() == []
    capturar(f"{papel}-resolvido")

    # The escalated one: worked by the supervisors; the attendant who reaches it records a note only.
    page.goto(f"{live_server.url}/atendimento/protocolos/{escalado.numero}/")
    if supervisiona:
        expect(page.locator('[data-form="resolver"]')).to_have_count(1)
        expect(page.locator("[data-outra-equipe]")).to_have_count(0)
    else:
        expect(page.locator("[data-outra-equipe]")).to_contain_text("nível 2 (supervisão)")
        expect(page.locator('[data-form="resolver"]')).to_have_count(0)
        expect(page.get_by_label("Resposta ao consumidor (pública, enviada por e-mail)")).to_have_count(0)
    _cabe(page, largura)
    assert acessibilidade() == []
    capturar(f"{papel}-escalado")

    # The consumer search.
    page.goto(f"{live_server.url}/atendimento/consumidores/?q={CPF}")
    expect(page.get_by_text(NOME_LONGO).first).to_be_visible()
    _cabe(page, largura)
    assert acessibilidade() == []
    capturar(f"{papel}-consumidores")
