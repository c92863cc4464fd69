"""Two app servers behind a load balancer, one PostgreSQL and one Redis: limits, sessions, CSRF tokens,
signed links and numbering do not depend on which server answers."""

import re
import threading

import pytest

from tests.consumidor.apoio import desafio_da_pagina, resolver
from tests.processos import CPF, Cliente, abrir, consultar, entrar, manage

pytestmark = pytest.mark.processos

OUTRO_CPF = "11144477735"
CPFS_ERRADOS = ["11144477735", "39053344705", "71428793860"]
FALHAS_ATE_O_DESAFIO = 3  # settings.PROTOCOLO_LIMITES["consulta_falhas_numero"]
LIMITE_POR_IP = 20  # settings.PROTOCOLO_LIMITES["consulta_ip"]
LINK = re.compile(r"/acesso/([^/\s]+)/")


@pytest.fixture
def dois(redis_descartavel, servidores):
    return servidores("a", redis_descartavel), servidores("b", redis_descartavel)


def _pede_desafio(resposta):
    return resposta.status_code == 429 and desafio_da_pagina(resposta) is not None


def test_failed_lookups_sent_to_both_servers_ask_for_the_challenge_on_both_and_a_solution_serves_once(instalado, dois):
    a, b = dois
    numero = abrir(Cliente("192.0.2.1"), a, instalado.banco)

    for i in range(FALHAS_ATE_O_DESAFIO):
        assert consultar(Cliente(f"192.0.2.{10 + i}"), dois[i % 2], numero, CPFS_ERRADOS[i]).status_code == 404

    pedida = consultar(Cliente("192.0.2.30"), a, numero)
    assert _pede_desafio(pedida)
    assert _pede_desafio(consultar(Cliente("192.0.2.31"), b, numero))
    # The owner solves the challenge one server drew and gets in through the other; the same
    # solution sent again, to either server, is refused.
    dados = {"numero": numero, "cpf": CPF, "altcha": resolver(pedida)}
    assert Cliente("192.0.2.30").post(b, "/consultar/", dados).status_code == 302
    assert _pede_desafio(Cliente("192.0.2.32").post(a, "/consultar/", dados))
    assert _pede_desafio(Cliente("192.0.2.32").post(b, "/consultar/", dados))


def test_the_per_address_lookup_limit_counts_across_both_servers(instalado, dois):
    a, b = dois
    numero = abrir(Cliente("192.0.2.40"), a, instalado.banco)
    cliente = Cliente("192.0.2.41")

    assert {consultar(cliente, dois[i % 2], numero).status_code for i in range(LIMITE_POR_IP)} == {302}

    assert _pede_desafio(consultar(cliente, a, numero))
    assert _pede_desafio(consultar(cliente, b, numero))
    assert consultar(Cliente("192.0.2.42"), b, numero).status_code == 302


def test_access_csrf_tokens_and_signed_links_from_one_server_hold_on_the_other(instalado, dois):
    a, b = dois
    banco = instalado.banco
    numero = abrir(Cliente("192.0.2.50"), a, banco)

    consumidor = Cliente("192.0.2.51")
    consumidor.csrf(a)
    assert consultar(consumidor, a, numero).status_code == 302
    pagina = consumidor.get(b, f"/protocolo/{numero}/")
    assert pagina.status_code == 200
    assert numero[:4] in pagina.text
    enviada = consumidor.post(b, f"/protocolo/{numero}/mensagem/", {"texto": "Escrevi pelo outro servidor."})
    assert enviada.status_code == 302
    assert "Escrevi pelo outro servidor." in consumidor.get(a, f"/protocolo/{numero}/").text

    # The opening e-mail's link was signed by server A, inside its request.
    (corpo,) = banco.consultar(
        "SELECT m.corpo FROM protocolo_mensagem m JOIN protocolo_protocolo p ON p.id = m.protocolo_id "
        "WHERE p.numero = %s",
        numero,
    )[0]
    token = LINK.search(corpo).group(1)
    pelo_link = Cliente("192.0.2.52")
    resposta = pelo_link.get(b, f"/acesso/{token}/")
    assert resposta.status_code == 302
    assert pelo_link.get(b, resposta.headers["Location"]).status_code == 200


def test_a_login_on_one_server_is_a_login_on_the_other_and_so_is_the_logout(dois):
    a, b = dois
    atendente = Cliente("192.0.2.60")
    entrar(atendente, a)

    painel = atendente.get(b, "/atendimento/")
    assert painel.status_code == 200
    assert "Ana Processo" in painel.text
    assert atendente.post(b, "/atendimento/sair/", {}).status_code == 302
    assert atendente.get(a, "/atendimento/").status_code == 302


def test_openings_through_both_servers_at_once_get_unique_gapless_numbers(instalado, dois):
    banco = instalado.banco
    numeros = []
    trava = threading.Lock()

    def abrir_em(i):
        numero = abrir(Cliente(f"192.0.2.{100 + i}"), dois[i % 2], banco, objeto=f"Abertura simultânea {i}.")
        with trava:
            numeros.append(numero)

    linhas = [threading.Thread(target=abrir_em, args=(i,)) for i in range(8)]
    for linha in linhas:
        linha.start()
    for linha in linhas:
        linha.join(120)

    assert len(set(numeros)) == 8
    dia = numeros[0][:8]
    do_dia = sorted(int(n[8:14]) for (n,) in banco.consultar("SELECT numero FROM protocolo_protocolo"))
    assert {n[:8] for n in numeros} == {dia}
    assert do_dia == list(range(1, len(do_dia) + 1))
    saida = manage(dois[0].env, "verificar_integridade")
    assert "nenhuma adulteração encontrada" in saida


def test_the_message_after_an_opening_on_one_server_shows_on_the_other(instalado, dois):
    """What one request leaves for the next (here the flash message of the PRG after an opening)
    travels with the browser, not in the server's memory."""
    a, b = dois
    cliente = Cliente("192.0.2.70")
    numero = abrir(cliente, a, instalado.banco)

    comprovante = cliente.get(b, f"/protocolo/{numero}/comprovante/")

    assert comprovante.status_code == 200
    assert "aberto. Anote o número" in comprovante.text
