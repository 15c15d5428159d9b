"""Test overrides: a fast password hasher and mail kept in memory. Everything else is production-like."""

from portal.settings import *  # noqa: F403

# Argon2 is deliberately slow; the tests make hundreds of users. test_settings.py proves the real
# setting uses Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
