"""
Meta's WhatsApp Cloud API webhooks (docs/operacao.md, "Mensagens recebidas"): the subscription's
verification and the signed notifications of inbound messages and of our messages' statuses.

Meta signs each POST with X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of the raw body
under the app secret (settings.WHATSAPP_SEGREDO_APP). The signature is checked over the bytes as
they came, in constant time, before the body is parsed.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings

from ..models import Mensagem
from .processar import CorpoInvalido

PROVEDOR = "meta"
CABECALHO = "X-Hub-Signature-256"

ESTADOS = {
    "sent": Mensagem.Estado.ENVIADA,
    "delivered": Mensagem.Estado.ENTREGUE,
    "read": Mensagem.Estado.LIDA,
    "failed": Mensagem.Estado.FALHOU,
}


@dataclass(frozen=True)
class Recebida:
    id: str
    de: str
    texto: str
    so_texto: bool


@dataclass(frozen=True)
class Estado:
    id: str
    estado: str
    motivo: str


def verificar_inscricao(parametros):
    """The hub.challenge to echo when Meta's verification request carries our token, else None."""
    esperado = settings.WHATSAPP_TOKEN_VERIFICACAO
    token = parametros.get("hub.verify_token", "")
    if not esperado or parametros.get("hub.mode") != "subscribe":
        return None
    if not hmac.compare_digest(token.encode(), esperado.encode()):
        return None
    desafio = parametros.get("hub.challenge", "")
    return desafio if desafio and len(desafio) <= 200 and desafio.isprintable() else None


def assinatura_valida(corpo, cabecalho):
    segredo = settings.WHATSAPP_SEGREDO_APP
    if not segredo or not cabecalho or not cabecalho.startswith("sha256="):
        return False
    esperado = hmac.new(segredo.encode(), corpo, hashlib.sha256).hexdigest()
    return hmac.compare_digest(esperado.encode(), cabecalho.removeprefix("sha256=").strip().lower().encode())


def _lista(valor, nome):
    if valor is None:
        return []
    if not isinstance(valor, list):
        raise CorpoInvalido(f"{nome} não é uma lista")
    return valor


def _objeto(valor, nome):
    if not isinstance(valor, dict):
        raise CorpoInvalido(f"{nome} não é um objeto")
    return valor


def _texto(valor, nome):
    if not isinstance(valor, str) or not valor:
        raise CorpoInvalido(f"{nome} ausente ou não é texto")
    return valor


def ler(corpo):
    """([Recebida], [Estado]) of a notification; CorpoInvalido when it is not Meta's format. The
    whole body is read before anything is done, so a malformed one changes nothing."""
    try:
        dados = json.loads(corpo)
    except (ValueError, UnicodeDecodeError) as erro:
        raise CorpoInvalido("o corpo não é JSON") from erro
    dados = _objeto(dados, "corpo")
    recebidas, estados = [], []
    for entrada in _lista(dados.get("entry"), "entry"):
        for mudanca in _lista(_objeto(entrada, "entry[]").get("changes"), "changes"):
            valor = _objeto(_objeto(mudanca, "changes[]").get("value"), "value")
            for mensagem in _lista(valor.get("messages"), "messages"):
                recebidas.append(_recebida(_objeto(mensagem, "messages[]")))
            for estado in _lista(valor.get("statuses"), "statuses"):
                if (lido := _estado(_objeto(estado, "statuses[]"))) is not None:
                    estados.append(lido)
    return recebidas, estados


def _recebida(mensagem):
    de = _texto(mensagem.get("from"), "from")
    tipo = _texto(mensagem.get("type"), "type")
    texto = ""
    if tipo == "text":
        texto = _texto(_objeto(mensagem.get("text"), "text").get("body"), "text.body")
    return Recebida(id=_texto(mensagem.get("id"), "id"), de="+" + de.lstrip("+"), texto=texto, so_texto=tipo == "text")


def _estado(estado):
    """An Estado for sent/delivered/read/failed; None for a status we do not track."""
    identificador = _texto(estado.get("id"), "statuses[].id")
    nome = _texto(estado.get("status"), "status")
    if nome not in ESTADOS:
        return None
    erros = _lista(estado.get("errors"), "errors")
    motivo = ""
    if erros and isinstance(erros[0], dict):
        codigo, titulo = erros[0].get("code", ""), erros[0].get("title", "")
        motivo = f"WhatsApp: falha na entrega ({codigo}: {titulo})"[:500]
    return Estado(id=identificador, estado=ESTADOS[nome], motivo=motivo)
