"""The admin's second factor: a staff member logged in with the password alone is sent to enrol an
authenticator app (no device yet) or to type its code, for every admin address; wrong codes are
refused and throttled; with the back-office's own second factor off (tests/settings.py), attendants
never get near it and the back-office's pages do not ask for it (test_segundo_fator_retaguarda.py:
a supervisor's powers there do)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from protocolo.contas import segundo_fator
from tests.factories import UsuarioFactory
from tests.segundo_fator import codigo, dispositivo_de

VERIFICAR = reverse("atendimento:verificacao")
ATIVAR = reverse("atendimento:verificacao_ativar")
ADMIN = ["/admin/", "/admin/supervisao/", "/admin/protocolo/protocolo/", "/admin/protocolo/categoria/add/"]


@pytest.fixture
def sem_verificar(client, supervisor):
    client.force_login(supervisor, verificado=False)
    return client


def _ao_fim(cliente, endereco):
    resposta = cliente.get(endereco, follow=True)
    return resposta, resposta.redirect_chain[-1][0] if resposta.redirect_chain else endereco


@pytest.mark.parametrize("endereco", ADMIN)
def test_a_supervisor_without_a_device_is_sent_to_enrol_from_every_admin_address(sem_verificar, endereco):
    resposta, fim = _ao_fim(sem_verificar, endereco)

    assert resposta.status_code == 200
    assert fim.split("?")[0] == ATIVAR
    assert resposta.context["next"] == endereco
    assert "Ativar a verificação em duas etapas" in resposta.text


@pytest.mark.parametrize("endereco", ADMIN)
def test_a_supervisor_with_a_device_is_asked_for_the_code_on_every_admin_address(sem_verificar, supervisor, endereco):
    dispositivo_de(supervisor)

    resposta, fim = _ao_fim(sem_verificar, endereco)

    assert fim.split("?")[0] == VERIFICAR
    assert resposta.context["next"] == endereco
    assert 'autocomplete="one-time-code"' in resposta.text


def test_the_back_office_queue_does_not_ask_a_supervisor_for_the_code(sem_verificar):
    assert sem_verificar.get(reverse("atendimento:painel")).status_code == 200


def test_enrolment_shows_a_qr_code_and_the_key_and_takes_a_right_code_only(sem_verificar, supervisor):
    pagina = sem_verificar.get(ATIVAR, {"next": "/admin/supervisao/"})
    chave = sem_verificar.session[segundo_fator.CHAVE_PENDENTE]
    provisorio = TOTPDevice(user=supervisor, key=chave)

    assert '<svg role="img"' in pagina.text
    assert "style=" not in pagina.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert pagina.context["chave"].replace(" ", "") in provisorio.config_url
    assert "otpauth://totp/Protocolo" in pagina.context["uri"]

    errado = sem_verificar.post(ATIVAR, {"codigo": codigo(provisorio, deslocamento=5), "next": "/admin/supervisao/"})
    assert errado.status_code == 200
    assert "Código incorreto" in errado.text
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert errado.context["chave"] == pagina.context["chave"]

    certo = sem_verificar.post(ATIVAR, {"codigo": codigo(provisorio), "next": "/admin/supervisao/"})
    assert certo.status_code == 302
    assert certo.url == "/admin/supervisao/"
    assert TOTPDevice.objects.get(user=supervisor).confirmed
    assert segundo_fator.CHAVE_PENDENTE not in sem_verificar.session
    assert sem_verificar.get("/admin/supervisao/").status_code == 200


def test_a_code_that_is_not_six_digits_is_refused_in_portuguese(sem_verificar, supervisor):
    dispositivo_de(supervisor)

    resposta = sem_verificar.post(VERIFICAR, {"codigo": "12ab56"})

    assert resposta.status_code == 200
    assert "Digite os 6 dígitos" in resposta.text


def test_nobody_enrols_a_second_device_without_the_first(sem_verificar, supervisor):
    dispositivo_de(supervisor)

    resposta = sem_verificar.get(ATIVAR)

    assert resposta.status_code == 302
    assert resposta.url.split("?")[0] == VERIFICAR
    assert TOTPDevice.objects.filter(user=supervisor).count() == 1


def test_a_right_code_opens_the_admin_for_the_session_and_is_not_accepted_twice(client, sem_verificar, supervisor):
    dispositivo = dispositivo_de(supervisor)
    atual = codigo(dispositivo)

    resposta = sem_verificar.post(VERIFICAR, {"codigo": atual, "next": "/admin/protocolo/protocolo/"})

    assert resposta.status_code == 302
    assert resposta.url == "/admin/protocolo/protocolo/"
    assert sem_verificar.session[DEVICE_ID_SESSION_KEY] == dispositivo.persistent_id
    assert sem_verificar.get("/admin/").status_code == 200
    # The same code in another session (someone who saw it) is refused.
    client.logout()
    client.force_login(supervisor, verificado=False)
    repetido = client.post(VERIFICAR, {"codigo": atual})
    assert "Código incorreto" in repetido.text


def test_a_wrong_code_is_refused_and_further_codes_wait(sem_verificar, supervisor, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    dispositivo = dispositivo_de(supervisor)

    errado = sem_verificar.post(VERIFICAR, {"codigo": codigo(dispositivo, deslocamento=10)})
    assert errado.status_code == 200
    assert "Código incorreto" in errado.text

    # One failure: the next try waits a second, even with the right code.
    cedo = sem_verificar.post(VERIFICAR, {"codigo": codigo(dispositivo)})
    assert "Espere" in cedo.text
    assert DEVICE_ID_SESSION_KEY not in sem_verificar.session

    time_machine.shift(datetime.timedelta(seconds=2))
    sem_verificar.post(VERIFICAR, {"codigo": codigo(dispositivo, deslocamento=10)})
    time_machine.shift(datetime.timedelta(seconds=1))
    assert "Espere 2 segundos" in sem_verificar.post(VERIFICAR, {"codigo": codigo(dispositivo)}).text

    time_machine.shift(datetime.timedelta(seconds=2))
    certo = sem_verificar.post(VERIFICAR, {"codigo": codigo(dispositivo)})
    assert certo.status_code == 302
    dispositivo.refresh_from_db()
    assert dispositivo.throttling_failure_count == 0


def test_next_never_leaves_the_site(sem_verificar, supervisor):
    dispositivo = dispositivo_de(supervisor)

    resposta = sem_verificar.post(VERIFICAR, {"codigo": codigo(dispositivo), "next": "https://malicioso.exemplo/"})

    assert resposta.url == "/admin/"


def test_logging_in_at_the_admin_with_the_password_leads_to_the_code(client, supervisor):
    dispositivo = dispositivo_de(supervisor)

    entrada = client.post(
        "/admin/login/?next=/admin/supervisao/",
        {"username": supervisor.username, "password": "senha-de-teste", "next": "/admin/supervisao/"},
        follow=True,
    )
    assert entrada.redirect_chain[-1][0] == f"{VERIFICAR}?next=%2Fadmin%2Fsupervisao%2F"

    final = client.post(VERIFICAR, {"codigo": codigo(dispositivo), "next": "/admin/supervisao/"}, follow=True)
    assert final.status_code == 200
    assert "Painel de supervisão" in final.text


def test_an_attendant_gets_neither_the_admin_nor_the_second_factor(client, atendente):
    client.force_login(atendente)

    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert admin.url.startswith(reverse("admin:login"))
    assert client.get(admin.url).status_code == 200
    assert client.get(VERIFICAR).status_code == 403
    assert client.post(ATIVAR).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    resposta = client.get(VERIFICAR)

    assert resposta.status_code == 302
    assert resposta.url.startswith(reverse("atendimento:entrar"))


def test_a_superuser_is_asked_for_the_code_too(client, db):
    raiz = UsuarioFactory(is_staff=True, is_superuser=True)
    client.force_login(raiz, verificado=False)

    assert _ao_fim(client, "/admin/")[1].split("?")[0] == ATIVAR
