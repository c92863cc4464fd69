"""PostgreSQL goes down under load and comes back: 503 in Portuguese meanwhile, never a 500, and the
same gunicorn serves again with every acknowledged protocol in place; with a persistent connection
per thread (CONN_MAX_AGE and CONN_HEALTH_CHECKS) and with psycopg's pool (DATABASE_POOL, whose
check_connection throws away what the restart broke)."""

import threading
import time

import pytest
import requests

from tests.processos import Cliente, abrir, consultar, entrar

pytestmark = pytest.mark.processos

TITULO_503 = "Serviço temporariamente indisponível"


class Carga:
    """One thread per kind of request, each with its own browser, until parar(); every answer is kept
    as (start, end, kind, status, body, headers)."""

    def __init__(self, pedidos):
        self.pedidos = pedidos
        self.respostas = []
        self._fim = threading.Event()
        self._trava = threading.Lock()
        self._linhas = [threading.Thread(target=self._laco, args=(nome, fazer)) for nome, fazer in pedidos.items()]

    def _laco(self, nome, fazer):
        while not self._fim.is_set():
            inicio = time.monotonic()
            try:
                resposta = fazer()
                item = (inicio, time.monotonic(), nome, resposta.status_code, resposta.text, resposta.headers)
            except requests.RequestException as erro:
                item = (inicio, time.monotonic(), nome, None, repr(erro), {})
            with self._trava:
                self.respostas.append(item)
            time.sleep(0.02)

    def __enter__(self):
        for linha in self._linhas:
            linha.start()
        return self

    def __exit__(self, *_):
        self._fim.set()
        for linha in self._linhas:
            linha.join(60)

    def entre(self, depois, antes=float("inf")):
        with self._trava:
            return [r for r in self.respostas if r[0] >= depois and r[1] <= antes]


def _e_503_da_queda(status, corpo, cabecalhos):
    return (
        status == 503
        and TITULO_503 in corpo
        and "Traceback" not in corpo
        and cabecalhos.get("Retry-After", "").isdigit()
        and "Content-Security-Policy" in cabecalhos
    )


# The pool's wait for a connection is kept short: a request during the outage then fails as one
# (a 503) within a second instead of waiting for the database to come back.
POOL = {"DATABASE_POOL": "1", "DATABASE_POOL_MIN": "1", "DATABASE_POOL_MAX": "4", "DATABASE_POOL_TIMEOUT": "1"}


@pytest.mark.parametrize(
    "conexoes",
    [
        pytest.param({}, id="conexao-persistente"),
        pytest.param(POOL, id="pool"),
    ],
)
def test_the_portal_answers_503_while_postgresql_restarts_and_serves_again_without_a_restart(
    instalado, redis_descartavel, servidores, conexoes
):
    banco = instalado.banco
    servidor = servidores("a", redis_descartavel, **conexoes)
    consumidor = Cliente("198.51.100.10")
    primeiro = abrir(consumidor, servidor, banco)
    atendentes = Cliente("198.51.100.20")
    entrar(atendentes, servidor)
    molde = Cliente()
    molde.csrf(servidor)
    contador = iter(range(1, 10_000))

    def consulta():
        # A new browser from a new address each time, as many consumers looking up at once.
        n = next(contador)
        cliente = Cliente(f"10.1.{n // 250}.{n % 250 + 1}")
        cliente.cookies = {"csrftoken": molde.cookies["csrftoken"]}
        return consultar(cliente, servidor, primeiro)

    pedidos = {
        "inicio": lambda: Cliente().get(servidor, "/"),
        "consulta": consulta,
        "acompanhamento": lambda: consumidor.get(servidor, f"/protocolo/{primeiro}/"),
        "retaguarda": lambda: atendentes.get(servidor, "/atendimento/"),
    }
    processos_antes = servidor.pids()

    with Carga(pedidos) as carga:
        time.sleep(1.5)
        quem_abriu = Cliente("198.51.100.30")
        confirmado = abrir(quem_abriu, servidor, banco, objeto="Aberto sob carga, pouco antes da queda do banco.")

        banco.parar("immediate")
        caiu = time.monotonic()
        time.sleep(3)
        durante = [
            Cliente("198.51.100.40").post(servidor, "/abrir/", {"cpf": "52998224725", "nome": "X"}),
            quem_abriu.get(servidor, f"/protocolo/{confirmado}/comprovante/"),
        ]
        voltando = time.monotonic()
        banco.iniciar()
        voltou = time.monotonic()

        prazo = voltou + 10
        while consumidor.get(servidor, f"/protocolo/{primeiro}/").status_code != 200:
            assert time.monotonic() < prazo, "o portal não voltou a servir 10 s depois do PostgreSQL"
            time.sleep(0.2)
        estavel = time.monotonic() + 1
        time.sleep(2.5)

    respostas = carga.respostas
    assert not [r for r in respostas if r[3] is None or r[3] == 500 or r[3] not in (200, 302, 503)], [
        r[2:4] for r in respostas if r[3] not in (200, 302, 503)
    ]
    na_queda = carga.entre(caiu + 0.2, voltando)
    por_tipo = {nome: {r[3] for r in na_queda if r[2] == nome} for nome in pedidos}
    # Without a session nothing on the home page needs the database; everything else does.
    assert por_tipo == {"inicio": {200}, "consulta": {503}, "acompanhamento": {503}, "retaguarda": {503}}
    assert all(_e_503_da_queda(r[3], r[4], r[5]) for r in na_queda if r[3] == 503)
    assert all(_e_503_da_queda(r.status_code, r.text, r.headers) for r in durante)
    depois = carga.entre(estavel)
    assert {r[2] for r in depois} == set(pedidos)
    assert {r[3] for r in depois} <= {200, 302}
    assert servidor.pids() == processos_antes
    # Each refused request is one line of the log, never a traceback.
    log = servidor.log.read_text()
    assert "Traceback" not in log
    recusas = sum(1 for r in respostas if r[3] == 503) + len(durante)
    assert log.count("Banco de dados indisponível") >= recusas

    guardados = banco.consultar("SELECT numero FROM protocolo_protocolo WHERE numero = ANY(%s)", [primeiro, confirmado])
    assert {n for (n,) in guardados} == {primeiro, confirmado}
    comprovante = quem_abriu.get(servidor, f"/protocolo/{confirmado}/comprovante/")
    assert comprovante.status_code == 200
    assert confirmado[:4] in comprovante.text
