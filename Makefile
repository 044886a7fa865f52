# urbdash: two commands on a fresh machine.
#   make run   - set up .venv, initialise the embedded store with demo data on first run, serve the app
#   make test  - set up .venv and system packages, start a throwaway PostgreSQL, run every test tier
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8501


.PHONY: run test venv system-deps lint format unit app e2e bench fuzz deploy-local clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/urbdash init
	$(BIN)/urbdash demo --if-empty
	$(BIN)/urbdash serve --host $(HOST) --port $(PORT)

system-deps:
	bash .ci/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every tier in one pytest run against SQLite and a throwaway PostgreSQL on 127.0.0.1.
test: $(STAMP) system-deps lint
	@set -euo pipefail; \
	pgdir=$$(mktemp -d /tmp/urbdash-pg.XXXXXX); \
	url=$$(bash .ci/pg.sh start $$pgdir); \
	trap 'bash .ci/pg.sh stop '"$$pgdir" EXIT; \
	echo "PostgreSQL for the store tests: $$url"; \
	URBDASH_TEST_PG_URL=$$url $(BIN)/python -m pytest -ra $(PYTEST_ARGS)

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

app: $(STAMP)
	$(BIN)/python -m pytest -q tests/app

e2e: $(STAMP)
	$(BIN)/python -m pytest -q tests/e2e

# Benchmarks, with a throwaway PostgreSQL for the scaled path's rows (COPY) and the load run.
# The figures and the table go to the terminal (and var/bench.json); library logging (AppTest's
# bare-mode warnings) goes to var/bench.log.
bench: $(STAMP) system-deps
	@set -euo pipefail; \
	pgdir=$$(mktemp -d /tmp/urbdash-pg.XXXXXX); \
	url=$$(bash .ci/pg.sh start $$pgdir); \
	trap 'bash .ci/pg.sh stop '"$$pgdir" EXIT; \
	mkdir -p var; \
	URBDASH_BENCH_PG_URL=$$url $(BIN)/python -m bench 2>var/bench.log \
	  || { tail -n 40 var/bench.log; exit 1; }

# The scaled deployment on this machine: a throwaway PostgreSQL, $(REPLICAS) `urbdash serve`
# replicas on loopback and nginx on $(LISTEN) in front (deploy/README.md). Ctrl-C stops it all.
REPLICAS ?= 2
LISTEN ?= 127.0.0.1:8080
deploy-local: $(STAMP) system-deps
	$(BIN)/python -m deploy.local --replicas $(REPLICAS) --listen $(LISTEN)

# Many more generated workbooks than `make test` feeds to validate and ingest.
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	URBDASH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/unit/test_fuzz_workbooks.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
