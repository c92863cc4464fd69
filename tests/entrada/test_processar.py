"""Reading an inbound text: the keyword SAIR and a protocol number among other digits."""

import datetime

import pytest

from protocolo import numeracao
from protocolo.entrada.processar import e_sair, numero_no_texto

NUMERO = numeracao.formato_atual().montar(datetime.date(2026, 11, 27), 142)


@pytest.mark.parametrize("texto", ["SAIR", "sair", " Sair. ", "SÁIR!", "\tsaír\n"])
def test_sair_alone_in_any_case_or_accent_is_the_keyword(texto):
    assert e_sair(texto)


@pytest.mark.parametrize("texto", ["sair do plano", "não quero sair", "SAIRR", "", "S A I R", "sair?"])
def test_sair_with_anything_else_is_no_keyword(texto):
    assert not e_sair(texto)


@pytest.mark.parametrize(
    "texto",
    [
        NUMERO,
        numeracao.formatar(NUMERO),
        f"meu protocolo é {'.'.join(numeracao.formatar(NUMERO).split())}, obrigado",
        f"{'-'.join(numeracao.formatar(NUMERO).split())}",
        f"ligue 11 98765-4321 sobre {numeracao.formatar(NUMERO)} 11 98765 4321",
        f"{numeracao.formatar(NUMERO)} 11 98765 4321",
    ],
)
def test_a_number_is_found_with_or_without_separators(texto):
    assert numero_no_texto(texto) == NUMERO


@pytest.mark.parametrize(
    "texto",
    [
        "sem número nenhum",
        "11 98765-4321",
        NUMERO[:-1] + str((int(NUMERO[-1]) + 1) % 10),
        "1" * 5000,
        " ".join(["12"] * 5000),
    ],
)
def test_no_number_when_none_checks(texto):
    assert numero_no_texto(texto) is None
