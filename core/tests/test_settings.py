"""Configuration comes from the environment only, and a bad value stops start-up with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from lib.env import env_bool, env_choice, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]
PROD = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789",
    "ALLOWED_HOSTS": "medlemsportal.example.no",
    "EMAIL_HOST": "smtp.example.no",
    "SIGNING_PKCS12_PASSWORD": "from-the-secret-store",
    "NATIONAL_ID_HMAC_KEY": "n" * 16 + "0123456789abcdefghijklmnop",
    "TIMESTAMP_AUTHORITY_URL": "https://tsa.example.no/",
    "DATABASE_URL": "sqlite:////tmp/never-created.sqlite3",
    "SIGNING_PKCS12_PATH": "/etc/medlemsportal/signing.p12",
    "PORTAL_BASE_URL": "https://medlemsportal.example.no",
    "PRIVATE_STORAGE_DIR": "/srv/medlemsportal/private",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "OTP_WEBAUTHN_RP_ID": "medlemsportal.example.no",
    "OTP_WEBAUTHN_ALLOWED_ORIGINS": "https://medlemsportal.example.no",
}


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter, as the server would at start."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PORTAL_ENV", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.INSTALLED_APPS"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_env_readers_parse_and_fail_loudly() -> None:
    env = {"B": "yes", "I": "42", "L": "a, b,,c", "C": "Production", "BAD_B": "maybe", "BAD_I": "4x2"}
    assert env_bool("B", False, environ=env) is True
    assert env_int("I", 1, environ=env) == 42
    assert env_list("L", [], environ=env) == ["a", "b", "c"]
    assert env_choice("C", ("development", "production"), "development", environ=env) == "production"
    assert env_str("MISSING", "fallback", environ=env) == "fallback"
    with pytest.raises(ImproperlyConfigured, match="BAD_B must be true or false"):
        env_bool("BAD_B", False, environ=env)
    with pytest.raises(ImproperlyConfigured, match="BAD_I must be a whole number"):
        env_int("BAD_I", 1, environ=env)
    with pytest.raises(ImproperlyConfigured, match="MISSING is required"):
        env_str("MISSING", environ=env)
    with pytest.raises(ImproperlyConfigured, match="at least 5"):
        env_int("I", 1, minimum=50, environ={"I": "3"})


def test_the_production_profile_starts_with_every_required_variable() -> None:
    result = _start(PROD)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is required"),
        ({"SECRET_KEY": "short"}, "at least 50 random characters"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is required"),
        ({"DEBUG": "true"}, "DEBUG must not be true"),
        ({"DEBUG": "perhaps"}, "DEBUG must be true or false"),
        ({"EMAIL_HOST": ""}, "EMAIL_HOST is required"),
        ({"DATABASE_URL": "mongodb://x/y"}, "DATABASE_URL is not a valid database URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL must start with"),
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be one of"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be a whole number"),
        ({"SIGNING_PKCS12_PASSWORD": ""}, "SIGNING_PKCS12_PASSWORD is required"),
        ({"NATIONAL_ID_HMAC_KEY": ""}, "NATIONAL_ID_HMAC_KEY is required"),
        ({"NATIONAL_ID_HMAC_KEY": "too-short"}, "NATIONAL_ID_HMAC_KEY must be at least 32"),
        ({"TIMESTAMP_AUTHORITY_URL": ""}, "TIMESTAMP_AUTHORITY_URL is required in production"),
        ({"RETIMESTAMP_MARGIN_DAYS": "0"}, "RETIMESTAMP_MARGIN_DAYS must be at least 1"),
        ({"MEMBERSHIP_REMINDER_DAYS": "30,fourteen"}, "MEMBERSHIP_REMINDER_DAYS must be whole days"),
        ({"PORTAL_BASE_URL": ""}, "PORTAL_BASE_URL is required"),
        ({"PORTAL_BASE_URL": "http://medlemsportal.example.no"}, "PORTAL_BASE_URL must be the portal's https://"),
        ({"PRIVATE_STORAGE_DIR": ""}, "PRIVATE_STORAGE_DIR is required"),
        ({"PRIVATE_STORAGE_DIR": "var/private"}, "PRIVATE_STORAGE_DIR must be an absolute path"),
        ({"PRIVATE_STORAGE_DIR": str(ROOT / "var" / "private")}, "PRIVATE_STORAGE_DIR must lie outside the code"),
        ({"INCIDENT_ATTACHMENT_DIR": str(ROOT / "incidents")}, "INCIDENT_ATTACHMENT_DIR must lie outside the code"),
        ({"REDIS_URL": ""}, "REDIS_URL is required in production"),
        ({"SIGNING_PKCS12_PATH": ""}, "SIGNING_PKCS12_PATH is required"),
        ({"SECRET_KEY": "", "SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE names a file that cannot"),
        ({"ADVISORY_ACK_HOURS": "a day"}, "ADVISORY_ACK_HOURS must be a whole number"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_clear_message(change: dict[str, str], message: str) -> None:
    result = _start({**PROD, **change})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_secrets_may_come_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("f" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789\n")
    assert (
        env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(secret)})
        == "f" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789"
    )
    with pytest.raises(ImproperlyConfigured, match="either SECRET_KEY or SECRET_KEY_FILE"):
        env_str("SECRET_KEY", environ={"SECRET_KEY": "x", "SECRET_KEY_FILE": str(secret)})
    result = _start({**{k: v for k, v in PROD.items() if k != "SECRET_KEY"}, "SECRET_KEY_FILE": str(secret)})
    assert result.returncode == 0, result.stderr


def test_every_setting_the_apps_read_is_defined_and_documented() -> None:
    """No app reads a setting with a getattr default: every one is in settings.py and .env.example."""
    import re

    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        offenders += [f"{path}: {m}" for m in re.findall(r"getattr\(settings,\s*\"(\w+)\"", path.read_text())]
    assert offenders == []
    documented = (ROOT / ".env.example").read_text()
    source = (ROOT / "portal" / "settings.py").read_text()
    read = set(re.findall(r"env_\w+\(\s*\"(\w+)\"", source))
    assert read, "settings.py reads nothing through lib.env?"
    missing = sorted(name for name in read if not re.search(rf"^{name}=", documented, re.M))
    assert missing == []


def test_development_generates_a_secret_key_and_keeps_it() -> None:
    env = {"PORTAL_ENV": "development", "SECRET_KEY": ""}
    assert _start(env).returncode == 0
    key_file = ROOT / "var" / "secret_key"
    assert key_file.exists() and len(key_file.read_text()) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_passwords_are_hashed_with_argon2_in_the_real_settings() -> None:
    from portal import settings as real

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"} in real.AUTH_PASSWORD_VALIDATORS


def test_norwegian_is_the_default_language() -> None:
    assert settings.LANGUAGE_CODE == "nb"
    assert [code for code, _name in settings.LANGUAGES] == ["nb", "nn", "en"]


def test_with_redis_the_cache_and_sessions_use_it() -> None:
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)"
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PORTAL_ENV", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; {code}"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", "REDIS_URL": "redis://127.0.0.1:6379/9"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "core.cache.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]
