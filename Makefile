# urbdash: two commands on a fresh machine.
#   make run   - set up .venv, initialise the embedded store with demo data on first run, serve the app
#   make test  - set up .venv and system packages, start a throwaway PostgreSQL, run every test tier
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 8501
# pytest-xdist workers: one per core and one more (the browser and deployment tests spend much
# of their time waiting on servers and Chromium; a third worker on two cores fills that time)
WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))


.PHONY: run test venv venv-test system-deps lint format unit app e2e bench fuzz deploy-local clean

# The venv: what running needs for `make run`, with the test extras for `make test`. Installed
# by uv (pinned, bootstrapped into the venv by pip); INSTALLER=pip installs with pip instead.
$(RUN_STAMP): pyproject.toml constraints.txt .ci/install.sh
	@echo "Installing the Python packages into $(VENV) (first run, or the pins changed)..."
	@t=$$SECONDS; PYTHON=$(PYTHON) bash .ci/install.sh $(VENV) . \
	  && echo "  packages installed in $$((SECONDS - t)) s"
	@touch $@

$(TEST_STAMP): pyproject.toml constraints.txt .ci/install.sh
	@echo "Installing the Python packages and the test tools into $(VENV)..."
	@t=$$SECONDS; PYTHON=$(PYTHON) bash .ci/install.sh $(VENV) ".[test]" \
	  && echo "  packages installed in $$((SECONDS - t)) s"
	@touch $@ $(RUN_STAMP)

venv: $(RUN_STAMP)
venv-test: $(TEST_STAMP)

run: $(RUN_STAMP)
	$(BIN)/urbdash init
	$(BIN)/urbdash demo --if-empty
	$(BIN)/urbdash serve --host $(HOST) --port $(PORT)

system-deps:
	bash .ci/system-deps.sh

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every tier in one pytest run on every core (pytest-xdist), against SQLite and a throwaway
# PostgreSQL on 127.0.0.1; .ci/test.sh sets up what is missing and prints each step's time.
test:
	@MAKE="$(MAKE)" PYTHON=$(PYTHON) WORKERS=$(WORKERS) PYTEST_ARGS="$(PYTEST_ARGS)" bash .ci/test.sh

unit: $(TEST_STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS) tests/unit

app: $(TEST_STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS) tests/app

e2e: $(TEST_STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS) tests/e2e

# Benchmarks, with a throwaway PostgreSQL for the scaled path's rows (COPY) and the load run.
# The figures and the table go to the terminal (and var/bench.json); library logging (AppTest's
# bare-mode warnings) goes to var/bench.log.
bench: $(TEST_STAMP) system-deps
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
deploy-local: $(TEST_STAMP) system-deps
	$(BIN)/python -m deploy.local --replicas $(REPLICAS) --listen $(LISTEN)

# Many more generated workbooks than `make test` feeds to validate and ingest.
FUZZ_EXAMPLES ?= 2000
fuzz: $(TEST_STAMP)
	URBDASH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/unit/test_fuzz_workbooks.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
