"""
Personal data never reaches the logs (issue 7 item 5): the filter of protocolo.operacao.registro masks CPFs,
e-mail addresses and telephone numbers in the message, its arguments, tracebacks, stacks and
`extra` fields, for every handler after it; settings.LOGGING and gunicorn.conf.py put it on
every handler.
"""

import contextlib
import logging
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import path

from protocolo import urls as urls_do_projeto
from protocolo.operacao.registro import MascararDadosPessoais, mascarar
from tests.factories import ConsumidorFactory

RAIZ = Path(__file__).resolve().parents[2]
CPF = "529.982.247-25"
CPF_NU = "52998224725"
EMAIL = "maria.souza+pedido@exemplo.com.br"
CELULAR = "(11) 91234-5678"
SENSIVEIS = [CPF, CPF_NU, "529982247", EMAIL, "maria.souza", "91234-5678", "912345678"]


def _limpo(texto):
    return not any(dado in texto for dado in SENSIVEIS)


# The patterns --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "texto",
    [
        "CPF 529.982.247-25 na busca",
        "cpf=52998224725&x=1",
        "/atendimento/protocolos/52998224725/",
        "529982247-25",
        "12345678900",  # not a valid CPF: still someone's typo
        "consumidor: maria.souza+pedido@exemplo.com.br.",
        "q=maria.souza%40exemplo.com.br",
        "tel (11) 91234-5678",
        "tel (11) 3123-4567",
        "tel 11 91234-5678",
        "tel 11912345678",
        "tel +55 11 91234-5678",
        "tel +55 (11) 91234-5678",
        "tel +5511912345678",
        "tel 5511912345678",
        "tel 91234-5678",
    ],
)
def test_each_family_of_personal_data_is_masked(texto):
    mascarado = mascarar(texto)

    assert mascarado != texto
    assert not any(ch.isdigit() for ch in mascarado.split("x=")[0]), mascarado
    assert "maria" not in mascarado


@pytest.mark.parametrize("corrida", ["a" * 100_000, "a." * 50_000, "x@" * 50_000, "%40" * 30_000, "(11) " * 20_000])
def test_a_long_typed_run_is_masked_where_it_holds_personal_data_and_kept_elsewhere(corrida):
    # A 100 kB search typed into a logged URL: the address after it is masked, the run is kept
    # (the e-mail pattern starts only where a run starts, so the run is scanned once).
    mascarado = mascarar(f"busca={corrida} contato maria@exemplo.com.br")

    assert mascarado.endswith(" contato ***@***")
    assert "maria" not in mascarado


@pytest.mark.parametrize(
    "texto",
    [
        "Protocolo 2026112700000153 aberto",
        "Protocolo 2026 1127 0000 0153 aberto",
        "Ligue 0800 000 0000 ou 0800 123 4567",
        "Tempo 2026-11-27 10:15:30,123, 200 linhas, pid 12345, porta 5432",
        "Requisição de 192.168.100.200 respondeu 404 em 0.0123 s",
        "1732700000",
    ],
)
def test_what_is_not_personal_data_stays_readable(texto):
    assert mascarar(texto) == texto


TOKEN = "eyJwIjoxNTMsImUiOiJhYmMifQ:1vYz9Q:Qm9ndXNfc2lnbmF0dXJlX2Zvcl90ZXN0cw"


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        (f'"GET /acesso/{TOKEN}/ HTTP/1.1" 200', '"GET /acesso/***/ HTTP/1.1" 200'),
        (f"Not Found: /acesso/demandas/{TOKEN}/", "Not Found: /acesso/demandas/***/"),
        ("GET /atendimento/senha/redefinir/MTI/d4x9k2-0a1b2c3d4e5f/ 302", "GET /atendimento/senha/redefinir/***/ 302"),
        ("GET /atendimento/senha/redefinir/enviada/ 200", "GET /atendimento/senha/redefinir/enviada/ 200"),
        ("GET /atendimento/senha/redefinir/concluida/ 200", "GET /atendimento/senha/redefinir/concluida/ 200"),
    ],
)
def test_a_token_that_grants_access_by_itself_is_masked_in_a_logged_path(texto, esperado):
    assert mascarar(texto) == esperado


# The filter on a record ----------------------------------------------------------------------------


class Lista(logging.Handler):
    """Keeps each formatted line, as any handler after the filter would print it."""

    def __init__(self, formato="%(levelname)s %(name)s %(message)s"):
        super().__init__()
        self.linhas = []
        self.setFormatter(logging.Formatter(formato))

    def emit(self, record):
        self.linhas.append(self.format(record))


@pytest.fixture
def registrador():
    """A logger whose first handler filters and whose second, added after, only formats."""
    logger = logging.getLogger("tests.operacao.registro")
    logger.propagate = False
    filtrado, depois = Lista(), Lista("%(message)s | %(cliente)s")
    filtrado.addFilter(MascararDadosPessoais())
    logger.handlers = [filtrado, depois]
    yield logger, filtrado, depois
    logger.handlers = []
    logger.propagate = True


def test_the_message_and_its_arguments_are_masked_for_every_handler(registrador):
    logger, filtrado, depois = registrador

    logger.warning("Busca por %s de %s (%s)", CPF, EMAIL, CELULAR, extra={"cliente": f"cpf {CPF_NU}"})
    logger.warning("Busca %(cpf)s", {"cpf": CPF_NU}, extra={"cliente": EMAIL})

    assert filtrado.linhas == [
        "WARNING tests.operacao.registro Busca por ***.***.***-** de ***@*** ((**) ****-****)",
        "WARNING tests.operacao.registro Busca ***.***.***-**",
    ]
    assert depois.linhas == [
        "Busca por ***.***.***-** de ***@*** ((**) ****-****) | cpf ***.***.***-**",
        "Busca ***.***.***-** | ***@***",
    ]


def test_a_traceback_and_a_stack_are_masked(registrador):
    logger, filtrado, depois = registrador

    try:
        raise ValueError(f"consumidor {CPF_NU} <{EMAIL}> não encontrado")
    except ValueError:
        logger.exception("Falha ao buscar %s", CPF, extra={"cliente": "-"}, stack_info=True)

    [linha] = filtrado.linhas
    assert "Traceback (most recent call last)" in linha
    assert "ValueError: consumidor ***.***.***-** <***@***> não encontrado" in linha
    assert "Stack (most recent call last)" in linha
    assert _limpo(linha)
    assert _limpo(depois.linhas[0])


def test_any_formatter_after_the_filter_prints_the_masked_traceback(registrador):
    logger, _, _ = registrador
    registros = []
    coletor = logging.Handler()
    coletor.emit = registros.append
    logger.addHandler(coletor)

    try:
        raise KeyError(EMAIL)
    except KeyError:
        logger.error("Falhou", exc_info=True, extra={"cliente": "-"})

    [registro] = registros
    assert "KeyError: '***@***'" in registro.exc_text
    for formatador in (
        logging.Formatter(),
        logging.Formatter("%(message)s", style="%"),
        logging.Formatter("{message}", style="{"),
    ):
        assert _limpo(formatador.format(registro))
        assert "KeyError: '***@***'" in formatador.format(registro)


def test_a_broken_format_string_is_still_logged_masked(registrador):
    logger, filtrado, _ = registrador

    logger.warning("CPF %s e %s", CPF_NU, extra={"cliente": "-"})

    [linha] = filtrado.linhas
    assert "***.***.***-**" in linha
    assert CPF_NU not in linha


# Wired into the project ----------------------------------------------------------------------------


def test_every_handler_of_the_settings_masks_and_django_keeps_no_handler_of_its_own():
    config = settings.LOGGING
    assert config["handlers"]
    for nome, handler in config["handlers"].items():
        assert "dados_pessoais" in handler.get("filters", []), nome
    assert config["filters"]["dados_pessoais"]["()"] == "protocolo.operacao.registro.MascararDadosPessoais"
    assert config["loggers"]["django"]["handlers"] == []
    raiz = logging.getLogger().handlers
    [console] = [h for h in raiz if any(isinstance(f, MascararDadosPessoais) for f in h.filters)]
    assert "%(asctime)s" in console.formatter._fmt and "%(levelname)s" in console.formatter._fmt
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.request").propagate


def _erro_com_cpf(request):
    raise RuntimeError(f"falha ao gravar o consumidor {CPF_NU} ({EMAIL}, {CELULAR})")


# The project's URLs too: the error page links to them.
urlpatterns = [path("erro/", _erro_com_cpf), *urls_do_projeto.urlpatterns]


@pytest.fixture
def raiz():
    """A handler on the root logger after the project's console handler, as any log shipper."""
    handler = Lista("%(levelname)s %(name)s %(message)s")
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.mark.django_db
def test_a_cpf_typed_into_the_back_office_never_reaches_a_log_line(client, atendente, caplog, raiz):
    ConsumidorFactory(cpf=CPF_NU, email=EMAIL)
    client.force_login(atendente)

    assert client.get("/atendimento/consumidores/", {"q": CPF}).status_code == 200
    assert client.get(f"/atendimento/protocolos/{CPF_NU}/").status_code == 404
    assert client.get(f"/atendimento/protocolos/{CPF}/").status_code == 404
    assert client.get(f"/protocolo/{CPF_NU}/").status_code == 404

    assert "Not Found: /atendimento/protocolos/***.***.***-**/" in raiz.linhas[-3]
    assert len(caplog.records) >= 3
    assert _limpo(caplog.text)
    assert all(_limpo(linha) for linha in raiz.linhas)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_reported_through_logging_masked(caplog, raiz):
    resposta = Client(raise_request_exception=False).get("/erro/")

    assert resposta.status_code == 500
    [registro] = [r for r in caplog.records if r.name == "django.request"]
    assert registro.levelname == "ERROR"
    assert "RuntimeError: falha ao gravar o consumidor ***.***.***-** (***@***, (**) ****-****)" in registro.exc_text
    assert _limpo(caplog.text)
    assert any("Internal Server Error: /erro/" in linha and "Traceback" in linha for linha in raiz.linhas)
    assert all(_limpo(linha) for linha in raiz.linhas)


# Gunicorn -------------------------------------------------------------------------------------------


def test_the_gunicorn_access_log_has_no_query_string_and_every_logger_is_masked():
    config = runpy.run_path(str(RAIZ / "gunicorn.conf.py"))

    assert "%(U)s" in config["access_log_format"]
    assert "%(r)s" not in config["access_log_format"] and "%(q)s" not in config["access_log_format"]
    assert "%(f)s" not in config["access_log_format"]
    assert config["forwarded_allow_ips"] == os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    dicionario = config["logconfig_dict"]
    for nome, handler in dicionario["handlers"].items():
        assert handler["filters"] == ["dados_pessoais"], nome
    for nome in ("gunicorn.error", "gunicorn.access"):
        assert dicionario["loggers"][nome]["propagate"] is False


def _porta_livre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_gunicorn_serving_the_portal_logs_no_personal_data(tmp_path):
    porta = _porta_livre()
    ambiente = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "GUNICORN_BIND": f"127.0.0.1:{porta}",
        "GUNICORN_WORKERS": "1",
    }
    saida, erros = tmp_path / "stdout", tmp_path / "stderr"
    with open(saida, "wb") as out, open(erros, "wb") as err:
        servidor = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(RAIZ / "gunicorn.conf.py"), "protocolo.wsgi"],
            cwd=RAIZ,
            env=ambiente,
            stdout=out,
            stderr=err,
        )
    try:
        base = f"http://127.0.0.1:{porta}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/privacidade/", timeout=2)  # noqa: S310 - local test server
                break
            except OSError:
                time.sleep(0.1)
        caminhos = (
            f"/protocolo/{CPF_NU}/?email={EMAIL}",
            f"/consultar/?cpf={CPF}&tel=11912345678",
            f"/acesso/{TOKEN}/",
            "/atendimento/senha/redefinir/MTI/d4x9k2-0a1b2c3d4e5f/",
        )
        for caminho in caminhos:
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(base + caminho, timeout=5)  # noqa: S310 - local test server
    finally:
        servidor.send_signal(signal.SIGTERM)
        servidor.wait(15)

    acesso, registro = saida.read_text(), erros.read_text()
    assert '"GET /privacidade/ HTTP/1.1" 200' in acesso
    assert '"GET /protocolo/***.***.***-**/ HTTP/1.1" 404' in acesso
    assert "GET /consultar/ HTTP/1.1" in acesso
    assert "Not Found: /protocolo/***.***.***-**/" in registro
    assert '"GET /acesso/***/ HTTP/1.1" ' in acesso
    assert '"GET /atendimento/senha/redefinir/***/ HTTP/1.1" ' in acesso
    assert TOKEN not in acesso + registro
    assert "d4x9k2" not in acesso + registro
    assert "Booting worker" in registro
    assert _limpo(acesso + registro), acesso + registro
