"""Invitations: invite by e-mail, withdraw, expire, and accept by logging in with ID-porten (real local provider)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.oidc.testing import (  # noqa: F401 - fixtures
    DevProvider,
    drive,
    handoff_url,
    oidc_dev_provider_fixture,
    oidc_providers_fixture,
    persona,
)
from core.audit import verify_chain
from core.models import AuditEvent
from core.roles import OrganisationRoleType
from invitations import services
from invitations.choices import InvitationStatus
from invitations.models import Invitation
from organisations.models import OrganisationRole

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SECURITY = OrganisationRoleType.SECURITY_CONTACT


def invite(world: Any, actor: str = "admin_a", email: str = "Mona.Lie@Example.no") -> tuple[Invitation, str]:
    with pytest.MonkeyPatch.context():
        return services.invitation_create(actor=world[actor], organisation=world.org_a, email=email, role=SECURITY)


def link_token(message: Any) -> str:
    return re.search(r"/invitations/accept/([^/\s]+)/", message.body).group(1)  # type: ignore[union-attr]


def test_invitation_stores_only_a_hash_and_mails_the_link(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(world)
    assert invitation.email == "mona.lie@example.no"
    assert invitation.token_hash == services.token_hash(token) and token not in invitation.token_hash
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mona.lie@example.no"]
    assert link_token(mail.outbox[0]) == token
    assert "ID-porten" in mail.outbox[0].body
    event = AuditEvent.objects.get(action="invitation.create")
    assert event.organisation_id == world.org_a.pk and token not in str(event.after)
    assert verify_chain().ok


def test_staff_may_invite_for_any_organisation_others_may_not(world: Any) -> None:
    services.invitation_create(
        actor=world["membership_manager"], organisation=world.org_b, email="x@y.no", role=SECURITY
    )
    for persona_name in ("member_a", "admin_b", "coordinator_a", "cert_analyst"):
        with pytest.raises(PermissionDenied):
            services.invitation_create(
                actor=world[persona_name], organisation=world.org_a, email="x@y.no", role=SECURITY
            )


def test_signatory_is_not_given_by_invitation_and_duplicates_are_refused(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.invitation_create(
            actor=world["system_admin"], organisation=world.org_a, email="x@y.no", role=OrganisationRoleType.SIGNATORY
        )
    invite(world)
    with pytest.raises(ValidationError):
        invite(world)


def test_accept_grants_the_role_once(world: Any) -> None:
    invitation, token = invite(world)
    mona = User.objects.create_user(email="abc@no-email.invalid", full_name="Mona Lie")
    grant = services.invitation_accept(token=token, user=mona)
    assert (grant.user, grant.organisation, grant.role, grant.granted_by) == (
        mona,
        world.org_a,
        SECURITY,
        world["admin_a"],
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.decided_by == mona
    mona.refresh_from_db()
    assert mona.email == "mona.lie@example.no"  # the address the invitation reached
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, user=mona)  # single use
    assert AuditEvent.objects.filter(action="invitation.accept", actor=mona).count() == 1


def test_withdrawn_and_expired_invitations_cannot_be_accepted(world: Any) -> None:
    invitation, token = invite(world)
    services.invitation_withdraw(actor=world["admin_a"], invitation=invitation)
    user = User.objects.create_user(email="p@example.no", full_name="P")
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, user=user)
    with pytest.raises(ValidationError):
        services.invitation_withdraw(actor=world["admin_a"], invitation=invitation)
    assert AuditEvent.objects.filter(action="invitation.withdraw").count() == 1
    expiring, token2 = invite(world)
    with time_machine.travel(timezone.now() + services.VALID_FOR + dt.timedelta(minutes=1)):
        assert Invitation.objects.get(pk=expiring.pk).current_status == InvitationStatus.EXPIRED
        assert services.invitation_by_token(token2) is None
        with pytest.raises(ValidationError):
            services.invitation_accept(token=token2, user=user)
    assert not OrganisationRole.objects.filter(user=user).exists()


def test_inviter_who_lost_the_right_cannot_lend_it(world: Any) -> None:
    invitation, token = invite(world)
    OrganisationRole.objects.filter(user=world["admin_a"], role=OrganisationRoleType.ADMIN).delete()
    user = User.objects.create_user(email="p@example.no", full_name="P")
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, user=user)
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


def test_page_invites_lists_and_withdraws(world: Any, login: Any) -> None:
    client = login(world["admin_a"])
    url = reverse("invitations:organisation_invitations", args=[world.org_a.pk])
    response = client.post(url, {"email": "not-an-address", "role": SECURITY})
    assert response.status_code == 400 and not Invitation.objects.exists()
    response = client.post(url, {"email": "mona@example.no", "role": SECURITY}, follow=True)
    assert "An invitation to be security contact was sent to mona@example.no." in response.content.decode()
    invitation = Invitation.objects.get()
    assert "Pending" in response.content.decode()
    response = client.post(
        reverse("invitations:invitation_withdraw", args=[world.org_a.pk, invitation.pk]), follow=True
    )
    assert "was withdrawn" in response.content.decode()
    assert Invitation.objects.get().status == InvitationStatus.WITHDRAWN
    # Another organisation's invitation is not reachable through this one's URL.
    other = services.invitation_create(actor=world["admin_b"], organisation=world.org_b, email="z@y.no", role=SECURITY)[
        0
    ]
    response = client.post(reverse("invitations:invitation_withdraw", args=[world.org_a.pk, other.pk]))
    assert response.status_code == 404


def test_organisation_page_offers_an_invitation_instead_of_a_dead_end(world: Any, login: Any) -> None:
    client = login(world["admin_a"])
    response = client.post(
        reverse("organisations:role_grant", args=[world.org_a.pk]), {"email": "nobody@example.no", "role": SECURITY}
    )
    html = response.content.decode()
    assert "register first" not in html
    assert reverse("invitations:organisation_invitations", args=[world.org_a.pk]) in html


def test_invalid_link_says_so(client: Any, db: Any) -> None:
    response = client.get(reverse("invitations:accept", args=["no-such-token"]))
    assert response.status_code == 404
    assert "no longer valid" in response.content.decode()


def test_accepting_through_id_porten(world: Any, client: Any, oidc_providers: DevProvider) -> None:
    invitation, token = invite(world)
    accept_url = reverse("invitations:accept", args=[token])
    page = client.get(accept_url).content.decode()
    assert "Anne Admin invites you to be Security contact" in page
    assert "Accept and log in with ID-porten (test)" in page
    callback = drive(handoff_url(client.post(accept_url)), who="mona")
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}", follow=True)
    mona = User.objects.get(national_id_digest__isnull=False, full_name="Mona Lie")
    assert response.redirect_chain[-1][0] == world.org_a.get_absolute_url()
    assert "You are now security contact for" in response.content.decode()
    assert OrganisationRole.objects.filter(user=mona, organisation=world.org_a, role=SECURITY).exists()
    assert mona.email == "mona.lie@example.no"
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.ACCEPTED
    assert client.get(accept_url).status_code == 404  # used
    assert persona("mona")["pid"] not in response.content.decode()


def test_password_session_cannot_accept(world: Any, login: Any) -> None:
    _invitation, token = invite(world)
    client = login(world["member_a"])
    session = client.session
    session["invitation_token"] = token
    session.save()
    response = client.get(reverse("invitations:accept_complete"), follow=True)
    assert "log in with ID-porten to accept it" in response.content.decode()
    assert not OrganisationRole.objects.filter(user=world["member_a"], role=SECURITY).exists()
