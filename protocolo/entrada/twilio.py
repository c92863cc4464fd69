"""
Twilio's inbound SMS webhook and status callback (docs/operacao.md, "Mensagens recebidas").

Twilio signs each request with X-Twilio-Signature over the URL it called and the form's fields
(twilio.request_validator.RequestValidator, under the auth token of the twilio:// SMS_URL). The URL
is rebuilt from settings.PROTOCOLO_URL_BASE and the path, never from the request's Host and scheme:
behind the load balancer the app server sees plain HTTP and whatever Host the balancer sends.
"""

from django.conf import settings
from twilio.request_validator import RequestValidator

from ..models import Mensagem

PROVEDOR = "twilio"
CABECALHO = "X-Twilio-Signature"

# MessageStatus → our state; queued, accepted, sending, scheduled… are not receipts we keep.
ESTADOS = {
    "sent": Mensagem.Estado.ENVIADA,
    "delivered": Mensagem.Estado.ENTREGUE,
    "read": Mensagem.Estado.LIDA,
    "undelivered": Mensagem.Estado.FALHOU,
    "failed": Mensagem.Estado.FALHOU,
}

# What Twilio's inbound webhook expects back: no reply from the webhook itself (ours go through the
# outbox).
TWIML_VAZIO = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def token():
    config = settings.SMS
    if config is None or config.get("backend") != "twilio":
        return ""
    return config["senha"]


def assinatura_valida(request):
    """Whether the form was signed by Twilio for PROTOCOLO_URL_BASE + this path."""
    segredo = token()
    assinatura = request.headers.get(CABECALHO, "")
    if not segredo or not assinatura:
        return False
    url = settings.PROTOCOLO_URL_BASE + request.get_full_path()
    return RequestValidator(segredo).validate(url, request.POST, assinatura)


def motivo(dados):
    codigo = str(dados.get("ErrorCode", "") or "")[:20]
    return f"SMS: o Twilio informou {dados.get('MessageStatus', '')}" + (f" (erro {codigo})" if codigo else "")
