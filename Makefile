# Protocolo: tarefas de desenvolvimento (GNU make).
#   make run    prepara o ambiente e serve o portal em http://127.0.0.1:8000 (SQLite)
#   make test   prepara o ambiente e roda a suíte contra PostgreSQL
#   make lint   ruff check
#   make clean  apaga o ambiente virtual e os artefatos locais

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

# Intérprete usado para criar o .venv; dentro do repositório o pyenv lê .python-version.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-instalado
DEV := $(VENV)/.dev-instalado

DEBUG ?= 1
ENDERECO ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: help venv navegador binarios run test auditoria lint bench clean

help:
	@echo "Alvos:"
	@echo "  make run    venv + dependências + migrações (SQLite) + dados de demonstração; serve em http://$(ENDERECO)"
	@echo "  make test   venv + dependências de desenvolvimento; pytest contra PostgreSQL (PYTEST_ARGS=...)"
	@echo "  make auditoria  bandit + pip-audit (o make test também roda)"
	@echo "  make lint   ruff check ."
	@echo "  make mutacao  teste de mutação de prazos, numeracao, integridade e limites (lento: fora do make test)"
	@echo "  make bench  benchmark com 10 mil e 1 milhão de protocolos (PostgreSQL, Redis, wrk); escreve bench/RESULTS.md"
	@echo "  make venv   só cria o .venv e instala as dependências"
	@echo "  make clean  remove .venv, db.sqlite3, staticfiles/ e .pytest_cache"

venv: $(RUNTIME) $(DEV)

$(PY):
	@if ! versao=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); then \
		echo "Erro: não foi possível executar '$(PYTHON)'. Instale o Python 3.12 (por exemplo: pyenv install 3.12) e rode de novo." >&2; \
		exit 1; \
	fi; \
	if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		echo "Erro: '$(PYTHON)' é o Python $$versao; o Protocolo exige Python 3.12 ou mais novo." >&2; \
		echo "Instale o 3.12 (por exemplo: pyenv install 3.12, que o .python-version deste repositório seleciona) ou rode: make PYTHON=/caminho/para/python3.12 $(MAKECMDGOALS)" >&2; \
		exit 1; \
	fi; \
	echo "Criando $(VENV) com o Python $$versao"; \
	$(PYTHON) -m venv --upgrade-deps $(VENV)

$(RUNTIME): requirements.txt | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
		echo "Erro: $(VENV) usa um Python anterior ao 3.12. Rode 'make clean' e tente de novo." >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(DEV): requirements.txt requirements-dev.txt | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
		echo "Erro: $(VENV) usa um Python anterior ao 3.12. Rode 'make clean' e tente de novo." >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(RUNTIME) $@

run: $(RUNTIME)
	DEBUG=$(DEBUG) $(PY) manage.py migrate --noinput
	DEBUG=$(DEBUG) $(PY) manage.py popular_demo
	DEBUG=$(DEBUG) $(PY) manage.py runserver $(ENDERECO)

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
navegador:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Instalando o Chromium do Debian para os testes de navegador"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Erro: os testes de navegador precisam do Chromium do Debian: sudo apt-get install -y chromium" >&2; \
			exit 1; \
		fi; \
	fi

# The fault and scale-out tests start their own redis-servers and PostgreSQL clusters from the
# installed binaries (Debian's redis-server and postgresql packages).
binarios:
	@faltam=""; \
	command -v redis-server >/dev/null 2>&1 || faltam="$$faltam redis-server"; \
	{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || faltam="$$faltam postgresql"; \
	if [ -n "$$faltam" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Instalando do Debian para os testes de falhas e de escala:$$faltam"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$faltam >/dev/null; \
		else \
			echo "Erro: os testes de falhas e de escala precisam de:$$faltam (sudo apt-get install -y$$faltam)" >&2; \
			exit 1; \
		fi; \
	fi

test: $(DEV) navegador binarios
	@url=$$(bash scripts/banco-de-teste.sh); \
	export DATABASE_URL="$$url"; \
	echo "Banco de teste: $$url"; \
	$(PY) -m pytest $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory auditoria

# Static analysis of our code and known vulnerabilities of every installed dependency
# (.pip-audit-ignore.toml lists what is accepted, each with its reason and review date).
auditoria: $(DEV)
	$(VENV)/bin/bandit -c pyproject.toml -q -r protocolo consumidor atendimento
	$(PY) scripts/auditar-dependencias.py

BENCH := $(VENV)/.bench-instalado

$(BENCH): requirements.txt bench/requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	@touch $@

# The load generator is Debian's wrk; BENCH_PROTOCOLOS, BENCH_DURACAO, BENCH_RODADAS and BENCH_BANCO
# (the database recreated, default protocolo_bench) adjust the run: see bench/executar.py.
bench: $(BENCH)
	@if ! command -v wrk >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Instalando o wrk do Debian para o benchmark"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else \
			echo "Erro: o benchmark precisa do wrk do Debian: sudo apt-get install -y wrk" >&2; \
			exit 1; \
		fi; \
	fi
	$(PY) bench/executar.py

lint: $(DEV)
	$(VENV)/bin/ruff check .

# Mutation testing of prazos, numeracao, integridade and limites against the suite without the
# browser and process tests (scripts/mutacao.py): slow, so never part of make test. mutmut keeps its
# results in mutants/; MUTACAO_DO_ZERO=1 starts over, MUTACAO_PROCESSOS=N runs N mutants at a time,
# MUTACAO_SO_RELATORIO=1 only reports what mutants/ holds.
.PHONY: mutacao
mutacao: $(DEV)
	@url=$$(bash scripts/banco-de-teste.sh); \
	export DATABASE_URL="$$url"; \
	echo "Banco de teste: $$url"; \
	$(PY) scripts/mutacao.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
