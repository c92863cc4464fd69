"""
How many SMS segments a text takes (docs/dominio.md, "Canais das mensagens"). A text made only of the
GSM-7 alphabet (3GPP TS 23.038: the basic set, and the extension table whose characters take two
septets) fits 160 septets in one segment and 153 a segment when split; any other character (ã, õ,
ç, á, ê… are not in it) sends the whole text in UCS-2: 70 characters, or 67 a segment when split
(characters outside the BMP take two).
"""

import math
import unicodedata

GSM7_BASICO = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSAO = frozenset("^{}\\[~]|€\f")


def codificacao(texto):
    """ "gsm7" when every character is in the GSM-7 alphabet, else "ucs2"."""
    return "gsm7" if all(c in GSM7_BASICO or c in GSM7_EXTENSAO for c in texto) else "ucs2"


def tamanho(texto):
    """(encoding, units): septets for GSM-7, UTF-16 code units for UCS-2."""
    if codificacao(texto) == "gsm7":
        return "gsm7", sum(2 if c in GSM7_EXTENSAO else 1 for c in texto)
    return "ucs2", len(texto.encode("utf-16-le")) // 2


def segmentos(texto):
    """How many segments the text is sent in (0 for an empty text)."""
    cod, unidades = tamanho(texto)
    inteiro, parte = (160, 153) if cod == "gsm7" else (70, 67)
    if unidades <= inteiro:
        return 1 if unidades else 0
    return math.ceil(unidades / parte)


def para_gsm7(texto):
    """The text with each letter outside GSM-7 replaced by its unaccented form (ã → a, ç → c, but
    é stays), and anything else outside GSM-7 dropped: for values put into an SMS written for
    GSM-7, such as the company's name."""
    saida = []
    for c in texto:
        if c in GSM7_BASICO or c in GSM7_EXTENSAO:
            saida.append(c)
            continue
        base = unicodedata.normalize("NFKD", c)[:1]
        if base in GSM7_BASICO:
            saida.append(base)
    return "".join(saida)
