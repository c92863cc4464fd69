"""The supervision dashboard's daily rollups (protocolo/resumos.py keeps them). Each row counts the
protocols of one São Paulo day under one key; PostgreSQL triggers add a protocol's share when it
is opened and move it when a field the figures read changes, in the same transaction, so a sum over
a period's rows says what the aggregate over the protocols would say, without reading them. The
rows are derived data: recalcular rebuilds them from the protocols at any time."""

from django.conf import settings
from django.db import models


class AberturasDoDia(models.Model):
    """Protocols opened on a day."""

    dia = models.DateField(primary_key=True)
    n = models.IntegerField(default=0)

    class Meta:
        # The triggers that keep the rollups are PostgreSQL's; the demo on SQLite aggregates the
        # protocols instead (protocolo/resumos.py).
        required_db_vendor = "postgresql"
        verbose_name = "aberturas do dia"
        verbose_name_plural = "aberturas por dia"

    def __str__(self):
        return f"{self.dia:%d/%m/%Y}: {self.n} abertos"


class PrazosDoDia(models.Model):
    """Protocols to be answered whose deadline is the day, by categoria and responsável, and how
    many of them were answered (resolved) by the end of it. Cancelled ones, calls closed without a
    demand and duplicates are not counted: they were never to be answered."""

    dia = models.DateField()
    # No foreign key constraint: a rollup row must not lock, nor stop a change to, the row it names.
    categoria = models.ForeignKey(
        "protocolo.Categoria",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    responsavel = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    total = models.IntegerField(default=0)
    no_prazo = models.IntegerField(default=0)

    class Meta:
        required_db_vendor = "postgresql"
        verbose_name = "prazos do dia"
        verbose_name_plural = "prazos por dia"
        constraints = [
            models.UniqueConstraint(
                fields=["dia", "categoria", "responsavel"], nulls_distinct=False, name="prazosdodia_chave"
            ),
        ]

    def __str__(self):
        return f"{self.dia:%d/%m/%Y}: {self.no_prazo} de {self.total} no prazo"


class ResolucoesDoDia(models.Model):
    """Protocols resolved on a day, by how long the resolution took: `faixa` is the duration's
    lower bound in seconds, to the minute under a day and to the hour from a day on (the precision
    the dashboard shows), so the percentiles come from the counts. With the reopened ones and
    those resolved at first contact."""

    dia = models.DateField()
    faixa = models.IntegerField()
    n = models.IntegerField(default=0)
    reabertos = models.IntegerField(default=0)
    primeiro_contato = models.IntegerField(default=0)

    class Meta:
        required_db_vendor = "postgresql"
        verbose_name = "resoluções do dia"
        verbose_name_plural = "resoluções por dia"
        constraints = [models.UniqueConstraint(fields=["dia", "faixa"], name="resolucoesdodia_chave")]

    def __str__(self):
        return f"{self.dia:%d/%m/%Y}: {self.n} resolvidos a partir de {self.faixa} s"


class AvaliacoesDoDia(models.Model):
    """Ratings (1 to 5) given on a day: the day the protocol was closed with one."""

    dia = models.DateField()
    avaliacao = models.PositiveSmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        required_db_vendor = "postgresql"
        verbose_name = "avaliações do dia"
        verbose_name_plural = "avaliações por dia"
        constraints = [models.UniqueConstraint(fields=["dia", "avaliacao"], name="avaliacoesdodia_chave")]

    def __str__(self):
        return f"{self.dia:%d/%m/%Y}: {self.n} com nota {self.avaliacao}"
