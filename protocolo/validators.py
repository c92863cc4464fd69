import re
import unicodedata

from django.core.exceptions import ValidationError
from stdnum.br import cpf as stdnum_cpf

from . import numeracao
from .exceptions import NumeroInvalido

# Spaces, dots and dashes between the digits, and nothing else. python-stdnum's compact() would also
# turn full-width and "mathematical" digits, bullets or macrons into ASCII and accept them.
SEPARADORES_CPF = re.compile(r"(?:[^\S\x00-\x1f\x7f-\x9f]|[.\-])+")


def normalizar_cpf(valor):
    """The 11 digits of a CPF typed with or without dots, dashes and spaces; ValidationError when
    it is not a valid CPF."""
    texto = str(valor or "").strip()
    if not texto:
        raise ValidationError("Informe o CPF.", code="obrigatorio")
    cpf = SEPARADORES_CPF.sub("", texto)
    if not (cpf.isascii() and cpf.isdigit()):
        raise ValidationError("O CPF tem apenas algarismos (pontos e traço são opcionais).", code="caracteres")
    if len(cpf) != 11:
        raise ValidationError("O CPF tem 11 dígitos.", code="tamanho")
    # python-stdnum accepts 111.111.111-11 and the like; the Receita never issues them.
    if len(set(cpf)) == 1 or not stdnum_cpf.is_valid(cpf):
        raise ValidationError("CPF inválido: confira os dígitos.", code="invalido")
    return cpf


# Line breaks and tabs are text in a multi-line field. Any other control character (C0, C1, DEL),
# a surrogate or a private-use character is garbage in any field, and a line or paragraph separator
# has no place in a field of one line (a name in an e-mail's greeting must not start new lines).
QUEBRAS = "\n\r\t"


def validar_texto(valor, *, linhas=True):
    """ValidationError (Portuguese) when `valor` holds a character no field of its kind accepts."""
    for caractere in str(valor):
        if linhas and caractere in QUEBRAS:
            continue
        categoria = unicodedata.category(caractere)
        if categoria in ("Cc", "Cs", "Co") or (not linhas and categoria in ("Zl", "Zp")):
            mensagem = "O texto contém caracteres inválidos."
            if not linhas and caractere in QUEBRAS:
                mensagem = "Use uma linha só, sem quebras de linha nem tabulações."
            raise ValidationError(mensagem, code="controle")


def validar_linha(valor):
    validar_texto(valor, linhas=False)


def validar_cpf(valor):
    normalizar_cpf(valor)


def normalizar_numero(valor):
    """The digits of a protocol number, or ValidationError before any database lookup."""
    try:
        return numeracao.validar(valor)
    except NumeroInvalido as erro:
        raise ValidationError(erro.mensagem, code="numero_invalido") from None


def completar_cpf(base):
    """The CPF whose first nine digits are `base` (python-stdnum only checks, it does not build).
    Nine equal digits have no valid CPF: the Receita never issues 111.111.111-11 and the like."""
    if not (len(base) == 9 and base.isascii() and base.isdigit()) or len(set(base)) == 1:
        raise ValueError(f"Base de CPF inválida: {base!r} (nove algarismos, não todos iguais).")
    digitos = [int(d) for d in base]
    for tamanho in (9, 10):
        soma = sum(d * peso for d, peso in zip(digitos, range(tamanho + 1, 1, -1), strict=True))
        digitos.append(soma * 10 % 11 % 10)
    return "".join(map(str, digitos))
