# Two entry points for a new user: `make run` and `make test`.
# Everything else here is what those two need on a fresh machine.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Local development runs with DEBUG on; production settings come from the environment.
MANAGE := DEBUG=$${DEBUG:-1} $(BIN)/python manage.py
HOST   ?= 127.0.0.1:8000

.PHONY: run test setup system-deps db lint bench bench-report bench-server clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (Python 3.11 is required)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

system-deps:
	@bash .ci/system-deps.sh

setup: system-deps $(STAMP)
	@mkdir -p var

db: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) load_default
	$(MANAGE) ensure_demo_admin

run: db
	$(MANAGE) runserver $(HOST)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

bench: setup
	$(BIN)/python manage.py bench_scoring

# A throwaway SQLite database (var/bench-report.sqlite3), production settings.
bench-report: setup
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench-report.sqlite3 DEBUG=0 SECRET_KEY=bench-only-key \
		$(BIN)/python manage.py bench_report

# Fills a throwaway SQLite database (var/bench.sqlite3) with 10,000 assessments,
# then measures pages under gunicorn with 2 workers on 127.0.0.1.
bench-server: setup
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 DEBUG=0 SECRET_KEY=bench-only-key \
		STATIC_MANIFEST=1 $(BIN)/python manage.py bench_server

clean:
	rm -rf $(VENV) var test-artifacts
