"""The back-office in a browser (Playwright on Debian's Chromium): an attendant serves a phone call
from the first second to the resolution; where the back-office asks for the second factor, an
attendant enrols the authenticator app; screenshots at 1280 px of each step and an accessibility
check (axe-core) on every back-office page."""

import base64
import re
import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from protocolo import services
from protocolo.models import Interacao, Protocolo
from tests.e2e.conftest import CAPTURAS
from tests.factories import AtendenteFactory, ConsumidorFactory, SupervisorFactory, abrir
from tests.segundo_fator import codigo

pytestmark = pytest.mark.django_db(transaction=True)

CPF = "529.982.247-25"
PUBLICA = "Vamos estornar a cobrança em até 5 dias úteis."
INTERNA = "Cliente irritado; já ligou três vezes."


def _entrar(page, live_server, atendente):
    page.goto(f"{live_server.url}/atendimento/")
    expect(page).to_have_url(re.compile(r"/atendimento/entrar/"))
    page.get_by_label("Usuário").fill(atendente.username)
    page.get_by_label("Senha").fill("senha-de-teste")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Painel de atendimento")).to_be_visible()


def test_an_attendant_logs_in_and_sees_the_queue(page, live_server, capturar, acessibilidade):
    atendente = AtendenteFactory(first_name="Alice", last_name="Atendente")
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(nome="Maria Souza"))
    abrir()
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(f"{live_server.url}/atendimento/entrar/")
    assert acessibilidade() == []
    capturar("entrar")
    _entrar(page, live_server, atendente)

    expect(page.locator("[data-usuario]")).to_contain_text("Alice Atendente")
    expect(page.get_by_text(protocolo.numero_formatado).first).to_be_visible()
    expect(page.locator('[data-contador="meus"]')).to_contain_text("1")
    assert acessibilidade() == []
    capturar("painel")

    page.get_by_label("Buscar: número, CPF ou nome").fill("souza")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    assert acessibilidade() == []
    capturar("painel-busca")

    page.get_by_role("button", name="Sair").click()
    expect(page).to_have_url(re.compile(r"/atendimento/entrar/"))


def test_an_attendant_serves_a_phone_call_from_number_to_resolution(
    page, live_server, capturar, acessibilidade, browser, request
):
    atendente = AtendenteFactory(first_name="Alice", last_name="Atendente")
    page.set_viewport_size({"width": 1280, "height": 900})
    _entrar(page, live_server, atendente)

    # Start: one click, the number is there, large, with a copy button.
    page.get_by_label("Canal do atendimento").select_option("telefone")
    page.get_by_role("button", name="Iniciar atendimento").click()
    numero = page.locator("[data-numero]")
    expect(numero).to_have_text(re.compile(r"^\d{4} \d{4} \d{4} \d{4}$"))
    protocolo = Protocolo.objects.get()
    expect(numero).to_have_text(protocolo.numero_formatado)
    page.get_by_role("button", name="Copiar número").click()
    expect(page.get_by_role("status")).to_contain_text("Número copiado")
    assert acessibilidade() == []
    capturar("1-numero")

    # Identify a new consumer by CPF.
    page.locator("#id_identificar-cpf").fill(CPF)
    page.locator("#id_identificar-nome").fill("José da Silva")
    page.locator("#id_identificar-email").fill("jose@exemplo.com.br")
    page.locator("#id_identificar-telefone").fill("11 98888-7777")
    page.get_by_role("button", name="Identificar", exact=True).click()
    expect(page.locator("[data-consumidor]")).to_contain_text("José da Silva")
    expect(page.locator("[data-cpf]")).to_have_text("***.982.247-**")
    assert acessibilidade() == []
    capturar("2-consumidor")

    # Categoria (the deadline appears) and objeto.
    page.locator("#id_categoria-categoria").select_option(label="Reclamação")
    page.get_by_role("button", name="Definir categoria").click()
    protocolo.refresh_from_db()
    expect(page.get_by_role("alert").first).to_contain_text(f"Prazo de resposta: {protocolo.prazo:%d/%m/%Y}")
    page.locator("#id_objeto-objeto").fill("Cobrança em dobro na fatura de novembro.")
    page.get_by_role("button", name="Registrar objeto").click()
    expect(page.get_by_role("alert").first).to_contain_text("Objeto da demanda registrado")
    assert acessibilidade() == []
    capturar("3-demanda")

    # A public answer and an internal note.
    page.get_by_label("Resposta ao consumidor").check()
    page.locator("#id_interacao-texto").fill(PUBLICA)
    page.get_by_role("button", name="Registrar", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("enviada ao consumidor")
    page.get_by_label("Nota interna").check()
    page.locator("#id_interacao-texto").fill(INTERNA)
    page.get_by_role("button", name="Registrar", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Nota interna registrada")
    linha = page.locator("[data-linha-do-tempo]")
    expect(linha.locator('[data-interacao="mensagem"]')).to_contain_text(PUBLICA)
    expect(linha.locator('[data-interacao="nota_interna"]')).to_contain_text(INTERNA)
    assert acessibilidade() == []
    capturar("4-interacoes")

    # Escalate, with a reason.
    page.get_by_text("Escalar para o nível 2").click()
    page.locator("#id_escalar-motivo").fill("Consumidor pede supervisão.")
    page.get_by_role("button", name="Escalar", exact=True).click()
    expect(page.locator("[data-nivel]")).to_contain_text("2 · supervisão")
    # It is the supervisors' now (docs/dominio.md §5): the page says so and offers a note only.
    expect(page.locator("[data-outra-equipe]")).to_contain_text("nível 2 (supervisão)")
    expect(page.locator("summary", has_text="Resolver")).to_have_count(0)
    expect(page.locator("[data-responsavel]")).to_contain_text("ninguém")
    assert acessibilidade() == []
    capturar("5-escalado")

    # A supervisor resolves it; the attendant sees the resolution, and the consumer is told.
    supervisor = SupervisorFactory(first_name="Sérgio", last_name="Supervisor")
    services.protocolo_resolver(
        protocolo=protocolo, texto="Estorno feito; o valor volta na próxima fatura.", autor=supervisor
    )
    page.reload()
    expect(page.locator("[data-situacao]")).to_have_text("resolvido")
    expect(page.locator('[data-mensagem="enviada"]').first).to_be_visible()
    assert acessibilidade() == []
    capturar("6-resolvido")

    tipos = list(protocolo.interacoes.order_by("ordem").values_list("tipo", flat=True))
    T = Interacao.Tipo
    assert tipos == [
        T.ABERTURA,
        T.IDENTIFICACAO,
        T.CATEGORIZACAO,
        T.OBJETO,
        T.MENSAGEM,
        T.NOTA_INTERNA,
        T.ESCALONAMENTO,
        T.RESOLUCAO,
    ]

    # The caller later forgets the number: the consumer lookup finds it by CPF.
    page.get_by_role("link", name="Consumidores").click()
    page.get_by_label("CPF ou nome").fill(CPF)
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("link", name=protocolo.numero_formatado)).to_be_visible()
    assert acessibilidade() == []
    capturar("7-consumidores")

    # The consumer portal shows the public entries only.
    contexto = browser.new_context(locale="pt-BR", timezone_id="America/Sao_Paulo")
    consumidor = contexto.new_page()
    consumidor.set_viewport_size({"width": 1280, "height": 900})
    consumidor.goto(live_server.url)
    consumidor.get_by_label("Número do protocolo").fill(protocolo.numero_formatado)
    consumidor.get_by_label("CPF").fill(CPF)
    consumidor.get_by_role("button", name="Consultar").click()
    expect(consumidor.get_by_text(PUBLICA)).to_be_visible()
    # The answer stands above "A resposta resolveu?" and in the history.
    expect(consumidor.get_by_text("Estorno feito; o valor volta na próxima fatura.")).to_have_count(2)
    expect(consumidor.locator(".resposta-da-empresa")).to_have_text("Estorno feito; o valor volta na próxima fatura.")
    assert INTERNA not in consumidor.content()
    assert "Consumidor pede supervisão." not in consumidor.content()
    consumidor.screenshot(path=CAPTURAS / f"{request.node.name}-8-portal-1280px.png", full_page=True)
    contexto.close()


def test_the_other_back_office_pages_are_accessible(page, live_server, capturar, acessibilidade):
    atendente = AtendenteFactory()
    page.set_viewport_size({"width": 1280, "height": 900})
    _entrar(page, live_server, atendente)

    for caminho, nome in [
        ("/atendimento/protocolos/novo/", "novo"),
        ("/atendimento/consumidores/", "consumidores"),
        ("/atendimento/senha/", "senha"),
    ]:
        page.goto(live_server.url + caminho)
        assert acessibilidade() == [], caminho
        capturar(nome)

    # The one-step form of chat and e-mail, with an error and then right.
    page.goto(live_server.url + "/atendimento/protocolos/novo/")
    page.get_by_label("Canal").select_option("email")
    page.get_by_role("button", name="Abrir protocolo").click()
    expect(page.get_by_text("Informe o e-mail do consumidor")).to_be_visible()
    assert acessibilidade() == []
    capturar("novo-erro")
    page.locator("#id_email").fill("rita@exemplo.com.br")
    page.locator("#id_nome").fill("Rita Moraes")
    page.get_by_role("button", name="Abrir protocolo").click()
    expect(page.locator("[data-numero]")).to_have_text(re.compile(r"^\d{4} \d{4} \d{4} \d{4}$"))


def test_the_lockout_page_says_when_to_try_again(page, live_server, capturar, acessibilidade, settings):
    atendente = AtendenteFactory()
    page.set_viewport_size({"width": 1280, "height": 900})

    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/atendimento/entrar/")
        page.get_by_label("Usuário").fill(atendente.username)
        page.get_by_label("Senha").fill("errada")
        page.get_by_role("button", name="Entrar").click()

    expect(page.get_by_role("heading", name="Acesso bloqueado temporariamente")).to_be_visible()
    expect(page.get_by_text("15 minutos")).to_be_visible()
    assert acessibilidade() == []
    capturar("bloqueado")


def test_a_second_click_on_iniciar_while_it_loads_opens_no_second_protocol(page, live_server, monkeypatch):
    # With a caller on the line, a second protocol would be a number told to nobody, accounted for
    # forever. A busy server gives the impatient second click its chance.
    abrir_devagar = services.protocolo_abrir

    def devagar(**kwargs):
        time.sleep(0.6)
        return abrir_devagar(**kwargs)

    monkeypatch.setattr(services, "protocolo_abrir", devagar)
    atendente = AtendenteFactory()
    page.set_viewport_size({"width": 1280, "height": 900})
    _entrar(page, live_server, atendente)

    # Two clicks 150 ms apart, the second while the first POST is still being answered.
    page.wait_for_load_state("load")
    page.evaluate(
        """() => {
        const botao = document.querySelector("[data-iniciar] button");
        botao.click();
        setTimeout(() => botao.click(), 150);
    }"""
    )

    expect(page.locator("[data-numero]")).to_have_text(re.compile(r"^\d{4} \d{4} \d{4} \d{4}$"))
    page.wait_for_load_state("networkidle")
    assert Protocolo.objects.count() == 1


def test_a_stale_resolution_keeps_the_text_and_says_who_changed_what(page, live_server, capturar, acessibilidade):
    atendente = AtendenteFactory()
    colega = AtendenteFactory(first_name="Bruno", last_name="Costa")
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(nome="Maria Souza"))
    page.set_viewport_size({"width": 1280, "height": 900})
    _entrar(page, live_server, atendente)
    page.goto(f"{live_server.url}/atendimento/protocolos/{protocolo.numero}/")
    page.locator("summary", has_text="Resolver").click()
    texto = "Resposta longa, escrita com o consumidor na linha."
    page.locator("#id_resolver-texto").fill(texto)

    services.protocolo_resolver(protocolo=protocolo, texto="Resolvido pelo colega.", autor=colega)
    page.get_by_role("button", name="Resolver", exact=True).click()

    expect(page.get_by_role("alert").first).to_contain_text("Bruno Costa")
    expect(page.locator("[data-nao-enviado] textarea")).to_have_value(texto)
    assert acessibilidade() == []
    capturar("nao-enviado")


def test_moving_through_the_page_sizes_with_the_keyboard_does_not_reload_the_queue(page, live_server):
    # WCAG 3.2.2: choosing with the arrow keys changes the value at each press; the page reloads
    # only on "Aplicar".
    atendente = AtendenteFactory()
    page.set_viewport_size({"width": 1280, "height": 900})
    _entrar(page, live_server, atendente)
    page.wait_for_load_state("load")

    page.get_by_label("Por página").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)

    assert "por_pagina" not in page.url
    page.get_by_role("button", name="Aplicar").click()
    expect(page).to_have_url(re.compile(r"por_pagina=50"))


def test_where_the_back_office_asks_for_the_code_an_attendant_enrols_the_app_and_reaches_the_queue(
    page, live_server, settings, capturar, acessibilidade
):
    settings.PROTOCOLO_SEGUNDO_FATOR_ATENDENTES = True
    atendente = AtendenteFactory()
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(f"{live_server.url}/atendimento/")
    page.get_by_label("Usuário").fill(atendente.username)
    page.get_by_label("Senha").fill("senha-de-teste")
    page.get_by_role("button", name="Entrar").click()

    expect(page.get_by_role("heading", name="Ativar a verificação em duas etapas")).to_be_visible()
    capturar("ativar")
    assert acessibilidade() == []
    chave = page.locator("[data-chave]").inner_text().replace(" ", "")
    aplicativo = TOTPDevice(user=atendente, key=base64.b32decode(chave).hex())
    page.get_by_label("Código de 6 dígitos").fill(codigo(aplicativo))
    page.get_by_role("button", name="Ativar").click()

    expect(page.get_by_role("heading", name="Painel de atendimento")).to_be_visible()
    assert TOTPDevice.objects.get(user=atendente).confirmed
