"""Protocol numbers (docs/dominio.md §3): shape, typing, typo detection, format changes, gapless days."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st
from sequences.models import Sequence
from stdnum.iso7064 import mod_97_10

from protocolo import numeracao, relogio, selectors
from protocolo.exceptions import NumeroInvalido, SequenciaEsgotada
from protocolo.models import Interacao, Protocolo
from tests.factories import abrir

SP = ZoneInfo("America/Sao_Paulo")
DIA = datetime.date(2026, 11, 27)
PADRAO = numeracao.Formato()
VALIDO = PADRAO.montar(DIA, 1)

dias = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31))
sequencias = st.integers(min_value=1, max_value=999_999)
separadores = st.text(alphabet=" .-", max_size=3)


def as_10h(dia):
    return datetime.datetime.combine(dia, datetime.time(10), tzinfo=SP)


def sequencia_de(protocolo):
    return numeracao.decompor(protocolo.numero)[1]


def erros_de_um_digito(numero):
    for posicao, original in enumerate(numero):
        for digito in "0123456789":
            if digito != original:
                yield numero[:posicao] + digito + numero[posicao + 1 :]


def transposicoes(numero):
    for posicao in range(len(numero) - 1):
        a, b = numero[posicao], numero[posicao + 1]
        if a != b:
            yield numero[:posicao] + b + a + numero[posicao + 2 :]


def assert_todos_recusados(variantes):
    aceitos = []
    for variante in variantes:
        try:
            numeracao.validar(variante)
        except NumeroInvalido:
            continue
        aceitos.append(variante)
    assert aceitos == []


# Shape ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(as_10h(DIA), tick=False)
def test_a_default_number_is_the_date_a_six_digit_sequence_and_two_check_digits():
    numero = abrir().numero

    assert len(numero) == 16
    assert numero[:14] == "20261127" + "000001"
    assert mod_97_10.is_valid(numero)


def test_a_number_is_shown_in_groups_of_four():
    assert numeracao.formatar("2026112700000142") == "2026 1127 0000 0142"
    assert numeracao.formatar("1234562026112700000142") == "1234 5620 2611 2700 0001 42"


@given(dias, sequencias)
def test_a_number_splits_back_into_its_day_and_sequence(dia, sequencia):
    assert numeracao.decompor(PADRAO.montar(dia, sequencia)) == (dia, sequencia)


@given(dias, sequencias)
def test_a_formatted_number_validates_back_to_its_digits(dia, sequencia):
    numero = PADRAO.montar(dia, sequencia)

    assert numeracao.validar(numeracao.formatar(numero)) == numero


@given(dias, sequencias, st.data())
def test_a_number_typed_with_any_spaces_dots_and_dashes_validates(dia, sequencia, data):
    numero = PADRAO.montar(dia, sequencia)
    digitado = "".join(data.draw(separadores) + digito for digito in numero) + data.draw(separadores)

    assert numeracao.validar(digitado) == numero


# Typos ---------------------------------------------------------------------------------------------


@given(dias, sequencias)
def test_it_rejects_every_single_digit_typo(dia, sequencia):
    assert_todos_recusados(erros_de_um_digito(PADRAO.montar(dia, sequencia)))


@given(dias, sequencias)
def test_it_rejects_every_transposition_of_two_different_adjacent_digits(dia, sequencia):
    assert_todos_recusados(transposicoes(PADRAO.montar(dia, sequencia)))


@pytest.mark.parametrize(
    ("dia", "sequencia"),
    [(DIA, 1), (datetime.date(2026, 12, 31), 999_999), (datetime.date(2027, 1, 1), 98_765)],
)
def test_every_typo_and_transposition_of_these_numbers_is_rejected(dia, sequencia):
    numero = PADRAO.montar(dia, sequencia)

    assert_todos_recusados([*erros_de_um_digito(numero), *transposicoes(numero)])


def test_every_typo_of_a_prefixed_number_is_rejected(settings):
    settings.PROTOCOLO_PREFIXO = "123456"
    numero = numeracao.formato_atual().montar(DIA, 42)

    assert_todos_recusados([*erros_de_um_digito(numero), *transposicoes(numero)])


# Invalid input -------------------------------------------------------------------------------------

VAZIO = "Informe o número do protocolo."
SO_ALGARISMOS = "O número do protocolo tem apenas algarismos."
CONFIRA = "Número de protocolo inválido: confira os dígitos."


def com_verificadores(corpo):
    return corpo + mod_97_10.calc_check_digits(corpo)


INVALIDOS = {
    "wrong check digit": (VALIDO[:-1] + str((int(VALIDO[-1]) + 1) % 10), CONFIRA),
    "one digit short": (VALIDO[:-1], CONFIRA),
    "one digit long": (VALIDO + "0", CONFIRA),
    "impossible date with valid check digits": (com_verificadores("20261332000001"), CONFIRA),
    "sequence zero with valid check digits": (com_verificadores("20261127000000"), CONFIRA),
    "letters": ("2026 1127 0000 01AB", SO_ALGARISMOS),
    "full-width digits": ("".join(chr(0xFF10 + int(d)) for d in VALIDO), SO_ALGARISMOS),
    "empty": ("", VAZIO),
    "only separators": (" . - ", VAZIO),
    "none": (None, VAZIO),
    "10 kB of digits": ("9" * 10_240, CONFIRA),
    "10 kB of text": ("protocolo " * 1_024, SO_ALGARISMOS),
    "NUL inside": (VALIDO[:8] + "\x00" + VALIDO[8:], SO_ALGARISMOS),
    "escape inside": (VALIDO[:8] + "\x1b" + VALIDO[8:], SO_ALGARISMOS),
    "unit separator inside": (VALIDO[:8] + "\x1f" + VALIDO[8:], SO_ALGARISMOS),
    "vertical tab inside": (VALIDO[:8] + "\x0b" + VALIDO[8:], SO_ALGARISMOS),
    "newline inside": (VALIDO[:8] + "\n" + VALIDO[8:], SO_ALGARISMOS),
}


@pytest.mark.parametrize(("texto", "mensagem"), INVALIDOS.values(), ids=INVALIDOS.keys())
def test_it_refuses_an_impossible_number_in_portuguese(texto, mensagem):
    with pytest.raises(NumeroInvalido) as erro:
        numeracao.validar(texto)

    assert erro.value.mensagem == mensagem


@pytest.mark.django_db
@pytest.mark.parametrize("texto", [texto for texto, _ in INVALIDOS.values()], ids=INVALIDOS.keys())
def test_looking_up_an_impossible_number_makes_no_query(texto, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.protocolo_por_numero(texto) is None


@pytest.mark.django_db
def test_looking_up_a_well_formed_unknown_number_queries_once(django_assert_num_queries):
    # 1. SELECT the protocol by number, joined to consumidor, categoria and responsável.
    with django_assert_num_queries(1):
        assert selectors.protocolo_por_numero(numeracao.formatar(VALIDO)) is None


@given(st.text())
def test_arbitrary_text_is_either_a_number_of_digits_or_numero_invalido(texto):
    try:
        numero = numeracao.validar(texto)
    except NumeroInvalido:
        return
    assert numero.isascii()
    assert numero.isdigit()


# Settings-driven formats ---------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(as_10h(DIA), tick=False)
def test_a_configured_prefix_leads_the_number(settings):
    settings.PROTOCOLO_PREFIXO = "123456"

    numero = abrir().numero

    assert len(numero) == 22
    assert numero[:20] == "123456" + "20261127" + "000001"
    assert mod_97_10.is_valid(numero)


@pytest.mark.django_db
@time_machine.travel(as_10h(DIA), tick=False)
def test_the_width_of_the_daily_sequence_is_configurable(settings):
    settings.PROTOCOLO_DIGITOS_SEQUENCIA = 8

    numero = abrir().numero

    assert len(numero) == 18
    assert numero[:16] == "20261127" + "00000001"
    assert mod_97_10.is_valid(numero)


@pytest.mark.django_db
@time_machine.travel(as_10h(DIA), tick=False)
def test_without_check_digits_the_number_is_the_date_and_the_sequence(settings):
    settings.PROTOCOLO_DIGITOS_VERIFICADORES = False

    assert abrir().numero == "20261127" + "000001"


@pytest.mark.parametrize("texto", ["123456/6", "123456/seis/1", "12a456/6/1", "/3/1", ""])
def test_a_malformed_older_format_is_a_configuration_error(texto):
    with pytest.raises(ImproperlyConfigured):
        numeracao.Formato.de_texto(texto)


def test_an_older_format_is_read_from_its_text():
    assert numeracao.Formato.de_texto("123456/8/1") == numeracao.Formato("123456", 8, True)
    assert numeracao.Formato.de_texto("/6/0") == numeracao.Formato("", 6, False)


# Format changes ------------------------------------------------------------------------------------


def mudar_para_prefixo(settings, *anteriores):
    settings.PROTOCOLO_PREFIXO = "123456"
    settings.PROTOCOLO_FORMATOS_ANTERIORES = list(anteriores)


@pytest.mark.django_db
@time_machine.travel(as_10h(DIA), tick=False)
def test_a_number_issued_under_an_older_format_is_still_found(settings):
    antigo = abrir()

    mudar_para_prefixo(settings, "/6/1")

    assert selectors.protocolo_por_numero(antigo.numero_formatado) == antigo


@pytest.mark.django_db
@time_machine.travel(as_10h(DIA), tick=False)
def test_after_a_format_change_new_numbers_take_the_new_shape_and_continue_the_day(settings):
    abrir()

    mudar_para_prefixo(settings, "/6/1")
    numero = abrir().numero

    assert len(numero) == 22
    assert numero[:20] == "123456" + "20261127" + "000002"


@pytest.mark.django_db
@time_machine.travel(as_10h(DIA), tick=False)
def test_an_older_format_not_listed_is_no_longer_accepted(settings):
    antigo = abrir()

    mudar_para_prefixo(settings)

    with pytest.raises(NumeroInvalido):
        numeracao.validar(antigo.numero)


# Gapless days --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_protocols_of_a_day_are_numbered_exactly_1_to_n():
    with relogio.em(as_10h(DIA)):
        protocolos = [abrir() for _ in range(5)]

    assert [sequencia_de(p) for p in protocolos] == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_each_day_starts_again_at_1():
    with relogio.em(as_10h(DIA)):
        abrir()
        abrir()
    with relogio.em(as_10h(DIA + datetime.timedelta(days=1))):
        seguinte = abrir()

    assert seguinte.numero.startswith("20261128")
    assert sequencia_de(seguinte) == 1


class Desistencia(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_opening_gives_its_number_back():
    with relogio.em(as_10h(datetime.date(2026, 10, 5))):
        primeiro = abrir()
        with pytest.raises(Desistencia), transaction.atomic():
            desfeito = abrir().numero
            raise Desistencia
        seguinte = abrir()

    assert sequencia_de(seguinte) == sequencia_de(primeiro) + 1
    assert seguinte.numero == desfeito
    assert list(Protocolo.objects.order_by("pk").values_list("numero", flat=True)) == [primeiro.numero, desfeito]


@pytest.mark.django_db
@time_machine.travel(as_10h(DIA), tick=False)
def test_running_out_of_the_days_sequence_fails_loudly_and_creates_nothing(settings):
    settings.PROTOCOLO_DIGITOS_SEQUENCIA = 4
    Sequence.objects.create(name=numeracao.nome_da_sequencia(DIA), last=9998)
    ultimo = abrir()
    antes = (Protocolo.objects.count(), Interacao.objects.count())

    with pytest.raises(SequenciaEsgotada, match="27/11/2026 se esgotou"):
        abrir()

    assert sequencia_de(ultimo) == 9999
    assert (Protocolo.objects.count(), Interacao.objects.count()) == antes
    assert Sequence.objects.get(name=numeracao.nome_da_sequencia(DIA)).last == 9999


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 11, 28, 1, 30, tzinfo=datetime.UTC), tick=False)
def test_the_number_carries_the_sao_paulo_date_late_at_night():
    # 01:30 UTC on the 28th is 22:30 of the 27th in São Paulo.
    assert abrir().numero.startswith("20261127")


# The format's edges --------------------------------------------------------------------------------


@pytest.mark.parametrize("digitos", [4, 9])
def test_the_daily_sequence_takes_four_to_nine_digits(digitos):
    formato = numeracao.Formato(digitos_sequencia=digitos)
    maior = 10**digitos - 1

    numero = formato.montar(DIA, maior)

    assert numero[8:-2] == "9" * digitos
    assert formato.comprimento == len(numero) == 8 + digitos + 2
    assert formato.decompor(numero) == (DIA, maior)


@pytest.mark.parametrize("digitos", [3, 10])
def test_a_daily_sequence_outside_four_to_nine_digits_is_a_configuration_error(digitos):
    with pytest.raises(ImproperlyConfigured) as erro:
        numeracao.Formato(digitos_sequencia=digitos)

    assert str(erro.value) == "A sequência diária deve ter de 4 a 9 dígitos."


def test_a_prefix_with_anything_but_digits_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured) as erro:
        numeracao.Formato(prefixo="12-34")

    assert str(erro.value) == "O prefixo do número de protocolo deve ter apenas dígitos."


@pytest.mark.parametrize("sequencia", [0, -1, 1_000_000])
def test_a_sequence_outside_one_to_the_widest_is_refused_naming_the_day_and_the_setting(sequencia):
    mensagem = f"A sequência de protocolos de 27/11/2026 se esgotou ({sequencia}): aumente PROTOCOLO_DIGITOS_SEQUENCIA."

    with pytest.raises(SequenciaEsgotada) as erro:
        PADRAO.montar(DIA, sequencia)

    assert str(erro.value) == mensagem


def test_a_malformed_older_format_names_the_text_and_the_expected_shape():
    with pytest.raises(ImproperlyConfigured) as erro:
        numeracao.Formato.de_texto("123456/6")

    assert str(erro.value) == "Formato de protocolo inválido: '123456/6' (esperado 'prefixo/dígitos/verificadores')."


@pytest.mark.parametrize(
    ("texto", "verificadores"), [(" 1 ", True), ("true", True), ("sim", True), ("0", False), ("não", False)]
)
def test_an_older_format_says_whether_it_has_check_digits_in_several_words(texto, verificadores):
    assert numeracao.Formato.de_texto(f" 123456/8/{texto}\n") == numeracao.Formato("123456", 8, verificadores)


# Numbers without check digits ----------------------------------------------------------------------

SEM_VERIFICADORES = numeracao.Formato(verificadores=False)


def test_a_number_without_check_digits_is_fourteen_digits_and_splits_back():
    numero = SEM_VERIFICADORES.montar(DIA, 42)

    assert numero == "20261127000042"
    assert SEM_VERIFICADORES.comprimento == 14
    assert SEM_VERIFICADORES.decompor(numero) == (DIA, 42)
    assert SEM_VERIFICADORES.decompor(numero + "0") is None
    assert SEM_VERIFICADORES.decompor(PADRAO.montar(DIA, 42)) is None


@pytest.mark.django_db
@time_machine.travel(as_10h(DIA), tick=False)
def test_a_number_issued_without_check_digits_is_looked_up(settings):
    settings.PROTOCOLO_DIGITOS_VERIFICADORES = False
    protocolo = abrir()

    assert numeracao.validar(protocolo.numero_formatado) == protocolo.numero == "20261127000001"
    assert numeracao.decompor(protocolo.numero) == (DIA, 1)
    assert selectors.protocolo_por_numero(protocolo.numero_formatado) == protocolo


@pytest.mark.django_db
@time_machine.travel(as_10h(DIA), tick=False)
def test_numbers_without_check_digits_stay_valid_after_check_digits_are_switched_on(settings):
    settings.PROTOCOLO_DIGITOS_VERIFICADORES = False
    antigo = abrir()

    settings.PROTOCOLO_DIGITOS_VERIFICADORES = True
    settings.PROTOCOLO_FORMATOS_ANTERIORES = ["/6/0"]

    assert selectors.protocolo_por_numero(antigo.numero) == antigo
    assert len(abrir().numero) == 16


# Prefixed numbers ----------------------------------------------------------------------------------

PREFIXADO = numeracao.Formato(prefixo="123456")


def test_a_valid_prefixed_number_splits_back_into_its_day_and_sequence(settings):
    settings.PROTOCOLO_PREFIXO = "123456"
    numero = PREFIXADO.montar(DIA, 42)

    assert numero.startswith("12345620261127000042")
    assert PREFIXADO.decompor(numero) == (DIA, 42)
    assert numeracao.decompor(numero) == (DIA, 42)
    assert numeracao.validar(numeracao.formatar(numero)) == numero


def test_a_number_of_the_right_length_under_another_prefix_is_not_of_this_format():
    outro = numeracao.Formato(prefixo="654321").montar(DIA, 42)

    assert mod_97_10.is_valid(outro)
    assert len(outro) == PREFIXADO.comprimento
    assert PREFIXADO.decompor(outro) is None


def test_a_number_with_the_prefix_and_valid_check_digits_but_one_digit_too_many_is_not_of_this_format():
    longo = com_verificadores("123456" + "20261127" + "0000042")

    assert mod_97_10.is_valid(longo)
    assert longo.startswith(PREFIXADO.prefixo)
    assert PREFIXADO.decompor(longo) is None


def test_without_check_digits_a_number_of_the_right_length_under_another_prefix_is_not_of_this_format():
    formato = numeracao.Formato(prefixo="123456", verificadores=False)

    assert formato.decompor("123456" + "20261127000042") == (DIA, 42)
    assert formato.decompor("654321" + "20261127000042") is None


def test_decomposing_a_number_no_accepted_format_knows_says_so_in_portuguese():
    with pytest.raises(NumeroInvalido) as erro:
        numeracao.decompor(VALIDO[:-1])

    assert erro.value.mensagem == CONFIRA


def test_a_number_typed_between_tabs_and_newlines_validates():
    assert numeracao.validar(f"\t {VALIDO}\r\n") == VALIDO
