# Medlemsportal: `make run` to try it, `make test` for the whole check. Nothing else is needed.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Runtime and development dependencies are locked apart, both with hashes; `make lock` regenerates them.
LOCKS := requirements.lock requirements-dev.lock
STAMP := $(VENV)/.installed-$(shell cat $(LOCKS) | sha1sum | cut -c1-12)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test venv system-deps node-deps lint typecheck check-deploy pytest-sqlite pytest-postgres messages clean \
	lock sbom audit-deps security-report bench

$(STAMP): $(LOCKS) pyproject.toml
	@test -x $(VENV)/bin/pip || $(PYTHON) -m venv --clear $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
	  -r requirements.lock -r requirements-dev.lock
	$(VENV)/bin/pip check
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

# The local OpenID Provider (devtools/oidc/provider.mjs) that `make run` starts: "Log in with ID-porten (test)".
OIDC_DEV_ENV := IDPORTEN_ISSUER=$${IDPORTEN_ISSUER:-http://127.0.0.1:8800} \
  IDPORTEN_CLIENT_ID=$${IDPORTEN_CLIENT_ID:-medlemsportal-dev} \
  IDPORTEN_CLIENT_SECRET=$${IDPORTEN_CLIENT_SECRET:-dev-only-idporten-secret} \
  HELSEID_ISSUER=$${HELSEID_ISSUER:-http://127.0.0.1:8801} \
  HELSEID_CLIENT_ID=$${HELSEID_CLIENT_ID:-medlemsportal-helseid-dev} \
  HELSEID_PRIVATE_KEY_PATH=$${HELSEID_PRIVATE_KEY_PATH:-var/oidc/helseid-client-key.pem}

# The local timestamp authority (RFC 3161, demo CA) runs in the background from the start: the demo data
# signs agreements, and every seal is timestamped (TIMESTAMP_AUTHORITY_URL, default http://127.0.0.1:8010/).
run: venv node-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_signing_certificate
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_service_catalogue
	@$(PY) manage.py run_timestamp_authority & tsa=$$!; \
	  trap 'kill $$tsa $$worker $$oidc 2>/dev/null' EXIT INT TERM; \
	  for _ in $$(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/8010) 2>/dev/null && break; sleep 0.2; done; \
	  $(PY) manage.py seed_demo && \
	  echo "Serving Medlemsportal on http://127.0.0.1:8000 with a background worker, a local timestamp" && \
	  echo "authority and the local ID-porten/HelseID test provider on 127.0.0.1:8800/8801 (stop with Ctrl-C)" && \
	  { $(PY) manage.py worker --queue-name '*' --interval 2 & worker=$$!; \
	    node devtools/oidc/provider.mjs --idporten-port 8800 --helseid-port 8801 >/dev/null & oidc=$$!; \
	    $(OIDC_DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000; }

# Regenerate both locks from pyproject.toml (the one way to change them): pins already in the locks are
# kept where pyproject allows, new ones resolved, every file hashed. Production installs requirements.lock only.
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-find-links --no-emit-index-url
lock:
	@test -x $(VENV)/bin/pip-compile || { echo "pip-tools is missing: run make venv first"; exit 1; }
	CUSTOM_COMPILE_COMMAND="make lock" $(PIP_COMPILE) -o requirements.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(PIP_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock pyproject.toml

# Every benchmark in bench/ against PostgreSQL (created when missing; BENCH_DATABASE_URL to use another), Redis db 8
# (BENCH_REDIS_URL) and gunicorn at national scale; the figures go into docs/benchmarks.md. About 25 minutes on a
# shared 2-core machine once the data is loaded; the first time ~10 more (loading 70,000 enterprises).
# Publishing to 70,000 organisations (bench/publish.py) adds about an hour on that machine at the rate of
# issue 21's measurement (18 messages/s); BENCH_PUBLISH_COUNT=10000 for a shorter run. Signing under load
# (bench/sign.py) about 4 minutes.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
BENCH_PUBLISH_COUNT ?= 70000
bench: venv
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run.py --publish-count $(BENCH_PUBLISH_COUNT)

# A CycloneDX SBOM of what production runs (the runtime lock).
sbom: venv
	@mkdir -p reports
	$(VENV)/bin/cyclonedx-py requirements --pyproject pyproject.toml --of JSON --output-reproducible \
	  -o reports/sbom.cdx.json requirements.lock
	@echo "SBOM written to reports/sbom.cdx.json"

# Known vulnerabilities in the runtime lock; fails (exit 3, "NOT CHECKED") when the database cannot be reached.
audit-deps: venv
	$(PY) scripts/audit_deps.py requirements.lock

# What the browser tests need from the operating system, installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

node-deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

lint: venv
	ruff check .
	ruff format --check .
	lint-imports --no-cache
	$(MAKE) --no-print-directory typecheck

# Types: strict for core, lib and every services.py/models.py, looser elsewhere (pyproject.toml [tool.mypy]).
typecheck: venv
	mypy

check-deploy: venv
	PORTAL_ENV=production DEBUG=false SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  NATIONAL_ID_HMAC_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	  ALLOWED_HOSTS=medlemsportal.example.no EMAIL_HOST=smtp.example.no SIGNING_PKCS12_PASSWORD=check-only \
	  TIMESTAMP_AUTHORITY_URL=https://tsa.example.no/ \
	  SIGNING_PKCS12_PATH=/etc/medlemsportal/signing.p12 PORTAL_BASE_URL=https://medlemsportal.example.no \
	  PRIVATE_STORAGE_DIR=/srv/medlemsportal/private REDIS_URL=redis://127.0.0.1:6379/0 \
	  OTP_WEBAUTHN_RP_ID=medlemsportal.example.no OTP_WEBAUTHN_ALLOWED_ORIGINS=https://medlemsportal.example.no \
	  DATABASE_URL="sqlite:///$(CURDIR)/var/check-deploy.sqlite3" \
	  $(PY) manage.py check --deploy --fail-level WARNING

# The security test plan's families (../shared/SECURITY.md): one JSON per family under reports/security/,
# a one-line-per-family summary, and a gate (failed, 5xx or data lost > 0 fails). make test tallies them
# during its SQLite run; this target runs only the families' tests.
SECURITY_FILES = $(shell $(PY) -c 'from tests.security_report import FAMILIES; print(" ".join(p for _n, ps in FAMILIES.values() for p in ps))' 2>/dev/null)
security-report: venv
	rm -rf reports/security
	SECURITY_REPORT_DIR=reports/security env -u DATABASE_URL $(PY) -m pytest -m "not browser" -q -n 2 $(SECURITY_FILES) || true
	$(PY) scripts/security_summary.py reports/security

pytest-sqlite: venv system-deps node-deps
	rm -rf reports/security
	SECURITY_REPORT_DIR=reports/security env -u DATABASE_URL $(PY) -m pytest -m "not browser" -q -n 2
	$(PY) scripts/security_summary.py reports/security
	env -u DATABASE_URL $(PY) -m pytest -m browser -q

pytest-postgres: venv system-deps node-deps
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== The same suite on $$DATABASE_URL"; \
	  $(PY) -m pytest -m "not browser" -q -n 2 && \
	  $(PY) -m pytest -m browser -q; \
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
