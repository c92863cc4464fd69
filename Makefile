# Protocolo: tarefas de desenvolvimento (GNU make).
#   make run           prepara o ambiente e serve o portal em http://127.0.0.1:8000 (SQLite; ENDERECO=...)
#   make test          prepara o ambiente e roda a suíte contra PostgreSQL
#   make lint          ruff check
#   make dependencias  leva as travas às últimas versões e as audita
#   make clean         apaga o ambiente virtual e os artefatos locais

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

.PHONY: help venv requisitos dependencias navegador binarios bibliotecas run test auditoria lint bench clean

help:
	@echo "Alvos:"
	@echo "  make run    venv + dependências + migrações (SQLite) + dados de demonstração; serve em $(URL_DEMO)"
	@echo "              (ENDERECO=127.0.0.1:8010 troca o endereço, também nos links); os e-mails saem no terminal"
	@echo "  make test   venv + dependências de desenvolvimento + axe-core (npm ci); pytest contra PostgreSQL (PYTEST_ARGS=...)"
	@echo "  make auditoria  bandit + falhas conhecidas das versões travadas; só uma falha conhecida reprova (o make test também roda)"
	@echo "  make lint   ruff check ."
	@echo "  make requisitos   recompila as travas (requirements*.txt) depois de editar um requirements*.in"
	@echo "  make dependencias leva as travas (Python e npm) às últimas versões que as faixas admitem, instala e audita tudo: reprova o que não der para auditar"
	@echo "  make mutacao  teste de mutação de prazos, numeracao, integridade e limites (lento: fora do make test)"
	@echo "  make bench  benchmark com 10 mil e 1 milhão de protocolos (PostgreSQL, Redis, wrk); escreve bench/RESULTS.md"
	@echo "  make venv   só cria o .venv e instala as dependências"
	@echo "  make clean  remove .venv, node_modules/, db.sqlite3, staticfiles/ e .pytest_cache"

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
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	@touch $@

$(DEV): requirements.txt requirements-dev.txt | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
		echo "Erro: $(VENV) usa um Python anterior ao 3.12. Rode 'make clean' e tente de novo." >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	@touch $(RUNTIME) $@

# The links in e-mails and on the receipt's QR code point where runserver listens; ENDERECO may be a
# port alone, as runserver takes it.
URL_DEMO = http://$(if $(findstring :,$(ENDERECO)),$(ENDERECO),127.0.0.1:$(ENDERECO))

# WeasyPrint draws the signed PDFs with Debian's Pango and HarfBuzz, in the DejaVu fonts: both
# make run and make test need them. Quiet when they are installed.
BIBLIOTECAS_PDF := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

bibliotecas:
	@faltam=""; \
	for pacote in $(BIBLIOTECAS_PDF); do \
		dpkg-query -W -f='$${Status}' "$$pacote" 2>/dev/null | grep -q 'install ok installed' || faltam="$$faltam $$pacote"; \
	done; \
	if [ -n "$$faltam" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Instalando do Debian para os PDFs (WeasyPrint):$$faltam"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$faltam >/dev/null; \
		else \
			echo "Erro: os PDFs (WeasyPrint) precisam de:$$faltam (sudo apt-get install -y$$faltam)" >&2; \
			exit 1; \
		fi; \
	fi

# Without PROTOCOLO_ASSINATURA_PKCS12, the PDFs are signed with a development certificate created once
# in .certificados/ (git-ignored), and the terminal says so.
CERTIFICADO_DEV := .certificados/desenvolvimento.p12

# Beside runserver, enviar_mensagens delivers the outbox (to this terminal, with the console mailer
# of DEBUG) and stops with it. The demo's seeded messages go out first, above the logins, which
# stay in view.
run: $(RUNTIME) bibliotecas
	@export DEBUG=$(DEBUG) PROTOCOLO_URL_BASE=$(URL_DEMO); \
	if [ -z "$${PROTOCOLO_ASSINATURA_PKCS12:-}" ]; then \
		certificado=$$($(PY) manage.py certificado_de_desenvolvimento $(CERTIFICADO_DEV)); \
		export PROTOCOLO_ASSINATURA_PKCS12=$(CERTIFICADO_DEV) PROTOCOLO_ASSINATURA_SENHA=desenvolvimento; \
	else \
		certificado=""; \
	fi; \
	$(PY) manage.py migrate --noinput; \
	if [ -t 1 ]; then cor=--force-color; else cor=; fi; \
	resumo=$$($(PY) manage.py popular_demo $$cor); \
	$(PY) manage.py enviar_mensagens; \
	echo "$$resumo"; \
	if [ -n "$$certificado" ]; then echo "$$certificado"; fi; \
	if [ "$${MAILER_URL:-console://}" = console:// ]; then \
		echo "  E-mails: aparecem neste terminal, um ou dois segundos depois de cada pedido (manage.py enviar_mensagens)."; \
	else \
		echo "  E-mails: entregues por MAILER_URL, um ou dois segundos depois de cada pedido (manage.py enviar_mensagens)."; \
	fi; \
	if [ "$${SMS_URL-console://}$${WHATSAPP_URL-console://}" = console://console:// ]; then \
		echo "  SMS e WhatsApp: também aparecem neste terminal (SMS_URL e WHATSAPP_URL em console://)."; \
	fi; \
	echo; \
	$(PY) manage.py enviar_mensagens --continuo & entregador=$$!; \
	$(PY) manage.py entregar_webhooks --continuo & webhooks=$$!; \
	trap 'kill $$entregador $$webhooks 2>/dev/null || true; wait $$entregador $$webhooks 2>/dev/null || true' EXIT; \
	$(PY) manage.py runserver $(ENDERECO)

# The JavaScript the tests and pages use, at the versions package-lock.json pins (with their
# hashes); no package's install script ever runs.
NODE_MODULES := node_modules/.package-lock.json

$(NODE_MODULES): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "Erro: os testes precisam do npm, que instala o axe-core do package-lock.json: sudo apt-get install -y npm" >&2; \
		exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

# The locks: requirements.txt (runtime), requirements-dev.txt (runtime and tools) and
# bench/requirements.txt, each compiled from its .in with every file's hash. They name PyPI's files,
# whatever mirror or local wheels this machine's pip is set up with. Each starts with the date its
# versions last moved to the latest releases, which the audit reports as the locks' age.
TRAVAS := requirements.txt requirements-dev.txt bench/requirements.txt
PIP_COMPILE := env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS -u PIP_NO_INDEX -u PIP_CONSTRAINT \
	PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make requisitos" $(VENV)/bin/pip-compile --quiet --no-config \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --index-url https://pypi.org/simple

# After an edit to a .in file: the locks follow it and keep every other version (and their date).
requisitos: $(DEV)
	@data=$$(sed -n '1s/^# gerado em \([0-9-]*\).*/\1/p' requirements.txt); \
	for trava in $(TRAVAS); do \
		echo "Compilando $$trava"; \
		$(PIP_COMPILE) -o $$trava $${trava%.txt}.in; \
		if [ -n "$$data" ]; then sed -i "1i # gerado em $$data" $$trava; fi; \
	done

# Every package to its latest release within the ranges of the .in files and package.json,
# installed and audited where the audit can see everything: any advisory, or any package it cannot
# audit, fails.
dependencias: $(DEV) $(NODE_MODULES)
	@hoje=$$(date +%F); \
	for trava in $(TRAVAS); do \
		echo "Atualizando $$trava"; \
		$(PIP_COMPILE) --upgrade -o $$trava $${trava%.txt}.in; \
		sed -i "1i # gerado em $$hoje" $$trava; \
	done
	npm update --package-lock-only --ignore-scripts --no-audit --no-fund --omit-lockfile-registry-resolved=false
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	@touch $(RUNTIME) $(DEV)
	$(PY) scripts/auditar-dependencias.py --estrito

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

test: $(DEV) $(NODE_MODULES) navegador binarios bibliotecas
	@url=$$(bash scripts/banco-de-teste.sh); \
	export DATABASE_URL="$$url"; \
	echo "Banco de teste: $$url"; \
	$(PY) -m pytest $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory auditoria

# Static analysis of our code, and the known advisories of every locked release: only a known one
# fails here, so an upstream release never turns the build red (.pip-audit-ignore.toml lists what is
# accepted, each with its reason and review date).
auditoria: $(DEV)
	$(VENV)/bin/bandit -c pyproject.toml -q -r protocolo consumidor atendimento
	$(PY) scripts/auditar-dependencias.py

BENCH := $(VENV)/.bench-instalado

$(BENCH): requirements.txt bench/requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r bench/requirements.txt
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
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles .pytest_cache
