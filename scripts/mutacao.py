"""
Mutation testing of four core modules (`make mutacao`). mutmut, configured in pyproject.toml
([tool.mutmut]), mutates protocolo/prazos.py, numeracao.py, integridade.py and operacao/limites.py, and runs
for each mutant every test of the suite without the browser and process tests that executed the
mutated function in a first, clean run: a mutant is killed when one of them fails.

Prints per module the mutants killed and surviving, the kill rate over the mutants that are not
equivalent, and each equivalent mutant with the reason no test can kill it
(scripts/mutantes-equivalentes.toml). Fails when that rate is under 95%, when a listed equivalent no
longer exists or is no longer the mutation the list describes, or when one of them was killed.

mutmut keeps its results in mutants/: a later run runs again, by name, every mutant that was not
killed (so that a new test gets its chance) and those of functions that changed. MUTACAO_DO_ZERO=1
discards those results first: a test changed or removed can leave a "killed" that no longer holds.
MUTACAO_PROCESSOS (default 2) is how many mutants run side by side; each has a test database of its
own (scripts/mutacao_pytest.py), dropped here at the end. MUTACAO_SO_RELATORIO=1 runs nothing and
only reports what mutants/ holds.

Usage: DATABASE_URL=postgres://... .venv/bin/python scripts/mutacao.py
"""

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

RAIZ = Path(__file__).resolve().parent.parent
MUTANTES = RAIZ / "mutants"
EQUIVALENTES = RAIZ / "scripts" / "mutantes-equivalentes.toml"
MINIMO = 0.95

# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code), grouped as reported here. A
# timeout means the tests did not pass with the mutant: killed, as mutmut's own score counts it.
MORTO = {1, 3, 36, -24, 24, 152, 255}
SOBREVIVEU = {0}
SEM_TESTES = {5, 33}


def erro(mensagem):
    print(f"ERRO {mensagem}", file=sys.stderr)


def mutmut(*argumentos, capturar=False):
    executavel = Path(sys.executable).parent / "mutmut"
    if not executavel.exists():
        erro("o mutmut não está instalado no .venv: rode make venv (ele vem com as dependências de desenvolvimento).")
        sys.exit(2)
    # Our own venv's mutmut, with fixed arguments and mutant names read from mutmut's own files.
    comando = [str(executavel), *argumentos]
    return subprocess.run(comando, cwd=RAIZ, check=False, text=True, capture_output=capturar)  # noqa: S603  # nosec B603


def modulos():
    """Each mutated file's path and its mutants' exit codes, from mutmut's files in mutants/."""
    configuracao = tomllib.loads((RAIZ / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    resultado = {}
    for caminho in configuracao["only_mutate"]:
        meta = MUTANTES / f"{caminho}.meta"
        dados = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {"exit_code_by_key": {}}
        resultado[caminho] = dados["exit_code_by_key"]
    return resultado


def linhas_mudadas(nome, caminho):
    """The lines the mutant puts in place of the original ones, as `mutmut show` prints them.

    mutmut's own diff function in this process: `mutmut show` is the same diff at seconds a call."""
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant
    except ImportError:
        diff = mutmut("show", nome, capturar=True).stdout
    else:
        diff = get_diff_for_mutant(nome, path=caminho)
    return [linha[1:].strip() for linha in diff.splitlines() if linha.startswith("+") and not linha.startswith("+++")]


def rodar_mutmut(processos, nomes=()):
    resultado = mutmut("run", "--max-children", str(processos), *nomes)
    if resultado.returncode:
        erro(f"o mutmut terminou com o código {resultado.returncode}.")
        sys.exit(resultado.returncode)


def pendentes(equivalentes, *, so_nao_testados=False):
    """Mutants to run again: the ones not killed, or only those never run (a function that changed)."""
    return [
        nome
        for codigos in modulos().values()
        for nome, codigo in codigos.items()
        if (codigo is None if so_nao_testados else codigo not in MORTO) and nome not in equivalentes
    ]


def fontes_mudaram():
    """Whether a mutated module changed since mutmut last wrote its mutants (mutmut's own test)."""
    for caminho in modulos():
        copia = MUTANTES / caminho
        if not copia.exists() or (RAIZ / caminho).stat().st_mtime > copia.stat().st_mtime:
            return True
    return False


def rodar_de_novo(processos, equivalentes):
    """Run again, by name, the mutants that were not killed, so that new tests get their chance.

    A plain `mutmut run` first runs the whole selection once without mutants; by name, only the
    tests of those mutants run. mutmut regenerates the mutants of a changed function on any run and
    leaves them untested when they are not named: a second pass runs those. A listed equivalent is
    not named: each one runs every test that executes its function, minutes apiece, and it runs
    again by itself when its function changes."""
    nomes = pendentes(equivalentes)
    if nomes:
        print(f"Rodando de novo os {len(nomes)} mutantes que não foram mortos na rodada anterior.")
        rodar_mutmut(processos, nomes)
        novos = pendentes(equivalentes, so_nao_testados=True)
        if novos:
            print(f"\nRodando os {len(novos)} mutantes novos das funções que mudaram.")
            rodar_mutmut(processos, novos)
    elif fontes_mudaram():
        rodar_mutmut(processos)
    else:
        print("Nenhum mutante pendente e nenhum módulo mudou desde a última rodada.")


def apagar_bancos_de_teste():
    """Test databases left by a mutant's process that was killed (a timeout) before dropping its own."""
    import psycopg
    from psycopg import sql

    url = urlsplit(os.environ["DATABASE_URL"])
    base = url.path.lstrip("/")
    padrao = f"test_{base}_mutmut_".replace("_", r"\_") + "%"
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conexao:
        nomes = [nome for (nome,) in conexao.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [padrao])]
        for nome in nomes:
            conexao.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(nome)))


def percentual(parte, todo):
    return f"{100 * parte / todo:.1f}%".replace(".", ",") if todo else "—"


def main():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        erro("defina DATABASE_URL=postgres://… (o make mutacao a encontra como o make test).")
        return 2
    equivalentes = {
        e["mutante"]: e for e in tomllib.loads(EQUIVALENTES.read_text(encoding="utf-8")).get("equivalente", [])
    }
    if os.environ.get("MUTACAO_SO_RELATORIO") == "1":
        if not MUTANTES.exists():
            erro("não há resultados em mutants/: rode o make mutacao sem MUTACAO_SO_RELATORIO primeiro.")
            return 2
        print("Teste de mutação: só o relatório dos resultados guardados em mutants/ (nada foi rodado)")
        return relatorio(equivalentes)
    processos = int(os.environ.get("MUTACAO_PROCESSOS", "2"))
    do_zero = os.environ.get("MUTACAO_DO_ZERO") == "1" or not MUTANTES.exists()
    if MUTANTES.exists() and do_zero:
        shutil.rmtree(MUTANTES)
    print("Teste de mutação: " + ("do zero" if do_zero else "a partir dos resultados guardados em mutants/"))

    try:
        if do_zero:
            rodar_mutmut(processos)
        else:
            rodar_de_novo(processos, equivalentes)
    finally:
        apagar_bancos_de_teste()
    return relatorio(equivalentes)


def relatorio(equivalentes):
    """Print the results and return the exit code."""
    os.chdir(RAIZ)  # mutmut's diff reads mutants/ relative to the project
    resultados = modulos()
    problemas = []
    sobreviventes = []
    linhas = []
    total_mortos = total_considerados = 0
    for caminho, codigos in resultados.items():
        mortos = sum(codigo in MORTO for codigo in codigos.values())
        equivalentes_aqui = [nome for nome in codigos if nome in equivalentes]
        vivos = [nome for nome, codigo in codigos.items() if codigo not in MORTO and nome not in equivalentes]
        sem_testes = sum(codigos[nome] in SEM_TESTES for nome in vivos)
        nao_testados = sum(codigos[nome] is None for nome in vivos)
        considerados = len(codigos) - len(equivalentes_aqui)
        total_mortos += mortos
        total_considerados += considerados
        linhas.append(
            (caminho, len(codigos), mortos, len(vivos) - sem_testes - nao_testados, sem_testes, nao_testados,
             len(equivalentes_aqui), considerados)
        )  # fmt: skip
        sobreviventes += [(nome, codigos[nome], caminho) for nome in vivos]
        for nome in equivalentes_aqui:
            if codigos[nome] in MORTO:
                problemas.append(
                    f"{nome} está na lista de equivalentes, mas foi morto: retire-o de {EQUIVALENTES.name}."
                )

    caminho_de = {nome: caminho for caminho, codigos in resultados.items() for nome in codigos}
    for nome, entrada in equivalentes.items():
        if nome not in caminho_de:
            problemas.append(f"{nome} está na lista de equivalentes, mas não existe mais: retire-o ou atualize-o.")
            continue
        mudadas = linhas_mudadas(nome, caminho_de[nome])
        if entrada["mudanca"] not in mudadas:
            problemas.append(
                f"{nome} está na lista de equivalentes como “{entrada['mudanca']}”, mas agora muda para "
                f"“{' / '.join(mudadas)}”: confira e atualize a lista."
            )

    print("\nResultado por módulo (mortos inclui os que estouraram o tempo; a taxa exclui os equivalentes)")
    larguras = (9, 8, 15, 12, 14, 14)
    nomes = ("mutantes", "mortos", "sobreviventes", "sem testes", "não testados", "equivalentes")
    cabecalho = "".join(f"{nome:>{largura}}" for nome, largura in zip(nomes, larguras, strict=True))
    print(f"{'módulo':<28}{cabecalho}{'taxa':>8}")
    for caminho, *numeros, considerados in linhas:
        colunas = "".join(f"{numero:>{largura}}" for numero, largura in zip(numeros, larguras, strict=True))
        print(f"{caminho:<28}{colunas}{percentual(numeros[1], considerados):>8}")
    taxa = total_mortos / total_considerados if total_considerados else 0
    print(
        f"\nTaxa de mutantes mortos entre os não equivalentes: {total_mortos} de {total_considerados} = "
        f"{percentual(total_mortos, total_considerados)} (mínimo {percentual(MINIMO, 1)})"
    )

    if sobreviventes:
        print("\nSobreviventes (nenhum teste falhou com a mudança; `.venv/bin/mutmut show NOME` mostra o diff):")
        for nome, codigo, caminho in sobreviventes:
            situacao = "sem testes" if codigo in SEM_TESTES else ("não testado" if codigo is None else "sobreviveu")
            print(f"  {nome} ({situacao}): {' / '.join(linhas_mudadas(nome, caminho))}")

    print(f"\nEquivalentes ({len(equivalentes)}, em scripts/{EQUIVALENTES.name}): o programa faz o mesmo com a mudança")
    for nome, entrada in equivalentes.items():
        print(f"  {nome}: {entrada['mudanca']}\n      {entrada['motivo']}")

    for problema in problemas:
        erro(problema)
    if taxa < MINIMO:
        erro(f"a taxa de mutantes mortos ({percentual(taxa, 1)}) está abaixo de {percentual(MINIMO, 1)}.")
    if problemas or taxa < MINIMO:
        return 1
    print("\nOK: a taxa mínima foi atingida e a lista de equivalentes confere.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
