# ruff: noqa: S603, S607 (the orchestrator runs our own commands: wrk, gunicorn, manage.py)
"""
The benchmark (docs/dominio.md §8), end to end: `make bench` runs this file.

For each scale (BENCH_PROTOCOLOS, by default 10,000 and 1,000,000 protocols) it recreates the
databases, seeds them (bench/semear.py), starts the portal under gunicorn with production settings
and the ceiling app (bench/teto) beside it, drives load from wrk (bench/carga/*.lua) and keeps the
median of several rounds of each figure, each after a warm-up; then it writes bench/RESULTS.md.
When `manage.py enviar_mensagens` has --continuo, the openings leave their e-mail to it
(PROTOCOLO_ENTREGA_IMEDIATA=0), running beside the servers. Every process it starts is stopped on
the way out, whatever happens.

Settings (environment): BENCH_PROTOCOLOS (comma-separated scales), BENCH_DURACAO (seconds per
round, default 10), BENCH_RODADAS (rounds per figure, default 3), DATABASE_URL (the PostgreSQL
server), BENCH_BANCO (the database, recreated, default protocolo_bench; the ceiling's is the same
name with _teto), BENCH_REDIS_URL (default redis://127.0.0.1:6379/5, flushed), BENCH_SAIDA (the
report, default bench/RESULTS.md).

A quick run while developing: BENCH_PROTOCOLOS=10000 BENCH_DURACAO=5 BENCH_RODADAS=1
BENCH_BANCO=protocolo_bench_dev BENCH_SAIDA=/tmp/RESULTS.md make bench
"""

import atexit
import datetime
import functools
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zoneinfo
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

BENCH = Path(__file__).resolve().parent
RAIZ = BENCH.parent
ANTES = BENCH / "antes.json"
CARGA = BENCH / "carga"
PY = sys.executable
# medir_replica builds its pair with the tests' own helpers (tests/processos.py).
sys.path.insert(0, str(RAIZ))

PORTA_PORTAL, PORTA_PORTAL_2, PORTA_TETO, PORTA_TETO_2, PORTA_SMTP = 8101, 8102, 8201, 8202, 8125
PORTA_POOL, PORTA_POOL_2 = 8103, 8104
BANCO = os.environ.get("BENCH_BANCO", "protocolo_bench")
BANCO_TETO = f"{BANCO}_teto"
# Logs, samples and sessions of each database apart, so a development run leaves the main one's alone.
DADOS = BENCH / ".dados" / BANCO

ESCALAS = [int(x) for x in os.environ.get("BENCH_PROTOCOLOS", "10000,1000000").split(",") if x.strip()]
DURACAO = int(os.environ.get("BENCH_DURACAO", "10"))
RODADAS = int(os.environ.get("BENCH_RODADAS", "3"))
AQUECIMENTO = max(2, DURACAO // 3)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
SAIDA = Path(os.environ.get("BENCH_SAIDA", BENCH / "RESULTS.md"))

# Concurrency: the lookup saturates the two workers with four clients; the latency figures use one
# client per worker, so their p95 is the page's cost and not a queue in front of it.
CONEXOES_CONSULTA = 4
CONEXOES_PAGINAS = 2
CONEXOES_ABERTURA = 16
# Above this scale the full integrity check is replaced by a sample of protocols.
VERIFICACAO_COMPLETA_ATE = 100_000
# The replica's figures copy the run's database into a throwaway pair (medir_replica): up to this
# scale by default, since a copy of 10 million protocols costs a quarter of an hour and ~20 GB more.
REPLICA_ATE = int(os.environ.get("BENCH_REPLICA_ATE", "1000000"))
AMOSTRA_DE_INTEGRIDADE = 5

PAINEL = "/atendimento/?prazo=vencido"
CHANGELIST = "/admin/protocolo/protocolo/"
# The widest preset period (90 days): the figures over a period read that many days of rows.
SUPERVISAO = "/admin/supervisao/?periodo=90"

_processos = []
_smtp = None


def avisar(texto):
    print(f"[bench {time.strftime('%H:%M:%S')}] {texto}", flush=True)


def falhar(texto):
    print(f"Erro: {texto}", file=sys.stderr, flush=True)
    sys.exit(1)


# Processes ----------------------------------------------------------------------------------------


def iniciar(argumentos, *, env, log, cwd=RAIZ):
    """A process in a group of its own, so stopping it stops its children (gunicorn's workers)."""
    saida = open(log, "w")  # noqa: SIM115 (closed with the process)
    processo = subprocess.Popen(
        argumentos, env=env, cwd=cwd, stdout=saida, stderr=subprocess.STDOUT, start_new_session=True
    )
    _processos.append((processo, saida))
    return processo


def parar(processo):
    if processo.poll() is None:
        try:
            os.killpg(processo.pid, signal.SIGTERM)
            processo.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(processo.pid, signal.SIGKILL)
            processo.wait()
        except ProcessLookupError:
            pass
    for item in list(_processos):
        if item[0] is processo:
            item[1].close()
            _processos.remove(item)


def parar_todos():
    for processo, _ in list(_processos):
        parar(processo)


def _sinal(numero, _):
    parar_todos()
    sys.exit(128 + numero)


def esperar_http(porta, processo, caminho="/", limite=60):
    fim = time.monotonic() + limite
    pedido = urllib.request.Request(f"http://127.0.0.1:{porta}{caminho}", headers={"X-Forwarded-Proto": "https"})
    while time.monotonic() < fim:
        if processo.poll() is not None:
            falhar(f"o servidor da porta {porta} terminou ao iniciar; veja {DADOS}/*.log")
        try:
            with urllib.request.urlopen(pedido, timeout=2) as resposta:  # noqa: S310 (our own local server)
                if resposta.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    falhar(f"o servidor da porta {porta} não respondeu em {limite} s")


def gunicorn(modulo, porta, env, nome):
    argumentos = [PY, "-m", "gunicorn"]
    if (RAIZ / "gunicorn.conf.py").exists():
        argumentos += ["-c", str(RAIZ / "gunicorn.conf.py")]
    argumentos += ["--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{porta}", modulo]
    processo = iniciar(argumentos, env=env, log=DADOS / f"{nome}.log")
    esperar_http(porta, processo)
    return processo


def _workers(processo):
    return Path(f"/proc/{processo.pid}/task/{processo.pid}/children").read_text().split()


def cpu_da_maquina():
    """CPU seconds spent by every process of the machine so far (all cores, idle and iowait excluded)."""
    campos = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    usuario, nice, sistema, _ocioso, _iowait, irq, softirq, roubado = campos
    return (usuario + nice + sistema + irq + softirq + roubado) / os.sysconf("SC_CLK_TCK")


def cpu_dos_workers(processo):
    """CPU seconds (user + system) of the workers of a gunicorn master, from /proc: the live ones
    and those it recycled and reaped (their time is the master's cutime and cstime), so a worker
    replaced during a round does not take its CPU out of the count."""
    campos = Path(f"/proc/{processo.pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = int(campos[13]) + int(campos[14])
    for pid in _workers(processo):
        try:
            campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(campos[11]) + int(campos[12])
    return total / os.sysconf("SC_CLK_TCK")


def cpu_do_pid(pid):
    """CPU seconds (user + system) of one process, from /proc; 0 once it is gone."""
    try:
        campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return (int(campos[11]) + int(campos[12])) / os.sysconf("SC_CLK_TCK")


def cpu_do_processo(processo):
    return cpu_do_pid(processo.pid)


def cpu_dos_servicos(conexao):
    """{pid: CPU seconds} of the PostgreSQL backends of the benchmark's database (the app servers'
    persistent connections), of the Redis server and of the SMTP sink: the rest of what an opening
    costs, apart from whatever else the machine is running."""
    pids = [
        pid
        for (pid,) in conexao.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [BANCO]
        )
    ]
    pids.append(redis.Redis.from_url(REDIS_URL).info("server")["process_id"])
    if _smtp:
        pids.append(_smtp.pid)
    return {pid: cpu_do_pid(pid) for pid in pids}


def memoria_dos_workers(processo):
    """Memory of each worker of a gunicorn master (MiB): its proportional share (PSS), which splits
    the pages a preloaded master shares with its workers among them, read from /proc."""
    memorias = []
    for pid in _workers(processo):
        for linha in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if linha.startswith("Pss:"):
                memorias.append(int(linha.split()[1]) / 1024)
    return memorias


# Load ---------------------------------------------------------------------------------------------


def wrk(script, porta, *, conexoes, duracao, env_extra=None, iniciar_apenas=False):
    env = {**os.environ, "BENCH_LUA": str(CARGA), **(env_extra or {})}
    argumentos = ["wrk", f"-t{conexoes}", f"-c{conexoes}", f"-d{duracao}s", "--timeout", "10s"]
    argumentos += ["-s", str(CARGA / script), f"http://127.0.0.1:{porta}"]
    processo = subprocess.Popen(argumentos, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return processo if iniciar_apenas else resultado_wrk(processo)


def resultado_wrk(processo):
    saida, _ = processo.communicate()
    for linha in saida.splitlines():
        if linha.startswith("RESULTADO "):
            resultado = json.loads(linha.removeprefix("RESULTADO "))
            resultado["por_segundo"] = resultado["completos"] / resultado["segundos"] if resultado["segundos"] else 0
            return resultado
    falhar(f"o wrk não produziu resultado:\n{saida}")


def juntar_wrk(processos):
    """One result from wrk processes that ran at once against different servers: their operations
    summed over the longest duration, the worst p50 and p95."""
    partes = [resultado_wrk(p) for p in processos]
    segundos = max(p["segundos"] for p in partes)
    completos = sum(p["completos"] for p in partes)
    return {
        "completos": completos,
        "falhas": sum(p["falhas"] for p in partes),
        "erros_wrk": sum(p["erros_wrk"] for p in partes),
        "segundos": segundos,
        "por_segundo": completos / segundos,
        "p95_ms": max(p["p95_ms"] for p in partes),
        "p50_ms": max(p["p50_ms"] for p in partes),
    }


def wrk_com_cpu(script, processo, porta, env_extra, duracao=None):
    """One wrk round of CONEXOES_CONSULTA connections with the CPU the server's workers spent per
    completed operation."""
    antes = cpu_dos_workers(processo)
    resultado = wrk(script, porta, conexoes=CONEXOES_CONSULTA, duracao=duracao or DURACAO, env_extra=env_extra)
    gasto = cpu_dos_workers(processo) - antes
    resultado["cpu_app_ms"] = gasto * 1000 / resultado["completos"] if resultado["completos"] else 0
    return resultado


def alternadas(medidores, prefixo=""):
    """Figures measured side by side: RODADAS rounds in which each measure runs once in turn, so all
    of them see the same machine; then each one's median, as rodadas() gives it."""
    medidas = {nome: [] for nome in medidores}
    for _ in range(RODADAS):
        for nome, medir in medidores.items():
            medidas[nome].append(medir())
    return {nome: rodadas(functools.partial(next, iter(lista)), f"{prefixo}{nome}") for nome, lista in medidas.items()}


def rodadas(medir, nome):
    """The median of RODADAS rounds of throughput, p95 and failures."""
    resultados = []
    for rodada in range(1, RODADAS + 1):
        resultado = medir()
        avisar(
            f"  {nome} #{rodada}: {resultado['por_segundo']:.1f}/s, p95 {resultado['p95_ms']:.0f} ms, "
            f"falhas {resultado['falhas']}"
        )
        resultados.append(resultado)
    return {
        "por_segundo": statistics.median(r["por_segundo"] for r in resultados),
        "p95_ms": statistics.median(r["p95_ms"] for r in resultados),
        "p50_ms": statistics.median(r["p50_ms"] for r in resultados),
        "falhas": sum(r["falhas"] + r["erros_wrk"] for r in resultados),
        "completos": sum(r["completos"] for r in resultados),
        "rodadas": [round(r["por_segundo"], 1) for r in resultados],
        **{
            chave: statistics.median(r[chave] for r in resultados)
            for chave in ("cpu_ms", "cpu_app_ms", "cpu_benchmark_ms")
            if chave in resultados[0]
        },
        "p95_rodadas": [round(r["p95_ms"], 1) for r in resultados],
        # A round in which no request finished has no latency at all (its p95 reads 0): counted
        # apart, so the figure fails instead of passing on an empty round.
        "sem_resposta": sum(1 for r in resultados if not r["completos"]),
    }


# Environment --------------------------------------------------------------------------------------


def servidor_postgres():
    """The PostgreSQL server URL without a database name: DATABASE_URL's server, the local one, or
    the throwaway cluster of scripts/banco-de-teste.sh."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    partes = urlsplit(url)
    servidor = urlunsplit((partes.scheme, partes.netloc, "/postgres", "", ""))
    try:
        psycopg.connect(servidor, connect_timeout=3).close()
        return servidor
    except psycopg.OperationalError:
        avisar("PostgreSQL não respondeu; usando scripts/banco-de-teste.sh")
    url = subprocess.run(
        ["bash", str(RAIZ / "scripts" / "banco-de-teste.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    partes = urlsplit(url)
    return urlunsplit((partes.scheme, partes.netloc, "/postgres", "", ""))


def com_banco(servidor, banco):
    partes = urlsplit(servidor)
    return urlunsplit((partes.scheme, partes.netloc, f"/{banco}", "", ""))


def recriar_banco(servidor, banco):
    with psycopg.connect(servidor, autocommit=True) as conexao:
        conexao.execute(f'DROP DATABASE IF EXISTS "{banco}" WITH (FORCE)')
        conexao.execute(f'CREATE DATABASE "{banco}"')


def ambiente(servidor):
    chave = lambda: "1:" + secrets.token_hex(32)  # noqa: E731
    return {
        **os.environ,
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "protocolo.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PROTOCOLO_URL_BASE": "https://127.0.0.1",
        "PROTOCOLO_CHAVES_INTEGRIDADE": chave(),
        "PROTOCOLO_CHAVES_COMPROVANTE": chave(),
        "PROTOCOLO_EMPRESA_CNPJ": "11222333000181",
        "REDIS_URL": REDIS_URL,
        "PROXY_HTTPS_HEADER": "HTTP_X_FORWARDED_PROTO",
        "PROTOCOLO_LIMITES_MULTIPLICADOR": "1000000",
        "MAILER_URL": f"smtp://127.0.0.1:{PORTA_SMTP}",
        "STATIC_ROOT": str(DADOS / "static"),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": com_banco(servidor, BANCO),
        "TETO_DATABASE_URL": com_banco(servidor, BANCO_TETO),
        "PYTHONPATH": os.pathsep.join([str(RAIZ), str(BENCH)]),
        # The uploads' files and the integrity check that re-reads them, in the run's own folder.
        "PROTOCOLO_ANEXOS_DIR": str(DADOS / "anexos"),
    }


def rodar(argumentos, env, **kwargs):
    return subprocess.run(argumentos, env=env, cwd=RAIZ, check=True, **kwargs)


def versoes(servidor):
    with psycopg.connect(servidor) as conexao:
        postgres = conexao.execute("SHOW server_version").fetchone()[0]
    redis_versao = redis.Redis.from_url(REDIS_URL).info("server")["redis_version"]
    wrk_versao = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    return {
        "Python": platform.python_version(),
        "Django": metadata.version("Django"),
        "gunicorn": metadata.version("gunicorn"),
        "psycopg": metadata.version("psycopg"),
        "PostgreSQL": postgres,
        "Redis": redis_versao,
        "wrk": wrk_versao.split(" Copyright")[0],
    }


def maquina():
    modelo = "desconhecido"
    for linha in Path("/proc/cpuinfo").read_text().splitlines():
        if linha.startswith("model name"):
            modelo = linha.split(":", 1)[1].strip()
            break
    memoria = 0
    for linha in Path("/proc/meminfo").read_text().splitlines():
        if linha.startswith("MemTotal:"):
            memoria = int(linha.split()[1]) / 1024 / 1024
    return {
        "CPU": modelo,
        "Núcleos": str(os.cpu_count()),
        "Memória": f"{memoria:.1f} GiB",
        "Sistema": f"{platform.system()} {platform.release()}",
        "Carga média ao iniciar (1, 5, 15 min)": " / ".join(f"{c:.2f}" for c in os.getloadavg()),
    }


# One scale ----------------------------------------------------------------------------------------


def preparar(escala, servidor, env):
    recriar_banco(servidor, BANCO)
    recriar_banco(servidor, BANCO_TETO)
    shutil.rmtree(env["PROTOCOLO_ANEXOS_DIR"], ignore_errors=True)
    rodar([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    rodar([PY, "-m", "django", "migrate", "--noinput", "-v0", "--settings", "teto.settings"], env)
    redis.Redis.from_url(REDIS_URL).flushdb()
    avisar(f"Semeando {escala:,} protocolos")
    saida = rodar(
        [PY, str(BENCH / "semear.py"), "--protocolos", str(escala), "--amostras", str(DADOS / "amostras.tsv")],
        env,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    semeadura = json.loads(next(l for l in saida.splitlines() if l.startswith("SEMEADURA ")).split(" ", 1)[1])  # noqa: E741
    with psycopg.connect(com_banco(servidor, BANCO)) as conexao:
        semeadura["disco_bytes"] = conexao.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    avisar(f"Semeadura: {semeadura}")
    # The ceiling holds the same numbers and CPFs.
    with (
        psycopg.connect(com_banco(servidor, BANCO)) as origem,
        psycopg.connect(com_banco(servidor, BANCO_TETO)) as destino,
    ):
        with (
            origem.cursor().copy(
                "COPY (SELECT p.numero, c.cpf FROM protocolo_protocolo p JOIN protocolo_consumidor c "
                "ON c.id = p.consumidor_id WHERE c.cpf IS NOT NULL) TO STDOUT"
            ) as leitura,
            destino.cursor().copy("COPY teto_registro (numero, cpf) FROM STDIN") as escrita,
        ):
            for bloco in leitura:
                escrita.write(bloco)
        destino.commit()
        destino.autocommit = True
        destino.execute("VACUUM ANALYZE teto_registro")
    rodar(
        [
            PY,
            str(BENCH / "sessoes.py"),
            "--atendentes",
            str(DADOS / "atendentes.txt"),
            "--supervisores",
            str(DADOS / "supervisores.txt"),
            "--token-api",
            str(DADOS / "token_api.txt"),
        ],
        env,
    )
    return semeadura


def estaticos(env):
    """collectstatic before each set of servers: a template that names a file the manifest lacks
    answers 500 under ManifestStaticFilesStorage."""
    rodar([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)


def medir_leituras(env):
    estaticos(env)
    amostras = {"BENCH_AMOSTRAS": str(DADOS / "amostras.tsv")}
    portal = gunicorn("protocolo.wsgi", PORTA_PORTAL, env, "portal")
    teto = gunicorn("teto.wsgi", PORTA_TETO, {**env, "DJANGO_SETTINGS_MODULE": "teto.settings"}, "teto")
    try:
        avisar("Aquecendo")
        for porta in (PORTA_PORTAL, PORTA_TETO):
            wrk("consulta.lua", porta, conexoes=CONEXOES_CONSULTA, duracao=AQUECIMENTO, env_extra=amostras)
        paginas = {
            "painel": (PAINEL, "atendentes.txt"),
            "changelist": (CHANGELIST, "supervisores.txt"),
            "supervisao": (SUPERVISAO, "supervisores.txt"),
        }
        for caminho, sessoes in paginas.values():
            extra = {"BENCH_CAMINHO": caminho, "BENCH_SESSOES": str(DADOS / sessoes)}
            wrk("pagina.lua", PORTA_PORTAL, conexoes=CONEXOES_PAGINAS, duracao=2, env_extra=extra)

        def com_cpu(recarga, servidor, porta):
            return wrk_com_cpu("consulta.lua", servidor, porta, {**amostras, "BENCH_RECARGA": "1" if recarga else "0"})

        # Portal and ceiling alternate round by round, so both see the same machine: the complete
        # lookup, then the status page reloaded by a visitor who already has access.
        figuras = {}
        for recarga, nomes in ((False, ("consulta", "teto")), (True, ("recarga", "teto_recarga"))):
            avisar(f"{'Página recarregada' if recarga else 'Consulta pública'}: portal e teto, rodada a rodada")
            figuras |= alternadas(
                {
                    nomes[0]: functools.partial(com_cpu, recarga, portal, PORTA_PORTAL),
                    nomes[1]: functools.partial(com_cpu, recarga, teto, PORTA_TETO),
                }
            )

        for nome, (caminho, sessoes) in paginas.items():
            extra = {"BENCH_CAMINHO": caminho, "BENCH_SESSOES": str(DADOS / sessoes)}
            figuras[nome] = rodadas(
                lambda extra=extra: wrk(
                    "pagina.lua", PORTA_PORTAL, conexoes=CONEXOES_PAGINAS, duracao=DURACAO, env_extra=extra
                ),
                nome,
            )
        figuras["memoria"] = {"portal": memoria_dos_workers(portal), "teto": memoria_dos_workers(teto)}
        avisar(f"Memória por worker, PSS (MiB): {figuras['memoria']}")
        return figuras
    finally:
        parar(portal)
        parar(teto)


def medir_aberturas(servidor, env):
    """Openings on the portal (/abrir/, 16 clients over two app servers) and on the opening ceiling
    (bench/teto: the gapless number, the protocol row, the first chained entry and one outbox row in
    one transaction) under the same gunicorn and middleware, round by round, with the CPU of each
    opening; then the day's numbering checked."""
    amostras = {"BENCH_AMOSTRAS": str(DADOS / "amostras.tsv")}
    hoje = datetime.datetime.now(zoneinfo.ZoneInfo("America/Sao_Paulo")).date()
    antes = _numeracao_do_dia(servidor, hoje)
    estaticos(env)
    servico = entrega_em_servico(env)
    if servico:
        env = {**env, "PROTOCOLO_ENTREGA_IMEDIATA": "0"}
    servidores = [gunicorn("protocolo.wsgi", porta, env, f"portal-{porta}") for porta in (PORTA_PORTAL, PORTA_PORTAL_2)]
    env_teto = {**env, "DJANGO_SETTINGS_MODULE": "teto.settings"}
    tetos = [gunicorn("teto.wsgi", porta, env_teto, f"teto-{porta}") for porta in (PORTA_TETO, PORTA_TETO_2)]
    entregador = None
    if servico:
        avisar("E-mails das aberturas: entregues pelo enviar_mensagens --continuo (PROTOCOLO_ENTREGA_IMEDIATA=0)")
        entregador = iniciar(
            [PY, "manage.py", "enviar_mensagens", "--continuo", "--intervalo", "0.2"],
            env=env,
            log=DADOS / "enviar_mensagens.log",
        )

    def cpu_do_portal():
        return sum(cpu_dos_workers(s) for s in servidores) + (cpu_do_processo(entregador) if entregador else 0)

    def cpu_do_teto():
        return sum(cpu_dos_workers(s) for s in tetos)

    monitor = psycopg.connect(com_banco(servidor, BANCO), autocommit=True)
    try:
        metade = CONEXOES_ABERTURA // 2

        def medir(portas, cpu_da_aplicacao, duracao=DURACAO):
            cpu_antes, app_antes = cpu_da_maquina(), cpu_da_aplicacao()
            wrk_antes = resource.getrusage(resource.RUSAGE_CHILDREN)
            servicos_antes = cpu_dos_servicos(monitor)
            processos = [
                wrk("abertura.lua", porta, conexoes=metade, duracao=duracao, env_extra=amostras, iniciar_apenas=True)
                for porta in portas
            ]
            resultado = juntar_wrk(processos)
            completos = resultado["completos"]
            cpu_total = cpu_da_maquina() - cpu_antes
            cpu_app = cpu_da_aplicacao() - app_antes
            # The wrk processes were reaped by resultado_wrk: their CPU is in RUSAGE_CHILDREN now.
            wrk_depois = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_wrk = (wrk_depois.ru_utime + wrk_depois.ru_stime) - (wrk_antes.ru_utime + wrk_antes.ru_stime)
            servicos = cpu_dos_servicos(monitor)
            cpu_servicos = sum(cpu - servicos_antes.get(pid, 0) for pid, cpu in servicos.items())
            cpu_benchmark = cpu_app + cpu_servicos + cpu_wrk
            return resultado | {
                "cpu_ms": 1000 * cpu_total / max(completos, 1),
                "cpu_app_ms": 1000 * cpu_app / max(completos, 1),
                "cpu_benchmark_ms": 1000 * cpu_benchmark / max(completos, 1),
            }

        portal = ((PORTA_PORTAL, PORTA_PORTAL_2), cpu_do_portal)
        teto = ((PORTA_TETO, PORTA_TETO_2), cpu_do_teto)
        avisar("Aquecendo as aberturas")
        medir(*portal, duracao=AQUECIMENTO)
        medir(*teto, duracao=AQUECIMENTO)
        avisar(
            f"Aberturas: {CONEXOES_ABERTURA} clientes em dois servidores (portas {PORTA_PORTAL} e {PORTA_PORTAL_2}), "
            f"e no teto de abertura (portas {PORTA_TETO} e {PORTA_TETO_2}), rodada a rodada"
        )
        do_portal, do_teto = [], []
        for _ in range(RODADAS):
            do_portal.append(medir(*portal))
            do_teto.append(medir(*teto))
        iterador_portal, iterador_teto = iter(do_portal), iter(do_teto)
        figura = rodadas(lambda: next(iterador_portal), "aberturas")
        figura["teto"] = rodadas(lambda: next(iterador_teto), "teto de abertura")
        figura["memoria"] = [m for s in servidores for m in memoria_dos_workers(s)]
        figura["entrega"] = _esperar_entregas(servidor, servico)
    finally:
        monitor.close()
        for processo in [*servidores, *tetos, *([entregador] if entregador else [])]:
            parar(processo)
    depois = _numeracao_do_dia(servidor, hoje)
    figura["numeracao"] = {"dia": hoje.isoformat(), "antes": antes, "depois": depois}
    figura["numeracao_ok"] = (
        depois["repetidos"] == 0
        and depois["lacunas"] == 0
        and depois["contador"] == depois["maior"] == depois["quantos"]
        and depois["quantos"] - antes["quantos"] >= figura["completos"]
    )
    avisar(f"Numeração de {hoje}: antes {antes}, depois {depois}: {'ok' if figura['numeracao_ok'] else 'FALHOU'}")
    return figura


def medir_api(servidor, env):
    """The integration API (docs/integracao.md): openings by a telephone menu over two app servers,
    as the portal's openings, with the day's numbering checked after them; and GET
    /protocolos/{numero}/ over one, with the portal lookup's connections, to set beside the ceiling."""
    extra = {
        "BENCH_AMOSTRAS": str(DADOS / "amostras.tsv"),
        "BENCH_TOKEN_API": (DADOS / "token_api.txt").read_text().strip(),
    }
    hoje = datetime.datetime.now(zoneinfo.ZoneInfo("America/Sao_Paulo")).date()
    antes = _numeracao_do_dia(servidor, hoje)
    estaticos(env)
    env = {**env, "PROTOCOLO_ENTREGA_IMEDIATA": "0"}
    servidores = [gunicorn("protocolo.wsgi", porta, env, f"api-{porta}") for porta in (PORTA_PORTAL, PORTA_PORTAL_2)]
    teto = gunicorn("teto.wsgi", PORTA_TETO, {**env, "DJANGO_SETTINGS_MODULE": "teto.settings"}, "teto-api")
    servidores.append(teto)
    try:
        metade = CONEXOES_ABERTURA // 2

        def aberturas(duracao=DURACAO, conexoes=metade):
            processos = [
                wrk("api_abertura.lua", porta, conexoes=conexoes, duracao=duracao, env_extra=extra, iniciar_apenas=True)
                for porta in (PORTA_PORTAL, PORTA_PORTAL_2)
            ]
            return juntar_wrk(processos)

        def leituras(duracao=None):
            return wrk_com_cpu("api_leitura.lua", servidores[0], PORTA_PORTAL, extra, duracao)

        avisar("Aquecendo a API")
        aberturas(AQUECIMENTO)
        leituras(AQUECIMENTO)
        wrk("consulta.lua", PORTA_TETO, conexoes=CONEXOES_CONSULTA, duracao=AQUECIMENTO, env_extra=extra)
        avisar(f"API, aberturas: {CONEXOES_ABERTURA} clientes em dois servidores")
        figuras = {"aberturas": rodadas(aberturas, "api_aberturas")}
        # The latency one call sees while the servers are not queueing: with 16 clients on four
        # sync workers each request waits behind the others (Little's law: 16 ÷ the throughput).
        avisar("API, aberturas: 1 cliente por servidor (latência sem fila)")
        figuras["aberturas_sem_fila"] = rodadas(lambda: aberturas(conexoes=1), "api_aberturas_sem_fila")
        # As the portal's lookup: the API's reads and the ceiling's complete lookups alternate round
        # by round, so both see the same machine (after the openings, autovacuum runs beside them).
        avisar(f"API, leituras e teto, rodada a rodada: {CONEXOES_CONSULTA} conexões")
        figuras |= alternadas(
            {
                "leituras": leituras,
                "leituras_teto": functools.partial(wrk_com_cpu, "consulta.lua", teto, PORTA_TETO, extra),
            },
            prefixo="api_",
        )
    finally:
        for processo in servidores:
            parar(processo)
    depois = _numeracao_do_dia(servidor, hoje)
    figuras["numeracao"] = {"dia": hoje.isoformat(), "antes": antes, "depois": depois}
    figuras["numeracao_ok"] = (
        depois["repetidos"] == 0
        and depois["lacunas"] == 0
        and depois["contador"] == depois["maior"] == depois["quantos"]
        and depois["quantos"] - antes["quantos"] >= figuras["aberturas"]["completos"]
    )
    avisar(f"API, numeração de {hoje}: {depois}: {'ok' if figuras['numeracao_ok'] else 'FALHOU'}")
    return figuras


EVENTOS_DE_WEBHOOK = 2000


def medir_webhooks(env):
    """Webhook deliveries per second to a real HTTPS receiver on loopback (bench/webhooks.py): the
    events of EVENTOS_DE_WEBHOOK openings, each signed and sent on its own TLS connection."""
    avisar(f"Webhooks: {EVENTOS_DE_WEBHOOK} eventos a um receptor HTTPS local")
    saida = rodar(
        [PY, str(BENCH / "webhooks.py"), "--eventos", str(EVENTOS_DE_WEBHOOK)], env, stdout=subprocess.PIPE, text=True
    ).stdout
    figuras = json.loads(next(l for l in saida.splitlines() if l.startswith("WEBHOOKS ")).split(" ", 1)[1])  # noqa: E741
    avisar(f"Webhooks: {figuras}")
    return figuras


MENSAGENS_DE_MENSAGERIA = 1000


def medir_mensageria(env):
    """SMS and WhatsApp messages per second to fake Twilio and Meta servers on loopback
    (bench/mensageria.py): MENSAGENS_DE_MENSAGERIA of each, with the CPU each costs the deliverer
    and the provider."""
    avisar(f"Mensageria: {MENSAGENS_DE_MENSAGERIA} SMS e {MENSAGENS_DE_MENSAGERIA} WhatsApp a provedores locais")
    saida = rodar(
        [PY, str(BENCH / "mensageria.py"), "--mensagens", str(MENSAGENS_DE_MENSAGERIA)],
        env,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    figuras = json.loads(next(l for l in saida.splitlines() if l.startswith("MENSAGERIA ")).split(" ", 1)[1])  # noqa: E741
    avisar(f"Mensageria: {figuras}")
    return figuras


MENSAGENS_RECEBIDAS = 1000


def medir_entrada(env):
    """Inbound WhatsApp messages per second, signed as Meta signs, turned into openings and into
    interactions (bench/entrada.py), with the application's CPU per message."""
    avisar(f"Mensagens recebidas: {MENSAGENS_RECEBIDAS} pelo WhatsApp, abrindo e depois anexando")
    saida = rodar(
        [PY, str(BENCH / "entrada.py"), "--mensagens", str(MENSAGENS_RECEBIDAS)], env, stdout=subprocess.PIPE, text=True
    ).stdout
    figuras = json.loads(next(l for l in saida.splitlines() if l.startswith("ENTRADA ")).split(" ", 1)[1])  # noqa: E741
    avisar(f"Mensagens recebidas: {figuras}")
    return figuras


def medir_replica(servidor, env):
    """Reads on a second machine (docs/replica.md). The shared server accepts no replication
    connection, so the pair is built from the PostgreSQL binaries as tests/replica/ builds its own:
    a throwaway primary that receives a copy of the run's database (pg_dump, pg_restore) and a hot
    standby cloned from it (pg_basebackup -R). One app server reads everything from that primary,
    another sends the opted-in reads to the standby (DATABASE_REPLICA_URL); the complete lookup and
    the reloaded status page alternate between them round by round. The standby's own statistics
    show the timeline reads it served. Both clusters share this machine's two cores: the figure
    is what the routing costs, not the capacity a second machine adds."""
    from tests.processos import Primario, Standby, esperar_replica

    pasta = DADOS / "replica"
    shutil.rmtree(pasta, ignore_errors=True)
    pasta.mkdir(parents=True)
    primario, standby = Primario(tempfile.mkdtemp(prefix="bench-primario-")), None
    servidores = []
    try:
        inicio = time.monotonic()
        primario.criar()
        copia = pasta / "copia"
        rodar(["pg_dump", "-Fd", "-j", "2", "-f", str(copia), com_banco(servidor, BANCO)], env)
        rodar(["pg_restore", "-j", "2", "--no-owner", "-d", primario.url, str(copia)], env)
        shutil.rmtree(copia, ignore_errors=True)
        with psycopg.connect(primario.url, autocommit=True) as conexao:
            conexao.execute("ANALYZE")
        standby = Standby(tempfile.mkdtemp(prefix="bench-standby-"))
        standby.criar(primario)
        esperar_replica(primario, standby)
        copia_segundos = time.monotonic() - inicio
        avisar(f"Réplica: primário e standby descartáveis prontos em {copia_segundos:.0f} s")
        so_primario = {**env, "DATABASE_URL": primario.url}
        com_replica = {**so_primario, "DATABASE_REPLICA_URL": standby.url}
        servidores = [
            gunicorn("protocolo.wsgi", PORTA_PORTAL, so_primario, "replica-primario"),
            gunicorn("protocolo.wsgi", PORTA_PORTAL_2, com_replica, "replica-standby"),
        ]
        amostras = {"BENCH_AMOSTRAS": str(DADOS / "amostras.tsv")}

        def com_cpu(recarga, processo, porta, duracao=None):
            extra = {**amostras, "BENCH_RECARGA": "1" if recarga else "0"}
            return wrk_com_cpu("consulta.lua", processo, porta, extra, duracao)

        for recarga in (False, True):
            for processo, porta in zip(servidores, (PORTA_PORTAL, PORTA_PORTAL_2), strict=True):
                com_cpu(recarga, processo, porta, AQUECIMENTO)
        leituras_antes = _leituras_da_linha_do_tempo(standby.url)
        figuras = {}
        for recarga, nomes in ((False, ("consulta", "consulta_replica")), (True, ("recarga", "recarga_replica"))):
            avisar(f"Réplica: {'página recarregada' if recarga else 'consulta pública'}, sem e com réplica")
            figuras |= alternadas(
                {
                    nomes[0]: functools.partial(com_cpu, recarga, servidores[0], PORTA_PORTAL),
                    nomes[1]: functools.partial(com_cpu, recarga, servidores[1], PORTA_PORTAL_2),
                },
                prefixo="replica_",
            )
        figuras["leituras_na_replica"] = _leituras_da_linha_do_tempo(standby.url) - leituras_antes
        figuras["preparo_segundos"] = round(copia_segundos, 1)
        avisar(f"Réplica: {figuras['leituras_na_replica']} leituras da linha do tempo servidas pelo standby")
        return figuras
    finally:
        for processo in servidores:
            parar(processo)
        for cluster in (standby, primario):
            if cluster is not None:
                cluster.encerrar()
        shutil.rmtree(pasta, ignore_errors=True)


def _leituras_da_linha_do_tempo(url):
    """Index scans of the timeline table run on this server (its own statistics: a standby counts
    the queries it answered, not the primary's)."""
    with psycopg.connect(url, autocommit=True) as conexao:
        conexao.execute("SELECT pg_stat_clear_snapshot()")
        linha = conexao.execute(
            "SELECT coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'protocolo_interacao'"
        ).fetchone()
    return linha[0] if linha else 0


def medir_pool(servidor, env):
    """psycopg's pool (DATABASE_POOL) against persistent connections, each with two app servers as
    in production, alternating round by round so both see the same machine: the complete lookup
    over both servers of one kind at once, and the connections that kind holds open on the database
    while serving (docs/replica.md, "Pool de conexões")."""
    amostras = {"BENCH_AMOSTRAS": str(DADOS / "amostras.tsv")}
    tipos = {
        "persistentes": ({"DATABASE_POOL": "0"}, (PORTA_PORTAL, PORTA_PORTAL_2)),
        "pool": ({"DATABASE_POOL": "1"}, (PORTA_POOL, PORTA_POOL_2)),
    }
    servidores = []
    abertas = {nome: [] for nome in tipos}

    def consultas(nome, duracao=DURACAO):
        portas = tipos[nome][1]
        processos = [
            wrk(
                "consulta.lua",
                p,
                conexoes=CONEXOES_CONSULTA // 2,
                duracao=duracao,
                env_extra=amostras,
                iniciar_apenas=True,
            )
            for p in portas
        ]
        # Counted mid-round, while both servers serve.
        time.sleep(duracao / 2)
        abertas[nome].append(_conexoes_abertas(servidor, nome))
        return juntar_wrk(processos)

    try:
        for nome, (extra, portas) in tipos.items():
            # Each kind names its connections, so the count tells them apart.
            env_tipo = {**env, **extra, "PGAPPNAME": f"bench-{nome}"}
            servidores += [gunicorn("protocolo.wsgi", porta, env_tipo, f"pool-{nome}-{porta}") for porta in portas]
        for nome in tipos:
            consultas(nome, AQUECIMENTO)
            abertas[nome].clear()
        avisar("Pool: consulta pública em dois servidores, conexões persistentes e pool, rodada a rodada")
        figuras = alternadas({nome: functools.partial(consultas, nome) for nome in tipos}, prefixo="pool_")
        return {nome: figura | {"conexoes": max(abertas[nome])} for nome, figura in figuras.items()}
    finally:
        for processo in servidores:
            parar(processo)


def _conexoes_abertas(servidor, nome):
    with psycopg.connect(com_banco(servidor, BANCO), autocommit=True) as conexao:
        return conexao.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            (BANCO, f"bench-{nome}"),
        ).fetchone()[0]


def medir_anexos(env):
    """Uploads of a 2 MB phone photo through the attachments' service (bench/anexos.py), into the
    run's attachments folder (PROTOCOLO_ANEXOS_DIR, emptied with the database in preparar)."""
    saida = rodar([PY, str(BENCH / "anexos.py")], env, stdout=subprocess.PIPE, text=True).stdout
    figuras = json.loads(next(l for l in saida.splitlines() if l.startswith("ANEXOS ")).split(" ", 1)[1])  # noqa: E741
    avisar(f"Anexos: {figuras}")
    return figuras


def medir_dossie(env):
    """Render-and-sign time of a 50-entry dossiê PDF (bench/dossie.py), p50 and p95."""
    saida = rodar([PY, str(BENCH / "dossie.py")], env, stdout=subprocess.PIPE, text=True).stdout
    figuras = json.loads(next(l for l in saida.splitlines() if l.startswith("DOSSIE ")).split(" ", 1)[1])  # noqa: E741
    avisar(f"Dossiê em PDF: {figuras}")
    return figuras


def entrega_em_servico(env):
    """Whether `enviar_mensagens` runs as a service (--continuo): then the openings leave the e-mail
    to it (PROTOCOLO_ENTREGA_IMEDIATA=0) instead of talking SMTP inside the request."""
    ajuda = subprocess.run(
        [PY, "manage.py", "enviar_mensagens", "--help"], env=env, cwd=RAIZ, capture_output=True, text=True
    ).stdout
    return "--continuo" in ajuda


def _esperar_entregas(servidor, servico, limite=60):
    """How the openings' e-mails went: the outbox, waited on until empty (at most `limite` s)."""
    inicio = time.monotonic()
    with psycopg.connect(com_banco(servidor, BANCO), autocommit=True) as conexao:
        while True:
            # Held ones wait for their owner to confirm the address (the openings type an e-mail on a
            # public form, which gets its confirmation link and holds the number): not the deliverer's.
            total, pendentes, retidas = conexao.execute(
                "SELECT count(*), count(*) FILTER (WHERE enviada_em IS NULL AND NOT aguarda_confirmacao), "
                "count(*) FILTER (WHERE aguarda_confirmacao) FROM protocolo_mensagem"
            ).fetchone()
            if not pendentes or time.monotonic() - inicio > limite:
                break
            time.sleep(0.5)
    entrega = {
        "modo": "enviar_mensagens --continuo" if servico else "na requisição",
        "mensagens": total,
        "pendentes": pendentes,
        "retidas": retidas,
        "segundos_para_esvaziar": round(time.monotonic() - inicio, 1),
    }
    avisar(f"Caixa de saída após as aberturas: {entrega}")
    return entrega


def _numeracao_do_dia(servidor, dia):
    """The day's numbers as the database holds them: how many, the highest sequence, repeats and
    gaps in 1..highest, and the sequence counter the next opening continues from."""
    with psycopg.connect(com_banco(servidor, BANCO)) as conexao:
        quantos, maior, distintos = conexao.execute(
            "SELECT count(*), coalesce(max(substr(numero, 9, 6)::int), 0), count(DISTINCT numero) "
            "FROM protocolo_protocolo WHERE numero LIKE %s",
            [f"{dia:%Y%m%d}%"],
        ).fetchone()
        contador = conexao.execute(
            "SELECT coalesce(max(last), 0) FROM sequences_sequence WHERE name = %s", [f"protocolo-{dia:%Y%m%d}"]
        ).fetchone()[0]
    return {
        "quantos": quantos,
        "maior": maior,
        "contador": contador,
        "repetidos": quantos - distintos,
        "lacunas": maior - distintos,
    }


def verificar_integridade(env, argumentos=()):
    inicio = time.monotonic()
    processo = subprocess.run(
        [PY, "manage.py", "verificar_integridade", *argumentos], env=env, cwd=RAIZ, capture_output=True, text=True
    )
    ok = processo.returncode == 0
    comando = " ".join(["verificar_integridade", *argumentos])
    avisar(f"{comando}: {'ok' if ok else 'FALHOU'} em {time.monotonic() - inicio:.0f} s")
    if not ok:
        print(processo.stderr[-3000:], file=sys.stderr)
    return ok


def verificar_amostra(servidor, env, escala):
    """The whole check takes long at a million; a few protocols drawn at random, and the last one."""
    ids = [*random.sample(range(1, escala + 1), AMOSTRA_DE_INTEGRIDADE - 1), escala]
    with psycopg.connect(com_banco(servidor, BANCO)) as conexao:
        numeros = [n for (n,) in conexao.execute("SELECT numero FROM protocolo_protocolo WHERE id = ANY(%s)", [ids])]
    if len(numeros) != len(ids):
        avisar(f"verificar_integridade: {len(ids) - len(numeros)} dos protocolos sorteados não existem")
        return False
    conferidos = [verificar_integridade(env, ["--protocolo", numero]) for numero in numeros]
    return all(conferidos)


# Report -------------------------------------------------------------------------------------------


def _n(valor, casas=0):
    return f"{valor:,.{casas}f}".replace(",", "\u202f")


def razao_de_abertura(r):
    teto = r["aberturas"]["teto"]["por_segundo"]
    return r["aberturas"]["por_segundo"] / teto if teto else 0


def _par(leituras, portal, teto, campo):
    """ "portal / teto" of one field of two figures, one decimal."""
    return f"{_n(leituras[portal][campo], 1)} / {_n(leituras[teto][campo], 1)}"


def razao_da_recarga(leituras):
    teto = leituras["teto_recarga"]["por_segundo"]
    return leituras["recarga"]["por_segundo"] / teto if teto else 0


def razao_da_leitura_da_api(api):
    """The API's reads over the ceiling's complete lookups measured in the rounds between them."""
    teto = api["leituras_teto"]["por_segundo"]
    return api["leituras"]["por_segundo"] / teto if teto else 0


def razao_do_teto(leituras):
    teto = leituras["teto"]["por_segundo"]
    return leituras["consulta"]["por_segundo"] / teto if teto else 0


def _latencia(figura):
    """The p95; a figure with failed requests says so (its p95 counts only the ones that worked),
    and one with rounds in which nothing finished says how many."""
    if figura.get("sem_resposta"):
        return f"nenhuma resposta em {figura['sem_resposta']} de {len(figura['rodadas'])} rodadas de {DURACAO} s"
    texto = f"{_n(figura['p95_ms'])} ms"
    return f"{texto} ({_n(figura['falhas'])} falhas)" if figura["falhas"] else texto


def _p95_abaixo(figura, limite_ms):
    """Whether every round answered, without failures, with the median p95 under the limit."""
    return figura["p95_ms"] < limite_ms and not figura["falhas"] and not figura.get("sem_resposta")


def _antes_e_depois(resultados):
    """The figures of bench/antes.json (the run before the fixes) beside this run's, per scale."""
    if not ANTES.exists():
        return ""
    antes = json.loads(ANTES.read_text())
    agora = {
        "consulta_por_segundo": ("Consulta pública: consultas/s", lambda r: r["leituras"]["consulta"]["por_segundo"]),
        "teto_por_segundo": ("Teto: consultas/s", lambda r: r["leituras"]["teto"]["por_segundo"]),
        "razao": ("Consulta pública ÷ teto", None),
        "consulta_p95_ms": ("Consulta pública: p95 (ms)", lambda r: r["leituras"]["consulta"]["p95_ms"]),
        "painel_p95_ms": ("Painel da retaguarda: p95 (ms)", lambda r: r["leituras"]["painel"]["p95_ms"]),
        "changelist_p95_ms": ("Admin, lista de protocolos: p95 (ms)", lambda r: r["leituras"]["changelist"]["p95_ms"]),
        "supervisao_p95_ms": ("Painel de supervisão: p95 (ms)", lambda r: r["leituras"]["supervisao"]["p95_ms"]),
        "aberturas_por_segundo": ("Aberturas/s", lambda r: r["aberturas"]["por_segundo"]),
        "semeadura_s": ("Semeadura (s)", lambda r: r["semeadura"]["segundos"]),
    }
    linhas = []
    for escala in sorted(resultados):
        anterior = antes["figuras"].get(str(escala))
        if not anterior:
            continue
        r = resultados[escala]
        anterior["razao"] = anterior["consulta_por_segundo"] / anterior["teto_por_segundo"]
        for chave, (nome, funcao) in agora.items():
            if chave == "razao":
                depois = razao_do_teto(r["leituras"])
                linhas.append(f"| {_n(escala)} | {nome} | {anterior[chave]:.0%} | {depois:.0%} |")
            else:
                casas = 1 if chave.endswith("segundo") or chave == "semeadura_s" else 0
                linhas.append(f"| {_n(escala)} | {nome} | {_n(anterior[chave], casas)} | {_n(funcao(r), casas)} |")
    if not linhas:
        return ""
    return f"""## Antes e depois das correções

"Antes": {antes["descricao"]}, em {antes["quando"]} (`bench/antes.json`); "depois": esta execução.
As correções estão descritas na seção seguinte.

| Escala | Figura | Antes | Depois |
| --- | --- | ---: | ---: |
{chr(10).join(linhas)}"""


def escrever_relatorio(resultados, contexto):
    escalas = sorted(resultados)
    maior = escalas[-1]

    def celula(escala, funcao):
        return funcao(resultados[escala]) if escala in resultados else "—"

    def razao(r):
        return razao_do_teto(r["leituras"])

    linhas = []

    def linha(nome, alvo, funcao, atende):
        celulas = " | ".join(celula(e, funcao) for e in escalas)
        veredito = ("sim" if atende(resultados[maior]) else "**não**") if atende else "—"
        linhas.append(f"| {nome} | {alvo} | {celulas} | {veredito} |")

    linha(
        "Consulta pública: consultas completas/s (GET, POST, página)",
        "—",
        lambda r: _n(r["leituras"]["consulta"]["por_segundo"], 1),
        None,
    )
    linha("Teto (app mínima): consultas completas/s", "—", lambda r: _n(r["leituras"]["teto"]["por_segundo"], 1), None)
    linha(
        "Consulta pública ÷ teto",
        "≥ 70%",
        lambda r: f"{razao(r):.0%}",
        lambda r: razao(r) >= 0.70 and not r["leituras"]["consulta"]["falhas"],
    )
    linha(
        "CPU dos workers por consulta completa: portal / teto",
        "—",
        lambda r: _par(r["leituras"], "consulta", "teto", "cpu_app_ms") + " ms",
        None,
    )
    linha(
        "Página de situação recarregada por quem já tem acesso: páginas/s, portal / teto",
        "—",
        lambda r: _par(r["leituras"], "recarga", "teto_recarga", "por_segundo"),
        None,
    )
    linha(
        "Página de situação recarregada ÷ teto",
        "≥ 80%",
        lambda r: f"{razao_da_recarga(r['leituras']):.0%}",
        lambda r: razao_da_recarga(r["leituras"]) >= 0.80 and not r["leituras"]["recarga"]["falhas"],
    )
    linha(
        "Página de situação recarregada: CPU dos workers por página, portal / teto; p95 do portal",
        "—",
        lambda r: (
            _par(r["leituras"], "recarga", "teto_recarga", "cpu_app_ms") + " ms; " + _latencia(r["leituras"]["recarga"])
        ),
        None,
    )
    linha(
        "Consulta pública: p95 (POST até a página)",
        "—",
        lambda r: _latencia(r["leituras"]["consulta"]),
        None,
    )
    linha(
        f"Painel da retaguarda, filtro comum (`{PAINEL}`): p95",
        "< 150 ms",
        lambda r: _latencia(r["leituras"]["painel"]),
        lambda r: _p95_abaixo(r["leituras"]["painel"], 150),
    )
    linha(
        "Admin, lista de protocolos: p95",
        "< 300 ms",
        lambda r: _latencia(r["leituras"]["changelist"]),
        lambda r: _p95_abaixo(r["leituras"]["changelist"], 300),
    )
    linha(
        "Painel de supervisão: p95",
        "< 1 s",
        lambda r: _latencia(r["leituras"]["supervisao"]),
        lambda r: _p95_abaixo(r["leituras"]["supervisao"], 1000),
    )
    linha(
        f"Aberturas/s, {CONEXOES_ABERTURA} clientes em 2 servidores (figura; o alvo é a razão ao teto)",
        "—",
        lambda r: (
            _n(r["aberturas"]["por_segundo"], 1)
            + (f" ({_n(r['aberturas']['falhas'])} falhas)" if r["aberturas"]["falhas"] else "")
        ),
        None,
    )
    linha(
        "Teto de abertura (`bench/teto/`): aberturas/s, mesmos clientes e servidores",
        "—",
        lambda r: _n(r["aberturas"]["teto"]["por_segundo"], 1) if "teto" in r["aberturas"] else "—",
        None,
    )
    linha(
        "Aberturas do portal ÷ teto de abertura",
        "≥ 70%",
        lambda r: f"{razao_de_abertura(r):.0%}" if "teto" in r["aberturas"] else "—",
        lambda r: "teto" in r["aberturas"] and razao_de_abertura(r) >= 0.70 and not r["aberturas"]["falhas"],
    )
    linha(
        "CPU por abertura dos servidores de aplicação: portal (com o `enviar_mensagens`) / teto",
        "—",
        lambda r: (
            f"{_n(r['aberturas']['cpu_app_ms'], 1)} ms / {_n(r['aberturas']['teto']['cpu_app_ms'], 1)} ms"
            if "teto" in r["aberturas"]
            else "—"
        ),
        None,
    )
    linha(
        "API, aberturas ÷ teto de abertura",
        "≥ 70%",
        lambda r: (
            f"{r['api']['aberturas']['por_segundo'] / r['aberturas']['teto']['por_segundo']:.0%}"
            if "teto" in r["aberturas"]
            else "—"
        ),
        lambda r: (
            "teto" in r["aberturas"]
            and r["api"]["aberturas"]["por_segundo"] >= 0.70 * r["aberturas"]["teto"]["por_segundo"]
        ),
    )
    linha(
        f"API, aberturas/s ({CONEXOES_ABERTURA} clientes em 2 servidores) e p95 (com fila)",
        "≥ aberturas do portal",
        lambda r: f"{_n(r['api']['aberturas']['por_segundo'], 1)}; {_latencia(r['api']['aberturas'])}",
        lambda r: (
            r["api"]["aberturas"]["por_segundo"] >= r["aberturas"]["por_segundo"]
            and not r["api"]["aberturas"]["falhas"]
        ),
    )
    linha(
        "API, aberturas com 1 cliente por servidor (sem fila): p95",
        "< 50 ms",
        lambda r: (
            f"{_latencia(r['api']['aberturas_sem_fila'])}; {_n(r['api']['aberturas_sem_fila']['por_segundo'], 1)}/s"
            if "aberturas_sem_fila" in r["api"]
            else "—"
        ),
        lambda r: "aberturas_sem_fila" in r["api"] and _p95_abaixo(r["api"]["aberturas_sem_fila"], 50),
    )
    linha(
        "API, numeração do dia após as aberturas: sem repetidos nem lacunas",
        "ok",
        lambda r: "ok" if r["api"]["numeracao_ok"] else "**falhou**",
        lambda r: r["api"]["numeracao_ok"],
    )
    linha(
        f"API, `GET /protocolos/{{numero}}/` ({CONEXOES_CONSULTA} conexões): leituras/s ÷ teto e p95",
        "≥ 70%",
        lambda r: (
            f"{_n(r['api']['leituras']['por_segundo'], 1)}/s, "
            f"{razao_da_leitura_da_api(r['api']):.0%}; "
            f"{_latencia(r['api']['leituras'])}"
        ),
        lambda r: razao_da_leitura_da_api(r["api"]) >= 0.70 and not r["api"]["leituras"]["falhas"],
    )
    linha(
        "API, `GET /protocolos/{numero}/` e teto (consulta completa): CPU por operação nos workers, API / teto",
        "—",
        lambda r: _par(r["api"], "leituras", "leituras_teto", "cpu_app_ms") + " ms",
        None,
    )

    def replica(funcao):
        return lambda r: funcao(r["replica"]) if r.get("replica") else "não medida"

    linha(
        "Réplica (primário e standby descartáveis na mesma máquina): consultas completas/s, "
        "só primário / com réplica; CPU dos workers por consulta",
        "—",
        replica(
            lambda x: (
                f"{_par(x, 'consulta', 'consulta_replica', 'por_segundo')}; "
                f"{_par(x, 'consulta', 'consulta_replica', 'cpu_app_ms')} ms"
            )
        ),
        None,
    )
    linha(
        "Réplica: página recarregada/s, só primário / com réplica; CPU dos workers por página",
        "—",
        replica(
            lambda x: (
                f"{_par(x, 'recarga', 'recarga_replica', 'por_segundo')}; "
                f"{_par(x, 'recarga', 'recarga_replica', 'cpu_app_ms')} ms"
            )
        ),
        None,
    )
    linha(
        "Réplica: leituras da linha do tempo servidas pelo standby durante as rodadas com réplica; "
        "preparo do par (cópia da base e `pg_basebackup`)",
        "> 0",
        replica(lambda x: f"{_n(x['leituras_na_replica'])}; {_n(x['preparo_segundos'])} s"),
        lambda r: (
            r.get("replica") is None
            or (
                r["replica"]["leituras_na_replica"] > 0
                and not any(r["replica"][n]["falhas"] for n in ("consulta_replica", "recarga_replica"))
            )
        ),
    )
    linha(
        f"Pool do psycopg com dois servidores ({CONEXOES_CONSULTA} conexões de carga): consultas completas/s "
        "e conexões abertas no banco, conexões persistentes / pool",
        "sem falhas",
        lambda r: (
            f"{_par(r['pool'], 'persistentes', 'pool', 'por_segundo')}; "
            f"{r['pool']['persistentes']['conexoes']} / {r['pool']['pool']['conexoes']} conexões"
        ),
        lambda r: not r["pool"]["persistentes"]["falhas"] and not r["pool"]["pool"]["falhas"],
    )
    linha(
        f"Webhooks: entregas/s a um receptor HTTPS local ({EVENTOS_DE_WEBHOOK} eventos, uma conexão TLS cada)",
        "todas entregues",
        lambda r: (
            f"{_n(r['webhooks']['por_segundo'], 1)}/s"
            + (f" ({_n(r['webhooks']['falhas'])} falhas)" if r["webhooks"]["falhas"] else "")
        ),
        lambda r: r["webhooks"]["falhas"] == 0 and r["webhooks"]["recebidos"] == r["webhooks"]["entregues"],
    )
    linha(
        f"Mensageria: SMS/s e WhatsApp/s entregues pela caixa de saída a um Twilio e uma Meta falsos locais "
        f"({MENSAGENS_DE_MENSAGERIA} de cada)",
        "todas entregues",
        lambda r: "; ".join(
            f"{_n(r['mensageria'][canal]['por_segundo'], 1)}/s"
            + (f" ({_n(r['mensageria'][canal]['falhas'])} falhas)" if r["mensageria"][canal]["falhas"] else "")
            for canal in ("sms", "whatsapp")
        ),
        lambda r: all(
            f["entregues"] == f["mensagens"] == f["recebidas"] and not f["falhas"] and not f["desistidas"]
            for f in (r["mensageria"]["sms"], r["mensageria"]["whatsapp"])
        ),
    )
    linha(
        "Mensageria: CPU por mensagem do entregador / do provedor falso (SMS; WhatsApp)",
        "—",
        lambda r: "; ".join(
            f"{_n(f['cpu_entregador_ms'], 2)} / {_n(f['cpu_provedor_ms'], 2)} ms"
            for f in (r["mensageria"]["sms"], r["mensageria"]["whatsapp"])
        ),
        None,
    )
    linha(
        f"Mensagens recebidas do WhatsApp/s, abrindo e depois anexando ({MENSAGENS_RECEBIDAS} cada); CPU de cada",
        "nenhum erro",
        lambda r: (
            f"{_n(r['entrada']['aberturas']['por_segundo'], 1)}/s e "
            f"{_n(r['entrada']['anexadas']['por_segundo'], 1)}/s; "
            f"{_n(r['entrada']['aberturas']['cpu_ms_por_mensagem'], 1)} e "
            f"{_n(r['entrada']['anexadas']['cpu_ms_por_mensagem'], 1)} ms"
        ),
        lambda r: not r["entrada"]["aberturas"]["erros"] and not r["entrada"]["anexadas"]["erros"],
    )
    linha(
        "Dossiê em PDF de um protocolo com 50 entradas: gerar e assinar, p50 / p95",
        "—",
        lambda r: (
            f"{_n(r['dossie']['p50_ms'])} / {_n(r['dossie']['p95_ms'])} ms"
            + ("" if r["dossie"]["assinado"] else " (sem assinatura)")
            if "dossie" in r
            else "—"
        ),
        None,
    )
    linha(
        "Anexos: envios/s de uma foto de celular de 2 MB (um processo: tipo pelo conteúdo, recodificação sem EXIF, "
        "SHA-256, armazenamento e entrada encadeada); p95; CPU por envio",
        "—",
        lambda r: (
            f"{_n(r['anexos']['por_segundo'], 1)}/s; {_n(r['anexos']['p95_ms'])} ms; {_n(r['anexos']['cpu_ms'], 1)} ms"
            if "anexos" in r
            else "—"
        ),
        None,
    )
    linha(
        "Aberturas: entrega dos e-mails; mensagens pendentes após a carga e segundos até a caixa de saída esvaziar",
        "0 pendentes",
        lambda r: (
            f"{r['aberturas']['entrega']['modo']}; {r['aberturas']['entrega']['pendentes']} de "
            f"{_n(r['aberturas']['entrega']['mensagens'])} em {r['aberturas']['entrega']['segundos_para_esvaziar']} s"
            f" ({_n(r['aberturas']['entrega'].get('retidas', 0))} retidas até o dono confirmar o e-mail)"
        ),
        lambda r: r["aberturas"]["entrega"]["pendentes"] == 0,
    )
    linha(
        "Aberturas: CPU por abertura dos processos do benchmark (servidores, `enviar_mensagens` quando é "
        "ele quem entrega, PostgreSQL, Redis, SMTP e wrk) / só da aplicação / da máquina inteira, "
        "inclusive o que mais rodava nela",
        "—",
        lambda r: " / ".join(
            f"{_n(r['aberturas'].get(chave, 0), 1)} ms" for chave in ("cpu_benchmark_ms", "cpu_app_ms", "cpu_ms")
        ),
        None,
    )
    linha(
        f"Aberturas/s possíveis com os {os.cpu_count()} núcleos só para o benchmark "
        "(núcleos ÷ CPU dos processos do benchmark por abertura)",
        "—",
        lambda r: _n(os.cpu_count() * 1000 / max(r["aberturas"].get("cpu_benchmark_ms", 0), 0.001), 1),
        None,
    )
    linha(
        "Numeração do dia após as aberturas: sem repetidos nem lacunas",
        "sem falha",
        lambda r: "ok" if r["aberturas"]["numeracao_ok"] else "**falhou**",
        lambda r: r["aberturas"]["numeracao_ok"],
    )
    linha(
        "Memória por worker, PSS (portal, após a carga; os workers dividem as páginas do mestre, `preload_app`)",
        "—",
        lambda r: " / ".join(f"{m:.0f}" for m in r["leituras"]["memoria"]["portal"]) + " MiB",
        None,
    )
    linha(
        "Semeadura (protocolos + interações + índices + estatísticas) e carga média de 1 min da máquina "
        "antes e ao fim (esta inclui os processos da semeadura)",
        "< 3 min para 1 milhão",
        lambda r: (
            f"{_n(r['semeadura']['segundos'], 1)} s (carga {r['semeadura'].get('carga_media_antes', 0):.1f} → "
            f"{r['semeadura'].get('carga_media', 0):.1f})"
        ),
        # The target is per million: a larger scale is held to the same pace.
        (lambda r: r["semeadura"]["segundos"] * 1_000_000 / r["semeadura"]["protocolos"] < 180)
        if maior >= 1_000_000
        else None,
    )
    linha("Interações semeadas", "≈ 3 por protocolo", lambda r: _n(r["semeadura"]["interacoes"]), None)
    linha(
        "Disco da base após a semeadura (tabelas, índices e TOAST): total e por milhão de protocolos",
        "—",
        lambda r: (
            f"{r['semeadura']['disco_bytes'] / 2**30:.2f} GiB; "
            f"{r['semeadura']['disco_bytes'] * 1_000_000 / r['semeadura']['protocolos'] / 2**30:.2f} GiB"
            if "disco_bytes" in r["semeadura"]
            else "—"
        ),
        None,
    )
    linha(
        "`verificar_integridade` na base semeada e após as aberturas (acima de "
        f"{_n(VERIFICACAO_COMPLETA_ATE)} protocolos: `--protocolo` em {AMOSTRA_DE_INTEGRIDADE} sorteados, "
        "após a semeadura)",
        "passa",
        lambda r: (
            ("ok" if r["integridade"] else "**falhou**") + ("" if r.get("integridade_completa", True) else " (amostra)")
        ),
        lambda r: r["integridade"],
    )

    cabecalho_escalas = " | ".join(f"{_n(e)} protocolos" for e in escalas)
    separador = " | ".join("---:" for _ in escalas)
    rodadas_txt = []
    for escala in escalas:
        r = resultados[escala]
        for nome in ("consulta", "teto", "recarga", "teto_recarga", "painel", "changelist", "supervisao"):
            f = r["leituras"].get(nome)
            if f is None:
                continue
            rodadas_txt.append(
                f"| {_n(escala)} | {nome} | {' / '.join(map(str, f['rodadas']))} | "
                f"{' / '.join(map(str, f['p95_rodadas']))} | {f['falhas']} |"
            )
        for nome, f in (
            ("aberturas", r["aberturas"]),
            ("API, aberturas", r["api"]["aberturas"]),
            ("API, leituras", r["api"]["leituras"]),
            ("API, teto entre as leituras (consultas completas)", r["api"]["leituras_teto"]),
            ("pool: conexões persistentes", r["pool"]["persistentes"]),
            ("pool: psycopg_pool", r["pool"]["pool"]),
            *(
                (f"réplica: {nome}", r["replica"][chave])
                for nome, chave in (
                    ("consulta, só primário", "consulta"),
                    ("consulta, com réplica", "consulta_replica"),
                    ("recarga, só primário", "recarga"),
                    ("recarga, com réplica", "recarga_replica"),
                )
                if r.get("replica")
            ),
        ):
            rodadas_txt.append(
                f"| {_n(escala)} | {nome} | {' / '.join(map(str, f['rodadas']))} | "
                f"{' / '.join(map(str, f['p95_rodadas']))} | {f['falhas']} |"
            )

    antes_depois = _antes_e_depois(resultados)
    modos = {r["aberturas"]["entrega"]["modo"] for r in resultados.values()}
    if modos == {"enviar_mensagens --continuo"}:
        entrega = (
            "com `PROTOCOLO_ENTREGA_IMEDIATA=0`, quem a entrega é o `manage.py enviar_mensagens --continuo`,\n"
            "  um processo de serviço que roda durante a figura e cuja CPU entra na conta da aplicação."
        )
    else:
        entrega = (
            "a entrega vem logo após o commit, ainda dentro da requisição (backend padrão de\n"
            "  `django.tasks`, `PROTOCOLO_ENTREGA_IMEDIATA` ligado)."
        )
    correcoes = (BENCH / "correcoes.md").read_text() if (BENCH / "correcoes.md").exists() else ""
    texto = f"""# Desempenho: resultados

Gerado por `make bench` (bench/executar.py) em {contexto["quando"]}, em {contexto["duracao"]} de relógio.
Não edite à mão: a seção de correções vem de `bench/correcoes.md`.

## Máquina e versões

| | |
| --- | --- |
{chr(10).join(f"| {k} | {v} |" for k, v in {**contexto["maquina"], **contexto["versoes"]}.items())}

## Figuras (mediana de {RODADAS} rodadas de {DURACAO} s) e alvos (docs/dominio.md §8)

O veredito vale para a maior escala medida.

| Figura | Alvo | {cabecalho_escalas} | Atende? |
| --- | --- | {separador} | --- |
{chr(10).join(linhas)}

## Como foi medido

- O portal roda no gunicorn com a configuração de produção (`gunicorn.conf.py`, 2 workers sync,
  `DEBUG=0`, cache e sessões no Redis, chaves próprias, arquivos estáticos do `collectstatic`),
  atrás de um "balanceador" simulado: toda requisição leva `X-Forwarded-Proto: https`
  (`PROXY_HTTPS_HEADER`). Os limites de uso continuam no caminho medido, multiplicados por
  `PROTOCOLO_LIMITES_MULTIPLICADOR=1000000` para que a carga não seja recusada.
- A carga vem do `wrk` (scripts Lua em `bench/carga/`), outro processo na mesma máquina de
  {contexto["maquina"]["Núcleos"]} núcleos: ele disputa a CPU com o servidor, o PostgreSQL e o Redis, como disputaria
  qualquer gerador de carga local. Cada conexão do wrk é um visitante com seus cookies.
- Consulta pública: {CONEXOES_CONSULTA} conexões; cada consulta é `GET /` (cookie e token CSRF), `POST /consultar/` com
  número e CPF sorteados da base e a página de situação para onde o redirecionamento leva. Conta
  a consulta completa; o p95 vai do envio do POST até a chegada da página.
- Página de situação recarregada: as mesmas {CONEXOES_CONSULTA} conexões, cada uma consulta um protocolo uma vez
  e depois pede a página dele de novo e de novo com a sessão que a consulta deu (o consumidor que
  recarrega a página); conta cada página, e o p95 é o de cada GET. No teto, a página da mesma app.
- CPU por operação: o tempo de CPU dos workers do gunicorn (de `/proc`) na rodada, dividido pelas
  operações completas, no portal e no teto.
- Anexos: `bench/anexos.py` anexa 30 vezes uma foto JPEG de cerca de 2 MB com a posição de GPS no EXIF,
  como mensagem do consumidor, pelo mesmo serviço que a página chama (tipo lido do conteúdo,
  recodificação que tira o EXIF, os dois SHA-256, a gravação no armazenamento em disco e a entrada
  encadeada), num processo só; a CPU é a desse processo por envio.
- Teto: `bench/teto/`, uma app Django mínima com as mesmas configurações do portal (mesmos
  middlewares, sessões, cache, cabeçalhos de segurança e gunicorn), uma tabela com os mesmos números
  e CPFs, uma busca indexada e templates sem nada. O mesmo script de carga, rodada a rodada
  alternado com o portal na mesma execução.
- Painel, lista do admin e painel de supervisão: {CONEXOES_PAGINAS} conexões (uma por worker, sem fila na frente),
  cada uma com a sessão de um usuário criada direto no armazenamento de sessões (atendentes; para
  o admin, supervisores com o segundo fator já confirmado).
- Aberturas: {CONEXOES_ABERTURA} clientes, metade em cada um de dois servidores gunicorn (portas {PORTA_PORTAL} e
  {PORTA_PORTAL_2}, 2 workers cada) sobre o mesmo PostgreSQL e o mesmo Redis, pelo caminho do portal
  (`POST /abrir/`), com o CPF de consumidores semeados. Conta o POST respondido com o
  redirecionamento ao comprovante. Cada abertura informa um e-mail e grava a mensagem com o número
  na caixa de saída; {entrega} A mensagem vai a um servidor SMTP local que aceita tudo (`aiosmtpd`,
  porta {PORTA_SMTP}): é o caminho de produção, sem a latência de um provedor de e-mail, que não é nossa.
  Depois das rodadas o benchmark espera a caixa de saída esvaziar (no máximo 60 s) e conta o que
  ficou pendente, e confere a numeração do dia no banco: quantidade = maior sequência = contador
  do `django-sequences`, sem números repetidos nem lacunas. A CPU de cada abertura é medida em
  `/proc` por processo (workers, `enviar_mensagens`, as conexões do PostgreSQL ao banco do
  benchmark, o Redis e o SMTP; o wrk pelo `getrusage`), de modo que o que mais roda na máquina
  não entra na conta; a CPU da máquina inteira vai ao lado.
- Teto de abertura: a mesma app de `bench/teto/`, em dois servidores gunicorn (portas {PORTA_TETO} e
  {PORTA_TETO_2}) com as mesmas configurações, o mesmo script de carga e os mesmos clientes, rodada a
  rodada alternado com o portal. `POST /abrir/` faz o mínimo de uma abertura: o número sem lacunas do
  `django-sequences`, a linha do protocolo, a primeira entrada com o seu HMAC e uma linha na caixa
  de saída, numa transação, e o redirecionamento ao comprovante. O alvo é a razão entre as
  aberturas do portal e as do teto; os 150/s de antes ficam como figura.
- API de integração (docs/integracao.md): um sistema integrado com os escopos de abrir e ler,
  criado com o seu token depois da semeadura. Aberturas: {CONEXOES_ABERTURA} clientes nos mesmos dois
  servidores, `POST /api/v1/protocolos/` com canal, o CPF de um consumidor semeado e uma
  `Idempotency-Key` por pedido; conta o 201, e a numeração do dia é conferida como nas aberturas do
  portal. O p95 do alvo vem de outra rodada, com um cliente por servidor: com {CONEXOES_ABERTURA} clientes, cada
  pedido espera na fila dos workers (lei de Little: latência média = clientes ÷ vazão).
  Leituras: `GET /api/v1/protocolos/{{numero}}/` com números sorteados da base, {CONEXOES_CONSULTA}
  conexões num servidor, como a consulta pública, alternadas rodada a rodada com a consulta completa
  do teto (que roda num terceiro servidor, ao lado), e a razão entre as duas (cada leitura grava a
  linha do registro de acessos, pois traz dados do consumidor).
- Réplica (docs/replica.md): o PostgreSQL compartilhado não aceita conexões de replicação, então o
  par é montado com os binários do PostgreSQL como nos testes de `tests/replica/`: um primário
  descartável recebe uma cópia da base da rodada (`pg_dump -Fd` e `pg_restore`, dois processos) e um
  *hot standby* é clonado dele com `pg_basebackup -R`. Um servidor lê tudo do primário, outro manda
  para o standby as leituras que podem ir (`DATABASE_REPLICA_URL`); a consulta completa e a página
  recarregada alternam entre os dois rodada a rodada, {CONEXOES_CONSULTA} conexões. As leituras que o
  standby serviu vêm das estatísticas dele (`idx_scan` da tabela de interações). Os dois clusters
  dividem os mesmos dois núcleos com a aplicação: a figura mostra o custo do roteamento, não a
  capacidade que uma segunda máquina somaria. Medida até {_n(REPLICA_ATE)} protocolos
  (`BENCH_REPLICA_ATE`).
- Pool: a consulta completa em dois servidores ao mesmo tempo, metade das {CONEXOES_CONSULTA} conexões
  em cada: um par com conexões persistentes (`CONN_MAX_AGE`), outro com `DATABASE_POOL=1` (padrões
  de docs/replica.md), alternados rodada a rodada; as conexões abertas no banco por cada par
  (`application_name`) são contadas no meio de cada rodada.
- Semeadura (`bench/semear.py`): cerca de dois anos de dias até hoje, consumidores com CPF válido
  (a maioria com vários protocolos), todas as situações, níveis, canais e categorias; as cadeias de
  integridade calculadas com as funções de `protocolo/integridade.py` e o contador de cada dia no
  `django-sequences`, para que a próxima abertura de qualquer dia continue a sequência. Dois
  processos geram o texto do `COPY` por blocos de dias enquanto o principal o envia ao PostgreSQL,
  na mesma transação que esvazia as tabelas (`COPY … FREEZE`, sem `VACUUM` depois;
  `synchronous_commit=off` na sessão); os índices secundários são recriados no fim, em duas
  conexões ao mesmo tempo, com `maintenance_work_mem` maior. A carga média da máquina ao fim da
  semeadura vai ao lado do tempo: a máquina é compartilhada.
- Memória: `VmRSS` de cada worker lido em `/proc` depois da carga.

## Rodadas

| Escala | Figura | por segundo em cada rodada | p95 (ms) em cada rodada | falhas |
| --- | --- | --- | --- | ---: |
{chr(10).join(rodadas_txt)}

{antes_depois}

{correcoes}"""
    SAIDA.write_text(texto)


# Main ---------------------------------------------------------------------------------------------


def main():
    inicio = time.monotonic()
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,50}", BANCO):
        falhar(f"BENCH_BANCO inválido: {BANCO!r} (letras minúsculas, algarismos e _)")
    atexit.register(parar_todos)
    signal.signal(signal.SIGTERM, _sinal)
    signal.signal(signal.SIGINT, _sinal)
    if not shutil.which("wrk"):
        falhar("o benchmark precisa do wrk: apt-get install -y wrk")
    DADOS.mkdir(parents=True, exist_ok=True)
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as erro:
        falhar(f"Redis indisponível em {REDIS_URL} ({erro}); inicie-o ou defina BENCH_REDIS_URL.")
    servidor = servidor_postgres()
    env = ambiente(servidor)
    contexto = {"maquina": maquina(), "versoes": versoes(servidor)}
    avisar(f"Máquina: {contexto['maquina']}; versões: {contexto['versoes']}")
    global _smtp
    _smtp = iniciar(
        [PY, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{PORTA_SMTP}", "-c", "aiosmtpd.handlers.Sink"],
        env=env,
        log=DADOS / "smtp.log",
    )

    resultados = {}
    for escala in ESCALAS:
        avisar(f"=== {escala:,} protocolos ===")
        resultado = {"semeadura": preparar(escala, servidor, env)}
        completa = escala <= VERIFICACAO_COMPLETA_ATE
        resultado["integridade_completa"] = completa
        if completa:
            resultado["integridade"] = verificar_integridade(env)
        else:
            resultado["integridade"] = verificar_amostra(servidor, env, escala)
        resultado["leituras"] = medir_leituras(env)
        resultado["aberturas"] = medir_aberturas(servidor, env)
        resultado["api"] = medir_api(servidor, env)
        resultado["webhooks"] = medir_webhooks(env)
        resultado["mensageria"] = medir_mensageria(env)
        resultado["entrada"] = medir_entrada(env)
        resultado["dossie"] = medir_dossie(env)
        resultado["anexos"] = medir_anexos(env)
        resultado["pool"] = medir_pool(servidor, env)
        resultado["replica"] = medir_replica(servidor, env) if escala <= REPLICA_ATE else None
        if completa:
            resultado["integridade"] = resultado["integridade"] and verificar_integridade(env)
        resultados[escala] = resultado
        r = resultado["leituras"]
        avisar(
            f"Consulta pública ÷ teto ({escala:,} protocolos): "
            f"{r['consulta']['por_segundo']:.1f} ÷ {r['teto']['por_segundo']:.1f} = "
            f"{razao_do_teto(r):.0%} (alvo: 70%)"
        )

    contexto["maquina"]["Carga média ao terminar (1, 5, 15 min)"] = " / ".join(f"{c:.2f}" for c in os.getloadavg())
    minutos, segundos = divmod(int(time.monotonic() - inicio), 60)
    contexto["duracao"] = f"{minutos} min {segundos:02d} s"
    contexto["quando"] = datetime.datetime.now().astimezone().strftime("%d/%m/%Y %H:%M %Z")
    (DADOS / "resultados.json").write_text(json.dumps({str(k): v for k, v in resultados.items()}, indent=2))
    escrever_relatorio(resultados, contexto)
    avisar(f"Relatório em {SAIDA} ({contexto['duracao']})")
    parar_todos()


if __name__ == "__main__":
    main()
