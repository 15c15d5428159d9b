"""The identity providers the portal offers, from the environment only (portal/settings.py, .env.example).

A provider whose issuer is not set is not offered. A provider whose issuer is on the loopback
interface is the local development provider (devtools/oidc/provider.mjs) and is labelled "(test)".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Levels of assurance, weakest first; a login at a level satisfies every level before it.
IDPORTEN_LEVELS = ("idporten-loa-low", "idporten-loa-substantial", "idporten-loa-high")


@dataclass(frozen=True)
class Provider:
    name: str
    label: Promise
    issuer: str
    client_id: str
    client_secret: str = ""
    private_key_path: str = ""
    use_par: bool = False
    scope: str = "openid profile"
    pid_claim: str = "pid"
    hpr_claim: str = ""
    levels: tuple[str, ...] = IDPORTEN_LEVELS
    login_acr: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_local_test(self) -> bool:
        return urlsplit(self.issuer).hostname in {"127.0.0.1", "localhost", "::1"}

    @property
    def display_name(self) -> str:
        return f"{self.label} (test)" if self.is_local_test else str(self.label)

    @property
    def auth_method(self) -> str:
        return "private_key_jwt" if self.private_key_path else "client_secret_basic"

    def rank(self, acr: str | None) -> int:
        """The position of ``acr`` among the levels; -1 for an unknown or missing one."""
        return self.levels.index(acr) if acr in self.levels else -1

    def levels_at_least(self, acr: str) -> list[str]:
        return list(self.levels[max(self.rank(acr), 0) :])


def configured_providers() -> list[Provider]:
    """The offered providers, ID-porten first (members log in with it)."""
    providers = []
    if settings.IDPORTEN_ISSUER:
        providers.append(
            Provider(
                name="idporten",
                label=_("ID-porten"),
                issuer=settings.IDPORTEN_ISSUER,
                client_id=settings.IDPORTEN_CLIENT_ID,
                client_secret=settings.IDPORTEN_CLIENT_SECRET,
                private_key_path=settings.IDPORTEN_PRIVATE_KEY_PATH,
                login_acr=settings.IDPORTEN_LOGIN_ACR,
            )
        )
    if settings.HELSEID_ISSUER:
        providers.append(
            Provider(
                name="helseid",
                label=_("HelseID"),
                issuer=settings.HELSEID_ISSUER,
                client_id=settings.HELSEID_CLIENT_ID,
                private_key_path=settings.HELSEID_PRIVATE_KEY_PATH,
                use_par=True,
                scope="openid profile helseid://scopes/identity/pid helseid://scopes/hpr/hpr_number",
                pid_claim="helseid://claims/identity/pid",
                hpr_claim="helseid://claims/hpr/hpr_number",
                levels=IDPORTEN_LEVELS,
                login_acr=settings.IDPORTEN_LOGIN_ACR,
            )
        )
    return providers


def get_provider(name: str) -> Provider | None:
    return next((provider for provider in configured_providers() if provider.name == name), None)
