"""What several service tests share."""

import datetime
from zoneinfo import ZoneInfo

from protocolo.models import Interacao, Mensagem, Protocolo

# A Wednesday with no holiday in the next three weeks: deadlines land where the rules put them.
QUARTA = datetime.datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))


def retrato(protocolo):
    """Everything a refused call must leave as it was: the row, the timeline, the outbox."""
    return (
        Protocolo.objects.filter(pk=protocolo.pk).values().get(),
        list(Interacao.objects.filter(protocolo_id=protocolo.pk).values_list("ordem", "mac")),
        list(Mensagem.objects.filter(protocolo_id=protocolo.pk).values_list("pk", flat=True)),
    )
