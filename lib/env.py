"""Small typed readers for configuration from the environment.

Every reader fails loudly with ImproperlyConfigured naming the variable, so a bad value stops the
process at start instead of surfacing later as odd behaviour.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _from_file(name: str, environ: Mapping[str, str]) -> str | None:
    """The value of NAME_FILE's file (a secret mounted by systemd, Docker or Kubernetes), if set."""
    path = environ.get(f"{name}_FILE")
    if not path:
        return None
    if environ.get(name):
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}_FILE names a file that cannot be read: {path} ({exc.strerror}).") from None


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    """A string from NAME, or from the file that NAME_FILE names (for secrets)."""
    environ = os.environ if environ is None else environ
    from_file = _from_file(name, environ)
    value = environ.get(name) if from_file is None else from_file
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required but not set.")
        return default
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: str | None, *, environ: Mapping[str, str] | None = None) -> Path:
    """A path; relative paths are refused so that a process's working directory never matters."""
    value = Path(env_str(name, default, environ=environ))
    if not value.is_absolute():
        raise ImproperlyConfigured(f"{name} must be an absolute path, not {str(value)!r}.")
    return value


def env_choice(name: str, choices: tuple[str, ...], default: str, *, environ: Mapping[str, str] | None = None) -> str:
    value = env_str(name, default, environ=environ).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def development_secret(path: Path) -> str:
    """A random secret kept in ``path`` (made on first use, readable by the owner only): for development, so
    that sessions survive a restart. Production names its secrets in the environment instead."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()
