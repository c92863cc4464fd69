"""The dependency audit (scripts/auditar-dependencias.py): the list of accepted advisories, where
every entry says why and when to look again, and the audit itself against a registry on loopback,
which proves the build keeps passing across an upstream release and fails on a known advisory."""

import datetime
import http.server
import importlib.util
import json
import re
import socket
import threading
from pathlib import Path

import pytest
import time_machine
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
    """What make test reads of it: [[nao_auditavel]] is make dependencias' concern, and its review
    date must not turn this suite red on a given day."""
    assert auditoria.aceitas(datetime.date.today(), nao_auditavel=False)[2] == []


# The audit against a registry on loopback ---------------------------------------------------------


class _Registro(http.server.BaseHTTPRequestHandler):
    """PyPI's JSON API as far as the audit reads it: documentos maps a path to its JSON, any other
    path is a 404, as PyPI answers for a release it does not serve."""

    documentos = {}

    def do_GET(self):
        documento = self.documentos.get(self.path)
        corpo = json.dumps(documento).encode() if documento is not None else b'{"message": "Not Found"}'
        self.send_response(200 if documento is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(corpo)))
        self.end_headers()
        self.wfile.write(corpo)

    def log_message(self, *args):
        pass


@pytest.fixture
def registro(monkeypatch, arquivo):
    """The documents the registry serves; the audit reads it over real HTTP on loopback, with an
    empty list of accepted advisories unless the test writes one."""
    arquivo.write_text("ignorar = []\n")
    documentos = {}
    servidor = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), type("Registro", (_Registro,), {"documentos": documentos})
    )
    threading.Thread(target=servidor.serve_forever, daemon=True).start()
    monkeypatch.setenv("PROTOCOLO_AUDITORIA_PYPI", f"http://127.0.0.1:{servidor.server_port}/pypi")
    monkeypatch.setattr(auditoria, "TEMPO_LIMITE", 1)
    yield documentos
    servidor.shutdown()
    servidor.server_close()


@pytest.fixture
def trava(tmp_path):
    caminho = tmp_path / "requirements.txt"
    caminho.write_text(
        "# gerado em 2026-11-20\n#\n"
        "django==6.1.3 \\\n    --hash=sha256:aaaa\n    # via -r requirements.in\n"
        "redis==8.1.0 \\\n    --hash=sha256:bbbb\n"
    )
    return caminho


def _projeto(versao, *vulns):
    return {"info": {"version": versao}, "vulnerabilities": list(vulns)}


def _auditar(capsys, *argumentos):
    with time_machine.travel(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False):
        codigo = auditoria.main([str(a) for a in argumentos])
    return codigo, capsys.readouterr().out


GHSA = {"id": "GHSA-1111-2222-3333", "aliases": ["CVE-2026-0001"], "fixed_in": ["8.1.1"]}


def test_a_latest_release_newer_than_the_locked_one_is_a_warning_not_a_failure(registro, trava, capsys):
    registro["/pypi/django/json"] = _projeto("6.1.3")
    registro["/pypi/redis/json"] = _projeto("8.2.0")

    codigo, saida = _auditar(capsys, trava)

    assert codigo == 0
    assert saida.splitlines() == [
        "AVISO redis 8.1.0: não auditado (o registro só informa as falhas da última versão, 8.2.0).",
        "Travas: versões atualizadas em 2026-11-20, há 7 dias (" + str(trava) + ").",
        "Auditoria das dependências: 1 auditadas, 1 não auditadas, 0 falhas conhecidas, 0 erros.",
        "Aqui as não auditadas não reprovam; make dependencias atualiza as travas e audita todas.",
    ]


def test_in_strict_mode_a_package_it_cannot_audit_fails(registro, trava, capsys):
    registro["/pypi/django/json"] = _projeto("6.1.3")
    registro["/pypi/redis/json"] = _projeto("8.2.0")

    codigo, saida = _auditar(capsys, "--estrito", trava)

    assert codigo == 1
    assert "ERRO redis 8.1.0: não auditado (o registro só informa as falhas da última versão, 8.2.0)." in saida
    assert "1 auditadas, 1 não auditadas, 0 falhas conhecidas, 1 erros." in saida


def test_in_strict_mode_an_accepted_unauditable_package_is_a_warning(registro, trava, arquivo, capsys):
    arquivo.write_text(
        'ignorar = []\n[[nao_auditavel]]\npacote = "Redis"\nversao = "8.1.0"\nmotivo = "Preso."\n'
        "revisar_em = 2026-12-31\n"
    )
    registro["/pypi/django/json"] = _projeto("6.1.3")
    registro["/pypi/redis/json"] = _projeto("8.2.0")

    codigo, saida = _auditar(capsys, "--estrito", trava)

    assert codigo == 0
    assert (
        "AVISO redis 8.1.0: não auditado (o registro só informa as falhas da última versão, 8.2.0). "
        "Aceito em .pip-audit-ignore.toml." in saida
    )


@pytest.fixture
def aceito_vencido(registro, arquivo):
    arquivo.write_text(
        'ignorar = []\n[[nao_auditavel]]\npacote = "redis"\nversao = "8.1.0"\nmotivo = "Preso."\n'
        "revisar_em = 2026-11-26\n"
    )
    registro["/pypi/django/json"] = _projeto("6.1.3")
    registro["/pypi/redis/json"] = _projeto("8.1.0")


def test_an_unauditable_package_accepted_past_its_date_does_not_fail_make_test(aceito_vencido, trava, capsys):
    codigo, saida = _auditar(capsys, trava)

    assert codigo == 0
    assert "Auditoria das dependências: 2 auditadas, 0 não auditadas, 0 falhas conhecidas, 0 erros." in saida


def test_an_unauditable_package_accepted_past_its_date_fails_the_strict_mode(aceito_vencido, trava, capsys):
    codigo, saida = _auditar(capsys, "--estrito", trava)

    assert codigo == 1
    assert "ERRO .pip-audit-ignore.toml: [nao_auditavel] redis 8.1.0 devia ter sido revisto em 2026-11-26." in saida


def test_a_known_advisory_of_the_latest_release_fails(registro, trava, capsys):
    registro["/pypi/django/json"] = _projeto("6.1.3")
    registro["/pypi/redis/json"] = _projeto("8.1.0", GHSA, {"id": "PYSEC-2026-9", "withdrawn": "2026-11-01"})

    codigo, saida = _auditar(capsys, trava)

    assert codigo == 1
    assert saida.splitlines()[0] == "VULNERÁVEL redis 8.1.0: GHSA-1111-2222-3333 (corrigida em: 8.1.1)"
    assert "2 auditadas, 0 não auditadas, 1 falhas conhecidas, 0 erros." in saida
    assert "PYSEC-2026-9" not in saida


def test_a_known_advisory_of_an_older_release_fails_where_the_registry_serves_it(registro, trava, capsys):
    """Where the per-release JSON is served, a release below the latest is audited exactly."""
    registro["/pypi/django/json"] = _projeto("6.1.3")
    registro["/pypi/redis/8.1.0/json"] = _projeto("8.1.0", GHSA)
    registro["/pypi/redis/json"] = _projeto("8.2.0")

    codigo, saida = _auditar(capsys, trava)

    assert codigo == 1
    assert "VULNERÁVEL redis 8.1.0: GHSA-1111-2222-3333 (corrigida em: 8.1.1)" in saida
    assert "não auditado" not in saida


@pytest.mark.parametrize("ident", ["GHSA-1111-2222-3333", "CVE-2026-0001"])
def test_an_advisory_accepted_by_id_or_alias_does_not_fail(registro, trava, arquivo, capsys, ident):
    arquivo.write_text(f'ignorar = [{{id = "{ident}", motivo = "Sem correção.", revisar_em = 2026-12-31}}]\n')
    registro["/pypi/django/json"] = _projeto("6.1.3")
    registro["/pypi/redis/json"] = _projeto("8.1.0", GHSA)

    codigo, saida = _auditar(capsys, trava)

    assert codigo == 0
    assert "VULNERÁVEL" not in saida
    assert "2 auditadas, 0 não auditadas, 0 falhas conhecidas, 0 erros." in saida


def test_an_accepted_advisory_past_its_review_date_fails(registro, trava, arquivo, capsys):
    arquivo.write_text('ignorar = [{id = "GHSA-1111-2222-3333", motivo = "Sem correção.", revisar_em = 2026-11-26}]\n')
    registro["/pypi/django/json"] = _projeto("6.1.3")
    registro["/pypi/redis/json"] = _projeto("8.1.0", GHSA)

    codigo, saida = _auditar(capsys, trava)

    assert codigo == 1
    assert "VULNERÁVEL redis 8.1.0: GHSA-1111-2222-3333 (corrigida em: 8.1.1)" in saida
    assert "ERRO .pip-audit-ignore.toml: [ignorar] GHSA-1111-2222-3333 devia ter sido revisto em 2026-11-26." in saida


@pytest.fixture
def porta_fechada():
    with socket.socket() as livre:
        livre.bind(("127.0.0.1", 0))
        return livre.getsockname()[1]


@pytest.mark.parametrize(("argumentos", "codigo_esperado", "nivel"), [((), 0, "AVISO"), (("--estrito",), 1, "ERRO")])
def test_an_unreachable_registry_is_said_plainly(
    trava, arquivo, porta_fechada, monkeypatch, capsys, argumentos, codigo_esperado, nivel
):
    """A network outage is no more ours than an upstream release: it fails only the strict refresh."""
    arquivo.write_text("ignorar = []\n")
    endereco = f"http://127.0.0.1:{porta_fechada}/pypi"
    monkeypatch.setenv("PROTOCOLO_AUDITORIA_PYPI", endereco)
    monkeypatch.setattr(auditoria, "TEMPO_LIMITE", 1)

    codigo, saida = _auditar(capsys, *argumentos, trava)

    assert codigo == codigo_esperado
    assert saida.splitlines()[0] == (
        f"{nivel} A auditoria das dependências não rodou: o registro não respondeu: [Errno 111] Connection refused "
        f"({endereco}). Nenhuma das 2 dependências foi auditada."
    )
    assert "0 auditadas, 2 não auditadas, 0 falhas conhecidas" in saida


def test_a_lock_that_does_not_say_when_it_was_refreshed_is_a_warning(registro, trava, capsys):
    trava.write_text(trava.read_text().replace("# gerado em 2026-11-20\n", ""))
    registro["/pypi/django/json"] = _projeto("6.1.3")
    registro["/pypi/redis/json"] = _projeto("8.1.0")

    codigo, saida = _auditar(capsys, trava)

    assert codigo == 0
    assert saida.splitlines() == [
        f"AVISO {trava} não diz quando as versões foram atualizadas (falta a linha '# gerado em'); "
        "make dependencias a escreve.",
        "Auditoria das dependências: 2 auditadas, 0 não auditadas, 0 falhas conhecidas, 0 erros.",
    ]


def test_the_projects_locks_pin_every_package_with_its_hashes():
    for trava in auditoria.TRAVAS:
        texto = trava.read_text(encoding="utf-8")
        fixados = auditoria.FIXADO.findall(texto)
        assert fixados, trava
        assert texto.count("==") == len(fixados), trava
        assert all(
            re.search(rf"^{re.escape(nome)}=={re.escape(versao)} \\\n    --hash=sha256:", texto, re.M)
            for nome, versao in fixados
        ), trava
        assert auditoria.GERADO_EM.search(texto), trava
