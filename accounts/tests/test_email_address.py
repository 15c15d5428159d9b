"""People who arrive by ID-porten or HelseID have no e-mail address: a placeholder under the reserved
.invalid domain stands in. It is never shown and never written to; the person gives their address on
the e-mail page and it counts once the confirmation link has been opened. They have no password either,
so the password pages are not offered to them."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.core import signing
from django.urls import reverse

from accounts.models import User
from accounts.services import EMAIL_CONFIRM_SALT
from core.mail import is_deliverable, mail_queue
from core.models import AuditEvent, OutboundEmail
from core.roles import OrganisationRoleType

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

EMAIL = reverse("accounts:email")
CONFIRM = reverse("accounts:email_confirm")


def oidc_person(full_name: str = "Kari Nordmann") -> User:
    """An account as a first ID-porten login makes it (accounts.oidc.services.sign_in_person)."""
    return User.objects.create_user(email=f"{uuid.uuid4().hex}@no-email.invalid", password=None, full_name=full_name)


@pytest.mark.parametrize(
    ("address", "deliverable"),
    [
        ("kari@example.no", True),
        ("0f3a@no-email.invalid", False),
        ("x@sub.domain.INVALID", False),
        ("x@invalid.", False),
        ("x@invalid.example.no", True),
        ("no-at-sign", False),
        ("", False),
    ],
)
def test_which_addresses_can_receive_mail(address: str, deliverable: bool) -> None:
    assert is_deliverable(address) is deliverable


def test_the_mail_senders_skip_the_placeholder() -> None:
    kari = oidc_person()
    queued = mail_queue(
        template="accounts/email/confirm_email",
        recipients=[kari.email, "ola@example.no"],
        context={"user": kari, "url": "https://example.no/"},
        key="test",
    )
    assert [m.to for m in queued] == ["ola@example.no"]
    assert not OutboundEmail.objects.filter(to__endswith=".invalid").exists()


def test_the_placeholder_is_never_shown(world: Any, login: Any) -> None:
    kari = oidc_person()
    world.org_a.roles.create(user=kari, role=OrganisationRoleType.SECURITY_CONTACT)
    assert kari.contact_email == "" and not kari.has_email and str(kari) == "Kari Nordmann"

    html = login(world["admin_a"]).get(reverse("organisations:organisation_detail", args=[world.org_a.pk])).content
    assert b"Kari Nordmann" in html
    assert b".invalid" not in html

    html = login(kari).get(reverse("dashboards:home")).content.decode()
    assert ".invalid" not in html
    assert "We do not have your e-mail address yet." in html  # every page asks for it


def _link(mail: OutboundEmail) -> str:
    match = re.search(r"http://testserver(/accounts/email/confirm/\?token=[^\s\"<]+)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


def test_the_address_counts_once_the_link_is_opened(client: Any, login: Any) -> None:
    kari = oidc_person()
    login(kari)
    page = client.get(EMAIL)
    assert page.status_code == 200 and b".invalid" not in page.content

    response = client.post(EMAIL, {"email": "Kari@Example.no", "next": "/"})

    assert response.status_code == 302
    mail = OutboundEmail.objects.get()
    assert mail.to == "kari@example.no"
    kari.refresh_from_db()
    assert not kari.has_email  # not before the link is opened
    response = client.get(_link(mail))
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:home")
    kari.refresh_from_db()
    assert kari.email == "kari@example.no"
    actions = list(AuditEvent.objects.filter(object_id=str(kari.pk)).values_list("action", flat=True))
    assert "account.email_change_requested" in actions and "account.email_changed" in actions
    assert "We do not have your e-mail address yet." not in client.get(reverse("dashboards:home")).content.decode()


@pytest.mark.parametrize("address", ["not an address", "someone@no-email.invalid", "admin.a@example.no"])
def test_an_address_that_cannot_be_used_is_refused(world: Any, login: Any, client: Any, address: str) -> None:
    kari = oidc_person()
    login(kari)
    response = client.post(EMAIL, {"email": address})
    assert response.status_code == 200
    assert not OutboundEmail.objects.exists()
    kari.refresh_from_db()
    assert not kari.has_email


def test_a_link_works_only_for_its_own_account_and_unaltered(world: Any, login: Any, client: Any) -> None:
    kari = oidc_person()
    for_kari = signing.dumps({"user": kari.pk, "email": "kari@example.no"}, salt=EMAIL_CONFIRM_SALT)
    login(world["member_a"])
    assert client.get(f"{CONFIRM}?token={for_kari}")["Location"] == EMAIL
    assert client.get(f"{CONFIRM}?token={for_kari[:-3]}xyz")["Location"] == EMAIL
    world["member_a"].refresh_from_db()
    assert world["member_a"].email == "member.a@example.no"
    login(kari)
    assert client.get(f"{CONFIRM}?token={for_kari}")["Location"] == reverse("dashboards:home")


def test_an_address_taken_meanwhile_is_not_joined(world: Any, login: Any, client: Any) -> None:
    """Accounts are never joined through an e-mail address: a link to an address another account took since
    changes nothing."""
    kari = oidc_person()
    token = signing.dumps({"user": kari.pk, "email": "admin.a@example.no"}, salt=EMAIL_CONFIRM_SALT)
    login(kari)
    assert client.get(f"{CONFIRM}?token={token}")["Location"] == EMAIL
    kari.refresh_from_db()
    assert not kari.has_email


def test_people_without_a_password_are_not_offered_the_password_pages(world: Any, login: Any, client: Any) -> None:
    kari = oidc_person()
    login(kari)
    home = client.get(reverse("dashboards:home")).content.decode()
    assert reverse("accounts:password_change") not in home
    for name in ("accounts:password_change", "accounts:password_change_done"):
        response = client.get(reverse(name), follow=True)
        assert response.redirect_chain[0][0] == reverse("dashboards:home")
        assert "you have no password in the portal" in response.content.decode()
    assert client.post(reverse("accounts:password_change"), {"new_password1": "x" * 20}).status_code == 302
    kari.refresh_from_db()
    assert not kari.has_usable_password()

    login(world["member_a"])
    assert reverse("accounts:password_change") in client.get(reverse("dashboards:home")).content.decode()
    assert client.get(reverse("accounts:password_change")).status_code == 200
