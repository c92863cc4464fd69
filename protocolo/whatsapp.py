"""WhatsApp Business (docs/operacao.md): settings.WHATSAPP, like settings.SMS, says whether it is on."""

from django.conf import settings


def ativo():
    return getattr(settings, "WHATSAPP", None) is not None
