"""Every protocol has a deadline from its opening (docs/dominio.md §4): the protocols opened without
a categoria, which had none, get the 7 calendar days from their opening day.

A backfilled deadline already past is marked as handled (escalado_no_prazo = prazo): those
protocols were never due under the old rule, and the next run of verificar_prazos would otherwise
escalate the whole backlog at once and message every consumer. They still count as overdue in the
queue and in the compliance figures, which is what they were; only the automatic escalation for
that deadline is skipped. A deadline still ahead escalates as usual when it passes."""

import datetime

from django.db import migrations
from django.utils import timezone

from protocolo import prazos

LOTE = 5000


def preencher(apps, schema_editor):
    Protocolo = apps.get_model("protocolo", "Protocolo")
    Feriado = apps.get_model("protocolo", "Feriado")
    locais = list(Feriado.objects.values_list("data", flat=True))
    hoje = timezone.localdate()
    # One deadline per local opening day: a million rows take one UPDATE per day, never one per row.
    dias = {
        timezone.localdate(aberto_em)
        for aberto_em in Protocolo.objects.filter(prazo__isnull=True)
        .values_list("aberto_em", flat=True)
        .iterator(chunk_size=LOTE)
    }
    fuso = timezone.get_current_timezone()
    for dia in sorted(dias):
        inicio = datetime.datetime.combine(dia, datetime.time(12), tzinfo=fuso)
        prazo = prazos.padrao(inicio, locais=locais)
        do_dia = Protocolo.objects.filter(
            prazo__isnull=True,
            aberto_em__gte=datetime.datetime.combine(dia, datetime.time.min, tzinfo=fuso),
            aberto_em__lt=datetime.datetime.combine(dia + datetime.timedelta(days=1), datetime.time.min, tzinfo=fuso),
        )
        do_dia.update(prazo=prazo, escalado_no_prazo=prazo if prazo < hoje else None)


class Migration(migrations.Migration):
    dependencies = [("protocolo", "0016_encerramento_sem_demanda")]

    operations = [migrations.RunPython(preencher, migrations.RunPython.noop, elidable=False)]
