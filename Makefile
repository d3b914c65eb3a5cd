# ICMS: `make run` and `make test` do all set-up on a machine with Python 3.11 and nothing else.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test lint fmt stop lock bench bench-parts deploy-test

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

## run: migrate, install the schedules, seed the demo once, then web + worker + beat on PORT
## (default 8000). Ctrl-C stops all, the embedded servers too; however a run ended, the next one
## first ends what it left running (icms/run.py).
run: export DEBUG ?= 1
run: export PORT ?= 8000
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.runtime-installed
	$(PY) -m icms.run

## test: ruff, then the whole test suite on PostgreSQL, one worker per CPU (browser tests need
## /usr/bin/chromium).
## Without DATABASE_URL / REDIS_URL the tests get embedded servers of their own, stopped at the end.
test: export ICMS_DATA_DIR ?= $(CURDIR)/.data/test
test: $(VENV)/.dev-installed lint
	trap '$(PY) -m icms.embedded stop' EXIT; $(PY) -m pytest

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: $(VENV)/.dev-installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## bench: the statewide pages, each timed in-process beside the floor and a bare Django request,
## then under load (seeds the scale records once, then gunicorn + locust; see the README's
## Performance section); bench-parts: the focused benchmarks, each in a scratch database
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: requirements-bench.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -r requirements-bench.txt
	touch $@

bench: $(VENV)/.runtime-installed $(BENCH_VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_scale
	DEBUG=0 $(PY) manage.py benchmark_pages
	$(PY) manage.py benchmark_load --locust $(BENCH_VENV)/bin/locust

bench-parts: $(VENV)/.runtime-installed
	$(PY) manage.py benchmark_audit --rows $${AUDIT_ROWS:-20000000}
	$(PY) manage.py benchmark_plans
	$(PY) manage.py benchmark_reminders
	$(PY) manage.py benchmark_supervision

## deploy-test: the deployment drill (deploy/drill.py): the compose stack built from Debian's
## archive, scaled, broken on purpose under load, backed up and restored. Needs a Docker engine,
## which deploy/docker-engine.sh installs and starts where it can; skipped, saying why, where not.
deploy-test: $(VENV)/.dev-installed
	@sh deploy/docker-engine.sh; status=$$?; \
	if [ $$status -eq 3 ]; then exit 0; elif [ $$status -ne 0 ]; then exit $$status; fi; \
	$(PY) deploy/drill.py

## stop: stop the embedded PostgreSQL and Redis if they are still running
stop: $(VENV)/.runtime-installed
	$(PY) -m icms.embedded stop

## lock: re-pin requirements*.txt from requirements*.in
lock: $(VENV)/.dev-installed
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-find-links --no-emit-index-url -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-find-links --no-emit-index-url -o requirements-dev.txt requirements-dev.in
