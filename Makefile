# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTHON ?= python3

.PHONY: run test lint format corpus bench verify worker clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## Serve the app with a demo review on 127.0.0.1:$(PORT) (SQLite and in-process tasks unless DATABASE_URL/REDIS_URL are set)
# Development defaults (the Docker image defaults to production); links in e-mails point at this server's port.
run: export DJANGO_DEBUG ?= True
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_setup
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker beside the web server"; \
		$(PY) -m celery -A config worker --loglevel=INFO --concurrency=2 & \
		trap "kill $$!" EXIT; \
		$(PY) manage.py runserver 127.0.0.1:$(PORT); \
	else \
		$(PY) manage.py runserver 127.0.0.1:$(PORT); \
	fi

## The whole suite, on whatever DATABASE_URL says (SQLite when unset)
test: $(VENV)/.dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy config accounts review screening charting reporting

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Every real export in ../shared/corpus imports its expected number of records; no labelled dedup set loses a unique record
corpus: $(VENV)/.dev
	$(PY) bench/corpus_exports.py
	$(PY) bench/dedup.py --no-scale --check

bench: $(VENV)/.dev
	@for script in bench/import.py bench/dedup.py bench/prioritisation.py bench/screening.py bench/export.py; do \
		echo "== $$script"; $(PY) $$script || exit 1; done

## Everything that proves the app holds (suite on PostgreSQL + Redis, corpus, fuzzing, load, faults, benchmarks)
verify: $(VENV)/.dev
	$(PY) bench/verify.py

worker: $(VENV)/.runtime
	$(PY) -m celery -A config worker --loglevel=INFO

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache staticfiles
