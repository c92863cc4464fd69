"""Signing in with OpenID Connect in Chromium, against the real provider of tests/oidc: the button is
a link, so the strict `form-action 'self'` never meets the redirect to the provider, and the whole
round trip ends on the consumer's demands, with no policy violation on our pages."""

import pytest
from playwright.sync_api import expect

from tests.factories import ConsumidorFactory, abrir, dados_iniciais
from tests.oidc.apoio import Provedor, config

pytestmark = pytest.mark.django_db(transaction=True)

CPF = "52998224725"

VIGIA = """
window.__violacoes = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violacoes.push(e.violatedDirective));
"""


@pytest.fixture
def provedor_do_navegador(live_server, settings):
    provedor = Provedor(base=live_server.url)
    settings.PROTOCOLO_URL_BASE = live_server.url
    settings.PROTOCOLO_OIDC = {"empresa": config(provedor.endereco, titulo="Conta Exemplo", cpf_comprovado=True)}
    yield provedor
    provedor.parar()


def test_a_consumer_signs_in_sees_every_demand_and_signs_out(page, live_server, provedor_do_navegador):
    dados_iniciais()
    maria = ConsumidorFactory(cpf=CPF)
    protocolos = [abrir(consumidor=maria, objeto="Cobrança em dobro."), abrir(consumidor=maria, objeto="Sem sinal.")]
    page.add_init_script(VIGIA)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Entrar com Conta Exemplo").click()
    page.locator("input[name=login]").fill(CPF)
    page.locator("input[name=password]").fill("qualquer")
    page.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/demandas/")
    for protocolo in protocolos:
        expect(page.get_by_role("link", name=protocolo.numero_formatado)).to_be_visible()
    assert page.evaluate("() => window.__violacoes") == []

    page.get_by_role("button", name="Sair").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Você saiu.")).to_be_visible()
    assert page.goto(f"{live_server.url}/demandas/").status == 404
