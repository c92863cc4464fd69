import pytest
from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import post_migrate
from hypothesis import HealthCheck, settings

from protocolo.dados_iniciais import criar_grupos_e_categorias
from protocolo.operacao import limites

# Database-backed property tests on 2 cores trip Hypothesis' 200 ms deadline (docs/pilha.md 17).
settings.register_profile(
    "protocolo", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60
)
settings.load_profile("protocolo")


def _semear_de_novo(sender, **kwargs):
    criar_grupos_e_categorias(apps)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A database that --reuse-db kept from a run that emptied it gets the seeded rows back."""
    with django_db_blocker.unblock():
        criar_grupos_e_categorias(apps)


@pytest.fixture(scope="session", autouse=True)
def dados_iniciais_depois_de_esvaziar():
    """A transactional test (transaction=True, live_server) ends by flushing every table, which
    deletes the groups and categorias that migration 0002 seeds; with --reuse-db the emptied
    database outlives the run, and the next run's tests would miss them. The flush emits
    post_migrate, once per app: the protocolo app's signal puts the seeded rows back right away,
    outside any test's transaction, so no test depends on which ran before it."""
    protocolo = apps.get_app_config("protocolo")
    post_migrate.connect(_semear_de_novo, sender=protocolo, dispatch_uid="tests.dados_iniciais")
    yield
    post_migrate.disconnect(sender=protocolo, dispatch_uid="tests.dados_iniciais")


@pytest.fixture
def limites_zerados():
    """Rate-limit counters live in the cache (and its per-process fallback), shared by every test of
    this process: a test that uses them starts and ends at zero."""
    cache.clear()
    limites._reserva.clear()
    yield
    cache.clear()
    limites._reserva.clear()


@pytest.fixture
def client():
    """Django's test client whose force_login also gives staff the admin's second factor
    (tests/segundo_fator.py)."""
    from tests.segundo_fator import Cliente

    return Cliente()


@pytest.fixture
def atendente(db):
    from tests.factories import AtendenteFactory

    return AtendenteFactory()


@pytest.fixture
def supervisor(db):
    from tests.factories import SupervisorFactory

    return SupervisorFactory()


@pytest.fixture
def categoria(db):
    from tests.factories import categoria

    return categoria("reclamacao")


@pytest.fixture
def clientes(db):
    """A client for each of the six roles of docs/dominio.md §5, keyed by role; `.protocolo` is the one
    protocol the visitor holds access to."""
    from consumidor import acesso
    from tests.factories import AtendenteFactory, OuvidoriaFactory, SupervisorFactory, UsuarioFactory, abrir
    from tests.segundo_fator import Cliente as Client

    def logado(usuario):
        cliente = Client()
        cliente.force_login(usuario)
        return cliente

    visitante = Client()
    protocolo = abrir()
    sessao = visitante.session
    acesso.conceder(sessao, protocolo)
    sessao.save()
    return Papeis(
        anonimo=Client(),
        visitante=visitante,
        sem_grupo=logado(UsuarioFactory()),
        atendente=logado(AtendenteFactory()),
        supervisor=logado(SupervisorFactory()),
        ouvidoria=logado(OuvidoriaFactory()),
        protocolo=protocolo,
    )


class Papeis(dict):
    """Clients by role name, plus the protocol the visitor holds access to."""

    def __init__(self, *, protocolo, **clientes):
        super().__init__(clientes)
        self.protocolo = protocolo
