"""
The SMS gateway's calls (the http(s) SMS_URL backend; docs/operacao.md, "Mensagens recebidas"): an
inbound SMS {"id", "de", "texto"} and a receipt {"id", "estado"}, JSON, each signed with
X-Protocolo-Assinatura: "sha256=" and the hex HMAC-SHA256 of the raw body under
settings.SMS_GATEWAY_SEGREDO, checked in constant time before the body is parsed.
"""

import hashlib
import hmac
import json

from django.conf import settings

from ..models import Mensagem
from .processar import CorpoInvalido

PROVEDOR = "gateway"
CABECALHO = "X-Protocolo-Assinatura"
ESTADOS = frozenset(Mensagem.Estado.values)


def assinatura_valida(corpo, cabecalho):
    segredo = settings.SMS_GATEWAY_SEGREDO
    if not segredo or not cabecalho or not cabecalho.startswith("sha256="):
        return False
    esperado = hmac.new(segredo.encode(), corpo, hashlib.sha256).hexdigest()
    return hmac.compare_digest(esperado.encode(), cabecalho.removeprefix("sha256=").strip().lower().encode())


def _ler(corpo, campos):
    try:
        dados = json.loads(corpo)
    except (ValueError, UnicodeDecodeError) as erro:
        raise CorpoInvalido("o corpo não é JSON") from erro
    if not isinstance(dados, dict):
        raise CorpoInvalido("o corpo não é um objeto JSON")
    for campo in campos:
        valor = dados.get(campo)
        if isinstance(valor, int) and not isinstance(valor, bool) and campo == "id":
            dados[campo] = str(valor)
        elif not isinstance(valor, str) or (campo != "texto" and not valor):
            raise CorpoInvalido(f"o campo {campo} falta ou não é texto")
    return dados


def ler_recebida(corpo):
    """{"id", "de", "texto"}; CorpoInvalido otherwise."""
    return _ler(corpo, ("id", "de", "texto"))


def ler_estado(corpo):
    """{"id", "estado"} with estado one of enviada, entregue, lida, falhou; CorpoInvalido otherwise."""
    dados = _ler(corpo, ("id", "estado"))
    if dados["estado"] not in ESTADOS:
        raise CorpoInvalido(f"estado desconhecido: {dados['estado']!r}")
    return dados
