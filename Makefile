# Two entry points for a new user: `make run` and `make test` (and `make dev` to work on it).
# Everything else here is what those two need on a fresh machine.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# host:port that `make run` and `make dev` serve on, e.g. `make run HOST=127.0.0.1:9000`.
HOST   ?= 127.0.0.1:8000
# A signing key made once for this checkout; var/ is git-ignored, so it is never committed.
SECRET := var/secret_key
# `make run` serves with DEBUG off, like a deployment, but over plain HTTP on this
# machine: secure cookies would never come back over http://, so they are off.
LOCAL_ENV = SECRET_KEY="$$(cat $(SECRET))" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost,$(firstword $(subst :, ,$(HOST)))}"
RUN_ENV = $(LOCAL_ENV) DEBUG=0 SECURE_COOKIES=0
MANAGE  = $(RUN_ENV) $(BIN)/python manage.py

.PHONY: run dev test test-deep setup system-deps db static lint bench bench-report bench-server \
	bench-server-pg bench-peer bench-deps clean

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

$(SECRET): | $(STAMP)
	@mkdir -p $(@D)
	@umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@.new
	@mv $@.new $@

db: setup $(SECRET)
	@$(MANAGE) migrate --noinput
	@$(MANAGE) load_default
	@$(MANAGE) ensure_demo_admin --url http://$(HOST)/

# Without DEBUG, Django serves no static files; whitenoise serves what collectstatic gathered.
static: setup $(SECRET)
	@$(MANAGE) collectstatic --noinput --verbosity 0

# gunicorn, as in a deployment, rather than runserver: runserver is a development
# server and, with DEBUG off, would serve static files only with --insecure.
run: db static
	@echo "Serving on http://$(HOST)/ with DEBUG off (make dev for debug mode); Ctrl-C stops it."
	@$(RUN_ENV) $(BIN)/gunicorn assessment.wsgi --bind $(HOST) --workers 2 \
		--no-control-socket --access-logfile -

# Development: DEBUG on (error pages with tracebacks), code reloaded on change.
dev: db
	@echo "Serving on http://$(HOST)/ with DEBUG on: for development only."
	@$(LOCAL_ENV) DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# The property tests alone, with many more random examples (profiles: tests/conftest.py).
test-deep: setup
	HYPOTHESIS_PROFILE=deep $(BIN)/pytest -m hypothesis

# Benchmarks: DEBUG off as in production, a throwaway key, and throwaway SQLite
# databases under var/ (never var/db.sqlite3), so they work from a fresh clone.
BENCH_ENV = DEBUG=0 SECRET_KEY=bench-only-key SECURE_COOKIES=0

bench: setup
	$(BENCH_ENV) $(BIN)/python manage.py bench_scoring

# Migrates var/bench-report.sqlite3; the benchmark's own rows are rolled back.
bench-report: setup
	$(BENCH_ENV) DATABASE_URL=sqlite:///$(CURDIR)/var/bench-report.sqlite3 \
		$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BENCH_ENV) DATABASE_URL=sqlite:///$(CURDIR)/var/bench-report.sqlite3 \
		$(BIN)/python manage.py bench_report

# The questionnaire step in-process, in lock-step with the peer survey app (issue 18).
# The peer lives outside the repository, in ../shared/peer-survey; it is set up on
# first use when that directory is there. BENCH_ARGS="--no-peer" measures this app alone.
bench-peer: setup
	@if [ ! -x var/peer/venv/bin/python ] && [ -f ../shared/peer-survey/setup.sh ]; then \
		bash ../shared/peer-survey/setup.sh; fi
	$(BENCH_ENV) DATABASE_URL=sqlite:///$(CURDIR)/var/bench-questionnaire.sqlite3 \
		ALLOWED_HOSTS=127.0.0.1 $(BIN)/python manage.py bench_questionnaire $(BENCH_ARGS)

# Fill a throwaway database with 10,000 assessments, then measure pages under gunicorn
# with 2 workers on 127.0.0.1 with wrk (installed from Debian when missing).
# bench-server uses var/bench.sqlite3; bench-server-pg a local PostgreSQL 15 (installed
# and started when missing, as in CI) with its own role and database, ctbench.
SERVER_ENV = $(BENCH_ENV) STATIC_MANIFEST=1 DB_CONN_MAX_AGE=60

bench-server: setup bench-deps
	$(SERVER_ENV) DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 \
		$(BIN)/python manage.py bench_server $(BENCH_ARGS)

bench-server-pg: setup bench-deps
	$(SERVER_ENV) DATABASE_URL=$$(bash .ci/postgres.sh ctbench ctbench-local-only ctbench) \
		$(BIN)/python manage.py bench_server $(BENCH_ARGS)

bench-deps:
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		$$SUDO apt-get install -y -qq --no-install-recommends wrk; }

clean:
	rm -rf $(VENV) var test-artifacts
