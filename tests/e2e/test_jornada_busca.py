"""The search, the canned answers and the calendars in the browser, at 375 px and 1280 px: an
attendant finds a case by a name typed without accents, by telephone and by words of the demand,
and starts an answer from a canned one; a supervisor keeps canned answers (with their history),
categorias and local holidays in the admin. One session per role and width; each page is checked
for horizontal overflow, hidden table columns (1280 px) and serious axe violations."""

import pytest
from playwright.sync_api import expect

from protocolo.models import Contato, Feriado, RespostaPronta
from protocolo.services import respostas
from protocolo.services.contatos import contato_do_protocolo
from tests.factories import AtendenteFactory, ConsumidorFactory, SupervisorFactory, abrir, categoria, dados_iniciais
from tests.segundo_fator import codigo, dispositivo_de

pytestmark = pytest.mark.django_db(transaction=True)

NOME_LONGO = "Maria da Conceição Aparecida de Albuquerque Gonçalves Figueiredo e Vasconcelos"


def _dados():
    dados_iniciais()
    supervisor = SupervisorFactory(username="sergio", first_name="Sérgio", last_name="Supervisor")
    alice = AtendenteFactory(first_name="Alice", last_name="Atendente")
    maria = ConsumidorFactory(nome=NOME_LONGO, telefone="+5511987654321")
    protocolo = abrir(
        consumidor=maria, atendente=alice, objeto="A geladeira nova parou de gelar e a assistência técnica não veio."
    )
    contato_do_protocolo(
        protocolo=protocolo, tipo=Contato.Tipo.EMAIL, valor="maria.vasconcelos@example.com", origem="atendimento"
    )
    for _ in range(3):
        abrir(consumidor=ConsumidorFactory(), objeto="Cobrança indevida na fatura.")
    respostas.resposta_salvar(
        resposta=RespostaPronta(
            titulo="Recebemos a sua demanda e vamos respondê-la dentro do prazo combinado",
            texto="Olá, {nome}. O protocolo {numero} será respondido até {prazo}. Telefone: {telefone_empresa}.",
        ),
        autor=supervisor,
    )
    respostas.resposta_salvar(
        resposta=RespostaPronta(
            titulo="Reclamação em análise", texto="{nome}: em análise.", categoria=categoria("reclamacao")
        ),
        autor=supervisor,
    )
    Feriado.objects.create(data="2027-01-25", descricao="Aniversário da cidade de São Paulo")
    return supervisor, alice, protocolo


def _verificar(page, largura, nome, capturar, acessibilidade):
    assert page.evaluate("() => document.documentElement.scrollWidth") <= largura, nome
    if largura >= 1280:
        escondidas = page.evaluate(
            "() => [...document.querySelectorAll('table')].filter(t => t.scrollWidth > t.clientWidth).length"
        )
        assert escondidas == 0, nome
    assert acessibilidade() == [], nome
    capturar(nome)


@pytest.mark.parametrize("largura", [375, 1280])
def test_an_attendant_finds_cases_and_starts_from_a_canned_answer(page, live_server, capturar, acessibilidade, largura):
    _, alice, protocolo = _dados()
    page.set_viewport_size({"width": largura, "height": 800})
    page.goto(f"{live_server.url}/atendimento/entrar/")
    page.get_by_label("Usuário").fill(alice.username)
    page.get_by_label("Senha").fill("senha-de-teste")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Painel de atendimento")).to_be_visible()

    for busca, nome in (("conceicao goncalves", "nome"), ("(11) 98765-4321", "telefone"), ("geladeira", "demanda")):
        page.goto(f"{live_server.url}/atendimento/?q={busca}")
        expect(page.locator("main")).to_contain_text(protocolo.numero_formatado)
        _verificar(page, largura, f"busca-{nome}", capturar, acessibilidade)

    page.goto(f"{live_server.url}/atendimento/consumidores/?q=maria.vasconcelos@example.com")
    expect(page.locator("main")).to_contain_text(protocolo.numero_formatado)
    _verificar(page, largura, "consumidores", capturar, acessibilidade)

    page.goto(f"{live_server.url}/atendimento/protocolos/{protocolo.numero}/")
    page.get_by_label("Começar de uma resposta pronta").select_option(
        label="Recebemos a sua demanda e vamos respondê-la dentro do prazo combinado (todas as categorias)"
    )
    page.get_by_role("button", name="Usar").click()
    expect(page.locator("textarea[name='interacao-texto']")).to_have_value(
        f"Olá, {NOME_LONGO}. O protocolo {protocolo.numero_formatado} será respondido até "
        f"{protocolo.prazo:%d/%m/%Y}. Telefone: 0800 000 0000."
    )
    _verificar(page, largura, "resposta-pronta", capturar, acessibilidade)


@pytest.mark.parametrize("largura", [375, 1280])
def test_a_supervisor_keeps_canned_answers_categorias_and_local_holidays(
    page, live_server, capturar, acessibilidade, largura
):
    supervisor, _, _ = _dados()
    aplicativo = dispositivo_de(supervisor)
    page.set_viewport_size({"width": largura, "height": 800})
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Usuário").fill(supervisor.username)
    page.get_by_label("Senha").fill("senha-de-teste")
    page.get_by_role("button", name="Entrar").click()
    page.get_by_label("Código de 6 dígitos").fill(codigo(aplicativo))
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("link", name="Painel de supervisão")).to_be_visible()

    pronta = RespostaPronta.objects.get(titulo="Reclamação em análise")
    paginas = {
        "respostas": "/admin/protocolo/respostapronta/",
        "resposta": f"/admin/protocolo/respostapronta/{pronta.pk}/change/",
        "categoria": f"/admin/protocolo/categoria/{categoria('reclamacao').pk}/change/",
        "feriados": "/admin/protocolo/feriado/",
    }
    for nome, caminho in paginas.items():
        page.goto(f"{live_server.url}{caminho}")
        expect(page.locator("#content")).to_be_visible()
        _verificar(page, largura, nome, capturar, acessibilidade)
    page.goto(f"{live_server.url}{paginas['categoria']}")
    expect(page.locator("#content")).to_contain_text("Feriados locais")
    page.goto(f"{live_server.url}{paginas['resposta']}")
    expect(page.locator("#content")).to_contain_text(supervisor.username)
