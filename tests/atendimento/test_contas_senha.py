"""Password reset by e-mail for the back-office: the link on the configured base URL, good once,
the same answer and the same work whatever the e-mail (the mail is found, written and sent later,
by `enviar_mensagens`), a limit per network, a mail server down without a 500."""

import io
import logging
import re
import socket

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protocolo.models import PedidoDeSenha
from tests.factories import AtendenteFactory, SupervisorFactory, UsuarioFactory

PEDIR = reverse("atendimento:senha_redefinir")
ENVIADA = reverse("atendimento:senha_redefinir_enviada")
BASE = "https://protocolo.exemplo.com.br"


@pytest.fixture(autouse=True)
def _limites(limites_zerados):
    """The reset requests count against a per-network limit: each test starts from zero."""


@pytest.fixture
def ana(db):
    return AtendenteFactory(username="ana", email="ana@empresa.com.br")


def _entregar():
    """What the deliverer does a moment after the answer (cron or `enviar_mensagens --continuo`)."""
    saida = io.StringIO()
    call_command("enviar_mensagens", stdout=saida)
    return saida.getvalue()


def _link(mensagem):
    return re.search(rf"{re.escape(BASE)}(/atendimento/senha/redefinir/\S+/)", mensagem.body).group(1)


def _nova_senha(client, link, senha="Outra-senha-boa-2026"):
    formulario = client.get(link, follow=True)
    return client.post(formulario.redirect_chain[-1][0], {"new_password1": senha, "new_password2": senha})


def _entrar(client, usuario, senha):
    client.post(reverse("atendimento:entrar"), {"username": usuario, "password": senha})
    return SESSION_KEY in client.session


def test_the_login_page_links_to_the_reset(client):
    assert f'href="{PEDIR}"' in client.get(reverse("atendimento:entrar")).text


def test_an_attendant_resets_the_password_with_the_link_once(client, ana, mailoutbox):
    resposta = client.post(PEDIR, {"email": "ANA@empresa.com.br"})

    assert resposta.status_code == 302
    assert resposta.url == ENVIADA
    assert mailoutbox == []
    _entregar()
    assert len(mailoutbox) == 1
    assert not PedidoDeSenha.objects.exists()
    assert mailoutbox[0].to == ["ana@empresa.com.br"]
    assert "ana" in mailoutbox[0].body

    concluida = _nova_senha(client, _link(mailoutbox[0]))

    assert concluida.status_code == 302
    assert concluida.url == reverse("atendimento:senha_redefinir_concluida")
    assert _entrar(client, "ana", "Outra-senha-boa-2026")
    client.logout()
    usado = client.get(_link(mailoutbox[0]), follow=True)
    assert "Link inválido" in usado.text
    assert 'name="new_password1"' not in usado.text


def test_the_link_is_built_on_the_configured_base_not_on_the_host_header(client, ana, mailoutbox):
    client.post(PEDIR, {"email": "ana@empresa.com.br"}, HTTP_HOST="localhost")
    _entregar()

    assert f"{BASE}/atendimento/senha/redefinir/" in mailoutbox[0].body
    assert "localhost" not in mailoutbox[0].body


def test_a_weak_password_is_refused_in_portuguese(client, ana, mailoutbox):
    client.post(PEDIR, {"email": "ana@empresa.com.br"})
    _entregar()

    resposta = _nova_senha(client, _link(mailoutbox[0]), senha="12345678")

    assert resposta.status_code == 200
    assert "senha" in resposta.text.lower()
    assert "comum" in resposta.text or "numérica" in resposta.text
    assert not _entrar(client, "ana", "12345678")


@pytest.mark.parametrize(
    "email", ["ninguem@empresa.com.br", "sem.grupo@empresa.com.br", "nao-e-um-email", ""], ids=repr
)
def test_any_other_email_gets_the_same_answer_and_no_mail(client, ana, mailoutbox, email):
    UsuarioFactory(email="sem.grupo@empresa.com.br")
    conhecido = client.post(PEDIR, {"email": "ana@empresa.com.br"}, follow=True)
    _entregar()
    mailoutbox.clear()

    resposta = client.post(PEDIR, {"email": email}, follow=True)
    _entregar()

    assert mailoutbox == []
    assert not PedidoDeSenha.objects.exists()
    if "@" in email:
        assert resposta.redirect_chain == conhecido.redirect_chain == [(ENVIADA, 302)]
        assert resposta.text == conhecido.text
    else:
        assert resposta.status_code == 200
        assert "válido" in resposta.text or "obrigatório" in resposta.text


def test_a_supervisor_can_reset_too(client, db, mailoutbox):
    SupervisorFactory(email="sergio@empresa.com.br")

    client.post(PEDIR, {"email": "sergio@empresa.com.br"})
    _entregar()

    assert len(mailoutbox) == 1


def test_requests_are_limited_per_network(client, ana, settings, mailoutbox):
    vezes, segundos = settings.PROTOCOLO_LIMITES["senha_ip"]
    for _ in range(vezes):
        assert client.post(PEDIR, {"email": "x@empresa.com.br"}, REMOTE_ADDR="10.1.1.1").status_code == 302

    recusado = client.post(PEDIR, {"email": "ana@empresa.com.br"}, REMOTE_ADDR="10.1.1.1")
    outra_rede = client.post(PEDIR, {"email": "ana@empresa.com.br"}, REMOTE_ADDR="10.1.1.2")

    assert recusado.status_code == 429
    assert recusado["Retry-After"] == str(segundos)
    assert "Muitas tentativas" in recusado.text
    assert outra_rede.status_code == 302
    _entregar()
    assert len(mailoutbox) == 1


def test_a_mail_server_that_refuses_is_logged_and_the_answer_is_the_same(client, ana, settings, caplog):
    with socket.socket() as livre:
        livre.bind(("127.0.0.1", 0))
        porta = livre.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": porta, "timeout": 2},
        }
    }

    resposta = client.post(PEDIR, {"email": "ana@empresa.com.br"})
    with caplog.at_level(logging.ERROR):
        _entregar()

    assert resposta.status_code == 302
    assert resposta.url == ENVIADA
    assert any(r.levelno == logging.ERROR and r.name == "django.contrib.auth" for r in caplog.records)


def test_a_made_up_link_is_invalid(client, ana):
    resposta = client.get(reverse("atendimento:senha_redefinir_nova", args=["MQ", "inventado-123"]))

    assert resposta.status_code == 200
    assert "Link inválido" in resposta.text


def test_the_reset_lifts_the_lockout_of_wrong_passwords(client, ana, settings, mailoutbox):
    entrar = reverse("atendimento:entrar")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        bloqueio = client.post(entrar, {"username": "ana", "password": "errada"})
    assert bloqueio.status_code == 429

    client.post(PEDIR, {"email": "ana@empresa.com.br"})
    _entregar()
    _nova_senha(client, _link(mailoutbox[0]))
    resposta = client.post(entrar, {"username": "ana", "password": "Outra-senha-boa-2026"})

    assert resposta.status_code == 302
    assert SESSION_KEY in client.session


def _normalizar(sql):
    return re.sub(r"\b\d+\b", "?", re.sub(r"'[^']*'", "?", sql))


def _pedir_medindo(client, email):
    with CaptureQueriesContext(connection) as consultas:
        resposta = client.post(PEDIR, {"email": email})
    return resposta, [_normalizar(q["sql"]) for q in consultas], [t.name for t in resposta.templates]


def test_the_request_does_the_same_work_whatever_the_email(client, ana, mailoutbox):
    """A back-office e-mail, an unknown one and a user's outside the back-office: the same queries,
    the same templates, no mail rendered nor sent in the request, the same bytes back. Finding the
    user and writing the mail happen after the answer, in the deliverer."""
    UsuarioFactory(email="sem.grupo@empresa.com.br")
    SupervisorFactory(email="sergio@empresa.com.br")
    emails = ["ana@empresa.com.br", "ninguem@empresa.com.br", "sem.grupo@empresa.com.br", "sergio@empresa.com.br"]

    medidos = [_pedir_medindo(client, email) for email in emails]

    assert mailoutbox == []
    primeira, consultas, modelos = medidos[0]
    assert (primeira.status_code, primeira.url) == (302, ENVIADA)
    assert modelos == []
    for resposta, outras_consultas, outros_modelos in medidos[1:]:
        assert (resposta.status_code, resposta.content, dict(resposta.headers)) == (
            302,
            primeira.content,
            dict(primeira.headers),
        )
        assert (outras_consultas, outros_modelos) == (consultas, modelos)
    assert [p.email for p in PedidoDeSenha.objects.order_by("pk")] == emails


def test_the_deliverer_mails_only_back_office_accounts_and_forgets_every_request(client, ana, mailoutbox):
    UsuarioFactory(email="sem.grupo@empresa.com.br")
    for email in ("ninguem@empresa.com.br", "sem.grupo@empresa.com.br", "ana@empresa.com.br"):
        client.post(PEDIR, {"email": email})

    _entregar()

    assert [m.to for m in mailoutbox] == [["ana@empresa.com.br"]]
    assert not PedidoDeSenha.objects.exists()
    _entregar()
    assert len(mailoutbox) == 1
