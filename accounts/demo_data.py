"""Demo only: every staff persona gets an authenticator app with one known secret, so that the demo's
staff can pass the second factor on `make run` (seed_demo prints the secret; `manage.py demo_totp`
prints the current code). Refused in production with the rest of seed_demo."""

from __future__ import annotations

import base64
from typing import Any

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_TOTP_KEY = b"medlemsportal-demo!!"  # 20 bytes, as a TOTP app's secret; public on purpose: demo only
DEMO_TOTP_SECRET = base64.b32encode(DEMO_TOTP_KEY).decode()
DEMO_DEVICE_NAME = "Demo authenticator"


def demo_totp_code(*, drift: int = 0) -> str:
    """The code an authenticator app with the demo secret shows now (``drift`` steps of 30 s away)."""
    return f"{totp(DEMO_TOTP_KEY, drift=drift):06d}"


def seed(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    for user in users.values():
        if user.is_staff:
            TOTPDevice.objects.get_or_create(
                user=user,
                name=DEMO_DEVICE_NAME,
                defaults={"key": DEMO_TOTP_KEY.hex(), "confirmed": True},
            )
