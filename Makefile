# Developer and CI entry points. Needs only python3.11 (or python3), make, node and npm:
# everything else is installed into .venv and node_modules by the targets themselves.
#
#   make run            the app on http://127.0.0.1:8000 (PORT=...) with demo data: SQLite, tasks in-process
#   make test           the fast suite: SQLite, tasks in-process; no PostgreSQL or Redis needed
#   make test-services  the suite on PostgreSQL and Redis; the services tests with a real Celery worker
#   make test-browser   the browser tests (Debian's Chromium driven by Playwright)
#   make test-faults    Redis stopped, PostgreSQL stopped and restarted, under a real web process (private servers)
#   make lint           ruff, and lint-imports (the layers contract of pyproject.toml)
#   make audit          known vulnerabilities in the pinned Python and npm packages (.ci/audit)
#   make bench          the county-scale bench on PostgreSQL (drops and rebuilds actionplans_bench*): bench/README.md
#   make backup         DATABASE_URL's database (pg_dump) and every stored file into var/backups/<UTC time>/ (or BACKUP=dir)
#   make restore        BACKUP=dir DATABASE_URL=postgres://.../new-name: into a fresh database and the files storage, verified
#   make lock           rewrite requirements.lock from pyproject.toml (see the target)
#   make clean          remove .venv, node_modules and built files (never db.sqlite3 or var/)

PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# pytest-xdist workers for `make test`; 0 runs it in one process.
TEST_WORKERS ?= 2
# Extra pytest arguments, e.g. PYTEST_ARGS="-k report -x".
PYTEST_ARGS ?=
# Where each pytest run writes its JUnit report (.ci/run sets it); empty writes none.
JUNIT_DIR ?=
junit = $(if $(JUNIT_DIR),--junitxml=$(JUNIT_DIR)/$(1).xml)

# The services `make test-services` talks to; override on the command line.
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/actionplans
SERVICES_BROKER_URL ?= redis://127.0.0.1:6379/1
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/2

# The embedded default: SQLite, tasks run in-process, local memory cache, whatever the
# caller's shell has set.
EMBEDDED := env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL
# PostgreSQL and Redis as the cache, tasks in-process: for every test but the services ones.
ON_POSTGRES := env -u CELERY_BROKER_URL DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL)
# ... and with the broker too: the services tests start a real Celery worker on it.
SERVICES := env DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_BROKER_URL) REDIS_URL=$(SERVICES_REDIS_URL)

PY_STAMP := $(VENV)/.requirements-installed
NODE_STAMP := node_modules/.package-lock-installed

DEMO_PASSWORD := demo-password
DEMO_LOGINS := officer partner manager director clerk member admin

.DEFAULT_GOAL := help
.PHONY: help venv install assets check-system run migrate test test-services test-browser test-faults lint audit lock clean bench backup restore

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

# --- installation ------------------------------------------------------------------------

venv install: $(PY_STAMP)

# Reinstalls only when requirements.lock changes (or the venv is gone).
$(PY_STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "Python 3.11 is needed; $(PYTHON) is $$($(PYTHON) --version 2>&1). Set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(NODE_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund
	touch $@

# Compiles static/src into static/dist (GOV.UK and MOJ Frontend with the council's settings).
assets: $(NODE_STAMP)
	@if test -f static/build.mjs; then npm run build; \
	else echo "assets: static/build.mjs is not there yet; nothing to build"; fi

# WeasyPrint (the PDF papers) needs Pango from the operating system.
check-system: $(PY_STAMP)
	@if $(BIN)/python -c 'import weasyprint' >/dev/null 2>&1; then \
		echo "check-system: WeasyPrint finds Pango"; \
	else \
		echo "check-system: WeasyPrint cannot load Pango, which the PDF papers need. Install it:"; \
		echo "  Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b"; \
		echo "  macOS:         brew install pango"; \
		echo "then run make again. The error was:"; \
		$(BIN)/python -c 'import weasyprint' 2>&1 | tail -n 3 | sed 's/^/  /'; \
		exit 1; \
	fi

# --- running -----------------------------------------------------------------------------

migrate: $(PY_STAMP)
	$(EMBEDDED) $(BIN)/python manage.py migrate --noinput

run: install assets check-system migrate
	$(EMBEDDED) $(BIN)/python manage.py load_demo
	@echo
	@echo "Sign in at http://127.0.0.1:$(PORT)/accounts/login/ as any of these, password $(DEMO_PASSWORD):"
	@for who in $(DEMO_LOGINS); do echo "  $$who@demo.example"; done
	@echo
	$(EMBEDDED) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# --- backup and restore ------------------------------------------------------------------

# Both read DATABASE_URL and the files storage (PRIVATE_FILES_ROOT, or S3_BUCKET and its
# settings) from the environment, as the app does; neither works on the SQLite default.
# The restore creates the database when it does not exist and refuses one that has tables
# (RESTORE_ARGS=--force replaces its contents). See foundation/backup.py.
RESTORE_ARGS ?=

backup: $(PY_STAMP)
	@test -n "$$DATABASE_URL" || { echo "backup: set DATABASE_URL=postgres://... (the database to back up)"; exit 1; }
	$(BIN)/python manage.py backup $(if $(BACKUP),--output "$(BACKUP)")

restore: $(PY_STAMP)
	@test -n "$(BACKUP)" || { echo "restore: set BACKUP=<the folder make backup wrote>"; exit 1; }
	@test -n "$$DATABASE_URL" || { echo "restore: set DATABASE_URL=postgres://.../<a new database name>"; exit 1; }
	$(BIN)/python manage.py restore --input "$(BACKUP)" --create $(RESTORE_ARGS)

# --- tests -------------------------------------------------------------------------------

test: install assets check-system
	$(EMBEDDED) $(BIN)/python -m pytest -m "not services and not browser and not faults" \
		$(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS)) $(call junit,test) $(PYTEST_ARGS)

# The whole suite but the browser tests on PostgreSQL and Redis, in two runs. First every
# test not marked services, with tasks in-process as in `make test` (with a broker and no
# worker, a task queued by a test would never run). Then the services tests, with the
# broker and one real Celery worker on the test database (so in one process).
# --create-db: a test database left by an interrupted run is rebuilt, not reused.
test-services: install assets check-system
	$(ON_POSTGRES) $(BIN)/python -m pytest -m "not services and not browser and not faults" --create-db \
		$(call junit,test-postgres) $(PYTEST_ARGS)
	$(SERVICES) $(BIN)/python -m pytest -m "services and not browser and not faults" --create-db \
		$(call junit,test-services) $(PYTEST_ARGS)

# Exit code 5 is pytest's "no tests collected": no browser test written yet is not a failure.
test-browser: install assets check-system
	@$(EMBEDDED) $(BIN)/python -m pytest -m "browser and not faults" $(call junit,test-browser) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "test-browser: no browser tests yet"; exit 0; fi; exit $$rc

# The fault tests (tests/faults): their own PostgreSQL cluster and Redis server on free
# ports, never the machine's (run as root, PostgreSQL is started as the postgres user with
# runuser), a real gunicorn and Celery worker on them; then Redis is stopped and
# PostgreSQL stopped and restarted under the running web process. About two minutes.
test-faults: install assets check-system
	$(EMBEDDED) $(BIN)/python -m pytest -m faults tests/faults $(call junit,test-faults) $(PYTEST_ARGS)

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/actionplans_bench

bench: install assets check-system
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run.py

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# Fails on a known vulnerability; says "NOT audited" (and passes) where the advisory
# service cannot be reached.
audit: $(PY_STAMP) $(NODE_STAMP)
	bash .ci/audit

# --- the lock file -----------------------------------------------------------------------

# requirements.lock pins every package, direct and indirect, that pyproject.toml's
# dependencies and its dev group need. To change a dependency: edit its pin in
# pyproject.toml, run `make lock`, review the diff of requirements.lock, run the tests,
# commit both files. The lock is solved in a throw-away venv so that nothing already
# installed leaks into it.
LOCK_FILE ?= requirements.lock
LOCK_VENV ?= $(or $(TMPDIR),/tmp)/actionplans-lock-venv

lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(LOCK_VENV)/bin/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb")); \
		print("\n".join(p["project"]["dependencies"] + p["dependency-groups"]["dev"]))' \
		> $(LOCK_VENV)/requirements.in
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(LOCK_VENV)/requirements.in
	$(LOCK_VENV)/bin/python -m pip freeze > $(LOCK_FILE)
	rm -rf $(LOCK_VENV)
	@echo "lock: wrote $(LOCK_FILE)"

clean:
	rm -rf $(VENV) node_modules staticfiles static/dist .pytest_cache .ruff_cache test-artifacts
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
