"""
The providers' side of the inbound endpoints: a real HTTP client that signs each request the way its
provider documents it, computed here and never with the code under test.

- Meta (WhatsApp Cloud API): X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256 of the raw body
  under the app secret.
- Twilio: X-Twilio-Signature = base64 HMAC-SHA1, under the auth token, of the full URL Twilio
  called followed by each POST field's name and value, fields sorted by name.
- The SMS gateway: X-Protocolo-Assinatura = "sha256=" + hex HMAC-SHA256 of the raw body under the
  shared secret (docs/operacao.md, "Mensagens recebidas").
"""

import base64
import hashlib
import hmac
import itertools
import json
from urllib.parse import urlencode

import requests

SEGREDO_META = "segredo-do-aplicativo-meta"
TOKEN_VERIFICACAO = "token-de-verificacao-dos-testes"
TOKEN_TWILIO = "token-de-autenticacao-twilio"
SEGREDO_GATEWAY = "segredo-compartilhado-do-gateway"
TEMPO = 1

META = "/integracoes/whatsapp/meta/"
TWILIO = "/integracoes/sms/twilio/"
TWILIO_ESTADO = "/integracoes/sms/twilio/estado/"
GATEWAY = "/integracoes/sms/gateway/"
GATEWAY_ESTADO = "/integracoes/sms/gateway/estado/"

_ids = itertools.count(1)


def novo_id(prefixo="wamid.teste"):
    return f"{prefixo}{next(_ids):08d}"


def assinatura_sha256(segredo, corpo):
    return "sha256=" + hmac.new(segredo.encode(), corpo, hashlib.sha256).hexdigest()


def assinatura_twilio(token, url, campos):
    texto = url + "".join(nome + campos[nome] for nome in sorted(campos))
    return base64.b64encode(hmac.new(token.encode(), texto.encode(), hashlib.sha1).digest()).decode()


def notificacao_meta(*, mensagens=(), estados=()):
    """A notification as Meta posts it (one entry, one change)."""
    valor = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5511900000000", "phone_number_id": "106540352242922"},
    }
    if mensagens:
        valor["contacts"] = [{"profile": {"name": "Consumidor"}, "wa_id": m["from"]} for m in mensagens]
        valor["messages"] = list(mensagens)
    if estados:
        valor["statuses"] = list(estados)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": valor}]}],
    }


def texto_meta(de, texto, *, id=None):
    return {
        "from": de.lstrip("+"),
        "id": id or novo_id(),
        "timestamp": "1765000000",
        "type": "text",
        "text": {"body": texto},
    }


def estado_meta(id, status, *, erro=None):
    estado = {"id": id, "status": status, "timestamp": "1765000100", "recipient_id": "5511987654321"}
    if erro:
        estado["errors"] = [{"code": erro, "title": "Message undeliverable", "message": "Message undeliverable"}]
    return estado


class Provedor:
    """Posts to the live server as each provider does. base_publica: PROTOCOLO_URL_BASE, the address
    the providers are given (the balancer's), while the requests go to the live server."""

    def __init__(self, url_do_servidor, base_publica):
        self.url = url_do_servidor
        self.base_publica = base_publica
        self.sessao = requests.Session()

    def meta(self, corpo, *, segredo=SEGREDO_META, assinatura=None):
        bruto = corpo if isinstance(corpo, bytes) else json.dumps(corpo).encode()
        cabecalhos = {"Content-Type": "application/json"}
        cabecalhos["X-Hub-Signature-256"] = assinatura if assinatura is not None else assinatura_sha256(segredo, bruto)
        return self.sessao.post(self.url + META, data=bruto, headers=cabecalhos, timeout=TEMPO)

    def whatsapp(self, de, texto, *, id=None):
        return self.meta(notificacao_meta(mensagens=[texto_meta(de, texto, id=id)]))

    def verificar(self, parametros):
        return self.sessao.get(self.url + META, params=parametros, timeout=TEMPO)

    def twilio(self, caminho, campos, *, token=TOKEN_TWILIO, url_assinada=None):
        url_assinada = url_assinada or self.base_publica + caminho
        cabecalhos = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": assinatura_twilio(token, url_assinada, campos),
        }
        return self.sessao.post(self.url + caminho, data=urlencode(campos), headers=cabecalhos, timeout=TEMPO)

    def sms_twilio(self, de, texto, *, sid=None):
        campos = {
            "MessageSid": sid or novo_id("SM"),
            "AccountSid": "AC0001",
            "From": de,
            "To": "+5511900000000",
            "Body": texto,
            "NumMedia": "0",
        }
        return self.twilio(TWILIO, campos)

    def gateway(self, caminho, corpo, *, segredo=SEGREDO_GATEWAY):
        bruto = corpo if isinstance(corpo, bytes) else json.dumps(corpo).encode()
        cabecalhos = {"Content-Type": "application/json", "X-Protocolo-Assinatura": assinatura_sha256(segredo, bruto)}
        return self.sessao.post(self.url + caminho, data=bruto, headers=cabecalhos, timeout=TEMPO)
