import pytest

from tests.api.apoio import cliente


@pytest.fixture(autouse=True)
def _limites(limites_zerados):
    """Each test starts with the per-system request counts at zero."""


@pytest.fixture
def api(db):
    """A client of a system holding every scope."""
    return cliente()
