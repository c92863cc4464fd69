"""The admin's login is the back-office's page (one visual language from the password to the code
to the admin, docs/seguranca.md): same template, same form look, the admin's own rules."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_admin_login_wears_the_back_office_page(client):
    resposta = client.get("/admin/login/?next=/admin/supervisao/")

    assert resposta.status_code == 200
    assert "atendimento/entrar.html" in [t.name for t in resposta.templates]
    assert "admin/login.html" not in [t.name for t in resposta.templates]
    assert '<h1 class="h3 mb-3">Entrar na supervisão</h1>' in resposta.text
    assert 'name="next" value="/admin/supervisao/"' in resposta.text
    assert "Esqueci a minha senha" in resposta.text


def test_an_attendant_is_told_in_portuguese_that_the_admin_is_for_staff(client, atendente):
    resposta = client.post("/admin/login/", {"username": atendente.username, "password": "senha-de-teste"})

    assert resposta.status_code == 200
    assert "conta de equipe" in resposta.text
    assert "_auth_user_id" not in client.session


def test_a_supervisor_goes_from_the_password_to_the_code(client, supervisor):
    resposta = client.post(
        "/admin/login/", {"username": supervisor.username, "password": "senha-de-teste", "next": "/admin/"}, follow=True
    )

    assert resposta.redirect_chain[-1][0].startswith("/atendimento/verificacao/")
