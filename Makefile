# The two commands a new user types: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/appro_solidaire

.PHONY: production run test test-postgres lint install install-dev migrate seed worker beat clean messages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

# With axe-core, which the browser tests inject into every page (from the npm registry).
$(VENV)/.installed-dev: requirements.txt requirements-dev.txt tests/browser/package-lock.json $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Embedded default: SQLite, tasks in-process, demo data, server on http://$(HOST)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@mkdir -p var
	@echo "Un an d'historique se génère en arrière-plan (var/seed_history.log) : le tableau de bord des élus se remplit en deux minutes environ."
	$(PY) manage.py seed_history --track --no-progress > var/seed_history.log 2>&1 & $(PY) manage.py runserver $(HOST)

## Production processes on this machine (gunicorn, a Celery worker, beat) from the Procfile;
## needs the production variables of the README (PostgreSQL, CELERY_BROKER_URL, secrets).
production: install
	DJANGO_SETTINGS_MODULE=config.settings.production $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.production $(PY) manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=config.settings.production PATH=$(VENV)/bin:$$PATH $(VENV)/bin/honcho start

## Lint (ruff, mypy, import contracts), migration check and the whole test suite (SQLite unless DATABASE_URL is set)
test: install-dev lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

## The same suite against the local PostgreSQL
test-postgres:
	DATABASE_URL=$(PG_URL) $(MAKE) test

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

## Refresh the French catalogue from the code (then translate the new entries in
## locale/fr/LC_MESSAGES/django.po) and compile it; tests/test_translations.py checks both
messages: install
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=tests --ignore=bench --ignore=tools --ignore=node_modules --no-obsolete
	cd locale && ../$(PY) ../manage.py compilemessages -l fr
