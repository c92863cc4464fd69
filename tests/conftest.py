import pytest
from hypothesis import HealthCheck, settings

# Database-backed property tests on 2 cores trip Hypothesis' 200 ms deadline (STACK.md 17).
settings.register_profile(
    "protocolo", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60
)
settings.load_profile("protocolo")


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
