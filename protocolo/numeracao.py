"""
Protocol numbers (docs/dominio.md §3): AAAAMMDD of the opening day, a gapless daily sequence, and ISO 7064
MOD 97-10 check digits, with an optional numeric prefix. Numbers are validated against every format
ever configured, so changing the format never invalidates a number already issued.
"""

import datetime
import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from sequences import get_next_value
from stdnum.iso7064 import mod_97_10

from .exceptions import NumeroInvalido, SequenciaEsgotada

# Spaces, dots, dashes and slashes between the digits. Not every \s: Python counts some control
# characters (\x1c–\x1f, \x0b, \x0c, \x85) as whitespace, and a number carrying one is garbage.
SEPARADORES = re.compile(r"(?:[^\S\x00-\x1f\x7f-\x9f]|[.\-/])+")


@dataclass(frozen=True)
class Formato:
    prefixo: str = ""
    digitos_sequencia: int = 6
    verificadores: bool = True

    def __post_init__(self):
        if self.prefixo and not self.prefixo.isdigit():
            raise ImproperlyConfigured("O prefixo do número de protocolo deve ter apenas dígitos.")
        if not 4 <= self.digitos_sequencia <= 9:
            raise ImproperlyConfigured("A sequência diária deve ter de 4 a 9 dígitos.")

    @classmethod
    def de_texto(cls, texto):
        """ "prefixo/dígitos/verificadores", e.g. "123456/6/1" or "/6/0"."""
        try:
            prefixo, digitos, verificadores = texto.strip().split("/")
            return cls(prefixo, int(digitos), verificadores.strip() in ("1", "true", "sim"))
        except ValueError:
            raise ImproperlyConfigured(
                f"Formato de protocolo inválido: {texto!r} (esperado 'prefixo/dígitos/verificadores')."
            ) from None

    @property
    def comprimento(self):
        return len(self.prefixo) + 8 + self.digitos_sequencia + (2 if self.verificadores else 0)

    def montar(self, dia, sequencia):
        if not 1 <= sequencia < 10**self.digitos_sequencia:
            raise SequenciaEsgotada(
                f"A sequência de protocolos de {dia:%d/%m/%Y} se esgotou ({sequencia}): "
                "aumente PROTOCOLO_DIGITOS_SEQUENCIA."
            )
        corpo = f"{self.prefixo}{dia:%Y%m%d}{sequencia:0{self.digitos_sequencia}d}"
        return corpo + mod_97_10.calc_check_digits(corpo) if self.verificadores else corpo

    def decompor(self, numero):
        """(dia, sequência) of a number of this format, or None when it is not one."""
        if len(numero) != self.comprimento or not numero.startswith(self.prefixo):
            return None
        if self.verificadores and not mod_97_10.is_valid(numero):
            return None
        inicio = len(self.prefixo)
        try:
            dia = datetime.datetime.strptime(numero[inicio : inicio + 8], "%Y%m%d").date()
        except ValueError:
            return None
        sequencia = int(numero[inicio + 8 : inicio + 8 + self.digitos_sequencia])
        return (dia, sequencia) if sequencia >= 1 else None


def formato_atual():
    return _formato(
        settings.PROTOCOLO_PREFIXO,
        settings.PROTOCOLO_DIGITOS_SEQUENCIA,
        settings.PROTOCOLO_DIGITOS_VERIFICADORES,
    )


@cache
def _formato(prefixo, digitos, verificadores):
    return Formato(prefixo, digitos, verificadores)


def formatos_aceitos():
    anteriores = [Formato.de_texto(texto) for texto in settings.PROTOCOLO_FORMATOS_ANTERIORES]
    return [formato_atual(), *anteriores]


PREFIXO_DA_SEQUENCIA = "protocolo-"


def nome_da_sequencia(dia):
    return f"{PREFIXO_DA_SEQUENCIA}{dia:%Y%m%d}"


def gerar(dia):
    """The next number of the day. Must run inside the transaction that creates the protocol, so
    a rollback gives the number back and the day stays gapless."""
    return formato_atual().montar(dia, get_next_value(nome_da_sequencia(dia)))


def normalizar(texto):
    """The digits of a number typed with any spaces, dots, dashes or slashes."""
    numero = SEPARADORES.sub("", str(texto or "").strip())
    if not numero:
        raise NumeroInvalido("Informe o número do protocolo.")
    if not (numero.isascii() and numero.isdigit()):
        raise NumeroInvalido("O número do protocolo tem apenas algarismos.")
    return numero


def validar(texto):
    """The normalised number, or NumeroInvalido before any database lookup."""
    numero = normalizar(texto)
    for formato in formatos_aceitos():
        if formato.decompor(numero):
            return numero
    raise NumeroInvalido("Número de protocolo inválido: confira os dígitos.")


def decompor(numero):
    """(dia, sequência) of a valid number under any accepted format."""
    for formato in formatos_aceitos():
        if partes := formato.decompor(numero):
            return partes
    raise NumeroInvalido("Número de protocolo inválido: confira os dígitos.")


def formatar(numero):
    """Groups of four, as people read it aloud: 2026 1127 0000 0142."""
    return " ".join(numero[i : i + 4] for i in range(0, len(numero), 4))
