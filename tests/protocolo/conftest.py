from types import SimpleNamespace

import pytest

from tests.protocolo.apoio import QUARTA


@pytest.fixture
def na_quarta(time_machine):
    """The clock stopped on QUARTA (tests/protocolo/apoio.py)."""
    time_machine.move_to(QUARTA, tick=False)


@pytest.fixture
def equipe(atendente, supervisor):
    return SimpleNamespace(atendente=atendente, supervisor=supervisor)
