"""Deadlines (docs/dominio.md §4) on real calendar dates. Weekdays were checked against a calendar:
2026-11-27 Fri, 2026-12-25 Fri, 2026-01-01 Thu, 2026-02-16 Mon (Carnival), 2026-04-03 Good Friday."""

import datetime
from datetime import date
from zoneinfo import ZoneInfo

import pytest
import time_machine

from protocolo import prazos, services
from protocolo.models import Canal, Categoria, Feriado, Protocolo
from tests.factories import abrir, categoria

SP = ZoneInfo("America/Sao_Paulo")
# 01:30 UTC on 28/11/2026 is 22:30 of Friday 27/11 in São Paulo.
SEXTA_A_NOITE_EM_SP = datetime.datetime(2026, 11, 28, 1, 30, tzinfo=datetime.UTC)


def as_10h(dia):
    return datetime.datetime.combine(dia, datetime.time(10), tzinfo=SP)


def prazo(aberto, *, dias=7, tipo="corridos", calendario="civil", locais=()):
    """The prazo of a protocol opened at 10:00 São Paulo time on the date `aberto`."""
    return prazos.calcular(aberto_em=as_10h(aberto), tipo_prazo=tipo, dias=dias, calendario=calendario, locais=locais)


def categoria_uteis(dias, calendario):
    return Categoria.objects.create(
        codigo=f"uteis-{dias}-{calendario}",
        nome=f"{dias} dias úteis ({calendario})",
        prazo_dias=dias,
        tipo_prazo=Categoria.TipoPrazo.UTEIS,
        calendario=calendario,
    )


# Counting ------------------------------------------------------------------------------------------


def test_calendar_days_count_from_the_day_after_opening_with_the_last_day_included():
    assert prazo(date(2026, 11, 27)) == date(2026, 12, 4)  # Fri → Fri


@pytest.mark.parametrize(
    ("aberto", "esperado"),
    [
        (date(2026, 3, 7), date(2026, 3, 16)),  # Sat + 7 = Sat 14/03 → Mon 16/03
        (date(2026, 3, 8), date(2026, 3, 16)),  # Sun + 7 = Sun 15/03 → Mon 16/03
    ],
    ids=["saturday", "sunday"],
)
def test_a_deadline_on_a_weekend_moves_to_monday(aberto, esperado):
    assert prazo(aberto) == esperado


def test_a_deadline_on_a_holiday_moves_to_the_next_business_day():
    # Fri 18/12 + 7 = Christmas, Fri 25/12 → Mon 28/12.
    assert prazo(date(2026, 12, 18)) == date(2026, 12, 28)


@pytest.mark.parametrize(
    ("aberto", "dias", "esperado"),
    [
        (date(2026, 11, 26), 2, date(2026, 11, 30)),  # Thu: Fri 27 (1), Mon 30 (2)
        (date(2026, 4, 2), 3, date(2026, 4, 8)),  # Thu: Good Friday, weekend, Mon 6 (1), Tue 7 (2), Wed 8 (3)
    ],
    ids=["weekend", "good-friday"],
)
def test_business_days_skip_weekends_and_holidays(aberto, dias, esperado):
    assert prazo(aberto, dias=dias, tipo="uteis") == esperado


@pytest.mark.parametrize("aberto", [date(2026, 11, 27), date(2026, 11, 29)], ids=["friday", "sunday"])
def test_an_immediate_deadline_is_the_opening_day(aberto):
    assert prazo(aberto, dias=0, tipo="imediato") == aberto


def test_a_late_night_opening_counts_from_its_sao_paulo_date():
    # From Friday 27/11 (São Paulo): Fri 04/12. From the UTC date it would be Mon 07/12.
    assert prazos.calcular(aberto_em=SEXTA_A_NOITE_EM_SP, tipo_prazo="corridos", dias=7, calendario="civil") == date(
        2026, 12, 4
    )


# Calendars -----------------------------------------------------------------------------------------


def test_carnival_is_a_working_day_in_the_civil_calendar():
    # Fri 13/02: Carnival Mon 16 (1), Tue 17 (2).
    assert prazo(date(2026, 2, 13), dias=2, tipo="uteis") == date(2026, 2, 17)
    # Mon 09/02 + 7 = Carnival Monday, which stands.
    assert prazo(date(2026, 2, 9)) == date(2026, 2, 16)


def test_carnival_is_not_a_working_day_in_the_financial_calendar():
    # Fri 13/02: Carnival closed, Ash Wednesday 18 (1), Thu 19 (2).
    assert prazo(date(2026, 2, 13), dias=2, tipo="uteis", calendario="b3") == date(2026, 2, 19)
    # Mon 09/02 + 7 = Carnival Monday → Ash Wednesday 18/02.
    assert prazo(date(2026, 2, 9), calendario="b3") == date(2026, 2, 18)


@pytest.mark.parametrize("calendario", ["civil", "b3", "bancario"])
def test_good_friday_is_not_a_working_day_in_either_calendar(calendario):
    # Fri 27/03 + 7 = Good Friday 03/04 → Mon 06/04.
    assert prazo(date(2026, 3, 27), calendario=calendario) == date(2026, 4, 6)


@pytest.mark.parametrize("uf", ["SP", "MG"])
@pytest.mark.parametrize(
    ("aberto", "esperado"),
    [
        (date(2024, 11, 13), date(2024, 11, 21)),  # Wed + 7 = Wed 20/11 → Thu 21/11
        (date(2026, 11, 13), date(2026, 11, 23)),  # Fri + 7 = Fri 20/11 → Mon 23/11
    ],
    ids=["2024", "2026"],
)
def test_black_consciousness_day_is_a_national_holiday_from_2024(settings, uf, aberto, esperado):
    settings.PROTOCOLO_UF = uf

    assert prazo(aberto) == esperado


@pytest.mark.parametrize("uf", ["SP", "MG"])
def test_black_consciousness_day_was_a_working_day_in_2023(settings, uf):
    settings.PROTOCOLO_UF = uf

    assert prazo(date(2023, 11, 13)) == date(2023, 11, 20)  # Mon + 7 = Mon 20/11


@pytest.mark.parametrize(
    ("aberto", "esperado"),
    [
        (date(2026, 12, 28), date(2027, 1, 4)),  # Mon + 7 = Mon 04/01
        (date(2025, 12, 28), date(2026, 1, 5)),  # Sun + 7 = Sun 04/01 → Mon 05/01
        (date(2025, 12, 25), date(2026, 1, 2)),  # Thu + 7 = New Year, Thu 01/01 → Fri 02/01
    ],
)
def test_calendar_days_run_across_the_year_end(aberto, esperado):
    assert prazo(aberto) == esperado


def test_business_days_skip_new_year_across_the_year_end():
    # Tue 29/12: Wed 30 (1), Thu 31 (2), New Year Fri 01/01, weekend, Mon 04 (3), Tue 05 (4), Wed 06 (5).
    assert prazo(date(2026, 12, 29), dias=5, tipo="uteis") == date(2027, 1, 6)


def test_local_dates_are_not_business_days():
    fechado = [date(2026, 3, 16)]

    # Mon 09/03 + 7 = Mon 16/03, closed → Tue 17/03.
    assert prazo(date(2026, 3, 9), locais=fechado) == date(2026, 3, 17)
    # Fri 13/03: Mon 16 closed, Tue 17 (1), Wed 18 (2).
    assert prazo(date(2026, 3, 13), dias=2, tipo="uteis", locais=fechado) == date(2026, 3, 18)


# Situação ------------------------------------------------------------------------------------------

HOJE = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("prazo_", "esperado"),
    [
        (date(2026, 12, 3), "vencido"),
        (date(2026, 12, 4), "vence_hoje"),
        (date(2026, 12, 5), "vence_em_breve"),
        (date(2026, 12, 6), "vence_em_breve"),
        (date(2026, 12, 7), "no_prazo"),
        (None, "sem_prazo"),
    ],
)
def test_the_situacao_of_a_deadline(prazo_, esperado):
    assert prazos.situacao(prazo_, HOJE) == esperado


@pytest.mark.parametrize(
    ("agora", "situacao", "dias"),
    [
        (as_10h(date(2026, 12, 1)), "no_prazo", 3),
        (as_10h(date(2026, 12, 2)), "vence_em_breve", 2),
        (datetime.datetime(2026, 12, 4, 23, 30, tzinfo=SP), "vence_hoje", 0),
        (datetime.datetime(2026, 12, 5, 0, 30, tzinfo=SP), "vencido", -1),
    ],
    ids=["3-days-before", "2-days-before", "last-evening", "just-after-midnight"],
)
def test_a_protocol_reports_its_deadline_by_the_sao_paulo_clock(agora, situacao, dias):
    protocolo = Protocolo(prazo=date(2026, 12, 4))

    with time_machine.travel(agora, tick=False):
        assert protocolo.situacao_do_prazo == situacao
        assert protocolo.dias_para_o_prazo == dias


def test_a_protocol_without_a_deadline_reports_none():
    protocolo = Protocolo(prazo=None)

    assert protocolo.situacao_do_prazo == "sem_prazo"
    assert protocolo.dias_para_o_prazo is None


# Through the services ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("codigo", "esperado"),
    [
        ("reclamacao", date(2026, 12, 4)),  # 7 corridos: Fri 04/12
        ("cancelamento", date(2026, 11, 27)),  # imediato: the opening day
        ("lgpd", date(2026, 12, 14)),  # 15 corridos: Sat 12/12 → Mon 14/12
    ],
)
@time_machine.travel(as_10h(date(2026, 11, 27)), tick=False)
def test_opening_with_a_categoria_sets_its_deadline(codigo, esperado):
    assert abrir(categoria_codigo=codigo).prazo == esperado


@pytest.mark.django_db
@time_machine.travel(SEXTA_A_NOITE_EM_SP, tick=False)
def test_a_protocol_opened_late_at_night_counts_from_its_sao_paulo_date():
    assert abrir(categoria_codigo="reclamacao").prazo == date(2026, 12, 4)


@pytest.mark.django_db
def test_a_categoria_set_days_later_counts_from_the_opening_day():
    with time_machine.travel(SEXTA_A_NOITE_EM_SP, tick=False):
        protocolo = abrir(categoria_codigo=None)
    assert protocolo.prazo == date(2026, 12, 4)  # the 7 days every demand has from its opening

    with time_machine.travel(as_10h(date(2026, 11, 30)), tick=False):
        protocolo = services.protocolo_definir_categoria(protocolo=protocolo, categoria=categoria("reclamacao"))

    assert protocolo.prazo == date(2026, 12, 4)
    protocolo.refresh_from_db()
    assert protocolo.prazo == date(2026, 12, 4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("calendario", "esperado"),
    [("civil", date(2026, 2, 17)), ("b3", date(2026, 2, 19)), ("bancario", date(2026, 2, 19))],
)
@time_machine.travel(as_10h(date(2026, 2, 13)), tick=False)
def test_a_categoria_counts_business_days_on_its_own_calendar(calendario, esperado):
    protocolo = services.protocolo_abrir(canal=Canal.TELEFONE, categoria=categoria_uteis(2, calendario))

    assert protocolo.prazo == esperado


@pytest.mark.django_db
@time_machine.travel(as_10h(date(2026, 11, 27)), tick=False)
def test_local_holidays_added_in_the_admin_move_the_deadline():
    Feriado.objects.create(data=date(2026, 12, 4), descricao="Fechamento da empresa")

    # Fri 27/11 + 7 = Fri 04/12, closed → Mon 07/12.
    assert abrir(categoria_codigo="reclamacao").prazo == date(2026, 12, 7)
