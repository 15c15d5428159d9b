"""Who calls besides a person: a system with an API token, as the permission module (core.permissions) sees it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, eq=False)
class TokenPrincipal:
    """A system calling the API with a token (``integrations.ApiToken``), as the permission module sees it.

    An organisation's token sees that organisation only and acts with the rights of the organisation's
    administrator role (never a signatory's: nothing a token does binds the organisation legally); a
    national token (``organisation_id`` None, NHN's own systems) sees every organisation and may only
    read. The API additionally refuses every write of a read-only token, and the services a write calls
    check the token's owner as they check any person.
    """

    token_id: int
    organisation_id: int | None
    pk: None = None
    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = False
    staff_role: str = ""

    @property
    def national(self) -> bool:
        return self.organisation_id is None
