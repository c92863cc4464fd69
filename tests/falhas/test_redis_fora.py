"""Redis goes down and comes back under two app servers: every page keeps answering, sessions carry on
from the database, and the rate limits hold per app-server process until Redis is back, then are
shared again (the rule docs/falhas.md states)."""

import pytest

from tests.consumidor.apoio import desafio_da_pagina, resolver
from tests.processos import CPF, Cliente, abrir, consultar, entrar

pytestmark = pytest.mark.processos

LIMITE_POR_IP = 20  # settings.PROTOCOLO_LIMITES["consulta_ip"]: 20 lookups a minute per address


def test_without_redis_the_portal_serves_and_limits_count_per_process_then_shared_again(
    instalado, redis_descartavel, servidores
):
    banco = instalado.banco
    a, b = servidores("a", redis_descartavel), servidores("b", redis_descartavel)
    consumidor = Cliente("198.51.100.50")
    numero = abrir(consumidor, a, banco)
    atendente = Cliente("198.51.100.51")
    entrar(atendente, a)
    assert consumidor.get(b, f"/protocolo/{numero}/").status_code == 200

    redis_descartavel.parar()

    # Both servers stay in the load balancer's rotation, saying what is down.
    for servidor in (a, b):
        saude = Cliente().get(servidor, "/saude/")
        assert (saude.status_code, saude.json()) == (200, {"banco": "ok", "cache": "falhou"})
    # Sessions made before the outage are read from the database, on either server.
    assert Cliente().get(a, "/").status_code == 200
    assert consumidor.get(b, f"/protocolo/{numero}/").status_code == 200
    assert atendente.get(b, "/atendimento/").status_code == 200
    # New sessions (a lookup, a login), a logout and an opening, all without the cache.
    novo = Cliente("198.51.100.52")
    assert consultar(novo, a, numero).status_code == 302
    assert novo.get(b, f"/protocolo/{numero}/").status_code == 200
    outro = Cliente("198.51.100.53")
    entrar(outro, b)
    assert outro.get(a, "/atendimento/").status_code == 200
    assert outro.post(a, "/atendimento/sair/", {}).status_code == 302
    assert outro.get(b, "/atendimento/").status_code == 302
    assert abrir(Cliente("198.51.100.54"), b, banco)

    # The per-address lookup limit still holds on each server, counting there alone: past it the
    # challenge is asked for, drawn and checked without the cache (a solution serves once there).
    insistente = Cliente("198.51.100.60")
    assert {consultar(insistente, a, numero).status_code for _ in range(LIMITE_POR_IP)} == {302}
    pedida = consultar(insistente, a, numero)
    assert pedida.status_code == 429
    assert desafio_da_pagina(pedida)
    dados = {"numero": numero, "cpf": CPF, "altcha": resolver(pedida)}
    assert insistente.post(a, "/consultar/", dados).status_code == 302
    assert insistente.post(a, "/consultar/", dados).status_code == 429
    assert consultar(insistente, b, numero).status_code == 302

    redis_descartavel.iniciar()

    # Back to one count for both servers.
    outro_insistente = Cliente("198.51.100.61")
    servidores_alternados = [a, b] * (LIMITE_POR_IP // 2)
    assert {consultar(outro_insistente, s, numero).status_code for s in servidores_alternados} == {302}
    assert desafio_da_pagina(consultar(outro_insistente, a, numero))
    assert desafio_da_pagina(consultar(outro_insistente, b, numero))
    chaves = [chave.decode() for chave in redis_descartavel.cliente().keys("*")]
    assert any("limite:consulta_ip" in chave for chave in chaves)
    assert any("sessions.cached_db" in chave for chave in chaves)
    assert consumidor.get(a, f"/protocolo/{numero}/").status_code == 200
    assert novo.get(a, f"/protocolo/{numero}/").status_code == 200
    # The outage is in the log as warnings, one line each, never as a traceback.
    log = a.log.read_text() + b.log.read_text()
    assert "Cache de sessões indisponível" in log
    assert "Cache de limites indisponível" in log
    assert "Traceback" not in log
