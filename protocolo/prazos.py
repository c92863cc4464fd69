"""
Deadlines (docs/dominio.md §4). The prazo is the last day to answer, counted from the day after the opening:
N calendar days (corridos), N business days (úteis), or the opening day itself (imediato). A
deadline that falls on a non-business day moves to the next business day (Código Civil art. 132 §1).
Business days exclude weekends, the calendar's holidays and the local dates in Feriado. Three
calendars (Categoria.calendario): civil (national and state holidays), b3 (the exchange's) and
bancario (bank business days, Res. CMN 4.880/2020). Municipal holidays are in none of them: they
come only from Feriado rows.
"""

import datetime
from functools import lru_cache

import holidays
from django.conf import settings
from django.db.models import Q

# The calendars' own modules, not holidays' lazy loader: that one imports every country on the
# first deadline computed, in each gunicorn worker; imported here, the master holds them once.
from holidays.countries.brazil import Brazil
from holidays.financial.brasil_bolsa_balcao import BrasilBolsaBalcao
from holidays.groups import ChristianHolidays

UM_DIA = datetime.timedelta(days=1)


class FeriadosBancarios(holidays.HolidayBase, ChristianHolidays):
    """Bank business days (Res. CMN 4.880/2020, which Res. CMN 4.860/2020 ouvidorias count in):
    closed on weekends, national holidays and Carnival Monday and Tuesday; open on Corpus Christi,
    24 and 31 December and the state holidays. `holidays` has no such calendar (its "financial"
    Brazil is B3's exchange, which closes more days), so it is built here from the national
    holidays and the library's Easter-based Carnival; years fill in as they are asked for."""

    def __init__(self, *args, **kwargs):
        ChristianHolidays.__init__(self)
        super().__init__(*args, **kwargs)

    def _populate(self, year):
        super()._populate(year)
        self.update(Brazil(years=year))
        self._add_carnival_monday("Carnaval (segunda-feira)")
        self._add_carnival_tuesday("Carnaval (terça-feira)")


@lru_cache(maxsize=8)
def _feriados(calendario, uf):
    if calendario == "b3":
        # B3's exchange calendar: closed on Carnival, Corpus Christi, 24 and 31 December too.
        return BrasilBolsaBalcao()
    if calendario == "bancario":
        return FeriadosBancarios()
    return Brazil(subdiv=uf)


class Calendario:
    def __init__(self, calendario, *, locais=()):
        self.feriados = _feriados(calendario, settings.PROTOCOLO_UF)
        self.locais = frozenset(locais)

    def eh_dia_util(self, dia):
        return dia.weekday() < 5 and dia not in self.feriados and dia not in self.locais

    def proximo_dia_util(self, dia):
        """The day itself when it is a business day, else the next one."""
        while not self.eh_dia_util(dia):
            dia += UM_DIA
        return dia

    def somar_dias_uteis(self, dia, n):
        """The n-th business day after `dia`."""
        while n > 0:
            dia += UM_DIA
            if self.eh_dia_util(dia):
                n -= 1
        return dia


def calcular(*, aberto_em, tipo_prazo, dias, calendario, locais=()):
    """The prazo of a protocol opened at `aberto_em` (aware datetime) under these rules."""
    from django.utils import timezone

    abertura = timezone.localdate(aberto_em)
    if tipo_prazo == "imediato":
        return abertura
    cal = Calendario(calendario, locais=locais)
    if tipo_prazo == "uteis":
        return cal.somar_dias_uteis(abertura, dias)
    return cal.proximo_dia_util(abertura + datetime.timedelta(days=dias))


# The deadline of a protocol whose categoria is not set yet: the 7 calendar days Decreto 11.034
# art. 13 gives every demand from its registration. The categoria, once set, replaces it.
PADRAO = {"tipo_prazo": "corridos", "dias": 7, "calendario": "civil"}


def padrao(aberto_em, *, locais=()):
    """The deadline from the opening, before any categoria (docs/dominio.md §4)."""
    return calcular(aberto_em=aberto_em, locais=locais, **PADRAO)


EM_BREVE = datetime.timedelta(days=2)


def situacao(prazo, hoje):
    """The deadline's state for queues and badges."""
    if prazo is None:
        return "sem_prazo"
    if prazo < hoje:
        return "vencido"
    if prazo == hoje:
        return "vence_hoje"
    if prazo <= hoje + EM_BREVE:
        return "vence_em_breve"
    return "no_prazo"


def condicao(estado, hoje):
    """The filter on `prazo` that selects the protocols situacao() puts in `estado` on `hoje`."""
    return {
        "vencido": Q(prazo__lt=hoje),
        "vence_hoje": Q(prazo=hoje),
        "vence_em_breve": Q(prazo__gt=hoje, prazo__lte=hoje + EM_BREVE),
        "no_prazo": Q(prazo__gt=hoje + EM_BREVE),
        "sem_prazo": Q(prazo__isnull=True),
    }[estado]
