PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/shop
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# The chart checks' tools, in their own environment (requirements/charts.txt says why).
CHART_TOOLS := var/chart-tools

.PHONY: run test lint format services chart-tools bench clean

# The venv is rebuilt only when a requirements file changes.
$(BIN)/.installed: requirements/base.txt requirements/dev.txt requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/dev.txt
	touch $@

$(CHART_TOOLS)/.installed: requirements/charts.txt
	test -x $(CHART_TOOLS)/bin/python || $(PYTHON) -m venv $(CHART_TOOLS)
	$(CHART_TOOLS)/bin/pip install -q --no-deps -r requirements/charts.txt
	touch $@

chart-tools: $(CHART_TOOLS)/.installed

# make run PORT=8123 HOST=0.0.0.0 serves elsewhere.
HOST ?= 127.0.0.1
PORT ?= 8000

# The worker gets the web server's settings (manage.py's default: dev); started
# alone, celery_app defaults to production like shop.wsgi.
run: $(BIN)/.installed
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "Redis configured: starting Celery worker and beat beside the web server."; \
	  $(MANAGE) migrate --verbosity 0; \
	  mkdir -p var; DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-shop.settings.dev} $(BIN)/celery -A celery_app worker --beat --loglevel=info --concurrency=2 & \
	  trap 'kill $$!' EXIT INT TERM; \
	  $(MANAGE) bootstrap --serve --address $(HOST):$(PORT); \
	else \
	  $(MANAGE) bootstrap --serve --address $(HOST):$(PORT); \
	fi

services:
	.ci/ensure-services

test: $(BIN)/.installed $(CHART_TOOLS)/.installed services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest --create-db $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Seeds its own database (shop_bench) once, then load-tests gunicorn with wrk.
bench: $(BIN)/.installed
	bench/run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var db.sqlite3
