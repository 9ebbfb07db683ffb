# The commands a person types. `make help` lists them. Everything installs itself on first use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.DEFAULT_GOAL := help

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))" || { echo "Python 3.11 is needed (found: $(PYTHON))"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: install
install: $(STAMP) ## Create .venv and install the project with its dev tools

.PHONY: run
run: $(STAMP) ## Start everything (embedded PostgreSQL, migrations, demo data, services); Ctrl-C stops it
	$(PY) -m tools.devstack run

.PHONY: test
test: $(STAMP) browser ## Run the whole test suite on real PostgreSQL (embedded, or TEST_DATABASE_URL)
	$(PY) -m pytest $(PYTEST_ARGS)

# The pages' browser tests: Debian's Chromium (a downloaded browser cannot be had here) and axe-core from npm.
# Without root or a registry this says why and goes on; those tests then skip, saying so.
.PHONY: browser
browser: ## Install Chromium (Debian package) and axe-core (npm) for the pages' browser tests
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } || \
		echo "browser: Debian's chromium could not be installed (root and the Debian registry are needed)"
	@test -f .browser/node_modules/axe-core/axe.min.js || \
		{ command -v npm >/dev/null && npm install --silent --no-audit --no-fund --prefix .browser axe-core@4 >/dev/null; } || \
		echo "browser: axe-core could not be installed from npm"

.PHONY: lint
lint: $(STAMP) ## ruff (format and lint), mypy strict, import-linter contracts
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy shared services tools bench
	$(VENV)/bin/lint-imports

.PHONY: format
format: $(STAMP) ## Reformat and auto-fix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: fuzz
fuzz: $(STAMP) ## schemathesis over every service and the gateway with every role's token (minutes; not a test)
	$(PY) -m tools.fuzz $(FUZZ_ARGS)

.PHONY: openapi-check
openapi-check: $(STAMP) ## Is the merged OpenAPI document compatible with the published v1 baseline? (also in the suite)
	$(PY) -m tools.openapi_contract check

.PHONY: openapi-baseline
openapi-baseline: $(STAMP) ## Publish the current merged OpenAPI document as the v1 baseline (a release)
	$(PY) -m tools.openapi_contract write-baseline

.PHONY: migrate
migrate: $(STAMP) ## Apply every service's migrations to its database
	$(PY) -m tools.devstack migrate

.PHONY: migration
migration: $(STAMP) ## New migration from the models: make migration SERVICE=commissioning REV=0006 MESSAGE="what changes"
	$(VENV)/bin/alembic -c services/$(SERVICE)/alembic.ini revision --autogenerate --rev-id "$(REV)" -m "$(MESSAGE)"

.PHONY: demo
demo: $(STAMP) ## Load the demo data (idempotent)
	$(PY) -m tools.devstack demo

.PHONY: import-terc
import-terc: $(STAMP) ## Load GUS's TERC register into the catalogue: make import-terc FILE=TERC.csv
	$(PY) -m tools.import_terc "$(FILE)"

.PHONY: token
token: $(STAMP) ## Print a development JWT: make token ROLE=provider [PROVIDER=uuid] [TERC=2611011] [VOIVODESHIP=26]
	@$(PY) -m tools.token --role "$(ROLE)" --terc "$(TERC)" --provider "$(PROVIDER)" --voivodeship "$(VOIVODESHIP)" --subject "$(SUBJECT)"

.PHONY: bench
bench: $(STAMP) bench-tools ## Catalogue search benchmark (not a test; prints figures and ratios)
	$(PY) -m bench.catalogue_search

.PHONY: bench-tools
bench-tools: ## Install wrk and nginx for the benchmarks (Debian packages; needs root)
	@command -v wrk >/dev/null && command -v nginx >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null; }

.PHONY: bench-gateway
bench-gateway: $(STAMP) bench-tools ## Gateway benchmark: direct vs gateway vs nginx, and the overview's latency
	$(PY) -m bench.gateway

.PHONY: bench-reads
bench-reads: $(STAMP) bench-tools ## Cached public reads (areas, service types) against a bare FastAPI route
	$(PY) -m bench.public_reads

.PHONY: bench-offers
bench-offers: $(STAMP) ## The burst at a deadline: 200 providers submit and revise through the gateway
	$(PY) -m bench.offers

.PHONY: bench-ocds
bench-ocds: $(STAMP) ## Bulk OCDS: streamed files and every page of /ocds/releases at 1 000 and 10 000 processes
	$(PY) -m bench.ocds

.PHONY: bench-pages
bench-pages: $(STAMP) ## The public pages' first byte, kept and rendered, with the demo data
	$(PY) -m bench.pages

.PHONY: db-stop
db-stop: $(STAMP) ## Stop the embedded PostgreSQL if it is running
	$(PY) -m tools.devstack stop-db

.PHONY: clean
clean: ## Remove the virtual environment (keeps .data)
	rm -rf $(VENV)
