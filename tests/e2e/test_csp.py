"""The strict Content-Security-Policy as a browser applies it: a representative page of each area —
the consumer's lookup, status page and receipt, the back-office queue and protocol page, the admin's
list, change form and supervision dashboard — loads with no policy violation and no console error.
The header walk (tests/seguranca/test_cabecalhos.py) reads the policy; this proves the pages live
within it, scripts and styles they build at run time included."""

import pytest
import requests
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from protocolo import settings as producao
from protocolo.models import SistemaIntegrado
from tests.factories import AtendenteFactory, ConsumidorFactory, SupervisorFactory, abrir, dados_iniciais
from tests.segundo_fator import Cliente

pytestmark = pytest.mark.django_db(transaction=True)

# Added by Playwright through DevTools, so it runs whatever the page's policy says.
VIGIA = """
window.__violacoes = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__violacoes.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def vigiada(page):
    """The page with every violation and console error it raises collected in `problemas`."""
    problemas = []
    page.add_init_script(VIGIA)

    def console(mensagem):
        # Chromium logs a page answered with an error status as a failed resource: the lookup's
        # failures (404) and its challenge (429) are such pages, by design, not a problem in them.
        do_status = mensagem.text.startswith("Failed to load resource") and mensagem.location.get("url", "").endswith(
            reverse("consumidor:consultar")
        )
        if mensagem.type == "error" and not do_status:
            problemas.append(mensagem.text)

    page.on("console", console)
    page.on("pageerror", lambda erro: problemas.append(str(erro)))

    def conferir(caminho):
        problemas.extend(page.evaluate("() => window.__violacoes"))
        assert problemas == [], caminho

    page.conferir = conferir
    return page


def _entrar(page, live_server, usuario):
    cliente = Cliente()
    cliente.force_login(usuario)
    sessao = cliente.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": sessao, "url": live_server.url}])


def _visitar(page, live_server, caminho):
    resposta = page.goto(f"{live_server.url}{caminho}")
    assert resposta.status == 200, caminho
    page.wait_for_load_state("networkidle")
    page.conferir(caminho)


def _consultar(page, numero, cpf):
    page.locator("input[name=numero]").fill(numero)
    page.locator("input[name=cpf]").fill(cpf)
    page.get_by_role("button", name="Consultar").click()


def test_the_consumer_pages_live_within_the_policy(vigiada, live_server, limites_zerados, settings):
    """Including the lookup's proof-of-work challenge at its production difficulty: ALTCHA's widget
    renders with its CSS file, its worker starts from our static file, solves, and the form goes."""
    settings.PROTOCOLO_DESAFIO = producao.PROTOCOLO_DESAFIO
    dados_iniciais()
    protocolo = abrir(consumidor=ConsumidorFactory(cpf="52998224725"), objeto="Cobrança indevida.")

    _visitar(vigiada, live_server, "/")
    vigiada.locator("input[name=numero]").fill(protocolo.numero)
    vigiada.locator("input[name=cpf]").fill("529.982.247-25")
    vigiada.locator("input[name=cpf]").press("Enter")
    expect(vigiada.get_by_text(protocolo.numero_formatado).first).to_be_visible()
    vigiada.conferir("status")
    for caminho in (
        reverse("consumidor:comprovante", args=[protocolo.numero]),
        reverse("consumidor:historico", args=[protocolo.numero]),
        reverse("consumidor:abrir"),
        reverse("consumidor:recuperar"),
        reverse("consumidor:privacidade"),
    ):
        _visitar(vigiada, live_server, caminho)

    # Three wrong CPFs on the number: the third answer already carries the challenge for the next try.
    workers = []
    vigiada.on("worker", lambda worker: workers.append(worker.url))
    _visitar(vigiada, live_server, "/")
    for cpf in ("11144477735", "39053344705", "71428793860"):
        _consultar(vigiada, protocolo.numero, cpf)
        expect(vigiada.get_by_text("Não encontramos um protocolo com esse número e esse CPF.")).to_be_visible()
    expect(vigiada.get_by_text("As próximas tentativas pedem uma verificação rápida")).to_be_visible()
    widget = vigiada.locator("altcha-widget")
    expect(widget).to_be_attached()
    assert vigiada.locator("input[name=numero]").input_value() == protocolo.numero
    vigiada.conferir("desafio")
    vigiada.locator("input[name=cpf]").fill("529.982.247-25")
    vigiada.get_by_role("button", name="Consultar").click()
    expect(vigiada.get_by_text(protocolo.numero_formatado).first).to_be_visible(timeout=30_000)
    assert [url.rsplit("/static/", 1)[-1] for url in workers] == ["vendor/altcha/workers/pbkdf2.js"] * len(workers)
    assert workers
    vigiada.conferir("desafio resolvido")


def test_the_back_office_pages_live_within_the_policy(vigiada, live_server):
    dados_iniciais()
    atendente = AtendenteFactory()
    protocolo = abrir(consumidor=ConsumidorFactory(), atendente=atendente)
    _entrar(vigiada, live_server, atendente)

    for caminho in (
        reverse("atendimento:painel"),
        reverse("atendimento:protocolo", args=[protocolo.numero]),
        reverse("atendimento:novo"),
        reverse("atendimento:consumidores"),
    ):
        _visitar(vigiada, live_server, caminho)


def test_the_admin_pages_live_within_the_policy(vigiada, live_server):
    dados_iniciais()
    supervisor = SupervisorFactory()
    protocolo = abrir(consumidor=ConsumidorFactory())
    _entrar(vigiada, live_server, supervisor)

    for caminho in (
        reverse("admin:index"),
        reverse("admin:protocolo_protocolo_changelist"),
        reverse("admin:protocolo_protocolo_change", args=[protocolo.pk]),
        reverse("admin:protocolo_consumidor_change", args=[protocolo.consumidor.pk]),
        reverse("admin:protocolo_categoria_add"),
        reverse("supervisao"),
    ):
        _visitar(vigiada, live_server, caminho)


def test_the_apis_swagger_page_lives_within_the_policy(vigiada, live_server):
    """Swagger UI from drf-spectacular-sidecar in the split view: its start script comes from a URL
    and our stylesheet replaces the template's inline <style> (docs/pilha.md 25)."""
    _visitar(vigiada, live_server, reverse("api:documentacao"))
    expect(vigiada.get_by_text("/api/v1/protocolos/", exact=True).first).to_be_visible()
    vigiada.conferir("swagger")


def test_a_supervisor_registers_a_system_and_copies_its_token_within_the_policy(vigiada, live_server):
    """The docs' first step (docs/integracao.md): register the menu in the admin, create its token,
    copy it from the page that shows it once, and call the API with it."""
    dados_iniciais()
    supervisor = SupervisorFactory()
    protocolo = abrir()
    _entrar(vigiada, live_server, supervisor)

    _visitar(vigiada, live_server, reverse("admin:protocolo_sistemaintegrado_add"))
    vigiada.locator("input[name=nome]").fill("URA")
    vigiada.get_by_label("ler protocolos").check()
    vigiada.locator("select[name=responsavel]").select_option(str(supervisor.pk))
    vigiada.locator("input[name=_save]").click()
    expect(vigiada.get_by_role("button", name="Criar token")).to_be_visible()
    vigiada.get_by_role("button", name="Criar token").click()
    token = vigiada.locator("#token").inner_text()
    vigiada.conferir("token criado")

    resposta = requests.get(
        f"{live_server.url}/api/v1/protocolos/{protocolo.numero}/",
        headers={"Authorization": f"Bearer {token}"},
        timeout=1,
    )
    assert resposta.status_code == 200
    # Shown once: the page itself, asked for again, lists the token by its prefix only.
    sistema = SistemaIntegrado.objects.get(nome="URA")
    _visitar(vigiada, live_server, reverse("admin:protocolo_sistemaintegrado_tokens", args=[sistema.pk]))
    expect(vigiada.locator("#token")).to_have_count(0)
    expect(vigiada.get_by_text(token[:12] + "…")).to_be_visible()
