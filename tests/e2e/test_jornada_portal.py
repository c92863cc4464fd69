"""The consumer portal's day (issue 13): every consumer page at 375 px and 1280 px, as an anonymous
visitor and as a visitor holding access to one protocol, with realistic data (a long name, a long
timeline, a resolution waiting for an answer). One browser session per role and width: no page
overflows sideways, no table hides a column at 1280 px, axe-core finds nothing serious, each page is
saved in capturas/."""

import datetime

import pytest
from playwright.sync_api import expect

from protocolo import relogio, services
from protocolo.models import Situacao
from tests.factories import AtendenteFactory, ConsumidorFactory, SupervisorFactory, abrir, dados_iniciais

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("limites_zerados")]

CPF = "529.982.247-25"
LARGURAS = pytest.mark.parametrize("largura", [375, 1280])
NOME = "Maria Aparecida dos Santos Figueiredo de Albuquerque Cavalcanti Vasconcelos"


@pytest.fixture
def conferir(page, capturar, acessibilidade):
    def conferir(nome):
        assert acessibilidade() == [], nome
        largura = page.viewport_size["width"]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= largura, nome
        if largura >= 1280:
            escondidas = page.evaluate(
                """() => [...document.querySelectorAll('table, .table-responsive')]
                    .filter(t => t.scrollWidth > t.clientWidth).map(t => t.className)"""
            )
            assert escondidas == [], nome
        capturar(nome)

    return conferir


def _protocolo_com_historia():
    """A complaint with a long text, a long timeline (messages both ways, an escalation, an extended
    deadline) and a resolution waiting for the consumer's answer."""
    dados_iniciais()
    consumidor = ConsumidorFactory(cpf="52998224725", nome=NOME, email="maria.aparecida.figueiredo@exemplo.com.br")
    atendente = AtendenteFactory(first_name="Joana Beatriz", last_name="Pereira de Lima Nogueira")
    inicio = relogio.agora() - datetime.timedelta(days=5)
    with relogio.em(inicio):
        protocolo = abrir(
            consumidor=consumidor,
            objeto="A fatura de outubro veio com a mensalidade cobrada duas vezes e uma taxa de "
            "reativação que nunca pedi; liguei três vezes e ninguém resolveu. " * 4,
        )
    services.protocolo_mudar_situacao(protocolo=protocolo, situacao=Situacao.EM_ATENDIMENTO, autor=atendente)
    for i in range(6):
        services.protocolo_registrar_interacao(
            protocolo=protocolo,
            texto=f"Mensagem {i + 1}: estamos conferindo as cobranças de outubro com o financeiro, "
            "e o estorno depende da confirmação da operadora do cartão.",
            autor=atendente,
            publica=True,
        )
        services.protocolo_registrar_interacao(
            protocolo=protocolo,
            texto=f"Resposta {i + 1}: segue o comprovante https://exemplo.com.br/{'comprovante-' * 12}{i}",
            origem=services.Origem.CONSUMIDOR,
        )
    services.protocolo_escalar(protocolo=protocolo, motivo="Valor acima da alçada.", autor=atendente)
    # Past the escalation the supervisors answer (docs/dominio.md §5).
    return services.protocolo_resolver(
        protocolo=protocolo,
        texto="Estornamos a mensalidade em dobro e a taxa de reativação: o crédito aparece na próxima fatura.",
        autor=SupervisorFactory(first_name="Sérgio", last_name="Supervisor"),
    )


@LARGURAS
def test_an_anonymous_visitor_walks_every_public_page(page, live_server, conferir, largura, settings):
    dados_iniciais()
    page.set_viewport_size({"width": largura, "height": 900})
    for caminho, titulo, nome in [
        ("/", "Acompanhe o seu atendimento", "inicio"),
        ("/recuperar/", "Perdi o número do protocolo", "recuperar"),
        ("/privacidade/", "Privacidade e seus dados pessoais", "privacidade"),
        ("/verificar/", "Verificar um comprovante", "verificar"),
        ("/indicadores/", "Indicadores do atendimento", "indicadores"),
        ("/protocolo/2026000001/", "Protocolo não encontrado", "nao-encontrado"),
    ]:
        page.goto(live_server.url + caminho)
        expect(page.get_by_role("heading", name=titulo, exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Sair")).to_have_count(0)
        conferir(nome)

    # The footer's links are targets of at least 44 px.
    alturas = page.evaluate(
        "() => [...document.querySelectorAll('.rodape-links a')].map(a => a.getBoundingClientRect().height)"
    )
    assert alturas and min(alturas) >= 44

    page.goto(f"{live_server.url}/abrir/")
    conferir("abrir")
    page.get_by_role("button", name="Abrir protocolo").click()
    expect(page.get_by_text("Informe o CPF.")).to_be_visible()
    expect(page.get_by_text("Informe o seu nome completo.")).to_be_visible()
    conferir("abrir-erros")
    # Retyping clears that field's old error, and only that one.
    page.get_by_label("CPF").fill(CPF)
    expect(page.get_by_text("Informe o CPF.")).to_be_hidden()
    expect(page.get_by_label("CPF")).not_to_have_class("is-invalid")
    expect(page.get_by_text("Informe o seu nome completo.")).to_be_visible()
    conferir("abrir-corrigindo")


@LARGURAS
def test_a_visitor_with_access_follows_answers_and_leaves(page, live_server, conferir, largura):
    protocolo = _protocolo_com_historia()
    page.set_viewport_size({"width": largura, "height": 900})

    page.goto(live_server.url)
    page.get_by_label("Número do protocolo").fill(protocolo.numero_formatado)
    page.get_by_label("CPF").fill(CPF)
    page.get_by_role("button", name="Consultar").click()
    expect(page.get_by_role("heading", name=protocolo.numero_formatado)).to_be_visible()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Respondido")
    expect(page.locator(".resposta-da-empresa")).to_contain_text("Estornamos a mensalidade")
    caixas = page.evaluate(
        """() => [...document.querySelectorAll('#div_id_avaliacao .form-check-label')]
            .map(l => { const r = l.getBoundingClientRect(); return [r.width, r.height]; })"""
    )
    assert len(caixas) == 5 and all(w >= 44 and h >= 44 for w, h in caixas), caixas
    conferir("protocolo")
    page.locator("#div_id_avaliacao").get_by_text("4", exact=True).click()
    expect(page.locator('input[name="avaliacao"][value="4"]')).to_be_checked()

    page.get_by_role("link", name="Comprovante para o Procon").click()
    expect(page.locator("[data-emissor]")).to_contain_text("CNPJ 11.222.333/0001-81")
    conferir("comprovante")
    page.goto(f"{live_server.url}/protocolo/{protocolo.numero}/historico/")
    conferir("historico")
    page.goto(f"{live_server.url}/indicadores/")
    conferir("indicadores")

    page.get_by_role("button", name="Sair").click()
    expect(page.get_by_text("Você saiu.")).to_be_visible()
    expect(page.get_by_role("button", name="Sair")).to_have_count(0)
    resposta = page.goto(f"{live_server.url}/protocolo/{protocolo.numero}/")
    assert resposta.status == 404
    conferir("depois-de-sair")
