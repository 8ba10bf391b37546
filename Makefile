# Developer workflow: `make run` starts the server, `make test` runs every check.
# Install steps are keyed on pyproject.toml through stamp files inside the venv,
# so they run once and are skipped until pyproject.toml changes.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432
PG_VERSION ?= $(shell ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
PG_CLUSTER ?= main
PG_MAX_CONNECTIONS ?= 300
REDIS_PORT ?= 6379
# Tests mostly wait (on PostgreSQL, on thread joins), so two pytest-xdist workers help even
# on two cores. A system on PostgreSQL holds about 17 connections and more under concurrent
# requests, so two workers can pass the server's default of 100: CI raises it first
# (`make postgres-ci`). PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test lint check pytest bench services postgres postgres-ci redis format \
	clean distclean

help:
	@echo "make run     start the API on http://$(HOST):$(PORT) (SQLite + files under ./var)"
	@echo "make test    lint, type-check and run the test suite (starts PostgreSQL and Redis)"
	@echo "make lint    ruff check, ruff format --check and mypy only"
	@echo "make bench   run the benchmarks and print their figures"
	@echo "make format  apply ruff's formatter and import sorting"
	@echo "make clean   remove caches and install stamps (keeps .venv and ./var)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# pip prints a line per package, so a first install (a minute or two) shows its progress.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "installing Aksio and its dependencies into $(VENV) (once; again when pyproject.toml changes)"
	$(BIN)/pip install --progress-bar off -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "installing Aksio with its test tools into $(VENV) (once; again when pyproject.toml changes)"
	$(BIN)/pip install --progress-bar off -e ".[test]"
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/aksio serve --host $(HOST) --port $(PORT)

test: lint pytest

check: test

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

pytest: $(VENV)/.installed-test services
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.installed-test postgres
	$(BIN)/python -m benchmarks.run_all

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix --select I .
	$(BIN)/ruff format .

services: postgres redis

postgres:
	@if ! pg_isready -q -h $(PG_HOST) -p $(PG_PORT); then \
		echo "starting PostgreSQL"; \
		pg_ctlcluster --skip-systemctl-redirect $(PG_VERSION) $(PG_CLUSTER) start; \
		for i in $$(seq 1 60); do pg_isready -q -h $(PG_HOST) -p $(PG_PORT) && break; sleep 0.5; done; \
	fi
	@pg_isready -h $(PG_HOST) -p $(PG_PORT)

# Restarts PostgreSQL when it allows fewer connections than the parallel suite may open:
# only for a machine whose server nobody else is using (CI).
postgres-ci: postgres
	@current=$$(psql -h $(PG_HOST) -p $(PG_PORT) -U postgres -Atc "SHOW max_connections"); \
	if [ "$$current" -lt $(PG_MAX_CONNECTIONS) ]; then \
		echo "PostgreSQL: max_connections $$current -> $(PG_MAX_CONNECTIONS), restarting"; \
		psql -h $(PG_HOST) -p $(PG_PORT) -U postgres -qc \
			"ALTER SYSTEM SET max_connections = $(PG_MAX_CONNECTIONS)"; \
		pg_ctlcluster --skip-systemctl-redirect $(PG_VERSION) $(PG_CLUSTER) restart; \
		for i in $$(seq 1 60); do pg_isready -q -h $(PG_HOST) -p $(PG_PORT) && break; sleep 0.5; done; \
	fi
	@psql -h $(PG_HOST) -p $(PG_PORT) -U postgres -Atc "SHOW max_connections" \
		| sed 's/^/PostgreSQL max_connections: /'

redis:
	@if ! redis-cli -h 127.0.0.1 -p $(REDIS_PORT) ping >/dev/null 2>&1; then \
		echo "starting Redis"; \
		mkdir -p /var/lib/redis /var/log/redis; \
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port $(REDIS_PORT) --save "" \
			--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log; \
		for i in $$(seq 1 40); do redis-cli -h 127.0.0.1 -p $(REDIS_PORT) ping >/dev/null 2>&1 && break; sleep 0.25; done; \
	fi
	@redis-cli -h 127.0.0.1 -p $(REDIS_PORT) ping

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info benchmarks/results
	rm -f $(VENV)/.installed $(VENV)/.installed-test
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
