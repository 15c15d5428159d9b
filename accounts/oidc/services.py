"""Who a provider's login is: link (issuer, subject) and the national identity number to one account."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import personal_id
from accounts.models import ExternalIdentity, User
from accounts.oidc.providers import Provider
from core.audit import audit_record


class LoginRefused(Exception):
    """A login that must not go through; ``message`` is what the person is told (translated)."""

    def __init__(self, message: Any, *, reason: str) -> None:
        super().__init__(reason)
        self.message = message
        self.reason = reason


def _full_name(claims: dict[str, Any]) -> str:
    name = str(claims.get("name") or "").strip()
    if not name:
        name = " ".join(str(claims.get(k) or "").strip() for k in ("given_name", "family_name")).strip()
    return name[:150]


@transaction.atomic
def sign_in_person(*, provider: Provider, claims: dict[str, Any]) -> User:
    """The account for validated ID-token ``claims``, created or linked as needed.

    An identity already linked by (issuer, subject) must still carry the same person's identity number;
    a new (issuer, subject) links to the account holding the number's digest, or makes a new account.
    The account records the person's name and birth date (for the authority check) on every login.
    Raises LoginRefused, and then changes nothing.
    """
    raw_pid = claims.get(provider.pid_claim)
    if not isinstance(raw_pid, str) or not raw_pid:
        raise LoginRefused(_("The identity provider did not tell who you are (no identity number)."), reason="no_pid")
    try:
        digest = personal_id.digest(raw_pid)
        birth_date = personal_id.birth_date(raw_pid)
    except personal_id.InvalidNationalId:
        raise LoginRefused(_("The identity provider sent an invalid identity number."), reason="bad_pid") from None
    subject = str(claims["sub"])
    identity = ExternalIdentity.objects.select_related("user").filter(issuer=provider.issuer, subject=subject).first()
    if identity is not None:
        user = identity.user
        if user.national_id_digest != digest:
            raise LoginRefused(
                _("This login belongs to another person than before. Contact the customer centre."),
                reason="subject_person_mismatch",
            )
    else:
        existing = User.objects.select_for_update().filter(national_id_digest=digest).first()
        if existing is not None:
            user = existing
        else:
            # Members need no e-mail address to arrive; a reserved .invalid address stands in until
            # they give one (an invitation gives its own).
            user = User.objects.create_user(
                email=f"{uuid.uuid4().hex}@no-email.invalid",
                password=None,
                full_name=_full_name(claims) or "?",
            )
            user.national_id_digest = digest
        try:
            with transaction.atomic():
                identity = ExternalIdentity.objects.create(user=user, issuer=provider.issuer, subject=subject)
        except IntegrityError:
            raise LoginRefused(_("The login could not be completed. Please try again."), reason="race") from None
    if not user.is_active:
        raise LoginRefused(_("This account is deactivated. Contact the customer centre."), reason="inactive")
    user.full_name = _full_name(claims) or user.full_name
    user.birth_date = birth_date
    user.last_login = timezone.now()
    user.save(update_fields=["full_name", "birth_date", "national_id_digest", "last_login"])
    identity.last_login_at = timezone.now()
    if provider.hpr_claim and claims.get(provider.hpr_claim):
        identity.hpr_number = str(claims[provider.hpr_claim])[:16]
    identity.save(update_fields=["last_login_at", "hpr_number"])
    audit_record(
        actor=user,
        action="account.login_oidc",
        obj=user,
        after={"provider": provider.name, "issuer": provider.issuer, "acr": claims.get("acr", "")},
    )
    return user
