import datetime
import hashlib
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from protocolo import services
from tests.factories import abrir

DIA = datetime.datetime(2026, 11, 26, 15, tzinfo=datetime.UTC)


def exportar(dia):
    saida = io.StringIO()
    call_command("exportar_cabecas", dia=dia, stdout=saida)
    return [json.loads(linha) for linha in saida.getvalue().splitlines()]


def test_it_exports_each_protocols_head_of_the_day_and_a_digest_over_them(atendente):
    with time_machine.travel(DIA, tick=False):
        primeiro = abrir(atendente=atendente)
        segundo = abrir(atendente=atendente)
        services.protocolo_registrar_interacao(protocolo=primeiro, texto="Retorno por telefone.", autor=atendente)
    with time_machine.travel(DIA + datetime.timedelta(days=1), tick=False):
        services.protocolo_registrar_interacao(protocolo=segundo, texto="No dia seguinte.", autor=atendente)

    *cabecas, resumo = exportar("2026-11-26")

    esperadas = [
        {"protocolo": p.numero, "ordem": e.ordem, "mac": e.mac}
        for p in sorted([primeiro, segundo], key=lambda p: p.numero)
        for e in [p.interacoes.filter(criada_em__date__lte="2026-11-26").order_by("-ordem").first()]
    ]
    assert cabecas == esperadas
    assert [c["ordem"] for c in cabecas] == [2, 1]
    texto = "".join(json.dumps(c, separators=(",", ":")) + "\n" for c in cabecas)
    assert resumo == {"dia": "2026-11-26", "protocolos": 2, "sha256": hashlib.sha256(texto.encode()).hexdigest()}


def test_a_day_without_entries_has_an_empty_digest(db):
    assert exportar("2020-01-01") == [{"dia": "2020-01-01", "protocolos": 0, "sha256": hashlib.sha256().hexdigest()}]


def test_a_malformed_day_is_refused_in_portuguese(db):
    with pytest.raises(CommandError, match="AAAA-MM-DD"):
        exportar("26/11/2026")
