"""Settings for Medlemsportal, read from the environment only.

Two profiles, chosen by PORTAL_ENV: ``development`` (the default: SQLite file, generated secret key,
mail to the console) and ``production`` (every secret and host required, HTTPS-only cookies, HSTS).
Every variable is listed in .env.example. A bad value stops start-up with ImproperlyConfigured.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.logging import logging_configuration
from lib.env import development_secret, env_bool, env_choice, env_int, env_list, env_path, env_str

# Lets classes subscript Django generics at run time (ModelAdmin[Model], URLField[...]), as mypy wants.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

PORTAL_ENV = env_choice("PORTAL_ENV", ("development", "production"), "development")
PRODUCTION = PORTAL_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must not be true when PORTAL_ENV=production.")


if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "") or development_secret(VAR_DIR / "secret_key")  # survives a restart

# National identity numbers are stored only as HMAC-SHA256 digests under this key (accounts.personal_id).
# Production needs its own; development derives one from SECRET_KEY.
if PRODUCTION:
    NATIONAL_ID_HMAC_KEY = env_str("NATIONAL_ID_HMAC_KEY")
    if len(NATIONAL_ID_HMAC_KEY) < 32:
        raise ImproperlyConfigured("NATIONAL_ID_HMAC_KEY must be at least 32 random characters in production.")
else:
    NATIONAL_ID_HMAC_KEY = env_str("NATIONAL_ID_HMAC_KEY", "") or f"development:{SECRET_KEY}"

if PRODUCTION:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS is required in production (comma-separated host names).")
else:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "core.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "core.apps.TasksDatabaseConfig",  # django_tasks_db with a translated name
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "core",
    "accounts",
    "organisations",
    "invitations",
    "memberships",
    "dashboards",
    "agreements",
    "orders",
    "connections",
    "enhetsregisteret",
    "advisories",
    "incidents",
    "events",
    "suggestions",
    "surveys",
    "support",
    "ninja",
    "integrations",
    "demo",
]

# Every request passes MIDDLEWARE; its last, core.stacks.StackMiddleware, sends a token API request (a path
# under /api/ with "Authorization: Bearer") on through API_MIDDLEWARE and every other request through
# BROWSER_MIDDLEWARE. A bearer token is not a person's session: the API has no use for sessions, CSRF,
# sign-in, messages or lockouts, and the member lookup is the hottest read the portal has (core/stacks.py).
MIDDLEWARE = [
    "core.request_id.RequestIdMiddleware",
    "core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads the body (the CSRF check reads the form): an oversized one is refused unread.
    "core.limits.BodyLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "core.stacks.StackMiddleware",
]
BROWSER_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff must pass a second factor (accounts.second_factor, below); idle sessions end (accounts.sessions).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.sessions.IdleTimeoutMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.NoStoreForAuthenticatedMiddleware",
    "accounts.second_factor.SecondFactorMiddleware",
    # Last, so that it turns a throttled login (django-axes) into the login page with a "try again at".
    "axes.middleware.AxesMiddleware",
]
# A token's request: no one is signed in, and the answer is never stored nor framed (integrations/middleware.py).
API_MIDDLEWARE = ["integrations.middleware.TokenRequestMiddleware"]
# Django's and django-axes' checks look for these in MIDDLEWARE by name; they are in BROWSER_MIDDLEWARE,
# which every request but a token's passes, and core.stacks.check_stacks checks that instead.
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410", "security.W003", "axes.W002"]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    },
    # Plain text (e-mail subjects and text parts): the same templates, not HTML-escaped ("Tom & Jerry AS",
    # not "Tom &amp; Jerry AS"). core.mail.render_text renders with it.
    {
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: one URL. SQLite file by default; PostgreSQL in production.
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
        )
    }
except ValueError as exc:  # unknown scheme or malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # Wait for a lock rather than fail at once when a worker and the web process write together, and
    # take the write lock when a transaction begins, so that two writers never interleave.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared between processes), else per-process memory. Production
# needs it: sessions, the cache and the rate limits are shared by every web node through it.
REDIS_URL = env_str("REDIS_URL", "")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL is required in production (shared cache, sessions and rate limits).")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")
    # Django's Redis cache with one client per connection pool and a read that carries other commands in
    # its round trip (core/cache.py: the API's token check and its rate counter).
    CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from Redis and written through to the database: one query less per request,
    # and nobody is logged out when the cache is flushed.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Per process, in its own memory: what is keyed by everything it depends on, so that no other process
# needs to tell it when it is stale (the layout's menu and footer in templates/base.html; the status
# figures, whose key holds the shared generation number).
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "local",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

# Background jobs: a persistent queue in the database (django-tasks). Workers run
# `manage.py db_worker` on as many machines as needed; they claim jobs with row locks.
# Queues: e-mail, webhooks and imports apart, so a slow import never delays a receipt (`manage.py worker
# --queue-name email`). A worker beats every TASK_HEARTBEAT_SECONDS; a task whose worker has not been seen
# for TASK_LEASE_SECONDS is run again by another (core/workers.py), at most TASK_MAX_CLAIMS times.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.backend.DatabaseBackend",
        "QUEUES": ["default", "email", "webhooks", "imports"],
    }
}
TASK_HEARTBEAT_SECONDS = env_int("TASK_HEARTBEAT_SECONDS", 5, minimum=1)
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 60, minimum=5)
TASK_MAX_CLAIMS = env_int("TASK_MAX_CLAIMS", 3, minimum=1)

# Agreements are sealed (PAdES) with the portal's certificate from a PKCS#12 file. `make run` creates
# a demo CA under var/signing when none is configured; production must name its own.
if PRODUCTION:
    env_str("SIGNING_PKCS12_PATH")  # required: production never uses the demo CA's default path
SIGNING_PKCS12_PATH = env_path("SIGNING_PKCS12_PATH", str(VAR_DIR / "signing" / "signing.p12"))
SIGNING_PKCS12_PASSWORD = env_str("SIGNING_PKCS12_PASSWORD", "" if PRODUCTION else "demo-signing-password")
SIGNING_TRUST_ROOT = env_path("SIGNING_TRUST_ROOT", str(VAR_DIR / "signing" / "root-ca.pem"))
if PRODUCTION and not SIGNING_PKCS12_PASSWORD:
    raise ImproperlyConfigured("SIGNING_PKCS12_PASSWORD is required in production.")
# Seals are PAdES B-LTA: an RFC 3161 timestamp authority (TSA) and the revocation data of the chains are needed.
# Development uses a local TSA on loopback (`make run` starts it) and the demo CA's CRL; production names a real
# TSA and lets pyHanko fetch CRLs/OCSP from the certificates' addresses. See docs/operations/sealing.md.
TIMESTAMP_AUTHORITY_URL = env_str("TIMESTAMP_AUTHORITY_URL", "" if PRODUCTION else "http://127.0.0.1:8010/")
if PRODUCTION and not TIMESTAMP_AUTHORITY_URL:
    raise ImproperlyConfigured("TIMESTAMP_AUTHORITY_URL is required in production: seals must be timestamped.")
# The local TSA's key and certificate (demo CA; development only).
TIMESTAMP_AUTHORITY_PKCS12_PATH = Path(
    env_str("TIMESTAMP_AUTHORITY_PKCS12_PATH", str(SIGNING_PKCS12_PATH.parent / "tsa.p12"))
)
# CRL files (DER) embedded as revocation data when sealing; empty for none.
SIGNING_CRL_PATHS = [Path(p) for p in env_list("SIGNING_CRL_PATHS", [str(SIGNING_PKCS12_PATH.parent / "ca.crl")])]
SIGNING_FETCH_REVOCATION = env_bool("SIGNING_FETCH_REVOCATION", PRODUCTION)
# retimestamp_agreements renews an agreement's archive timestamp when its TSA certificate expires within this.
RETIMESTAMP_MARGIN_DAYS = env_int("RETIMESTAMP_MARGIN_DAYS", 180, minimum=1)
# Reminder steps before a signing deadline, in days.
_reminder_days = env_list("MEMBERSHIP_REMINDER_DAYS", ["30", "14", "7", "1"])
if not _reminder_days or not all(day.isdigit() and 0 < int(day) <= 365 for day in _reminder_days):
    raise ImproperlyConfigured("MEMBERSHIP_REMINDER_DAYS must be whole days from 1 to 365, e.g. 30,14,7,1.")
MEMBERSHIP_REMINDER_DAYS = sorted({int(day) for day in _reminder_days}, reverse=True)
# The portal's public address, for links in e-mails and calendar files. Production: https, required.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", None if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not PORTAL_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured("PORTAL_BASE_URL must be the portal's https:// address in production.")

# Private files (incident attachments): outside the code and the web root. Production names its own
# absolute directory, which must not lie inside the code directory (it is replaced on every upgrade).
PRIVATE_STORAGE_DIR = env_path("PRIVATE_STORAGE_DIR", None if PRODUCTION else str(VAR_DIR / "private"))
if PRODUCTION and PRIVATE_STORAGE_DIR.resolve().is_relative_to(BASE_DIR):
    raise ImproperlyConfigured(f"PRIVATE_STORAGE_DIR must lie outside the code directory {BASE_DIR}.")
INCIDENT_ATTACHMENT_DIR = env_path("INCIDENT_ATTACHMENT_DIR", str(PRIVATE_STORAGE_DIR / "incident-attachments"))
if PRODUCTION and INCIDENT_ATTACHMENT_DIR.resolve().is_relative_to(BASE_DIR):
    raise ImproperlyConfigured(f"INCIDENT_ATTACHMENT_DIR must lie outside the code directory {BASE_DIR}.")
# Where the scheduler records the audit chain's head every night (anchor_audit_chain).
AUDIT_ANCHOR_FILE = env_path("AUDIT_ANCHOR_FILE", str(PRIVATE_STORAGE_DIR / "audit-anchor.json"))
INCIDENT_ATTACHMENT_MAX_BYTES = env_int("INCIDENT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Where incident reports are sent (HelseCERT).
HELSECERT_EMAIL = env_str("HELSECERT_EMAIL", "helsecert@nhn.no")
# Hours a targeted organisation has to acknowledge a security advisory.
ADVISORY_ACK_HOURS = env_int("ADVISORY_ACK_HOURS", 24, minimum=1)
# Prefix of the portal's own ids for advisories imported from CSAF documents.
ADVISORY_IMPORT_PREFIX = env_str("ADVISORY_IMPORT_PREFIX", "EXT")
# The register of legal entities' API (Brønnøysundregistrene).
ENHETSREGISTERET_URL = env_str("ENHETSREGISTERET_URL", "https://data.brreg.no/enhetsregisteret/api").rstrip("/")

# Authority to sign (issue 16): who may sign is read from a register, never typed in. Each source answers
# "does this person hold a role that lets them sign alone for this organisation?"; the first that says yes
# is recorded on the signature. Enhetsregisteret's roles are always asked; Altinn's authorization (a
# decision per person and organisation) is added when its URL is configured.
ENHETSREGISTERET_URL = env_str("ENHETSREGISTERET_URL", "https://data.brreg.no/enhetsregisteret/api").rstrip("/")
# The register's roles of an organisation are read again before a signing when older than this.
SIGNING_ROLES_MAX_AGE = env_int("SIGNING_ROLES_MAX_AGE", 24 * 3600, minimum=0)
ALTINN_AUTHORIZATION_URL = env_str("ALTINN_AUTHORIZATION_URL", "").rstrip("/")
ALTINN_AUTHORIZATION_TOKEN = env_str("ALTINN_AUTHORIZATION_TOKEN", "")
ALTINN_SUBSCRIPTION_KEY = env_str("ALTINN_SUBSCRIPTION_KEY", "")
ALTINN_RESOURCE = env_str("ALTINN_RESOURCE", "nhn-medlemsportal-signering")
SIGNING_AUTHORITY_SOURCES = ["enhetsregisteret.authority.EnhetsregisteretSource"]
if ALTINN_AUTHORIZATION_URL:
    SIGNING_AUTHORITY_SOURCES.append("core.authority.AltinnSource")

# The member-service API (integrations): requests per token per minute (429 + Retry-After beyond it;
# counted in the default cache, Redis in production), and webhooks. WEBHOOK_ALLOW_LOOPBACK lets webhooks
# reach http://127.0.0.1 (the tests' receiver); it can never be on in production.
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 600, minimum=1)
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", False)
if PRODUCTION and WEBHOOK_ALLOW_LOOPBACK:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_LOOPBACK must not be true when PORTAL_ENV=production.")
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500

# Accounts
AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a throttled login before any password is checked (accounts/throttle.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.PortalBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Login through OpenID Connect (accounts.oidc). A provider whose issuer is not set is not offered.
# ID-porten: client_secret_basic with IDPORTEN_CLIENT_SECRET, or private_key_jwt with IDPORTEN_PRIVATE_KEY_PATH.
IDPORTEN_ISSUER = env_str("IDPORTEN_ISSUER", "").rstrip("/")
IDPORTEN_CLIENT_ID = env_str("IDPORTEN_CLIENT_ID", "")
IDPORTEN_CLIENT_SECRET = env_str("IDPORTEN_CLIENT_SECRET", "")
IDPORTEN_PRIVATE_KEY_PATH = env_str("IDPORTEN_PRIVATE_KEY_PATH", "")
IDPORTEN_LOGIN_ACR = env_str("IDPORTEN_LOGIN_ACR", "idporten-loa-substantial")
IDPORTEN_SIGNING_ACR = env_str("IDPORTEN_SIGNING_ACR", "idporten-loa-high")
# HelseID: private_key_jwt and pushed authorization requests.
HELSEID_ISSUER = env_str("HELSEID_ISSUER", "").rstrip("/")
HELSEID_CLIENT_ID = env_str("HELSEID_CLIENT_ID", "")
HELSEID_PRIVATE_KEY_PATH = env_str("HELSEID_PRIVATE_KEY_PATH", "")
for _name, _issuer, _client_id, _credential in (
    ("IDPORTEN", IDPORTEN_ISSUER, IDPORTEN_CLIENT_ID, IDPORTEN_CLIENT_SECRET or IDPORTEN_PRIVATE_KEY_PATH),
    ("HELSEID", HELSEID_ISSUER, HELSEID_CLIENT_ID, HELSEID_PRIVATE_KEY_PATH),
):
    if _issuer and not (_client_id and _credential):
        raise ImproperlyConfigured(
            f"{_name}_ISSUER is set: {_name}_CLIENT_ID and its secret or private key are needed too."
        )
    if _issuer and PRODUCTION and not _issuer.startswith("https://"):
        raise ImproperlyConfigured(f"{_name}_ISSUER must be an https:// URL in production.")
# How recent a login must be to count as a step-up (accounts.oidc.require_acr), in seconds.
OIDC_STEP_UP_MAX_AGE = env_int("OIDC_STEP_UP_MAX_AGE", 300, minimum=0)
OIDC_HTTP_TIMEOUT = env_int("OIDC_HTTP_TIMEOUT", 10, minimum=1)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: eight working hours at most, and gone when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"
CSRF_COOKIE_SAMESITE = "Lax"
# Idle time-out, besides the absolute SESSION_COOKIE_AGE: a session unused this long ends
# (accounts.sessions.IdleTimeoutMiddleware). Staff hold the keys to every member's data: shorter.
SESSION_IDLE_MINUTES_STAFF = env_int("SESSION_IDLE_MINUTES_STAFF", 30, minimum=1)
SESSION_IDLE_MINUTES_MEMBERS = env_int("SESSION_IDLE_MINUTES_MEMBERS", 60, minimum=1)

# Client address: REMOTE_ADDR, unless the request came from one of these proxies (addresses or
# networks), which append the client's address to X-Forwarded-For (core.client_ip).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

# Throttling of password logins and of the password step-up at signing (django-axes, database handler):
# LOGIN_FAILURE_LIMIT failures for one account, or from one client address, lock further attempts for
# LOGIN_LOCKOUT_MINUTES after the last one. The customer centre can lift a lock (accounts:unlock).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_LOCKOUT_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttle.username_of"
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = False  # a login to one's own account must not reset an address's failures
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock lifts at a time the user can be told
AXES_DISABLE_ACCESS_LOG = True  # logins are audit events (accounts.signals)
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # locks are lifted on accounts:unlock, with an audit event

# Second factor (django-otp: TOTP and recovery codes; django-otp-webauthn: passkeys). Every staff
# account must pass one before any page but the second-factor pages (accounts.second_factor).
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Medlemsportal")
OTP_WEBAUTHN_RP_NAME = env_str("OTP_WEBAUTHN_RP_NAME", "Medlemsportal")
# The relying party id is the host name the portal is served on (no port); passkeys are bound to it.
OTP_WEBAUTHN_RP_ID = env_str("OTP_WEBAUTHN_RP_ID", "" if PRODUCTION else "localhost")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS", [] if PRODUCTION else ["http://localhost:8000", "http://localhost"]
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a passkey is the second factor, after the password or OIDC
if PRODUCTION and not (OTP_WEBAUTHN_RP_ID and OTP_WEBAUTHN_ALLOWED_ORIGINS):
    raise ImproperlyConfigured("OTP_WEBAUTHN_RP_ID and OTP_WEBAUTHN_ALLOWED_ORIGINS are required in production.")
# Staff who logged in with HelseID at assurance level high may skip the portal's second factor: the
# OIDC login sets session["auth_issuer"] and session["auth_acr"]; these say which pair counts.
MFA_EXEMPT_HELSEID_HIGH = env_bool("MFA_EXEMPT_HELSEID_HIGH", False)
MFA_HELSEID_ISSUER = env_str("HELSEID_ISSUER", "")
MFA_HELSEID_HIGH_ACR = env_list("MFA_HELSEID_HIGH_ACR", [])  # e.g. the acr value HelseID gives for "high"

# Internationalisation: Norwegian Bokmål first, then Nynorsk, English available.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("nn", _("Norwegian Nynorsk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Dates, times and numbers follow the language; English is written en-GB style (day month year, 24 h).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Europe/Oslo"
USE_TZ = True

# Static files, served by WhiteNoise; nothing is loaded from another host.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(
        parents=True, exist_ok=True
    )  # WhiteNoise warns about a missing root; collectstatic makes it in production
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Uploads: nothing large is accepted in a request body. core.limits refuses a body over its route's limit
# (413) before reading it; Django's own limits cap what is held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 3 * 1024 * 1024, minimum=64 * 1024)
VERIFY_UPLOAD_MAX_BYTES = env_int("VERIFY_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)

# The client's address: REMOTE_ADDR, or X-Forwarded-For as far as this many proxies in front vouch for it.
# Rate limits per client address (the `limits` library's notation: N/second|minute|hour).
RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
RATELIMIT_STORAGE_URI = env_str("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
RATELIMIT_VERIFY = env_str("RATELIMIT_VERIFY", "10/minute")
RATELIMIT_STATUS_JSON = env_str("RATELIMIT_STATUS_JSON", "60/minute")
RATELIMIT_REGISTER_CLAIM = env_str("RATELIMIT_REGISTER_CLAIM", "10/hour")  # "I sign for": each asks the register

# Monitoring: /metrics (Prometheus) for a bearer token or an allowed address; /readyz for load balancers.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
# Optional: the timestamp authority's certificate (PEM), whose days left /readyz reports.
TIMESTAMP_CERTIFICATE_PATH = env_str("TIMESTAMP_CERTIFICATE_PATH", "")

# E-mail: an SMTP server when EMAIL_HOST is set; the console in development otherwise.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Medlemsportal <medlemsportal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif PRODUCTION:
    raise ImproperlyConfigured("EMAIL_HOST is required in production.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Security headers. The CSP allows only our own origin: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page uses are off everywhere; passkeys only for our own origin (core.middleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "publickey-credentials-create=(self), publickey-credentials-get=(self)"
)

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix pins the cookies to this host, HTTPS and path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        # Only behind a proxy that sets this header itself and strips it from clients.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Customer centre, shown in the footer and on the help page (the deck's hours are the default).
CUSTOMER_CENTRE_PHONE = env_str("CUSTOMER_CENTRE_PHONE", "24 20 00 00")
CUSTOMER_CENTRE_EMAIL = env_str("CUSTOMER_CENTRE_EMAIL", "kundesenter@nhn.no")
CUSTOMER_CENTRE_HOURS = env_str("CUSTOMER_CENTRE_HOURS", "08:00–20:00")

# Logs: JSON lines (production default) or plain text (development default), each with the request id;
# secrets and identity numbers are masked before any handler sees them (core/logging.py).
LOG_FORMAT = env_choice("LOG_FORMAT", ("json", "plain"), "json" if PRODUCTION else "plain")
LOGGING = logging_configuration(log_format=LOG_FORMAT, level=env_str("LOG_LEVEL", "INFO").upper())
