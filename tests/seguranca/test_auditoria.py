"""The dependency audit's list of accepted advisories (scripts/auditar-dependencias.py): every
entry says why and when to look again, and an entry past that date fails the run."""

import datetime
import importlib.util
from pathlib import Path

import pytest
from packaging.version import Version

RAIZ = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("auditar_dependencias", RAIZ / "scripts" / "auditar-dependencias.py")
auditoria = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(auditoria)

HOJE = datetime.date(2026, 11, 27)


@pytest.fixture
def arquivo(tmp_path, monkeypatch):
    caminho = tmp_path / ".pip-audit-ignore.toml"
    monkeypatch.setattr(auditoria, "ACEITAS", caminho)
    return caminho


def test_an_entry_with_reason_and_a_future_date_is_accepted(arquivo):
    arquivo.write_text(
        'ignorar = [{id = "GHSA-aaaa-bbbb-cccc", motivo = "Sem correção.", revisar_em = 2026-12-31}]\n'
        '[[nao_auditavel]]\npacote = "Python_Dateutil"\nversao = "2.9.0.post0"\nmotivo = "Preso."\n'
        "revisar_em = 2026-12-31\n"
    )

    assert auditoria.aceitas(HOJE) == ({"GHSA-aaaa-bbbb-cccc"}, {("python-dateutil", Version("2.9.0.post0"))}, [])


@pytest.mark.parametrize(
    "entrada",
    [
        '{id = "GHSA-aaaa-bbbb-cccc", revisar_em = 2026-12-31}',
        '{id = "GHSA-aaaa-bbbb-cccc", motivo = "Sem correção."}',
        '{id = "GHSA-aaaa-bbbb-cccc", motivo = "Sem correção.", revisar_em = "logo"}',
        '{id = "GHSA-aaaa-bbbb-cccc", motivo = "Sem correção.", revisar_em = 2026-11-26}',
    ],
)
def test_an_entry_without_reason_or_past_its_date_fails(arquivo, entrada):
    arquivo.write_text(f"ignorar = [{entrada}]\n")

    ids, _, erros = auditoria.aceitas(HOJE)

    assert ids == set()
    assert len(erros) == 1


def test_the_projects_own_file_is_valid_today():
    assert auditoria.aceitas(datetime.date.today())[2] == []
