"""Test overrides: a fast password hasher and mail kept in memory. Everything else is production-like."""

from portal.settings import *  # noqa: F403

# Argon2 is deliberately slow; the tests make hundreds of users. test_settings.py proves the real
# setting uses Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# A demo CA of the tests' own, made once per machine by the session fixture in conftest.py.
SIGNING_PKCS12_PATH = VAR_DIR / "test-signing" / "signing.p12"
SIGNING_PKCS12_PASSWORD = "test-signing-password"  # noqa: S105 - a throwaway test CA
SIGNING_TRUST_ROOT = VAR_DIR / "test-signing" / "root-ca.pem"
SIGNING_CRL_PATHS = [VAR_DIR / "test-signing" / "ca.crl"]
TIMESTAMP_AUTHORITY_PKCS12_PATH = VAR_DIR / "test-signing" / "tsa.p12"
SIGNING_FETCH_REVOCATION = False
# Set by the session fixture in conftest.py to the local TSA it starts on a free port.
TIMESTAMP_AUTHORITY_URL = ""
PORTAL_BASE_URL = "http://testserver"

# aiosmtpd (the tests' real SMTP server) logs from its own thread, sometimes after pytest has closed
# the captured stream; its chatter is not what the tests check.
LOGGING["handlers"]["null"] = {"class": "logging.NullHandler"}
LOGGING["loggers"]["mail.log"] = {"handlers": ["null"], "level": "CRITICAL", "propagate": False}

# The tests' webhook receiver listens on 127.0.0.1 over http (never allowed in production).
WEBHOOK_ALLOW_LOOPBACK = True
