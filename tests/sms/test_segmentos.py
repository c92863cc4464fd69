"""Texts that fit (docs/dominio.md, "Canais das mensagens"): every SMS template, one per notice that
goes to a telephone, filled with the longest real values, fits one GSM-7 segment; and the segment
count follows GSM 03.38."""

import datetime
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from protocolo import numeracao
from protocolo.models import EQUIPE_DO_NIVEL, AvisoMensagem, LinkCurto, Protocolo
from protocolo.segmentos import codificacao, para_gsm7, segmentos, tamanho
from protocolo.services import canais_de_envio
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


# The longest values a text carries: the protocol's number, dates and times with two digits each,
# the team with the longest name, and a short link at the tests' base address.
def _o_mais_longo(settings, aviso):
    settings.PROTOCOLO_EMPRESA_NOME = EMPRESA_LONGA
    dia = datetime.datetime(2026, 12, 31, 23, 59, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    numero = numeracao.formato_atual().montar(dia.date(), 10**settings.PROTOCOLO_DIGITOS_SEQUENCIA - 1)
    original = Protocolo(numero=numero, aberto_em=dia)
    protocolo = Protocolo(
        numero=numero,
        aberto_em=dia,
        encerrado_em=dia,
        prazo=dia.date(),
        nivel=max(EQUIPE_DO_NIVEL, key=lambda nivel: len(EQUIPE_DO_NIVEL[nivel])),
        duplicado_de=original,
    )
    link = settings.PROTOCOLO_URL_BASE + reverse("consumidor:link_curto", args=["x" * LinkCurto.TAMANHO])
    return protocolo, link, canais_de_envio.texto_curto(protocolo, aviso, link=link)


def test_every_sms_template_is_counted():
    assert sorted([*(f"sms_{aviso}.txt" for aviso in AvisoMensagem.values), "sms_codigo.txt"]) == MODELOS_SMS


def test_the_code_sms_fits_one_gsm7_segment_with_the_longest_values(settings):
    protocolo, _, _ = _o_mais_longo(settings, AvisoMensagem.NUMERO)
    texto = texto_sms_codigo(protocolo)

    assert codificacao(texto) == "gsm7", texto
    assert segmentos(texto) == 1, (tamanho(texto), texto)
    assert protocolo.numero_formatado in texto


@pytest.mark.parametrize("aviso", AvisoMensagem.values)
def test_every_sms_template_fits_one_gsm7_segment_with_the_longest_values(settings, aviso):
    protocolo, link, texto = _o_mais_longo(settings, aviso)

    assert codificacao(texto) == "gsm7", texto
    assert segmentos(texto) == 1, (tamanho(texto), texto)
    assert protocolo.numero_formatado in texto
    assert (link in texto) == (aviso in canais_de_envio.COM_LINK)


@pytest.mark.parametrize("aviso", sorted(canais_de_envio.COM_LINK))
def test_a_base_address_too_long_for_one_segment_leaves_the_link_out(settings, aviso):
    settings.PROTOCOLO_URL_BASE = "https://atendimento.empresa-exemplo.com.br/portal-do-consumidor/protocolos"
    protocolo, link, texto = _o_mais_longo(settings, aviso)

    assert segmentos(texto) == 1, texto
    assert link not in texto
    assert "portal" in texto
    assert protocolo.numero_formatado in texto


def test_the_number_sms_reads_as_before(settings):
    settings.PROTOCOLO_EMPRESA_NOME = "Ação & Cia."
    dia = datetime.datetime(2026, 3, 5, 9, 7, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    protocolo = Protocolo(numero=numeracao.formato_atual().montar(dia.date(), 42), aberto_em=dia)

    assert texto_sms_numero(protocolo) == (
        f"Acao & Cia.: o protocolo do seu atendimento é {protocolo.numero_formatado}, aberto em 05/03/2026 09:07. "
        "Guarde-o para acompanhar o pedido."
    )
