"""
Audits the installed dependencies (.venv: requirements.txt plus requirements-dev.txt) for known
vulnerabilities with pip-audit, honouring .pip-audit-ignore.toml. Fails on any advisory not listed
there, on an entry without its reason or past its review date, and on any dependency that could not
be audited at all: a silent "nothing found" would be a fake pass.

Where pip-audit's services cannot be reached (OSV is off the network and PyPI answers 404 to the
per-release JSON API), the dependencies it skips are checked against PyPI's project JSON API, whose
`vulnerabilities` list covers the project's latest release: exact for a dependency installed at that
release. One held at an older release (by another package's requirement) cannot be audited that way
and fails the run unless .pip-audit-ignore.toml accepts it, with its reason and review date.

Usage: .venv/bin/python scripts/auditar-dependencias.py
"""

import datetime
import importlib.metadata
import json
import subprocess
import sys
import tempfile
import tomllib
import urllib.request
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

RAIZ = Path(__file__).resolve().parent.parent
ACEITAS = RAIZ / ".pip-audit-ignore.toml"
PYPI_JSON = "https://pypi.org/pypi/{}/json"


def aceitas(hoje):
    """({ignored advisory ids}, {accepted unauditable "package version"}, [errors]), each entry of
    the file checked for its reason and its review date."""
    arquivo = tomllib.loads(ACEITAS.read_text(encoding="utf-8"))
    ids, pacotes, erros = set(), set(), []
    for secao, chaves, destino in (("ignorar", ("id",), ids), ("nao_auditavel", ("pacote", "versao"), pacotes)):
        for entrada in arquivo.get(secao, []):
            valores = [str(entrada.get(chave, "")).strip() for chave in chaves]
            nome = " ".join(valores).strip() or "(sem nome)"
            revisar = entrada.get("revisar_em")
            if not all(valores) or not entrada.get("motivo") or not isinstance(revisar, datetime.date):
                erros.append(f"{ACEITAS.name}: [{secao}] {nome} precisa de {', '.join(chaves)}, motivo e revisar_em.")
            elif revisar < hoje:
                erros.append(f"{ACEITAS.name}: [{secao}] {nome} devia ter sido revisto em {revisar:%Y-%m-%d}.")
            elif secao == "ignorar":
                destino.add(valores[0])
            else:
                destino.add((canonicalize_name(valores[0]), Version(valores[1])))
    return ids, pacotes, erros


def pip_audit(ids):
    """pip-audit's JSON report of this environment (editable installs are ours, not a dependency)."""
    with tempfile.TemporaryDirectory() as pasta:
        saida = Path(pasta) / "pip-audit.json"
        comando = [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off"]
        comando += ["--vulnerability-service", "pypi", "--format", "json", "--output", str(saida)]
        for ident in sorted(ids):
            comando += ["--ignore-vuln", ident]
        # Its own summary ("No known vulnerabilities found") ignores what it skipped: read the report.
        execucao = subprocess.run(comando, check=False, capture_output=True, text=True)  # noqa: S603  # nosec B603
        if not saida.exists():
            sys.exit(f"pip-audit não produziu relatório:\n{execucao.stderr}")
        return json.loads(saida.read_text(encoding="utf-8"))


def pela_api_do_projeto(nome, versao):
    """(advisories, latest release) from PyPI's project JSON, which lists those of the latest release."""
    # A fixed https URL on PyPI, never one read from input.
    with urllib.request.urlopen(PYPI_JSON.format(canonicalize_name(nome)), timeout=30) as resposta:  # noqa: S310  # nosec B310
        projeto = json.load(resposta)
    ultima = Version(projeto["info"]["version"])
    if ultima != versao:
        return None, ultima
    return [v for v in projeto.get("vulnerabilities", []) if not v.get("withdrawn")], ultima


def main():
    ids, pacotes_aceitos, erros = aceitas(datetime.date.today())
    falhas, avisos, auditadas = [], [], 0
    for dependencia in pip_audit(ids)["dependencies"]:
        nome = dependencia["name"]
        if "skip_reason" not in dependencia:
            auditadas += 1
            falhas += [(nome, dependencia["version"], v["id"], v.get("fix_versions", [])) for v in dependencia["vulns"]]
            continue
        versao = Version(importlib.metadata.version(nome))
        try:
            vulns, ultima = pela_api_do_projeto(nome, versao)
        except OSError as exc:
            erros.append(f"{nome} {versao}: não auditado ({dependencia['skip_reason']}; API do projeto: {exc}).")
            continue
        if vulns is None:
            motivo = f"{nome} {versao}: não auditado (o PyPI só informa as falhas da última versão, {ultima})."
            if (canonicalize_name(nome), versao) in pacotes_aceitos:
                avisos.append(motivo + f" Aceito em {ACEITAS.name}.")
            else:
                erros.append(motivo)
            continue
        auditadas += 1
        novas = [v for v in vulns if not ({v["id"], *v.get("aliases", [])} & ids)]
        falhas += [(nome, versao, v["id"], v.get("fixed_in", [])) for v in novas]
    for nome, versao, ident, correcao in falhas:
        print(f"VULNERÁVEL {nome} {versao}: {ident} (corrigida em: {', '.join(correcao) or 'sem correção'})")
    for linha in avisos:
        print(f"AVISO {linha}")
    for erro in erros:
        print(f"ERRO {erro}")
    print(
        f"pip-audit: {auditadas} dependências auditadas, {len(avisos)} aceitas sem auditoria, "
        f"{len(falhas)} falhas conhecidas, {len(erros)} erros."
    )
    return 1 if falhas or erros else 0


if __name__ == "__main__":
    sys.exit(main())
