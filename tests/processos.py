"""
Real processes for the fault and scale-out tests (tests/falhas, tests/escala): a throwaway
PostgreSQL cluster from the installed binaries, throwaway redis-servers and gunicorn app servers
under production settings, each on a free port of its own, so the shared services are never
touched. Every pytest process (each xdist worker) builds its own cluster once, migrated and seeded,
and removes it at the end of the session; Redis servers and app servers live for one test.

The app servers sit where a load balancer would put them: the client's requests carry the
balancer's headers (X-Forwarded-Proto: https, X-Forwarded-For with the client's address, one
public Host), and the test's HTTP client keeps its cookies by hand, since they are Secure and the
connection to the app server is plain HTTP, as behind a balancer that ends TLS.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg
import pytest
import requests
from django_otp.oath import TOTP

RAIZ = Path(__file__).resolve().parent.parent
HOST = "protocolo.teste"
ORIGEM = f"https://{HOST}"
ATENDENTE, SENHA = "atendente", "senha-dos-testes-de-processo"
CPF = "52998224725"
ESPERA = 30


def porta_livre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _esperar(condicao, segundos, descricao, intervalo=0.1):
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        if condicao():
            return
        time.sleep(intervalo)
    raise AssertionError(f"tempo esgotado esperando {descricao}")


def _rodar(comando, **kwargs):
    resultado = subprocess.run(comando, capture_output=True, text=True, check=False, **kwargs)
    if resultado.returncode:
        raise RuntimeError(f"{comando[0]} falhou ({resultado.returncode}):\n{resultado.stdout}\n{resultado.stderr}")
    return resultado.stdout


# PostgreSQL ---------------------------------------------------------------------------------------


def binarios_postgres():
    """initdb and pg_ctl's folder, found as scripts/banco-de-teste.sh does: PATH, then the newest
    /usr/lib/postgresql/*/bin."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).resolve().parent == Path(pg_ctl).resolve().parent:
        return Path(initdb).resolve().parent
    versoes = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for pasta in versoes:
        if (pasta / "initdb").exists() and (pasta / "pg_ctl").exists():
            return pasta
    pytest.fail("initdb/pg_ctl não encontrados: instale o PostgreSQL (apt-get install -y postgresql).")


class PostgresDescartavel:
    """A cluster in a temp folder on a free port; as root it belongs to the postgres user (initdb
    refuses root)."""

    def __init__(self, base):
        self.bin = binarios_postgres()
        self.base = Path(base)
        self.dados = self.base / "dados"
        self.porta = porta_livre()
        self.url = f"postgres://postgres@127.0.0.1:{self.porta}/protocolo"

    def _como_dono(self, *comando):
        if os.geteuid() == 0:
            comando = ("runuser", "-u", "postgres", "--", *comando)
        return _rodar(list(comando), cwd=self.base)

    def criar(self):
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self.base.chmod(0o700)
        self._como_dono(
            str(self.bin / "initdb"), "-D", str(self.dados), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-locale", "--no-sync",
        )  # fmt: skip
        # Durability stays at PostgreSQL's defaults (fsync, synchronous_commit): the outage test
        # stops the cluster as a crash would and expects every acknowledged commit back.
        with open(self.dados / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.porta}\nunix_socket_directories = '{self.base}'\n"
                "max_connections = 50\n"
            )
        self.iniciar()
        with psycopg.connect(f"postgres://postgres@127.0.0.1:{self.porta}/postgres", autocommit=True) as conexao:
            conexao.execute("CREATE DATABASE protocolo")

    def iniciar(self):
        self._como_dono(
            str(self.bin / "pg_ctl"), "-D", str(self.dados), "-l", str(self.base / "postgres.log"), "-w", "-t", "60",
            "start",
        )  # fmt: skip

    def parar(self, modo="fast"):
        self._como_dono(str(self.bin / "pg_ctl"), "-D", str(self.dados), "-m", modo, "-w", "stop")

    def rodando(self):
        return (self.dados / "postmaster.pid").exists()

    def consultar(self, sql, *parametros):
        with psycopg.connect(self.url, connect_timeout=5) as conexao:
            return conexao.execute(sql, parametros).fetchall()

    def encerrar(self):
        if self.rodando():
            with contextlib.suppress(Exception):
                self.parar("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


# A streaming replica (tests/replica/, bench/executar.py) --------------------------------------------

# Replication has no event to wait on: its conditions are polled, often, for at most this long.
ESPERA_REPLICACAO = 20


def _esperar_replicacao(condicao, descricao):
    _esperar(condicao, ESPERA_REPLICACAO, descricao, intervalo=0.01)


class Primario(PostgresDescartavel):
    def criar(self):
        super().criar()
        with open(self.dados / "postgresql.conf", "a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\n")
        with open(self.dados / "pg_hba.conf", "a") as hba:
            hba.write("local replication all trust\nhost replication all 127.0.0.1/32 trust\n")
        self.parar()
        self.iniciar()

    def lsn(self):
        return self.consultar("SELECT pg_current_wal_lsn()::text")[0][0]


class Standby(PostgresDescartavel):
    """A hot standby of `primario`, streaming from it (primary_conninfo written by pg_basebackup -R)."""

    def criar(self, primario):
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self.base.chmod(0o700)
        self._como_dono(
            str(self.bin / "pg_basebackup"), "-D", str(self.dados), "-h", "127.0.0.1", "-p", str(primario.porta),
            "-U", "postgres", "-R", "-X", "stream", "--no-sync", "--checkpoint=fast",
        )  # fmt: skip
        # --checkpoint=fast: a spread checkpoint paces the primary's dirty pages over minutes.
        # The primary's postgresql.conf came along: the last line read wins.
        with open(self.dados / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.porta}\nunix_socket_directories = '{self.base}'\nhot_standby = on\n")
        self.iniciar()

    def aplicado_ate(self, lsn):
        return self.consultar("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", lsn)[0][0]

    def pausar(self):
        self.consultar("SELECT pg_wal_replay_pause()")
        pausada = lambda: self.consultar("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused"  # noqa: E731
        _esperar_replicacao(pausada, "a pausa")

    def retomar(self):
        self.consultar("SELECT pg_wal_replay_resume()")


def esperar_replica(primario, standby):
    """Returns once the standby has replayed everything the primary committed so far."""
    lsn = primario.lsn()
    _esperar_replicacao(lambda: standby.aplicado_ate(lsn), f"a réplica aplicar até {lsn}")


# Redis --------------------------------------------------------------------------------------------


class RedisDescartavel:
    """A redis-server without persistence that can be killed and started again on the same port."""

    def __init__(self, base):
        self.base = Path(base)
        self.porta = porta_livre()
        self.url = f"redis://127.0.0.1:{self.porta}/0"
        self.processo = None

    def iniciar(self):
        executavel = shutil.which("redis-server") or pytest.fail("redis-server não encontrado (apt-get install redis).")
        self.processo = subprocess.Popen(
            [executavel, "--port", str(self.porta), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.base)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _esperar(self.responde, 10, f"o redis-server na porta {self.porta}")

    def responde(self):
        try:
            with socket.create_connection(("127.0.0.1", self.porta), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def cliente(self):
        import redis

        return redis.Redis.from_url(self.url)

    def parar(self):
        if self.processo is not None and self.processo.poll() is None:
            self.processo.kill()
            self.processo.wait(10)
        self.processo = None


# The app: production settings, migrations, gunicorn -----------------------------------------------


def ambiente(banco, static_root, redis=None, **extra):
    """The environment of a production app server behind a load balancer."""
    valores = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(RAIZ)),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "protocolo.settings",
        "DEBUG": "0",
        "SECRET_KEY": "processos-" + "s" * 50,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": banco.url,
        "STATIC_ROOT": str(static_root),
        # Delivery fails at once on a closed port and stays in the outbox, as with a mail server down.
        "MAILER_URL": f"smtp://127.0.0.1:{porta_livre()}?timeout=2",
        "PROTOCOLO_URL_BASE": ORIGEM,
        "PROTOCOLO_CHAVES_INTEGRIDADE": "1:" + "c3" * 32,
        "PROTOCOLO_CHAVES_COMPROVANTE": "1:" + "d4" * 32,
        "PROTOCOLO_EMPRESA_CNPJ": "11222333000181",
        "PROXY_HTTPS_HEADER": "HTTP_X_FORWARDED_PROTO",
        "PROTOCOLO_CABECALHO_IP": "HTTP_X_FORWARDED_FOR",
        "PROTOCOLO_PROXIES_CONFIAVEIS": "1",
        "LOG_LEVEL": "WARNING",
    }
    if redis is not None:
        valores["REDIS_URL"] = redis.url
    valores.update(extra)
    return valores


def manage(env, *argumentos):
    return _rodar([sys.executable, "manage.py", *argumentos], cwd=RAIZ, env=env)


# The attendant's authenticator app: production asks the back-office for its code
# (PROTOCOLO_SEGUNDO_FATOR_ATENDENTES). Each login spends a time step (a code never passes twice),
# and a test process may log in several times within 30 s: the device accepts codes up to
# TOLERANCIA_TOTP steps ahead, so entrar() takes the next unspent step instead of waiting.
CHAVE_TOTP = "5e" * 20
TOLERANCIA_TOTP = 10

SEMEAR = f"""
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice
from protocolo.dados_iniciais import ATENDENTES
usuario = User.objects.create_user({ATENDENTE!r}, password={SENHA!r}, first_name="Ana", last_name="Processo")
usuario.groups.add(Group.objects.get(name=ATENDENTES))
TOTPDevice.objects.create(
    user=usuario, name="Aplicativo autenticador", key={CHAVE_TOTP!r}, confirmed=True, tolerance={TOLERANCIA_TOTP}
)
"""


class Instalacao:
    """One cluster, migrated and seeded, and the collected static files, for this pytest process."""

    def __init__(self):
        self.pasta = Path(tempfile.mkdtemp(prefix="protocolo-processos-"))
        self.static_root = self.pasta / "static"
        # A folder of its own: the postgres user cannot enter this process's 0700 temp folder.
        self.banco = PostgresDescartavel(tempfile.mkdtemp(prefix="protocolo-processos-pg-"))

    def preparar(self):
        self.banco.criar()
        env = ambiente(self.banco, self.static_root)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "shell", "-c", SEMEAR)
        return self

    def encerrar(self):
        try:
            self.banco.encerrar()
        finally:
            shutil.rmtree(self.pasta, ignore_errors=True)


_instalacao = None


def instalacao():
    """This pytest process's Instalacao, built on first use (the fault and the scale-out folders
    share it)."""
    global _instalacao
    if _instalacao is None:
        nova = Instalacao()
        try:
            _instalacao = nova.preparar()
        except BaseException:
            nova.encerrar()
            raise
    if not _instalacao.banco.rodando():
        _instalacao.banco.iniciar()
    return _instalacao


def encerrar_instalacao():
    global _instalacao
    if _instalacao is not None:
        _instalacao, encerrada = None, _instalacao
        encerrada.encerrar()


class ServidorApp:
    """gunicorn with the portal (the repository's gunicorn.conf.py, when there is one), in a process group
    of its own: one worker process with threads, never recycled, so its PIDs tell whether it restarted
    and a per-process count is the server's count."""

    def __init__(self, env, pasta, nome):
        self.env = env
        self.porta = porta_livre()
        self.url = f"http://127.0.0.1:{self.porta}"
        self.log = Path(pasta) / f"gunicorn-{nome}-{self.porta}.log"
        self.processo = None

    def iniciar(self):
        comando = [sys.executable, "-m", "gunicorn"]
        if (RAIZ / "gunicorn.conf.py").exists():
            comando += ["-c", str(RAIZ / "gunicorn.conf.py")]
        comando += [
            "protocolo.wsgi:application", "--bind", f"127.0.0.1:{self.porta}", "--workers", "1", "--threads", "4",
            "--timeout", "60", "--graceful-timeout", "5", "--max-requests", "0",
        ]  # fmt: skip
        with open(self.log, "ab") as log:
            self.processo = subprocess.Popen(
                comando, cwd=RAIZ, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        _esperar(self._responde, 60, f"o gunicorn na porta {self.porta} (log em {self.log})")
        return self

    def _responde(self):
        if self.processo.poll() is not None:
            raise AssertionError(f"o gunicorn terminou ao iniciar:\n{self.log.read_text()[-3000:]}")
        try:
            return requests.get(self.url + "/", headers=Cliente.CABECALHOS, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def pids(self):
        """The master and its workers: the same set after an outage means nothing was restarted."""
        filhos = Path(f"/proc/{self.processo.pid}/task/{self.processo.pid}/children").read_text().split()
        return {self.processo.pid, *map(int, filhos)}

    def parar(self):
        if self.processo is None or self.processo.poll() is not None:
            return
        os.killpg(self.processo.pid, signal.SIGTERM)
        try:
            self.processo.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.processo.pid, signal.SIGKILL)
            self.processo.wait(5)


# An HTTP client as a browser behind the load balancer -----------------------------------------------


class Cliente:
    """A browser with its cookies and address, talking to one app server or another as a balancer
    would send it."""

    CABECALHOS = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.1"}

    def __init__(self, ip="203.0.113.1"):
        self.ip = ip
        self.cookies = {}

    def _cabecalhos(self, extra=None):
        cabecalhos = {**self.CABECALHOS, "X-Forwarded-For": self.ip, "Origin": ORIGEM, "Referer": ORIGEM + "/"}
        if self.cookies:
            cabecalhos["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**cabecalhos, **(extra or {})}

    def pedir(self, metodo, servidor, caminho, dados=None, timeout=ESPERA):
        resposta = requests.request(
            metodo, servidor.url + caminho, data=dados, headers=self._cabecalhos(), allow_redirects=False,
            timeout=timeout,
        )  # fmt: skip
        for cabecalho in resposta.raw.headers.getlist("Set-Cookie"):
            for nome, morsel in SimpleCookie(cabecalho).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(nome, None)
                else:
                    self.cookies[nome] = morsel.value
        return resposta

    def get(self, servidor, caminho, **kwargs):
        return self.pedir("GET", servidor, caminho, **kwargs)

    def post(self, servidor, caminho, dados, **kwargs):
        return self.pedir("POST", servidor, caminho, {"csrfmiddlewaretoken": self.csrf(servidor), **dados}, **kwargs)

    def csrf(self, servidor):
        if "csrftoken" not in self.cookies:
            self.get(servidor, "/abrir/")
        return self.cookies["csrftoken"]


# What the tests do through the portal -----------------------------------------------------------------

NUMERO_NA_URL = re.compile(r"/protocolo/(\d+)/")


def categoria_id(banco, codigo="reclamacao"):
    return banco.consultar("SELECT id FROM protocolo_categoria WHERE codigo = %s", codigo)[0][0]


def abrir(cliente, servidor, banco, objeto="O produto chegou quebrado e a loja não responde."):
    """Open a protocol through /abrir/; the number the portal acknowledged (its redirect)."""
    resposta = cliente.post(
        servidor,
        "/abrir/",
        {"cpf": CPF, "nome": "Maria Processo", "email": "maria@exemplo.com.br", "categoria": categoria_id(banco),
         "objeto": objeto},
    )  # fmt: skip
    assert resposta.status_code == 302, (resposta.status_code, resposta.text[:2000])
    return NUMERO_NA_URL.search(resposta.headers["Location"]).group(1)


def consultar(cliente, servidor, numero, cpf=CPF):
    return cliente.post(servidor, "/consultar/", {"numero": numero, "cpf": cpf})


_ultimo_passo = -1


def _codigo_totp():
    """The attendant's app's code for the next time step this process has not spent."""
    global _ultimo_passo
    totp = TOTP(bytes.fromhex(CHAVE_TOTP))
    totp.time = time.time()
    passo = max(totp.t(), _ultimo_passo + 1)
    assert passo <= totp.t() + TOLERANCIA_TOTP, "mais logins em 30 s do que a tolerância do dispositivo aceita"
    _ultimo_passo = passo
    totp.time = passo * totp.step
    return f"{totp.token():06d}"


def entrar(cliente, servidor):
    """Log in as production asks: the password, then the authenticator app's code."""
    resposta = cliente.post(servidor, "/atendimento/entrar/", {"username": ATENDENTE, "password": SENHA})
    assert resposta.status_code == 302, (resposta.status_code, resposta.text[:2000])
    codigo = {"codigo": _codigo_totp(), "next": "/atendimento/"}
    verificado = cliente.post(servidor, "/atendimento/verificacao/", codigo)
    assert verificado.status_code == 302, (verificado.status_code, verificado.text[:2000])
    assert verificado.headers["Location"] == "/atendimento/", verificado.headers["Location"]
    return resposta


def registrar_marcador(config):
    config.addinivalue_line(
        "markers", "processos: sobe PostgreSQL, Redis e gunicorn descartáveis (lento; roda no make test)"
    )


# Fixtures (imported by tests/falhas/conftest.py and tests/escala/conftest.py) -----------------------


@pytest.fixture(scope="session")
def instalado():
    # Removed by the session's teardown, not at pytest's exit: an xdist worker may be ended as soon
    # as it reports its session finished.
    yield instalacao()
    encerrar_instalacao()


@pytest.fixture
def redis_descartavel(instalado, tmp_path):
    servidor = RedisDescartavel(tmp_path)
    servidor.iniciar()
    yield servidor
    servidor.parar()


@pytest.fixture
def servidores(instalado, tmp_path):
    """servidores(nome, redis, **env): an app server on the test's database, stopped at the end."""
    iniciados = []

    def iniciar(nome="a", redis=None, **extra):
        servidor = ServidorApp(ambiente(instalado.banco, instalado.static_root, redis, **extra), tmp_path, nome)
        iniciados.append(servidor)
        return servidor.iniciar()

    yield iniciar
    for servidor in iniciados:
        servidor.parar()
