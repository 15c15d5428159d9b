"""Settings for Medlemsportal, read from the environment only.

Two profiles, chosen by PORTAL_ENV: ``development`` (the default: SQLite file, generated secret key,
mail to the console) and ``production`` (every secret and host required, HTTPS-only cookies, HSTS).
Every variable is listed in .env.example. A bad value stops start-up with ImproperlyConfigured.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from lib.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

PORTAL_ENV = env_choice("PORTAL_ENV", ("development", "production"), "development")
PRODUCTION = PORTAL_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must not be true when PORTAL_ENV=production.")


def _development_secret_key() -> str:
    """A random key kept in var/ so that sessions survive a restart of `make run`."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "") or _development_secret_key()

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
    "django_tasks_db",
    "core",
    "accounts",
    "organisations",
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
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.NoStoreForAuthenticatedMiddleware",
]

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

# Cache: Redis when REDIS_URL is set (shared between processes), else per-process memory.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")
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
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

# Agreements are sealed (PAdES) with the portal's certificate from a PKCS#12 file. `make run` creates
# a demo CA under var/signing when none is configured; production must name its own.
SIGNING_PKCS12_PATH = Path(env_str("SIGNING_PKCS12_PATH", str(VAR_DIR / "signing" / "signing.p12")))
SIGNING_PKCS12_PASSWORD = env_str("SIGNING_PKCS12_PASSWORD", "" if PRODUCTION else "demo-signing-password")
SIGNING_TRUST_ROOT = Path(env_str("SIGNING_TRUST_ROOT", str(VAR_DIR / "signing" / "root-ca.pem")))
if PRODUCTION and not SIGNING_PKCS12_PASSWORD:
    raise ImproperlyConfigured("SIGNING_PKCS12_PASSWORD is required in production.")
# Reminder steps before a signing deadline, in days.
_reminder_days = env_list("MEMBERSHIP_REMINDER_DAYS", ["30", "14", "7", "1"])
if not _reminder_days or not all(day.isdigit() and 0 < int(day) <= 365 for day in _reminder_days):
    raise ImproperlyConfigured("MEMBERSHIP_REMINDER_DAYS must be whole days from 1 to 365, e.g. 30,14,7,1.")
MEMBERSHIP_REMINDER_DAYS = sorted({int(day) for day in _reminder_days}, reverse=True)
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"
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
CSRF_COOKIE_SAMESITE = "Lax"

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

# Uploads: nothing large is accepted in a request body.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    # pyHanko logs a traceback at WARNING for every untrusted or altered PDF someone checks: expected input.
    "loggers": {"pyhanko": {"level": "ERROR"}, "pyhanko_certvalidator": {"level": "ERROR"}},
}
