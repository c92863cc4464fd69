"""
pytest plugin of the mutation run (scripts/mutacao.py, loaded through [tool.mutmut] in pyproject.toml).

mutmut runs each mutant's tests in a process forked for it, and two of them side by side would
create and drop the same test database. Each pytest session gets a database named after its
process; scripts/mutacao.py drops whatever a killed process left behind.
"""

import os

import pytest

SUFIXO = "_mutmut_"


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    from django.conf import settings

    for banco in settings.DATABASES.values():
        # From NAME, not from TEST.NAME: a forked process inherits the name its parent set.
        banco.setdefault("TEST", {})["NAME"] = f"test_{banco['NAME']}{SUFIXO}{os.getpid()}"
