# Parvis: the two newcomer commands are `make run` and `make test`.
# Only Python >= 3.11 and make are needed: uv is installed into .tools/ when missing.

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/parvis
PROD_CHECK_ENV = DJANGO_SETTINGS_MODULE=config.settings.prod \
	PARVIS_SECRET_KEY=check-deploy-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ \
	PARVIS_ALLOWED_HOSTS=parvis.example.fr

.PHONY: run test lint install messages accessibility clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

install: $(UV)
	$(UV) sync --frozen --quiet
	mkdir -p var

## Start the whole platform with demo data on http://127.0.0.1:8000 (SQLite, no other server).
run: install
	$(UV) run parvis migrate --noinput
	$(UV) run parvis demo
	$(UV) run parvis run

## Run the whole test suite (SQLite; again on PostgreSQL when CI=true).
test: install
	$(UV) run pytest
	@if [ "$$CI" = "true" ] || [ -n "$$PARVIS_TEST_POSTGRES" ]; then \
		echo "== again on PostgreSQL ($(PG_TEST_URL)) =="; \
		PARVIS_DATABASE_URL=$(PG_TEST_URL) $(UV) run pytest; \
	fi

## Lint gates: ruff, import layers, migrations in sync, production deploy check.
lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run lint-imports
	$(UV) run parvis makemigrations --check --dry-run
	$(PROD_CHECK_ENV) $(UV) run parvis check --deploy --fail-level WARNING
	rm -rf var/collectstatic-check
	$(PROD_CHECK_ENV) PARVIS_STATIC_ROOT=var/collectstatic-check \
		$(UV) run parvis collectstatic --noinput -v0
	rm -rf var/collectstatic-check

## Run the accessibility gate and store its report, from which the accessibility statement is
## generated (commit parvis/core/data/accessibility-report.json afterwards).
accessibility: install
	rm -f parvis/core/data/accessibility-report.json
	PARVIS_A11Y_REPORT=$(CURDIR)/parvis/core/data/accessibility-report.json \
		$(UV) run pytest -q parvis/core/tests/test_accessibility.py

## Refresh translation catalogues (needs GNU gettext; the compiled .mo files are committed,
## so `make run` and `make test` never need it).
messages: install
	$(UV) run parvis makemessages -l fr -l en --no-obsolete -i ".venv/*" -i ".tools/*" -i "var/*"
	$(UV) run parvis compilemessages -i ".venv" -i ".tools"

clean:
	rm -rf var .venv .tools
