"""A supervisor's round in the admin: log in (password, then the authenticator's code), filter the
overdue protocols, assign two of them to an attendant with the action, and open the supervision
dashboard; a supervisor's first visit, enrolling the authenticator app; and a supervisor in the
back-office, whose cancelling waits for the authenticator's code (1280 px screenshots)."""

import base64
import datetime
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from protocolo import relogio, services
from protocolo.models import Interacao, Protocolo
from tests.factories import AtendenteFactory, ConsumidorFactory, SupervisorFactory, abrir, dados_iniciais
from tests.segundo_fator import codigo, dispositivo_de

pytestmark = pytest.mark.django_db(transaction=True)


def _dados():
    """Overdue, on-time, resolved and escalated protocols, as a supervisor's morning finds them."""
    dados_iniciais()
    supervisor = SupervisorFactory(username="sergio", first_name="Sérgio", last_name="Supervisor")
    alice = AtendenteFactory(first_name="Alice", last_name="Atendente")
    vencidos = []
    for dias, nome in ((12, "Joana Conceição"), (10, "Pedro Araújo"), (9, "Márcia Lima")):
        with relogio.em(relogio.agora() - datetime.timedelta(days=dias)):
            vencidos.append(abrir(consumidor=ConsumidorFactory(nome=nome), objeto="Cobrança indevida na fatura."))
    for dias in (0, 1, 3, 5):
        with relogio.em(relogio.agora() - datetime.timedelta(days=dias)):
            protocolo = abrir(consumidor=ConsumidorFactory(), atendente=alice)
    services.protocolo_escalar(protocolo=protocolo, motivo="Valor acima da alçada.", autor=supervisor)
    with relogio.em(relogio.agora() - datetime.timedelta(days=4)):
        resolvido = abrir(consumidor=ConsumidorFactory())
    with relogio.em(relogio.agora() - datetime.timedelta(days=2)):
        services.protocolo_resolver(protocolo=resolvido, texto="Estornamos.")
    services.protocolo_encerrar(protocolo=resolvido, origem=Interacao.Origem.CONSUMIDOR, avaliacao=5)
    return supervisor, alice, vencidos


def test_a_supervisor_assigns_overdue_protocols_and_opens_the_dashboard(page, live_server, capturar, acessibilidade):
    supervisor, alice, vencidos = _dados()
    page.set_viewport_size({"width": 1280, "height": 800})

    aplicativo = dispositivo_de(supervisor)

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Usuário").fill(supervisor.username)
    page.get_by_label("Senha").fill("senha-de-teste")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Verificação em duas etapas", exact=True)).to_be_visible()
    page.get_by_label("Código de 6 dígitos").fill(codigo(aplicativo))
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("link", name="Painel de supervisão")).to_be_visible()
    capturar("inicio")

    page.goto(f"{live_server.url}/admin/protocolo/protocolo/")
    page.locator("#changelist-filter").get_by_role("link", name="vencido", exact=True).click()
    expect(page).to_have_url(re.compile(r"prazo=vencido"))
    linhas = page.locator("#result_list tbody tr")
    expect(linhas).to_have_count(3)
    expect(page.locator("#result_list")).to_contain_text("vencido")
    capturar("vencidos")

    for protocolo in vencidos[:2]:
        page.locator("#result_list tbody tr", has_text=protocolo.numero_formatado).locator(
            "input.action-select"
        ).check()
    page.locator("select[name=action]").select_option("atribuir")
    page.get_by_role("button", name="Executar").click()

    expect(page.get_by_role("heading", name="Atribuir protocolos")).to_be_visible()
    page.get_by_label("Atribuir a").select_option(label="Alice Atendente")
    capturar("confirmar")
    page.get_by_role("button", name="Atribuir").click()

    expect(page.locator(".messagelist")).to_contain_text("Atribuído(s) a Alice Atendente")
    for protocolo in vencidos[:2]:
        expect(page.locator(".messagelist")).to_contain_text(protocolo.numero_formatado)
    assert set(Protocolo.objects.filter(responsavel=alice).values_list("pk", flat=True)) >= {p.pk for p in vencidos[:2]}
    assert Protocolo.objects.get(pk=vencidos[2].pk).responsavel is None

    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Painel de supervisão").click()
    expect(page.get_by_role("heading", name="Painel de supervisão")).to_be_visible()
    expect(page.locator("#content-main")).to_contain_text("3 com prazo vencido")
    expect(page.locator("#abertos-por-dia svg rect")).to_have_count(30)
    expect(page.locator("#fila-de-escalados")).to_contain_text("2 · supervisão")
    capturar("painel")
    assert acessibilidade() == []


def test_a_supervisor_enrols_the_authenticator_app_and_reaches_the_dashboard(
    page, live_server, capturar, acessibilidade
):
    dados_iniciais()
    supervisor = SupervisorFactory(username="sergio", first_name="Sérgio", last_name="Supervisor")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(f"{live_server.url}/atendimento/")
    page.get_by_label("Usuário").fill(supervisor.username)
    page.get_by_label("Senha").fill("senha-de-teste")
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("link", name="Supervisão").click()

    expect(page.get_by_role("heading", name="Ativar a verificação em duas etapas")).to_be_visible()
    expect(page.get_by_role("img", name="Código QR para o aplicativo autenticador")).to_be_visible()
    capturar("ativar")
    assert acessibilidade() == []
    chave = page.locator("[data-chave]").inner_text().replace(" ", "")
    aplicativo = TOTPDevice(user=supervisor, key=base64.b32decode(chave).hex())
    page.get_by_label("Código de 6 dígitos").fill(codigo(aplicativo))
    page.get_by_role("button", name="Ativar").click()

    expect(page.get_by_role("link", name="Painel de supervisão")).to_be_visible()
    page.get_by_role("link", name="Painel de supervisão").click()
    expect(page.get_by_role("heading", name="Painel de supervisão")).to_be_visible()
    assert TOTPDevice.objects.get(user=supervisor).confirmed


def test_a_supervisor_gives_the_code_in_the_back_office_before_cancelling(page, live_server, capturar, acessibilidade):
    dados_iniciais()
    supervisor = SupervisorFactory(username="sergio", first_name="Sérgio", last_name="Supervisor")
    aplicativo = dispositivo_de(supervisor)
    protocolo = abrir(consumidor=ConsumidorFactory(), objeto="Cobrança em dobro.")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(f"{live_server.url}/atendimento/")
    page.get_by_label("Usuário").fill(supervisor.username)
    page.get_by_label("Senha").fill("senha-de-teste")
    page.get_by_role("button", name="Entrar").click()
    page.goto(f"{live_server.url}/atendimento/protocolos/{protocolo.numero}/")
    expect(page.locator("summary", has_text="Cancelar protocolo")).to_have_count(0)
    page.get_by_role("link", name="confirme a verificação em duas etapas").click()

    expect(page.get_by_role("heading", name="Verificação em duas etapas", exact=True)).to_be_visible()
    capturar("codigo")
    assert acessibilidade() == []
    page.get_by_label("Código de 6 dígitos").fill(codigo(aplicativo))
    page.get_by_role("button", name="Verificar").click()

    expect(page).to_have_url(re.compile(rf"/atendimento/protocolos/{protocolo.numero}/$"))
    page.locator("summary", has_text="Cancelar protocolo").click()
    page.locator("#id_cancelar-motivo").fill("Aberto por engano.")
    page.once("dialog", lambda dialogo: dialogo.accept())
    page.get_by_role("button", name="Cancelar protocolo").click()

    expect(page.get_by_text("Protocolo cancelado.")).to_be_visible()
    protocolo.refresh_from_db()
    assert protocolo.situacao == "cancelado"
