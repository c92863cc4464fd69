import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("largura", [375, 1280])
def test_the_home_page_reads_well_on_a_phone_and_a_desktop(page, live_server, capturar, acessibilidade, largura):
    page.set_viewport_size({"width": largura, "height": 900})

    page.goto(live_server.url)

    assert page.get_by_role("heading", name="Acompanhe o seu atendimento").is_visible()
    assert acessibilidade() == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= largura
    capturar("inicio")
