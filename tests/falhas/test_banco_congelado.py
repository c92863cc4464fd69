"""
A PostgreSQL that stops answering without closing the socket: the client-side timeouts of the
connection (settings.DATABASES OPTIONS: connect_timeout, TCP keepalives, tcp_user_timeout) reach the
socket, and tcp_user_timeout ends a query whose packets the network drops, instead of the ~15
minutes of TCP retransmissions. /saude/'s own deadline against a frozen server is in
tests/operacao/test_saude.py.

Dropping packets needs a link that can be cut: the client runs in a network namespace of its own,
joined to this one by a veth pair made for the test, and reaches the shared PostgreSQL through a
proxy on the pair's address (tests/proxy.py). Cutting the pair (its end here set down) drops
everything between them, in the kernel, and touches no other traffic: the loopback that the shared
PostgreSQL and Redis serve on is never changed. Needs root (CAP_NET_ADMIN) and iproute2's `ip`.
"""

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from django.db import connections

from tests.processos import RAIZ, Cliente
from tests.proxy import ProxyCongelavel

pytestmark = [pytest.mark.processos, pytest.mark.django_db]

OPCOES = {
    (socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT): 15_000,
    (socket.SOL_SOCKET, socket.SO_KEEPALIVE): 1,
    (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE): 10,
    (socket.IPPROTO_TCP, socket.TCP_KEEPINTVL): 5,
    (socket.IPPROTO_TCP, socket.TCP_KEEPCNT): 3,
}


def _opcoes_do_socket(pgconn):
    sock = socket.socket(fileno=pgconn.socket)
    try:
        return {opcao: sock.getsockopt(*opcao) for opcao in OPCOES}
    finally:
        sock.detach()


def test_the_connection_socket_carries_the_client_side_timeouts():
    conexao = connections["default"]
    conexao.ensure_connection()

    parametros = conexao.connection.info.get_parameters()

    assert _opcoes_do_socket(conexao.connection.pgconn) == OPCOES
    assert parametros["connect_timeout"] == "5"
    assert parametros["tcp_user_timeout"] == "15000"


# A client in a network namespace of its own -----------------------------------------------------

CLIENTE = """
import sys, time
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
print("pronto", flush=True)
sys.stdin.readline()
inicio = time.monotonic()
try:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    print("respondeu", flush=True)
except Exception as erro:
    print("erro", type(erro).__name__, round(time.monotonic() - inicio, 2), str(erro).splitlines()[0], flush=True)
"""


IP = shutil.which("ip") or "/usr/sbin/ip"


def _ip(*argumentos, check=True):
    subprocess.run([IP, *argumentos], check=check, capture_output=True, timeout=10)


class Enlace:
    """A network namespace and a veth pair to it, named after this process; removed on exit."""

    def __init__(self):
        n = os.getpid() % 100_000
        self.ns = f"protocolo-falhas-{n}"
        self.aqui, self.la = f"pgf{n}a", f"pgf{n}b"
        rede = 16 + n % 200
        self.ip_aqui, self.ip_la = f"10.213.{rede}.1", f"10.213.{rede}.2"

    def __enter__(self):
        try:
            _ip("netns", "add", self.ns)
            _ip("link", "add", self.aqui, "type", "veth", "peer", "name", self.la)
            _ip("link", "set", self.la, "netns", self.ns)
            _ip("addr", "add", f"{self.ip_aqui}/30", "dev", self.aqui)
            _ip("link", "set", self.aqui, "up")
            _ip("-n", self.ns, "addr", "add", f"{self.ip_la}/30", "dev", self.la)
            _ip("-n", self.ns, "link", "set", self.la, "up")
            _ip("-n", self.ns, "link", "set", "lo", "up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def cortar(self):
        _ip("link", "set", self.aqui, "down")

    def __exit__(self, *_):
        _ip("link", "del", self.aqui, check=False)
        _ip("netns", "del", self.ns, check=False)


@pytest.fixture
def enlace():
    if os.geteuid() != 0 or not os.path.exists(IP):
        pytest.skip("cortar a rede precisa de root e do `ip` (iproute2)")
    with Enlace() as enlace:
        yield enlace


def _cliente_do_outro_lado(enlace, proxy, **env):
    nome = connections["default"].settings_dict["NAME"]
    ambiente = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "protocolo.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://postgres@{enlace.ip_aqui}:{proxy.porta}/{nome}",
        **env,
    }
    return subprocess.Popen(
        [IP, "netns", "exec", enlace.ns, sys.executable, "-c", CLIENTE],
        cwd=RAIZ,
        env=ambiente,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _linha(processo, segundos):
    """The next line the client writes, or None if none comes within `segundos`."""
    import selectors

    with selectors.DefaultSelector() as seletor:
        seletor.register(processo.stdout, selectors.EVENT_READ)
        if not seletor.select(segundos):
            return None
    return processo.stdout.readline().strip()


def _consulta_com_o_enlace_cortado(enlace, espera, **env):
    """What the client says within `espera` seconds of a query sent after the link was cut."""
    destino = ("127.0.0.1", int(connections["default"].settings_dict["PORT"] or 5432))
    with (
        ProxyCongelavel(destino, endereco=enlace.ip_aqui) as proxy,
        _cliente_do_outro_lado(enlace, proxy, **env) as cliente,
    ):
        try:
            pronto = _linha(cliente, 20)
            if pronto != "pronto":
                cliente.kill()
                pytest.fail(f"o cliente não conectou: {pronto!r} {cliente.communicate(timeout=10)}")
            enlace.cortar()
            cliente.stdin.write("\n")
            cliente.stdin.flush()
            return _linha(cliente, espera)
        finally:
            cliente.kill()
            cliente.communicate(timeout=10)


def test_tcp_user_timeout_ends_a_query_whose_packets_are_dropped(enlace):
    inicio = time.monotonic()
    dito = _consulta_com_o_enlace_cortado(enlace, 5, DB_TCP_USER_TIMEOUT_MS="1000")

    assert dito is not None and dito.startswith("erro OperationalError"), dito
    assert float(dito.split()[2]) < 2.5, dito
    assert time.monotonic() - inicio < 25


def test_without_tcp_user_timeout_the_same_query_is_still_waiting(enlace):
    """The control: the kernel's retransmissions alone would hold the request for many minutes."""
    assert _consulta_com_o_enlace_cortado(enlace, 3, DB_TCP_USER_TIMEOUT_MS="0") is None


# /saude/ on a production app server in front of a frozen PostgreSQL --------------------------------


def test_saude_on_gunicorn_answers_503_in_time_while_postgresql_is_frozen_and_200_after(instalado, servidores):
    banco = instalado.banco
    with ProxyCongelavel(("127.0.0.1", banco.porta)) as proxy:
        servidor = servidores(
            "a",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{proxy.porta}/protocolo",
            PROTOCOLO_SAUDE_TEMPO_LIMITE_MS="800",
        )
        visitante = Cliente("198.51.100.70")

        def saude():
            inicio = time.monotonic()
            resposta = visitante.get(servidor, "/saude/", timeout=10)
            return resposta.status_code, resposta.json(), time.monotonic() - inicio

        assert saude()[:2] == (200, {"banco": "ok", "cache": "ok"})
        # Thawed by itself after 6 s: without a deadline of its own a probe would wait that long.
        proxy.congelar(por=6)
        congelado = [saude() for _ in range(3)]
        proxy.descongelar()
        prazo = time.monotonic() + 10
        while (depois := saude())[0] != 200 and time.monotonic() < prazo:
            time.sleep(0.1)
        pagina = visitante.get(servidor, "/abrir/")

    assert [(s, c) for s, c, _ in congelado] == [(503, {"banco": "falhou", "cache": "ok"})] * 3
    assert max(t for _, _, t in congelado) < 0.8 + 0.5, congelado
    assert depois[:2] == (200, {"banco": "ok", "cache": "ok"})
    assert pagina.status_code == 200
    assert "Traceback" not in servidor.log.read_text()
