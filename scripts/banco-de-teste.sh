#!/usr/bin/env bash
# Imprime em stdout a URL do PostgreSQL que a suíte de testes deve usar; mensagens vão para stderr.
#
# Ordem de escolha:
#   1. DATABASE_URL do ambiente, se for postgres://... ou postgresql://...;
#   2. o servidor local em 127.0.0.1:5432 (usuário postgres), se responder ao pg_isready;
#   3. um cluster descartável criado com os binários do PostgreSQL (initdb, pg_ctl) em
#      ${TMPDIR:-/tmp}/protocolo-pg-<uid>, na porta 54329, ouvindo só em 127.0.0.1;
#   4. senão, erro com instruções.
#
# PROTOCOLO_PG_DESCARTAVEL=1 pula os passos 1 e 2 e vai direto ao cluster descartável.
# "scripts/banco-de-teste.sh --parar" para o cluster descartável, se estiver rodando.
set -euo pipefail

PORTA_LOCAL=5432
PORTA_DESCARTAVEL=54329
BANCO=protocolo
BASE="${TMPDIR:-/tmp}"
BASE="${BASE%/}/protocolo-pg-$(id -u)"
DADOS="$BASE/dados"
SOQUETE="$BASE/soquete"
LOG="$BASE/postgres.log"

avisa() { printf 'banco-de-teste: %s\n' "$*" >&2; }

# Diretório com initdb e pg_ctl: primeiro o PATH, depois /usr/lib/postgresql/*/bin, versão mais nova primeiro.
acha_binarios() {
    local initdb pg_ctl dir
    if initdb=$(command -v initdb) && pg_ctl=$(command -v pg_ctl); then
        initdb=$(readlink -f "$initdb")
        pg_ctl=$(readlink -f "$pg_ctl")
        if [[ "$(dirname "$initdb")" == "$(dirname "$pg_ctl")" ]]; then
            dirname "$initdb"
            return 0
        fi
    fi
    while IFS= read -r dir; do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            printf '%s\n' "$dir"
            return 0
        fi
    done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V -r)
    return 1
}

# pg_isready do PATH ou, na falta dele, o da instalação mais nova.
acha_pg_isready() {
    local dir
    if command -v pg_isready >/dev/null 2>&1; then
        command -v pg_isready
        return 0
    fi
    while IFS= read -r dir; do
        if [[ -x "$dir/pg_isready" ]]; then
            printf '%s\n' "$dir/pg_isready"
            return 0
        fi
    done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V -r)
    return 1
}

# Como root, o initdb se recusa a rodar: o cluster pertence ao usuário postgres.
como_dono() {
    # Sem o descritor 9 (trava): o postmaster não pode herdá-lo.
    if [[ "$(id -u)" -eq 0 ]]; then
        (exec 9>&-; cd "$BASE" && runuser -u postgres -- "$@")
    else
        (exec 9>&-; cd "$BASE" && "$@")
    fi
}

# Cria o banco "protocolo" se faltar (o pytest-django cria o test_protocolo a partir dele).
garante_banco() {
    local psql=$1 porta=$2 existe
    [[ -n "$psql" && -x "$psql" ]] || return 0
    existe=$("$psql" -h 127.0.0.1 -p "$porta" -U postgres -d postgres -wXtAq \
        -c "SELECT 1 FROM pg_database WHERE datname = '$BANCO'" 2>/dev/null) || return 0
    if [[ "$existe" != 1 ]]; then
        "$psql" -h 127.0.0.1 -p "$porta" -U postgres -d postgres -wXq \
            -c "CREATE DATABASE $BANCO" >&2 || avisa "não consegui criar o banco $BANCO (seguindo mesmo assim)."
    fi
}

parar() {
    local bin
    if [[ ! -f "$DADOS/postmaster.pid" ]]; then
        avisa "nenhum cluster descartável rodando em $DADOS."
        return 0
    fi
    bin=$(acha_binarios) || { avisa "pg_ctl não encontrado."; return 1; }
    como_dono "$bin/pg_ctl" -D "$DADOS" -m fast -w stop >&2
}

if [[ "${1:-}" == "--parar" ]]; then
    parar
    exit
fi

# 1. DATABASE_URL do ambiente ---------------------------------------------------------------------
if [[ "${PROTOCOLO_PG_DESCARTAVEL:-}" != 1 ]]; then
    if [[ -n "${DATABASE_URL:-}" ]]; then
        if [[ "$DATABASE_URL" == postgres* ]]; then
            avisa "usando a DATABASE_URL do ambiente."
            printf '%s\n' "$DATABASE_URL"
            exit 0
        fi
        avisa "DATABASE_URL não aponta para PostgreSQL (os testes exigem PostgreSQL); procurando outro servidor."
    fi

    # 2. Servidor local em 127.0.0.1:5432 ------------------------------------------------------------
    if pg_isready_bin=$(acha_pg_isready) && "$pg_isready_bin" -h 127.0.0.1 -p "$PORTA_LOCAL" -q 2>/dev/null; then
        avisa "usando o PostgreSQL de 127.0.0.1:$PORTA_LOCAL."
        garante_banco "$(command -v psql || true)" "$PORTA_LOCAL"
        printf 'postgres://postgres@127.0.0.1:%s/%s\n' "$PORTA_LOCAL" "$BANCO"
        exit 0
    fi
else
    avisa "PROTOCOLO_PG_DESCARTAVEL=1: usando o cluster descartável."
fi

# 3. Cluster descartável ------------------------------------------------------------------------------
if ! BIN=$(acha_binarios); then
    cat >&2 <<MSG
banco-de-teste: nenhum PostgreSQL disponível para os testes.
  - nenhum servidor responde em 127.0.0.1:$PORTA_LOCAL;
  - os binários initdb e pg_ctl não estão no PATH nem em /usr/lib/postgresql/*/bin.
Para resolver, escolha uma opção:
  - instale o PostgreSQL (15 ou mais novo): apt-get install -y postgresql
  - ou aponte para um servidor existente: export DATABASE_URL=postgres://usuario:senha@host:5432/protocolo
MSG
    exit 1
fi

if [[ "$(id -u)" -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    avisa "rodando como root, mas o usuário postgres não existe (o initdb não roda como root)."
    avisa "crie-o (useradd --system postgres), rode como outro usuário ou defina DATABASE_URL."
    exit 1
fi

mkdir -p "$BASE"
if [[ "$(id -u)" -eq 0 ]]; then
    chown postgres: "$BASE"
    if ! runuser -u postgres -- test -w "$BASE"; then
        avisa "o usuário postgres não consegue escrever em $BASE; tente TMPDIR=/tmp."
        exit 1
    fi
fi
chmod 700 "$BASE"

# Um teste por vez mexe no cluster (dois "make test" simultâneos não disputam o initdb).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$BASE.lock"
    flock -w 120 9 || { avisa "tempo esgotado esperando $BASE.lock."; exit 1; }
fi

# "pg_ctl (PostgreSQL) 15.14 (Debian ...)" -> 15, como no PG_VERSION do cluster.
versao_bin=$("$BIN/pg_ctl" --version | awk '{print $3}' | cut -d. -f1)
if [[ -f "$DADOS/PG_VERSION" && "$(cat "$DADOS/PG_VERSION")" != "$versao_bin" ]]; then
    avisa "cluster em $DADOS é de outra versão ($(cat "$DADOS/PG_VERSION")); recriando com a $versao_bin."
    como_dono "$BIN/pg_ctl" -D "$DADOS" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$DADOS"
fi

if [[ ! -f "$DADOS/PG_VERSION" ]]; then
    avisa "criando cluster descartável em $DADOS (PostgreSQL $versao_bin, $BIN)."
    rm -rf "$DADOS"
    como_dono "$BIN/initdb" -D "$DADOS" -U postgres -A trust -E UTF8 --no-locale --no-sync >&2
    cat >>"$DADOS/postgresql.conf" <<CONF

# Cluster descartável do Protocolo (scripts/banco-de-teste.sh)
listen_addresses = '127.0.0.1'
port = $PORTA_DESCARTAVEL
unix_socket_directories = '$SOQUETE'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
fi

mkdir -p "$SOQUETE"
if [[ "$(id -u)" -eq 0 ]]; then
    chown postgres: "$SOQUETE"
fi

if como_dono "$BIN/pg_ctl" -D "$DADOS" status >/dev/null 2>&1; then
    avisa "reaproveitando o cluster descartável já em execução (porta $PORTA_DESCARTAVEL)."
else
    avisa "iniciando o cluster descartável na porta $PORTA_DESCARTAVEL."
    if ! como_dono "$BIN/pg_ctl" -D "$DADOS" -l "$LOG" -w -t 30 start >&2; then
        avisa "o PostgreSQL não subiu; fim do log ($LOG):"
        tail -n 20 "$LOG" >&2 || true
        exit 1
    fi
fi

pg_isready_bin="$BIN/pg_isready"
[[ -x "$pg_isready_bin" ]] || pg_isready_bin=$(acha_pg_isready) || pg_isready_bin=
if [[ -n "$pg_isready_bin" ]]; then
    for _ in $(seq 1 60); do
        if "$pg_isready_bin" -h 127.0.0.1 -p "$PORTA_DESCARTAVEL" -q; then
            break
        fi
        sleep 0.5
    done
    if ! "$pg_isready_bin" -h 127.0.0.1 -p "$PORTA_DESCARTAVEL" -q; then
        avisa "o cluster descartável não respondeu em 127.0.0.1:$PORTA_DESCARTAVEL após 30 s; veja $LOG."
        exit 1
    fi
fi

garante_banco "$BIN/psql" "$PORTA_DESCARTAVEL"
printf 'postgres://postgres@127.0.0.1:%s/%s\n' "$PORTA_DESCARTAVEL" "$BANCO"
