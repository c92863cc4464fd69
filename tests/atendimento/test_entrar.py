from django.urls import reverse

from tests.factories import AtendenteFactory


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


def _falhar(client, usuario, vezes, ip="10.0.0.1"):
    for _ in range(vezes):
        resposta = client.post(
            reverse("atendimento:entrar"), {"username": usuario, "password": "errada"}, REMOTE_ADDR=ip
        )
    return resposta


def test_repeated_failures_lock_that_username_from_that_address_in_portuguese(client, atendente, settings):
    resposta = _falhar(client, atendente.username, settings.AXES_FAILURE_LIMIT)

    assert resposta.status_code == 429
    assert "Acesso bloqueado temporariamente" in resposta.text
    assert "15 minutos" in resposta.text
    # Even the right password is refused while locked.
    certo = client.post(
        reverse("atendimento:entrar"),
        {"username": atendente.username, "password": "senha-de-teste"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert certo.status_code == 429


def test_a_colleague_on_the_same_address_is_not_locked(client, atendente, settings):
    colega = AtendenteFactory()
    _falhar(client, atendente.username, settings.AXES_FAILURE_LIMIT)

    resposta = client.post(
        reverse("atendimento:entrar"),
        {"username": colega.username, "password": "senha-de-teste"},
        REMOTE_ADDR="10.0.0.1",
    )

    assert resposta.status_code == 302


def test_the_same_username_from_another_address_is_not_locked(client, atendente, settings):
    _falhar(client, atendente.username, settings.AXES_FAILURE_LIMIT)

    resposta = client.post(
        reverse("atendimento:entrar"),
        {"username": atendente.username, "password": "senha-de-teste"},
        REMOTE_ADDR="10.0.0.2",
    )

    assert resposta.status_code == 302


def test_an_attendant_changes_the_password(client, atendente):
    client.force_login(atendente)

    resposta = client.post(
        reverse("atendimento:senha"),
        {
            "old_password": "senha-de-teste",
            "new_password1": "Nova-senha-forte-42",
            "new_password2": "Nova-senha-forte-42",
        },
        follow=True,
    )

    assert resposta.redirect_chain[-1][0] == reverse("atendimento:senha_alterada")
    atendente.refresh_from_db()
    assert atendente.check_password("Nova-senha-forte-42")
    assert "_auth_user_id" in client.session


def test_a_weak_new_password_is_refused_in_portuguese(client, atendente):
    client.force_login(atendente)

    resposta = client.post(
        reverse("atendimento:senha"), {"old_password": "senha-de-teste", "new_password1": "123", "new_password2": "123"}
    )

    assert resposta.status_code == 200
    assert "senha" in resposta.text and "muito curta" in resposta.text
