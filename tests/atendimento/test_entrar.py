from django.urls import reverse


def test_an_attendant_logs_in_and_lands_on_the_painel(client, atendente):
    resposta = client.post(
        reverse("atendimento:entrar"), {"username": atendente.username, "password": "senha-de-teste"}
    )

    assert resposta.status_code == 302
    assert resposta.url == reverse("atendimento:painel")


def test_a_wrong_password_is_refused_in_portuguese(client, atendente):
    resposta = client.post(reverse("atendimento:entrar"), {"username": atendente.username, "password": "errada"})

    assert resposta.status_code == 200
    assert "usuário" in resposta.text
    assert "senha corretos" in resposta.text
    assert "_auth_user_id" not in client.session


def test_logging_out_takes_a_post_and_ends_the_session(client, atendente):
    client.force_login(atendente)

    resposta = client.post(reverse("atendimento:sair"))

    assert resposta.status_code == 302
    assert "_auth_user_id" not in client.session
