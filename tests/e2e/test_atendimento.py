import re

import pytest
from playwright.sync_api import expect

from tests.factories import AtendenteFactory, abrir

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_attendant_logs_in_and_sees_the_queue(page, live_server, capturar):
    atendente = AtendenteFactory(first_name="Alice", last_name="Atendente")
    protocolo = abrir(atendente=atendente)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(f"{live_server.url}/atendimento/")
    expect(page).to_have_url(re.compile(r"/atendimento/entrar/"))
    page.get_by_label("Usuário").fill(atendente.username)
    page.get_by_label("Senha").fill("senha-de-teste")
    page.get_by_role("button", name="Entrar").click()

    expect(page.get_by_role("heading", name="Painel de atendimento")).to_be_visible()
    expect(page.locator("[data-usuario]")).to_contain_text("Alice Atendente")
    expect(page.get_by_text(protocolo.numero_formatado).first).to_be_visible()
    capturar("painel")

    page.get_by_role("button", name="Sair").click()
    expect(page).to_have_url(re.compile(r"/atendimento/entrar/"))
