"""Texts that fit (docs/dominio.md, "Mensagens por SMS"): every SMS template, filled with the
longest real values, fits one segment; and the segment count follows GSM 03.38."""

import datetime
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings

from protocolo import numeracao
from protocolo.models import Protocolo
from protocolo.segmentos import codificacao, para_gsm7, segmentos, tamanho
from protocolo.services.abertura import texto_sms_numero
from protocolo.services.codigos import texto_sms_codigo

MODELOS_SMS = sorted(p.name for p in (Path(settings.BASE_DIR) / "templates" / "mensagens").glob("sms_*.txt"))
# The longest name a company may have, with letters outside GSM-7.
EMPRESA_LONGA = "Companhia Brasileira de Telecomunicações e Serviços Digitais Ltda."


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("", ("gsm7", 0)),
        ("a" * 160, ("gsm7", 160)),
        ("é è à ü Ç", ("gsm7", 9)),
        ("€[]", ("gsm7", 6)),
        ("ã", ("ucs2", 1)),
        ("😀", ("ucs2", 2)),
    ],
)
def test_the_length_counts_septets_or_utf16_units(texto, esperado):
    assert tamanho(texto) == esperado


@pytest.mark.parametrize(
    ("texto", "partes"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),
        ("{" * 81, 2),
        ("ç" * 70, 1),
        ("ç" * 71, 2),
        ("ç" * 134, 2),
        ("ç" * 135, 3),
    ],
)
def test_segments_split_at_153_septets_or_67_units(texto, partes):
    assert segmentos(texto) == partes


def test_portuguese_letters_outside_gsm7_are_replaced_for_gsm7_texts():
    assert codificacao("ação") == "ucs2"
    assert para_gsm7("Ação & Cia. — São João") == "Acao & Cia.  Sao Joao"
    assert codificacao(para_gsm7(EMPRESA_LONGA)) == "gsm7"


def _o_mais_longo(settings, modelo):
    settings.PROTOCOLO_EMPRESA_NOME = EMPRESA_LONGA
    dia = datetime.datetime(2026, 12, 31, 23, 59, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    numero = numeracao.formato_atual().montar(dia.date(), 10**settings.PROTOCOLO_DIGITOS_SEQUENCIA - 1)
    protocolo = Protocolo(numero=numero, aberto_em=dia)
    return protocolo, {"sms_numero.txt": texto_sms_numero, "sms_codigo.txt": texto_sms_codigo}[modelo](protocolo)


def test_every_sms_template_is_counted():
    assert MODELOS_SMS == ["sms_codigo.txt", "sms_numero.txt"]


@pytest.mark.parametrize("modelo", MODELOS_SMS)
def test_every_sms_template_fits_one_gsm7_segment_with_the_longest_values(settings, modelo):
    protocolo, texto = _o_mais_longo(settings, modelo)

    assert codificacao(texto) == "gsm7", texto
    assert segmentos(texto) == 1, (tamanho(texto), texto)
    assert protocolo.numero_formatado in texto
