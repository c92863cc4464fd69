"""
WhatsApp backends (docs/operacao.md, "WhatsApp"), chosen by settings.WHATSAPP_URL the way SMS_URL
chooses the SMS provider: console (make run), memoria (tests), and Meta's WhatsApp Business Cloud
API (`POST {base}/{versão}/{phone-number-id}/messages`, JSON, a bearer token). Each sends one
message to one E.164 number and returns the provider's id for it (a `wamid.…`, kept on the message
as id_no_provedor).

Meta's rule decides the form: a message the company starts goes as an approved template (the
message's `modelo` and `parametros`); free text only inside the 24-hour window after the consumer
last wrote to the company's number. A free text that Meta still refuses for the window (131047)
goes again at once as its template.

Failures split as the SMS ones do (protocolo/sms.py): ErroDoProvedor leaves the message pending
for the outbox's back-off (busy, down, our account's configuration); RecusaDefinitiva means this
message will never go this way (not on WhatsApp, a template Meta does not have), and the outbox
gives it up.
"""

import datetime
import sys
import threading

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import relogio
from .models import CanalMensagem, MensagemRecebida
from .sms import ErroDoProvedor, RecusaDefinitiva

__all__ = ["ErroDoProvedor", "RecusaDefinitiva", "ativo", "enviar", "janela_aberta"]

JANELA = datetime.timedelta(hours=24)

# The authentication template of confirmation codes: Meta wants the code again in its copy-code
# button, besides the body.
MODELO_CODIGO = "protocolo_codigo"

# Meta's limit for a text message's body.
TEXTO_MAXIMO = 4096

# Meta's error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
REENGAJAMENTO = 131047
# Busy or down for a while: try again later.
TRANSITORIOS = frozenset({1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131048, 131056, 131057, 133004, 133005})
# The company's token, app or account is wrong, blocked or unpaid: no message is to blame, and
# each one goes once the account is put right (the same as a wrong Twilio token for SMS).
CONFIGURACAO = frozenset(
    {0, 3, 10, 190, 368, 131005, 131031, 131042, 131045, 133000, 133006, 133008, 133009, 133010} | set(range(200, 300))
)

# What memoria:// sent, like django.core.mail.outbox: a list of dicts para/tipo/texto/modelo/parametros/id.
caixa = []
_trava = threading.Lock()
# One HTTP session a thread: its connection (and TLS session) to Meta serves a whole round.
_local = threading.local()


def ativo():
    return settings.WHATSAPP is not None


def janela_aberta(telefone):
    """Whether the telephone (E.164) wrote to the company's WhatsApp number in the last 24 hours,
    so free text may reach it (docs/operacao.md, "WhatsApp")."""
    return MensagemRecebida.objects.filter(
        canal=CanalMensagem.WHATSAPP, telefone=telefone, recebida_em__gt=relogio.agora() - JANELA
    ).exists()


def enviar(*, para, texto, id_mensagem, modelo="", parametros=()):
    """Send one WhatsApp message through the configured backend; the provider's id for it. With a
    template and the window closed it goes as the template; otherwise as free text."""
    config = settings.WHATSAPP
    if config is None:
        raise ImproperlyConfigured("WHATSAPP_URL não configurada: nenhuma mensagem vai por WhatsApp.")
    # Meta refuses a template parameter with a line break, a tab or more than four spaces in a row.
    parametros = [" ".join(str(p).split()) for p in parametros]
    como_modelo = bool(modelo) and not janela_aberta(para)
    backend = _BACKENDS[config["backend"]]
    return backend(
        config,
        para=para,
        texto=texto,
        modelo=modelo,
        parametros=parametros,
        como_modelo=como_modelo,
        id_mensagem=id_mensagem,
    )


def _console(config, *, para, texto, modelo, parametros, como_modelo, id_mensagem):
    forma = f"modelo {modelo} ({config['idioma']}): {parametros}" if como_modelo else "texto livre"
    sys.stdout.write(f"WhatsApp para {para} ({id_mensagem}), {forma}:\n{texto}\n{'-' * 40}\n")
    sys.stdout.flush()
    return id_mensagem


def _memoria(config, *, para, texto, modelo, parametros, como_modelo, id_mensagem):
    with _trava:
        caixa.append(
            {
                "para": para,
                "tipo": "template" if como_modelo else "text",
                "texto": texto,
                "modelo": modelo,
                "parametros": parametros,
                "id": id_mensagem,
            }
        )
    return id_mensagem


def _meta(config, *, para, texto, modelo, parametros, como_modelo, id_mensagem):
    corpo = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": para.lstrip("+"),
        # Our Message-ID: Meta hands it back in the message's status webhooks.
        "biz_opaque_callback_data": id_mensagem[:512],
    }
    if not como_modelo:
        texto_livre = {"type": "text", "text": {"preview_url": False, "body": texto[:TEXTO_MAXIMO]}}
        try:
            return _postar(config, corpo | texto_livre)
        except _ForaDaJanela:
            if not modelo:
                raise
    return _postar(config, corpo | {"type": "template", "template": _modelo(modelo, parametros, config["idioma"])})


def _modelo(nome, parametros, idioma):
    componentes = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in parametros]}]
    if nome == MODELO_CODIGO and parametros:
        componentes.append(
            {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": parametros[0]}]}
        )
    return {"name": nome, "language": {"code": idioma}, "components": componentes}


class _ForaDaJanela(RecusaDefinitiva):
    """Meta's 131047: free text to someone who has not written in 24 hours. For good unless the
    message has a template to go as."""


def _sessao():
    sessao = getattr(_local, "sessao", None)
    if sessao is None:
        sessao = _local.sessao = requests.Session()
    return sessao


def _postar(config, corpo):
    try:
        resposta = _sessao().post(
            config["url"],
            json=corpo,
            headers={"Authorization": f"Bearer {config['token']}"},
            timeout=config["timeout"],
            allow_redirects=False,
        )
    except requests.Timeout as erro:
        raise ErroDoProvedor(f"WhatsApp: tempo esgotado ({config['timeout']} s) esperando a Meta.") from erro
    except requests.RequestException as erro:
        raise ErroDoProvedor(f"WhatsApp inacessível: {type(erro).__name__}.") from erro
    if resposta.status_code == 200:
        try:
            return str(resposta.json()["messages"][0]["id"])[:100]
        except (ValueError, KeyError, IndexError, TypeError):
            # Meta took it: sending it again would repeat it.
            return ""
    _recusa(resposta)


def _recusa(resposta):
    """Raise what Meta's documented error body means: {"error": {"message", "type", "code",
    "error_subcode", "error_data": {"details"}, "fbtrace_id"}}."""
    try:
        erro = resposta.json().get("error")
    except (ValueError, AttributeError):
        erro = None
    if not isinstance(erro, dict):
        erro = {}
    codigo = erro.get("code")
    detalhes = erro.get("error_data", {}).get("details", "") if isinstance(erro.get("error_data"), dict) else ""
    texto = f"WhatsApp respondeu {resposta.status_code}"
    if codigo is not None:
        texto += f", erro {codigo}" + (f"/{erro['error_subcode']}" if erro.get("error_subcode") else "")
    texto += f": {erro.get('message') or resposta.reason}"
    if detalhes:
        texto += f" ({detalhes})"
    if erro.get("fbtrace_id"):
        texto += f" [fbtrace_id {erro['fbtrace_id']}]"
    texto = texto[:1500] + "."
    status = resposta.status_code
    if codigo == REENGAJAMENTO:
        raise _ForaDaJanela(texto)
    if status == 429 or status >= 500 or codigo in TRANSITORIOS or codigo in CONFIGURACAO or not 400 <= status < 500:
        raise ErroDoProvedor(texto)
    raise RecusaDefinitiva(texto)


_BACKENDS = {"console": _console, "memoria": _memoria, "meta": _meta}
