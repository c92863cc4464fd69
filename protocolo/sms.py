"""
SMS backends (docs/operacao.md, "SMS"), chosen by settings.SMS_URL the way MAILER_URL chooses the
mailer: console (make run), memoria (tests), Twilio's Messages API through the official library, and
a gateway that takes a JSON body (Zenvia's v2 API by default). Each sends one text to one E.164
number and returns the provider's id for it (kept on the message as id_no_provedor); any failure
raises, and the outbox records it and tries again later (protocolo/outbox.py), except a refusal for
good (RecusaDefinitiva: a number that is not valid, not a mobile, or that unsubscribed), which the
outbox gives up at once.

Twilio does not de-duplicate: a retry after a lost answer may send the text twice, which the outbox
keeps rare (the row is locked and marked sent at once). A gateway gets our Message-ID in the
Idempotency-Key header and may use it ("{id}" in the body template too).
"""

import json
import sys
import threading
import urllib.request
from base64 import b64encode
from urllib.error import HTTPError

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

# What memoria:// sent, like django.core.mail.outbox: a list of dicts para/texto/id.
caixa = []
_trava = threading.Lock()
_local = threading.local()


class ErroDoProvedor(Exception):
    """The provider refused or could not be reached; the message stays pending."""


class RecusaDefinitiva(Exception):
    """The provider refused this message for good (the recipient, not the provider's mood): trying
    again would fail the same way, so the outbox gives it up (outbox.desistir)."""


# Twilio's errors about the recipient (twilio.com/docs/errors): 21211 and 21217 a 'To' that is not
# a valid number, 21610 a recipient who replied STOP, 21614 a number that is not a mobile.
RECUSAS_TWILIO = frozenset({21211, 21217, 21610, 21614})


def ativo():
    return settings.SMS is not None


def enviar(*, para, texto, id_mensagem):
    """Send one SMS through the configured backend; the provider's id for it."""
    config = settings.SMS
    if config is None:
        raise ImproperlyConfigured("SMS_URL não configurada: nenhum SMS é enviado.")
    return _BACKENDS[config["backend"]](config, para=para, texto=texto, id_mensagem=id_mensagem)


def _console(config, *, para, texto, id_mensagem):
    sys.stdout.write(f"SMS para {para} ({id_mensagem}):\n{texto}\n{'-' * 40}\n")
    sys.stdout.flush()
    return id_mensagem


def _memoria(config, *, para, texto, id_mensagem):
    with _trava:
        caixa.append({"para": para, "texto": texto, "id": id_mensagem})
    return id_mensagem


def _cliente_twilio(config):
    """One Twilio client a thread and configuration: its HTTP session keeps the connection (and
    the TLS session) to Twilio open for the next SMS of a round."""
    chave = (config["usuario"], config["senha"], config["base"], config["timeout"])
    guardado = getattr(_local, "twilio", None)
    if guardado is None or guardado[0] != chave:
        http = ClienteTwilio(config["base"], config["timeout"])
        guardado = _local.twilio = (chave, Client(config["usuario"], config["senha"], http_client=http))
    return guardado[1]


def _twilio(config, *, para, texto, id_mensagem):
    cliente = _cliente_twilio(config)
    try:
        mensagem = cliente.messages.create(to=para, from_=config["de"], body=texto)
    except TwilioRestException as erro:
        texto_do_erro = f"Twilio respondeu {erro.status}, erro {erro.code}: {erro.msg}"
        if erro.code in RECUSAS_TWILIO:
            raise RecusaDefinitiva(texto_do_erro) from erro
        raise ErroDoProvedor(texto_do_erro) from erro
    except TwilioException as erro:
        raise ErroDoProvedor(f"Twilio: {erro}") from erro
    return mensagem.sid


class ClienteTwilio(TwilioHttpClient):
    """twilio-python's HTTP client pointed at the configured base URL instead of api.twilio.com,
    so production and the tests' fake provider take the same path (docs/pilha.md)."""

    OFICIAL = "https://api.twilio.com"

    def __init__(self, base, timeout):
        super().__init__(timeout=timeout)
        self.base = base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(self.OFICIAL):
            url = self.base + url[len(self.OFICIAL) :]
        return super().request(method, url, *args, **kwargs)


def _preencher(modelo, valores):
    if isinstance(modelo, dict):
        return {chave: _preencher(valor, valores) for chave, valor in modelo.items()}
    if isinstance(modelo, list):
        return [_preencher(item, valores) for item in modelo]
    if isinstance(modelo, str):
        for chave, valor in valores.items():
            modelo = modelo.replace("{" + chave + "}", valor)
    return modelo


def _http(config, *, para, texto, id_mensagem):
    try:
        modelo = json.loads(config["corpo"])
    except ValueError as erro:
        raise ImproperlyConfigured("SMS_CORPO_JSON não é um JSON válido.") from erro
    # Filled value by value, never by formatting the JSON text: a text with quotes or braces
    # stays a string of the body.
    corpo = _preencher(
        modelo, {"de": config["de"], "para": para, "para_digitos": para.lstrip("+"), "texto": texto, "id": id_mensagem}
    )
    cabecalhos = {"Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": id_mensagem}
    cabecalhos |= config["cabecalhos"]
    if config["usuario"]:
        credenciais = b64encode(f"{config['usuario']}:{config['senha']}".encode()).decode()
        cabecalhos["Authorization"] = f"Basic {credenciais}"
    # The scheme is http(s), checked when the settings were read.
    pedido = urllib.request.Request(config["url"], data=json.dumps(corpo).encode(), headers=cabecalhos, method="POST")  # nosec B310  # noqa: S310
    try:
        with urllib.request.urlopen(pedido, timeout=config["timeout"]) as resposta:  # nosec B310  # noqa: S310
            conteudo = resposta.read(65536)
    except HTTPError as erro:
        raise ErroDoProvedor(
            f"gateway de SMS respondeu {erro.code}: {erro.read(500).decode(errors='replace')}"
        ) from erro
    except OSError as erro:
        raise ErroDoProvedor(f"gateway de SMS inacessível: {erro}") from erro
    try:
        dados = json.loads(conteudo or b"{}")
    except ValueError:
        dados = {}
    return str(dados.get("id", "")) if isinstance(dados, dict) else ""


_BACKENDS = {"console": _console, "memoria": _memoria, "twilio": _twilio, "http": _http}
