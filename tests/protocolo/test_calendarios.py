"""The three calendars a categoria chooses from (protocolo/prazos.py), day by day on the dates
that tell them apart, 2024 to 2027. Weekdays checked against a calendar; PROTOCOLO_UF is SP.
civil: national and São Paulo state holidays. b3: the exchange (closed on Carnival, Corpus Christi,
24 and 31 December). bancario: bank business days, Res. CMN 4.880/2020 (national holidays and
Carnival Monday and Tuesday, nothing else). Municipal holidays are in none of them."""

import datetime
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from protocolo import prazos
from protocolo.models import Categoria, Feriado

CIVIL, B3, BANCARIO = "civil", "b3", "bancario"
UTIL, FECHADO = True, False

# (day, civil, b3, bancario): whether each counts it as a business day.
DIAS = [
    # Carnival Monday and Tuesday: closed for the exchange and the banks, a working day otherwise.
    (date(2024, 2, 12), UTIL, FECHADO, FECHADO),
    (date(2024, 2, 13), UTIL, FECHADO, FECHADO),
    (date(2025, 3, 3), UTIL, FECHADO, FECHADO),
    (date(2025, 3, 4), UTIL, FECHADO, FECHADO),
    (date(2026, 2, 16), UTIL, FECHADO, FECHADO),
    (date(2026, 2, 17), UTIL, FECHADO, FECHADO),
    (date(2027, 2, 8), UTIL, FECHADO, FECHADO),
    (date(2027, 2, 9), UTIL, FECHADO, FECHADO),
    # Ash Wednesday: a business day everywhere.
    (date(2024, 2, 14), UTIL, UTIL, UTIL),
    (date(2025, 3, 5), UTIL, UTIL, UTIL),
    (date(2026, 2, 18), UTIL, UTIL, UTIL),
    (date(2027, 2, 10), UTIL, UTIL, UTIL),
    # Corpus Christi (Thursdays): only B3 closes (in São Paulo city it is municipal: a Feriado row).
    (date(2024, 5, 30), UTIL, FECHADO, UTIL),
    (date(2025, 6, 19), UTIL, FECHADO, UTIL),
    (date(2026, 6, 4), UTIL, FECHADO, UTIL),
    (date(2027, 5, 27), UTIL, FECHADO, UTIL),
    # 24 and 31 December on weekdays: only B3 closes.
    (date(2024, 12, 24), UTIL, FECHADO, UTIL),
    (date(2024, 12, 31), UTIL, FECHADO, UTIL),
    (date(2025, 12, 24), UTIL, FECHADO, UTIL),
    (date(2025, 12, 31), UTIL, FECHADO, UTIL),
    (date(2026, 12, 24), UTIL, FECHADO, UTIL),
    (date(2026, 12, 31), UTIL, FECHADO, UTIL),
    (date(2027, 12, 24), UTIL, FECHADO, UTIL),
    (date(2027, 12, 31), UTIL, FECHADO, UTIL),
    # 9 July (São Paulo state): only the civil calendar, which holds the state's holidays, closes.
    (date(2024, 7, 9), FECHADO, UTIL, UTIL),
    (date(2025, 7, 9), FECHADO, UTIL, UTIL),
    (date(2026, 7, 9), FECHADO, UTIL, UTIL),
    (date(2027, 7, 9), FECHADO, UTIL, UTIL),
    # 20 November, national since 2024 (Lei 14.759/2023): closed everywhere.
    (date(2024, 11, 20), FECHADO, FECHADO, FECHADO),
    (date(2025, 11, 20), FECHADO, FECHADO, FECHADO),
    (date(2026, 11, 20), FECHADO, FECHADO, FECHADO),
    # 25 January (São Paulo city's anniversary) on weekdays: a business day in every calendar.
    (date(2024, 1, 25), UTIL, UTIL, UTIL),
    (date(2027, 1, 25), UTIL, UTIL, UTIL),
]


@pytest.mark.parametrize(("dia", "civil", "b3", "bancario"), DIAS, ids=[str(d[0]) for d in DIAS])
def test_each_calendar_on_the_days_that_tell_them_apart(dia, civil, b3, bancario):
    obtido = {c: prazos.Calendario(c).eh_dia_util(dia) for c in (CIVIL, B3, BANCARIO)}

    assert obtido == {CIVIL: civil, B3: b3, BANCARIO: bancario}


@pytest.mark.parametrize("calendario", [CIVIL, B3, BANCARIO])
@pytest.mark.parametrize("dia", [date(2024, 1, 25), date(2027, 1, 25), date(2026, 6, 4)])
def test_municipal_holidays_come_only_from_local_dates(calendario, dia):
    assert not prazos.Calendario(calendario, locais=[dia]).eh_dia_util(dia)


def test_a_bank_ouvidoria_counts_bank_business_days_past_carnival_but_not_past_corpus_christi():
    # Fri 05/02/2027 + 2 business days: Carnival 8–9 closed, Ash Wednesday 10 (1), Thu 11 (2).
    assert prazos.calcular(aberto_em=_as_10h(date(2027, 2, 5)), tipo_prazo="uteis", dias=2, calendario=BANCARIO) == (
        date(2027, 2, 11)
    )
    # Wed 26/05/2027 + 1: Corpus Christi 27 counts for banks, not for B3.
    assert prazos.calcular(aberto_em=_as_10h(date(2027, 5, 26)), tipo_prazo="uteis", dias=1, calendario=BANCARIO) == (
        date(2027, 5, 27)
    )
    assert prazos.calcular(aberto_em=_as_10h(date(2027, 5, 26)), tipo_prazo="uteis", dias=1, calendario=B3) == (
        date(2027, 5, 28)
    )


def _as_10h(dia):
    return datetime.datetime.combine(dia, datetime.time(10), tzinfo=ZoneInfo("America/Sao_Paulo"))


def test_the_calendars_are_named_for_what_they_are():
    assert [v for v, _ in Categoria.Calendario.choices] == [CIVIL, B3, BANCARIO]
    assert "B3" in Categoria.Calendario.B3.label and "4.880" in Categoria.Calendario.BANCARIO.label


@pytest.fixture
def cliente_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.mark.django_db
def test_the_admin_says_municipal_holidays_come_only_from_local_dates(cliente_supervisor):
    categoria = Categoria.objects.first()
    for endereco in (
        reverse("admin:protocolo_categoria_change", args=[categoria.pk]),
        reverse("admin:protocolo_feriado_add"),
    ):
        texto = cliente_supervisor.get(endereco).text
        assert "25 de janeiro" in texto and "os dados de demonstração não trazem nenhum" in texto
    assert not Feriado.objects.exists()
