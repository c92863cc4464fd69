"""
Audits every release the locks pin (requirements.txt, requirements-dev.txt, bench/requirements.txt)
for known vulnerabilities, from the registry's JSON API, honouring .pip-audit-ignore.toml.

A release is looked up in the per-release JSON ({registro}/{nome}/{versao}/json), whose
`vulnerabilities` cover that exact release. Where that is not served (from this network PyPI
answers 404 to it), the project JSON ({registro}/{nome}/json) lists those of the latest release
only: exact for a package locked at that release, silent about one locked below it.

Two modes, because an upstream release or a network outage must never turn the build red by itself:
- default (make test, CI): fails only on a known advisory, or on an entry of .pip-audit-ignore.toml
  without its reason or past its review date. What could not be audited, an unreachable registry
  and the locks' age are printed as warnings.
- --estrito (make dependencias, right after every lock moved to the latest releases): any package
  it could not audit fails too, unless [[nao_auditavel]] accepts it with a reason and review date.

PROTOCOLO_AUDITORIA_PYPI sets the registry's JSON base (default https://pypi.org/pypi).

Usage: .venv/bin/python scripts/auditar-dependencias.py [--estrito] [trava ...]
"""

import argparse
import concurrent.futures
import dataclasses
import datetime
import json
import os
import re
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

RAIZ = Path(__file__).resolve().parent.parent
ACEITAS = RAIZ / ".pip-audit-ignore.toml"
TRAVAS = [RAIZ / "requirements.txt", RAIZ / "requirements-dev.txt", RAIZ / "bench" / "requirements.txt"]
REGISTRO = "https://pypi.org/pypi"
TEMPO_LIMITE = 10
PAUSA = 0.5
FIXADO = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)
GERADO_EM = re.compile(r"^# gerado em (\d{4}-\d{2}-\d{2})", re.MULTILINE)


def aceitas(hoje, *, nao_auditavel=True):
    """({ignored advisory ids}, {accepted unauditable (package, version)}, [errors]), each entry of
    the file checked for its reason and its review date. nao_auditavel=False leaves that section
    out: accepting an unauditable package only matters where it would fail, in strict mode."""
    arquivo = tomllib.loads(ACEITAS.read_text(encoding="utf-8"))
    secoes = (("ignorar", ("id",)), ("nao_auditavel", ("pacote", "versao")))[: 2 if nao_auditavel else 1]
    ids, pacotes, erros = set(), set(), []
    for secao, chaves in secoes:
        for entrada in arquivo.get(secao, []):
            valores = [str(entrada.get(chave, "")).strip() for chave in chaves]
            nome = " ".join(valores).strip() or "(sem nome)"
            revisar = entrada.get("revisar_em")
            if not all(valores) or not entrada.get("motivo") or not isinstance(revisar, datetime.date):
                erros.append(f"{ACEITAS.name}: [{secao}] {nome} precisa de {', '.join(chaves)}, motivo e revisar_em.")
            elif revisar < hoje:
                erros.append(f"{ACEITAS.name}: [{secao}] {nome} devia ter sido revisto em {revisar:%Y-%m-%d}.")
            elif secao == "ignorar":
                ids.add(valores[0])
            else:
                pacotes.add((canonicalize_name(valores[0]), Version(valores[1])))
    return ids, pacotes, erros


def travados(travas):
    """Sorted {(package, version)} pinned by the lock files."""
    return sorted(
        {
            (canonicalize_name(nome), Version(versao))
            for trava in travas
            for nome, versao in FIXADO.findall(trava.read_text(encoding="utf-8"))
        }
    )


def idade(travas, hoje):
    """(line, warnings) about when the locks' versions last moved to the latest releases."""
    datas, avisos = {}, []
    for trava in travas:
        if achado := GERADO_EM.search(trava.read_text(encoding="utf-8")):
            datas[trava] = datetime.date.fromisoformat(achado[1])
        else:
            avisos.append(
                f"{_nome(trava)} não diz quando as versões foram atualizadas (falta a linha '# gerado em'); "
                "make dependencias a escreve."
            )
    if not datas:
        return None, avisos
    trava, data = min(datas.items(), key=lambda par: par[1])
    dias = (hoje - data).days
    return f"Travas: versões atualizadas em {data:%Y-%m-%d}, há {dias} dia{'s' * (dias != 1)} ({_nome(trava)}).", avisos


def _nome(trava):
    return str(trava.relative_to(RAIZ)) if trava.is_relative_to(RAIZ) else str(trava)


@dataclasses.dataclass
class Resultado:
    nome: str
    versao: Version
    vulns: list | None = None  # None: not audited
    ultima: Version | None = None  # the latest release, where only that one is reported
    erro: str | None = None
    inacessivel: bool = False


def _json(url):
    # Only http(s): the base comes from the environment, and urllib would open file:// too.
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"{url} não é um endereço http(s)")
    with urllib.request.urlopen(url, timeout=TEMPO_LIMITE) as resposta:  # noqa: S310  # nosec B310
        return json.load(resposta)


def _vigentes(documento):
    return [v for v in documento.get("vulnerabilities") or [] if not v.get("withdrawn")]


def consultar(registro, nome, versao):
    """The advisories known for this release, or why there are none to tell. A lookup that did not
    reach the registry is tried once more: a name resolution fails now and then among many."""
    resultado = _consultar(registro, nome, versao)
    if resultado.inacessivel:
        time.sleep(PAUSA)
        resultado = _consultar(registro, nome, versao)
    return resultado


def _consultar(registro, nome, versao):
    resultado = Resultado(nome, versao)
    try:
        try:
            resultado.vulns = _vigentes(_json(f"{registro}/{nome}/{versao}/json"))
            return resultado
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                raise
        try:
            projeto = _json(f"{registro}/{nome}/json")
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                raise
            resultado.erro = "o registro não conhece o pacote"
            return resultado
        resultado.ultima = Version(projeto["info"]["version"])
        if resultado.ultima == versao:
            resultado.vulns = _vigentes(projeto)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        resultado.erro = f"o registro não respondeu: {getattr(exc, 'reason', None) or exc}"
        resultado.inacessivel = True
    return resultado


def auditar(registro, pacotes):
    """(one Resultado per package, None), or ([], why) when the registry does not answer the first
    lookup: it is not asked again, and made to time out, once per package."""
    if not pacotes:
        return [], None
    primeiro = consultar(registro, *pacotes[0])
    if primeiro.inacessivel:
        return [], primeiro.erro
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as grupo:
        return [primeiro, *grupo.map(lambda par: consultar(registro, *par), pacotes[1:])], None


def main(argv=None):
    parser = argparse.ArgumentParser(description="Audita as versões fixadas nas travas de dependências.")
    parser.add_argument(
        "--estrito", action="store_true", help="reprova também o pacote que não deu para auditar (make dependencias)"
    )
    parser.add_argument("travas", nargs="*", type=Path, help="padrão: requirements.txt, requirements-dev.txt e bench/")
    args = parser.parse_args(argv)
    registro = os.environ.get("PROTOCOLO_AUDITORIA_PYPI", REGISTRO).rstrip("/")
    travas = [trava.resolve() for trava in args.travas] or TRAVAS
    hoje = datetime.date.today()
    ids, pacotes_aceitos, erros = aceitas(hoje, nao_auditavel=args.estrito)
    # What could not be audited fails in strict mode only; the default mode reports it.
    nao_auditado, avisos = [], []

    pacotes = travados(travas)
    resultados, inacessivel = auditar(registro, pacotes)
    if inacessivel:
        nao_auditado.append(
            f"A auditoria das dependências não rodou: {inacessivel} ({registro}). "
            f"Nenhuma das {len(pacotes)} dependências foi auditada."
        )
    falhas = []
    for r in resultados:
        if r.vulns is not None:
            novas = [v for v in r.vulns if not ({v["id"], *v.get("aliases", [])} & ids)]
            falhas += [(r.nome, r.versao, v["id"], v.get("fixed_in", [])) for v in novas]
        elif args.estrito and (r.nome, r.versao) in pacotes_aceitos:
            avisos.append(f"{r.nome} {r.versao}: não auditado ({_motivo(r)}). Aceito em {ACEITAS.name}.")
        else:
            nao_auditado.append(f"{r.nome} {r.versao}: não auditado ({_motivo(r)}).")
    if args.estrito:
        erros += nao_auditado
    else:
        avisos += nao_auditado
    linha_idade, avisos_idade = idade(travas, hoje)
    avisos += avisos_idade

    for nome, versao, ident, correcao in falhas:
        print(f"VULNERÁVEL {nome} {versao}: {ident} (corrigida em: {', '.join(correcao) or 'sem correção'})")
    for linha in avisos:
        print(f"AVISO {linha}")
    for erro in erros:
        print(f"ERRO {erro}")
    if linha_idade:
        print(linha_idade)
    auditados = sum(r.vulns is not None for r in resultados)
    print(
        f"Auditoria das dependências: {auditados} auditadas, {len(pacotes) - auditados} não auditadas, "
        f"{len(falhas)} falhas conhecidas, {len(erros)} erros."
    )
    if auditados < len(pacotes) and not args.estrito:
        print("Aqui as não auditadas não reprovam; make dependencias atualiza as travas e audita todas.")
    elif erros and auditados < len(pacotes):
        print(
            "Um pacote abaixo da última versão: alargue a sua faixa no requirements*.in e rode make dependencias "
            f"de novo, ou aceite-o em {ACEITAS.name} ([[nao_auditavel]], com motivo e revisar_em)."
        )
    return 1 if falhas or erros else 0


def _motivo(resultado):
    return resultado.erro or f"o registro só informa as falhas da última versão, {resultado.ultima}"


if __name__ == "__main__":
    sys.exit(main())
