"""CPF validation (docs/pilha.md 10) and the protocol-number form validator."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.br import cpf as stdnum_cpf

from protocolo import numeracao
from protocolo.models import Consumidor, mascarar_cpf
from protocolo.validators import completar_cpf, normalizar_cpf, normalizar_numero, validar_cpf

VALIDO = "52998224725"

MENSAGENS = {
    "obrigatorio": "Informe o CPF.",
    "caracteres": "O CPF tem apenas algarismos (pontos e traço são opcionais).",
    "tamanho": "O CPF tem 11 dígitos.",
    "invalido": "CPF inválido: confira os dígitos.",
}

bases = st.text(alphabet="0123456789", min_size=9, max_size=9)
separadores = st.text(alphabet=" .-", max_size=2)


def recusa(valor):
    """The code of the ValidationError normalizar_cpf raises, after checking its message."""
    with pytest.raises(ValidationError) as erro:
        normalizar_cpf(valor)
    assert erro.value.messages == [MENSAGENS[erro.value.code]]
    return erro.value.code


@pytest.mark.parametrize(
    "digitado",
    ["529.982.247-25", "529982247-25", "529 982 247 25", "52998224725", "  529.982.247-25\n", "529-982-247.25"],
)
def test_it_accepts_a_cpf_with_any_separators_and_returns_its_11_digits(digitado):
    assert normalizar_cpf(digitado) == VALIDO


@pytest.mark.parametrize("digitado", ["529.982.247-24", "529.982.247-52", "52998224752", "25998224725"])
def test_it_rejects_wrong_check_digits(digitado):
    assert recusa(digitado) == "invalido"


@pytest.mark.parametrize("digito", "0123456789")
def test_it_rejects_every_cpf_of_repeated_digits(digito):
    assert recusa(digito * 11) == "invalido"
    assert recusa(f"{digito * 3}.{digito * 3}.{digito * 3}-{digito * 2}") == "invalido"


@pytest.mark.parametrize(
    "digitado",
    [
        "529.982.247-2A",
        "CPF 529.982.247-25",
        "529/982/247-25",
        "５２９.９８２.２４７-２５",  # full-width digits
        "𝟓𝟐𝟗𝟗𝟖𝟐𝟐𝟒𝟕𝟐𝟓",  # mathematical bold digits
        "529•982•247-25",  # bullets, which python-stdnum reads as dots
        "529.982.247\x1f25",  # a control character Python counts as whitespace
        "529.982.247\x0025",
    ],
)
def test_it_rejects_anything_but_ascii_digits_and_separators(digitado):
    assert recusa(digitado) == "caracteres"


@pytest.mark.parametrize("digitado", ["5299822472", "529982247250", "529.982.247", "1"])
def test_it_rejects_a_wrong_length(digitado):
    assert recusa(digitado) == "tamanho"


@pytest.mark.parametrize("digitado", ["", "   ", None])
def test_it_asks_for_a_missing_cpf(digitado):
    assert recusa(digitado) == "obrigatorio"


@given(st.text())
def test_arbitrary_text_raises_nothing_but_validation_error(texto):
    try:
        cpf = normalizar_cpf(texto)
    except ValidationError:
        return
    assert len(cpf) == 11
    assert cpf.isascii()
    assert stdnum_cpf.is_valid(cpf)


@given(bases, st.data())
def test_a_valid_cpf_typed_with_any_separators_normalises_to_its_digits(base, data):
    assume(len(set(base)) > 1)
    cpf = completar_cpf(base)
    digitado = "".join(digito + data.draw(separadores) for digito in cpf)

    assert normalizar_cpf(digitado) == cpf


@given(bases)
def test_completar_cpf_always_builds_a_valid_cpf_from_its_nine_digits(base):
    assume(len(set(base)) > 1)
    cpf = completar_cpf(base)

    assert cpf[:9] == base
    assert stdnum_cpf.is_valid(cpf)
    assert normalizar_cpf(cpf) == cpf


@pytest.mark.parametrize("base", [*(digito * 9 for digito in "0123456789"), "12345678", "1234567890", "12345678a"])
def test_completar_cpf_refuses_a_base_that_has_no_valid_cpf(base):
    with pytest.raises(ValueError, match="Base de CPF inválida"):
        completar_cpf(base)


def test_completar_cpf_computes_the_known_check_digits():
    assert completar_cpf("529982247") == VALIDO


def test_validar_cpf_is_silent_on_a_valid_cpf_and_raises_on_an_invalid_one():
    validar_cpf("529.982.247-25")
    with pytest.raises(ValidationError):
        validar_cpf("529.982.247-24")


@pytest.mark.django_db
def test_a_consumidor_with_an_invalid_cpf_does_not_pass_full_clean():
    with pytest.raises(ValidationError) as erro:
        Consumidor(cpf="52998224724", nome="Maria").full_clean()

    assert erro.value.message_dict == {"cpf": [MENSAGENS["invalido"]]}


@pytest.mark.django_db
def test_a_consumidor_with_a_valid_cpf_passes_full_clean():
    consumidor = Consumidor(cpf=VALIDO, nome="Maria")
    try:
        consumidor.full_clean()
    except ValidationError as erro:
        erros = erro.message_dict
    else:
        erros = {}

    assert erros == {}
    # What full_clean passed, the database's own check (11 digits) takes as it is.
    consumidor.save()
    assert Consumidor.objects.values_list("cpf", flat=True).get(pk=consumidor.pk) == VALIDO


def test_a_cpf_is_masked_to_its_middle_six_digits():
    assert mascarar_cpf(VALIDO) == "***.982.247-**"
    assert mascarar_cpf(None) == ""


def test_a_form_reads_a_protocol_number_as_its_digits():
    numero = numeracao.Formato().montar(datetime.date(2026, 11, 27), 142)

    assert normalizar_numero(numeracao.formatar(numero)) == numero


def test_a_form_refuses_an_impossible_protocol_number_in_portuguese():
    with pytest.raises(ValidationError) as erro:
        normalizar_numero("2026 1127 0000 01AB")

    assert erro.value.code == "numero_invalido"
    assert erro.value.messages == ["O número do protocolo tem apenas algarismos."]
