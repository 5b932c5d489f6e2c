# The two commands a fresh clone needs: `make build` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export PYTHONPATH := $(CURDIR)/src
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

SIZE ?= 1000000
# dbt vars for `make build`, as YAML; exported so the recipe passes them unquoted by make.
export VARS

DATABASE ?= $(or $(CUSTOMER_SEGMENTS_DUCKDB_PATH),customer_segments.duckdb)
# What readers open (BI tools, the semantic layer, export-segment): replaced whole by each
# passing build.
PUBLICATION ?= $(or $(CUSTOMER_SEGMENTS_PUBLICATION_PATH),publication/customer_segments.duckdb)
# Named like the default work file: the semantic manifest names relations by the file name.
TEST_DATABASE := target/test_sample/customer_segments.duckdb
TEST_PUBLICATION := target/test_publication/customer_segments.duckdb
# DuckDB 1.x clients (Evidence, the Node client) the publication is tested with.
DUCKDB_1X_CLIENTS := 1.1.3 1.4.2 1.5.6

.PHONY: build test install engines browser app duckdb-clients semantic-layer dagster lint check-project lint-python dbt-test validate pytest test-postgres test-spark backfill bench bench-engines bench-clv sample lock clean

$(BIN)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	# The project's own Python (CLV models, generator, checks), importable by dbt's Python models,
	# and its command line, .venv/bin/customer-segments.
	$(BIN)/pip install --quiet --no-deps --editable .
	touch $@

install: $(BIN)/.installed

# Root installs system packages itself; anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

## What the engine tests need beyond Python packages: PostgreSQL's server binaries (for a
## throwaway cluster) and a Java runtime (for Spark). Installs them with apt-get when absent.
engines:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then \
		echo "Installing PostgreSQL (server binaries for the engine tests)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql >/dev/null; fi
	@if ! command -v java >/dev/null; then \
		echo "Installing a Java runtime (for Spark)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq openjdk-17-jre-headless >/dev/null; fi

## The app's browser test needs Chromium (headless screenshots): Debian's package, installed
## with apt-get when absent.
browser:
	@if ! command -v chromium >/dev/null; then \
		echo "Installing Chromium (the app's browser test)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; fi

## The Segmentation app on http://127.0.0.1:8501, reading the publication $(PUBLICATION).
app: install
	CUSTOMER_SEGMENTS_PUBLICATION_PATH=$(abspath $(PUBLICATION)) $(BIN)/streamlit run \
		src/customer_segments/app/main.py --server.address 127.0.0.1 --server.port 8501 \
		--server.headless true --browser.gatherUsageStats false --client.toolbarMode viewer

## Build every model, seed and test on the bundled sample into customer_segments.duckdb,
## then publish the public tables to publication/customer_segments.duckdb.
## Any dbt vars: make build VARS='{as_of_date: 2025-11-30}'
build: install
	CUSTOMER_SEGMENTS_DUCKDB_PATH=$(DATABASE) $(BIN)/customer-segments build \
		--publication $(PUBLICATION) $(if $(VARS),-- --vars "$$VARS",)

## Every test: lint, the project rules, the dbt project's own tests on the sample, Great
## Expectations on the sample's marts, and the pytest suites (the cross-engine parity
## suite starts its own PostgreSQL cluster and Spark standalone cluster).
test: install engines browser lint check-project dbt-test
	$(MAKE) validate PUBLICATION=$(TEST_PUBLICATION)
	$(MAKE) pytest

lint: install lint-python
	$(BIN)/sqlfluff lint models analyses tests

## Python: ruff (style, imports, likely bugs) over src and tests_py, mypy over src.
lint-python: install
	$(BIN)/ruff check src tests_py
	$(BIN)/mypy

## The project rules dbt does not enforce (layer order, descriptions, grain tests).
check-project: install
	$(BIN)/dbt parse --quiet
	$(BIN)/customer-segments check-project --manifest target/manifest.json

dbt-test: install
	mkdir -p $(dir $(TEST_DATABASE))
	rm -f $(TEST_DATABASE)
	CUSTOMER_SEGMENTS_DUCKDB_PATH=$(TEST_DATABASE) $(BIN)/customer-segments build --publication $(TEST_PUBLICATION)

## Great Expectations on the publication $(PUBLICATION); Data Docs in target/data_docs/.
validate: install
	$(BIN)/customer-segments validate --database $(PUBLICATION)

## Two workers, one test file each at a time (files share module-scoped builds); the 25
## slowest tests are listed at the end.
pytest: install engines browser duckdb-clients
	$(BIN)/pytest -n 2 --dist loadfile --durations=25 tests_py

## Old DuckDB clients in venvs of their own (.venv/duckdb-<version>): the publication test
## opens the publication with each.
duckdb-clients: $(foreach version,$(DUCKDB_1X_CLIENTS),$(VENV)/duckdb-$(version)/.installed)

$(VENV)/duckdb-%/.installed: | $(BIN)/.installed
	$(PYTHON) -m venv $(VENV)/duckdb-$*
	$(VENV)/duckdb-$*/bin/pip install --quiet duckdb==$*
	touch $@

## One engine alone: the sample built on it and on DuckDB, every public table compared.
test-postgres: install engines
	$(BIN)/pytest tests_py/test_engine_parity.py -m postgres

test-spark: install engines
	$(BIN)/pytest tests_py/test_engine_parity.py -m spark

## The semantic layer (MetricFlow) checked against the publication (run `make build` first).
semantic-layer: install
	DBT_TARGET=serving CUSTOMER_SEGMENTS_PUBLICATION_PATH=$(PUBLICATION) $(BIN)/mf validate-configs

DAGSTER_HOME ?= $(CURDIR)/.dagster

## The Dagster UI and daemon (http://127.0.0.1:3000): the daily job and its schedule (off
## until turned on), the history backfill. Instance settings: one writer run at a time.
dagster: install
	mkdir -p $(DAGSTER_HOME)
	# The project's instance settings, unless you have your own there.
	[ -f $(DAGSTER_HOME)/dagster.yaml ] || cp src/customer_segments/orchestration/dagster.yaml $(DAGSTER_HOME)/
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -m customer_segments.orchestration.definitions

## Replay segment history as of every period end: make backfill START=2023-01-01 END=2025-12-31 [PERIOD=month]
backfill: install
	$(BIN)/customer-segments backfill --start $(START) --end $(END) --period $(or $(PERIOD),month)

## Benchmark at SIZE orders (default 1,000,000): make bench SIZE=10000000 [PANDAS=1]
bench: install
	$(BIN)/customer-segments bench --size $(SIZE) $(if $(PANDAS),--pandas,)

## The sample (and SIZE orders, if given) on DuckDB, PostgreSQL and Spark: make bench-engines [SIZE=1000000]
bench-engines: install engines
	$(BIN)/customer-segments bench-engines $(if $(filter command line,$(origin SIZE)),--size $(SIZE),)

## Our CLV fit against the lifetimes package on 235,700 customers (BENCHMARKS.md).
bench-clv: install
	$(BIN)/customer-segments bench-clv

## Regenerate the bundled sample (deterministic: the same files every time).
sample: install
	$(BIN)/customer-segments generate-sample --out data/sample

## Re-resolve requirements.txt from requirements.in.
lock:
	rm -rf /tmp/customer_segments_lock && $(PYTHON) -m venv /tmp/customer_segments_lock
	/tmp/customer_segments_lock/bin/pip install --quiet -r requirements.in
	{ echo "# Generated by 'make lock' from requirements.in: the exact versions CI installs."; \
	  /tmp/customer_segments_lock/bin/pip freeze --exclude customer-segments; } > requirements.txt

clean:
	rm -rf target logs $(VENV) customer_segments.duckdb customer_segments.duckdb.wal publication .dagster
