# Medlemsportal: `make run` to try it, `make test` for the whole check. Nothing else is needed.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test venv system-deps node-deps lint check-deploy pytest-sqlite pytest-postgres messages clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(VENV)/bin/pip || $(PYTHON) -m venv --clear $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(VENV)/bin/pip check
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_signing_certificate
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_service_catalogue
	$(PY) manage.py seed_demo
	@echo "Serving Medlemsportal on http://127.0.0.1:8000 with a background worker for e-mail (stop with Ctrl-C)"
	@$(PY) manage.py db_worker --interval 2 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000

# What the browser tests need from the operating system, installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

node-deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

lint: venv
	ruff check .
	ruff format --check .

check-deploy: venv
	PORTAL_ENV=production DEBUG=false SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  ALLOWED_HOSTS=medlemsportal.example.no EMAIL_HOST=smtp.example.no SIGNING_PKCS12_PASSWORD=check-only \
	  DATABASE_URL="sqlite:///$(CURDIR)/var/check-deploy.sqlite3" \
	  $(PY) manage.py check --deploy --fail-level WARNING

pytest-sqlite: venv system-deps node-deps
	env -u DATABASE_URL $(PY) -m pytest -m "not browser" -q -n 2
	env -u DATABASE_URL $(PY) -m pytest -m browser -q

pytest-postgres: venv system-deps node-deps
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== The same suite on $$DATABASE_URL"; \
	  $(PY) -m pytest -m "not browser" -q -n 2 && $(PY) -m pytest -m browser -q; \
	else echo "DATABASE_URL is not set: PostgreSQL run skipped"; fi

test: venv system-deps node-deps lint
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy
	$(MAKE) --no-print-directory pytest-sqlite
	$(MAKE) --no-print-directory pytest-postgres

# Refresh the translation catalogues after changing user-facing text.
messages: venv
	$(PY) manage.py makemessages -l nb -l nn -l en --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules var
