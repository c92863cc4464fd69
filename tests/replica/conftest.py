"""
A real streaming replica for the tests of protocolo/leitura.py: a throwaway primary (initdb on a
free port, its unix socket in its own folder, trust authentication for connections and for
replication) migrated as production does, and a hot standby cloned from it with
`pg_basebackup -R`. Each pytest process (each xdist worker) builds its own pair once and removes
it at the end of the session; the shared server on 5432 is never touched.

During a test that asks for `bancos`, Django's `default` alias is the throwaway primary and its
`replica` alias the standby, in this thread: the test client's requests run the real views
against them. No test transaction wraps the test (the standby only sees what was committed), so
each test makes rows of its own and never depends on what another left.
"""

import contextlib
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

from protocolo import leitura
from tests.processos import Primario, Standby, ambiente, esperar_replica, manage, registrar_marcador

BINARIOS = ("initdb", "pg_ctl", "pg_basebackup", "postgres")


def _pasta_dos_binarios():
    versoes = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for pasta in versoes:
        if all((pasta / nome).exists() for nome in BINARIOS):
            return pasta
    pastas = {Path(caminho).resolve().parent for nome in BINARIOS if (caminho := shutil.which(nome))}
    if len(pastas) == 1 and all((next(iter(pastas)) / nome).exists() for nome in BINARIOS):
        return next(iter(pastas))
    return None


class Replicacao:
    def __init__(self):
        self.pasta = Path(tempfile.mkdtemp(prefix="protocolo-replica-"))
        # Folders of their own: the postgres user cannot enter this process's 0700 temp folder.
        self.primario = Primario(tempfile.mkdtemp(prefix="protocolo-replica-primario-"))
        self.standby = Standby(tempfile.mkdtemp(prefix="protocolo-replica-standby-"))

    def preparar(self):
        self.primario.criar()
        manage(ambiente(self.primario, self.pasta / "static"), "migrate", "--noinput")
        self.standby.criar(self.primario)
        self.sincronizar()
        return self

    def sincronizar(self):
        """Returns once the standby has replayed everything the primary committed so far."""
        esperar_replica(self.primario, self.standby)

    @contextlib.contextmanager
    def atrasada(self):
        """The standby stops replaying (it still receives the WAL): it shows the data as it was."""
        self.sincronizar()
        self.standby.pausar()
        try:
            yield
        finally:
            self.standby.retomar()

    def encerrar(self):
        try:
            self.standby.encerrar()
        finally:
            self.primario.encerrar()
            shutil.rmtree(self.pasta, ignore_errors=True)


def pytest_configure(config):
    registrar_marcador(config)


@pytest.fixture(scope="session")
def replicacao():
    if _pasta_dos_binarios() is None:
        pytest.fail(
            "Os testes da réplica precisam dos binários do PostgreSQL (initdb, pg_ctl, pg_basebackup, postgres), "
            "que não foram encontrados: instale-os com apt-get install -y postgresql."
        )
    nova = Replicacao()
    try:
        nova.preparar()
    except BaseException:
        nova.encerrar()
        raise
    yield nova
    nova.encerrar()


def _banco(base, porta, **opcoes):
    return {
        **base,
        "NAME": "protocolo",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(porta),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {**base.get("OPTIONS", {}), **opcoes},
        "TEST": {"MIRROR": None},
    }


@pytest.fixture
def bancos(replicacao, django_db_blocker):
    """Django's `default` on the throwaway primary and `replica` on its standby, as
    DATABASE_REPLICA_URL would set them (read-only transactions on the replica)."""
    padrao = connections[DEFAULT_DB_ALIAS]
    original = padrao.settings_dict
    padrao.close()
    primario = _banco(original, replicacao.primario.porta)
    padrao.settings_dict = primario
    connections.settings[leitura.REPLICA] = _banco(
        original, replicacao.standby.porta, options="-c default_transaction_read_only=on"
    )
    cache.clear()
    leitura._sem_replica_ate = 0.0
    with django_db_blocker.unblock():
        try:
            yield replicacao
        finally:
            replicacao.standby.retomar()
            for alias in (DEFAULT_DB_ALIAS, leitura.REPLICA):
                connections[alias].close()
            del connections[leitura.REPLICA]
            del connections.settings[leitura.REPLICA]
            padrao.settings_dict = original
            cache.clear()
            leitura._sem_replica_ate = 0.0
