"""Where the authority to sign comes from: registers, behind one interface.

A *source* answers one question: does this person hold, in a register, a role that lets them sign alone
for this organisation? It returns the basis it found (recorded on the signature: the role code, when the
register was read, the matched entry), a refusal with the reason and the way forward, or None when it
has no opinion. ``settings.SIGNING_AUTHORITY_SOURCES`` lists the sources by dotted path, so the
permission layer never imports the apps that keep the registers (docs/architecture.md):

* ``enhetsregisteret.authority.EnhetsregisteretSource`` — the roles in Enhetsregisteret (always);
* ``core.authority.AltinnSource`` — Altinn's authorization decision (when ALTINN_AUTHORIZATION_URL is set).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from lib.altinn import AltinnError, AuthorizationClient

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegisterBasis:
    """A register's answer "yes": what the signature records as its basis."""

    source: str
    role_code: str
    read_at: dt.datetime
    text: str
    entry: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refusal:
    """A register's answer "no", said so that the person knows why and what to do."""

    reason: str
    way_forward: str


class AuthoritySource(Protocol):
    name: str

    def decide(self, *, user: Any, organisation: Any, person_id: str | None = None) -> RegisterBasis | Refusal | None:
        """The basis, a refusal, or None when this source cannot tell."""
        ...


def sources() -> list[AuthoritySource]:
    return [import_string(path)() for path in settings.SIGNING_AUTHORITY_SOURCES]


def decide(*, user: Any, organisation: Any, person_id: str | None = None) -> RegisterBasis | list[Refusal]:
    """The first basis a source finds, else every refusal (the first is the one to show)."""
    refusals: list[Refusal] = []
    for source in sources():
        answer = source.decide(user=user, organisation=organisation, person_id=person_id)
        if isinstance(answer, RegisterBasis):
            return answer
        if isinstance(answer, Refusal):
            refusals.append(answer)
    if not refusals:
        refusals.append(
            Refusal(
                reason=_("No register could confirm that you may sign for %(org)s.") % {"org": organisation},
                way_forward=way_forward(),
            )
        )
    return refusals


def way_forward() -> str:
    return _(
        "Ask the organisation's general manager to delegate signing to you in the portal, or contact the "
        "customer centre (kundesenter@nhn.no, 24 20 00 00) if the register is wrong."
    )


class AltinnSource:
    """Altinn's decision "may this person sign for organisation X" (resource ``ALTINN_RESOURCE``).

    Altinn identifies the person by national identity number, which the portal never stores: the caller
    passes it for the one request (from the ID-porten login) or the source has no opinion."""

    name = "altinn"

    def decide(self, *, user: Any, organisation: Any, person_id: str | None = None) -> RegisterBasis | Refusal | None:
        if not person_id or not settings.ALTINN_AUTHORIZATION_URL or not organisation.org_number:
            return None
        client = AuthorizationClient(
            settings.ALTINN_AUTHORIZATION_URL,
            token=settings.ALTINN_AUTHORIZATION_TOKEN,
            subscription_key=settings.ALTINN_SUBSCRIPTION_KEY,
        )
        try:
            decision = client.decide(
                person_id=person_id, org_number=organisation.org_number, resource=settings.ALTINN_RESOURCE
            )
        except AltinnError as exc:
            logger.warning("Altinn authorization for %s: %s", organisation.org_number, exc)
            return None
        now = timezone.now()
        if decision.permitted:
            return RegisterBasis(
                source=self.name,
                role_code="ALTINN",
                read_at=now,
                text="Rett til å signere etter Altinn (autorisasjon)",
                entry={"decision": decision.decision, "resource": settings.ALTINN_RESOURCE},
            )
        return Refusal(
            reason=_("Altinn says you may not sign for %(org)s (answer: %(decision)s).")
            % {"org": organisation, "decision": decision.decision},
            way_forward=way_forward(),
        )


def holds_any_role(*, user: Any, organisation: Any) -> bool:
    """Does any source list the person in any role of the organisation (used to warn, never to grant)?"""
    for source in sources():
        check = getattr(source, "holds_role", None)
        if check is not None and check(user=user, organisation=organisation):
            return True
    return False
