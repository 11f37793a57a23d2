# Tongban: `make demo` sets everything up and serves the demo city; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv/bin
MANAGE := $(VENV)/python manage.py
PORT ?= 8000

.PHONY: bootstrap demo serve test test-pg lint format bench openapi clean

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	@$(VENV)/tongban setup
	@$(VENV)/tongban serve --port $(PORT)

test: bootstrap
	@$(VENV)/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: bootstrap
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/lint-imports
	$(VENV)/mypy tongban
	DJANGO_SETTINGS_MODULE=tongban.config.test_settings $(MANAGE) makemigrations --check --dry-run

format: bootstrap
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

bench: bootstrap
	@$(VENV)/python -m bench $(BENCH_ARGS)

openapi: bootstrap
	@DJANGO_SETTINGS_MODULE=tongban.config.test_settings $(VENV)/python -m tongban.config.openapi > docs/openapi.json

clean:
	rm -rf var .venv .tools node_modules tongban/static/vendor
