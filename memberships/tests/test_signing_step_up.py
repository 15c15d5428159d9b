"""The step-up before signing the membership terms: a session from ID-porten steps up at ID-porten (a fresh
login at IDPORTEN_SIGNING_ACR; never a password, which such a member may not have), a password session types
its password again. The signature and its audit event record which step-up was used.

The first test goes through the real local OpenID Provider (devtools/oidc/provider.mjs on loopback); the
others give the session a provider login directly, to pin the edges (too weak, too old, a password sneaked in).
No frozen clock here: the provider's tokens carry the real time.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts import personal_id
from accounts.models import User
from accounts.oidc.testing import (  # noqa: F401 - fixtures
    DevProvider,
    drive,
    handoff_url,
    oidc_dev_provider_fixture,
    oidc_providers_fixture,
    persona,
)
from accounts.step_up import OIDC, PASSWORD, StepUp, StepUpNeeded
from core.models import AuditEvent
from core.roles import OrganisationRoleType, SignatoryBasis
from enhetsregisteret.tests.fake_register import person_role
from memberships import services
from memberships.models import Signature, TermsVersion
from memberships.tests.conftest import PASSWORD as FACTORY_PASSWORD
from organisations.models import OrganisationRole

pytestmark = pytest.mark.django_db

HIGH = "idporten-loa-high"
SUBSTANTIAL = "idporten-loa-substantial"


def shown() -> dict[str, Any]:
    version = TermsVersion.objects.current_for("KOMM")
    assert version is not None
    return {"terms_version": version.pk, "terms_sha256": version.text_sha256}


def sign_url(org: Any) -> str:
    return reverse("memberships:sign", args=[org.pk])


@pytest.fixture
def kari(world: Any, register_roles: Any) -> User:
    """Kari Nordmann, as the local provider knows her, is the portal's signatory for A; the register (the
    fake Enhetsregisteret) says she is A's general manager (DAGL)."""
    number = persona("kari")["pid"]
    user = User.objects.create_user(email="kari@example.no", password=None, full_name="Kari Nordmann")
    user.national_id_digest = personal_id.digest(number)
    user.birth_date = personal_id.birth_date(number)
    user.save()
    OrganisationRole.objects.create(
        user=user,
        organisation=world.org_a,
        role=OrganisationRoleType.SIGNATORY,
        signatory_basis=SignatoryBasis.GENERAL_MANAGER,
    )
    register_roles.set(
        world.org_a,
        person_role("DAGL", "Kari", "Nordmann", user.birth_date.isoformat(), description="Daglig leder/ adm.direktør"),
    )
    return user


def provider_login(client: Client, user: Any, *, acr: str, age: int = 0) -> None:
    """Log ``user`` in as if through ID-porten at ``acr``, ``age`` seconds ago."""
    client.force_login(user, backend="accounts.backends.PortalBackend")
    session = client.session
    session["oidc"] = {"provider": "idporten", "acr": acr, "auth_time": int(time.time()) - age}
    session.save()


# --- through the real local provider --------------------------------------------------------------------------


def test_kari_from_id_porten_steps_up_there_and_signs_without_a_password(
    client: Client, world: Any, terms: Any, kari: User, oidc_providers: DevProvider
) -> None:
    # She logs in with ID-porten at the login level (substantial): her account is found by identity number.
    authorize = client.get(reverse("accounts:oidc_start", args=["idporten"]))["Location"]
    callback = urlsplit(drive(authorize, who="kari", acr=SUBSTANTIAL))
    client.get(f"{callback.path}?{callback.query}")
    assert client.session["_auth_user_id"] == str(kari.pk)

    # The sign page asks for no password; it says ID-porten will ask her to confirm.
    page = client.get(sign_url(world.org_a))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="password"' not in html
    assert 'id="step-up-notice"' in html
    assert "password" not in page.context["form"].fields

    # Pressing "Sign" sends her to a fresh ID-porten login at the signing level (a page of our own: CSP
    # form-action 'self' would block the form's redirect to the provider). Nothing is signed yet.
    away = client.post(sign_url(world.org_a), {"confirm": "on", **shown()})
    assert away.status_code == 200
    start = handoff_url(away)
    query = parse_qs(urlsplit(start).query)
    assert query["acr"] == [HIGH] and query["fresh"] == ["1"] and query["next"] == [sign_url(world.org_a)]
    assert not Signature.objects.exists()
    authorize = client.get(start)["Location"]
    assert parse_qs(urlsplit(authorize).query)["acr_values"] == [HIGH]
    assert parse_qs(urlsplit(authorize).query)["prompt"] == ["login"]

    # Back from ID-porten at level high, on the form again with her confirmation kept; she signs.
    before = time.time()
    callback = urlsplit(drive(authorize, who="kari", acr=HIGH))
    back = client.get(f"{callback.path}?{callback.query}", follow=True)
    assert back.redirect_chain[-1][0] == sign_url(world.org_a)
    assert back.context["form"]["confirm"].value() is True
    assert back.context["step_up_fresh"] is True
    response = client.post(sign_url(world.org_a), {"confirm": "on", **shown()})

    signature = Signature.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("memberships:signed", args=[signature.pk])
    assert signature.signer == kari
    # The step-up used: ID-porten, its level and when she authenticated.
    assert signature.step_up["method"] == OIDC
    assert signature.step_up["provider"] == "idporten"
    assert signature.step_up["acr"] == HIGH
    auth_time = dt.datetime.fromisoformat(signature.step_up["auth_time"]).timestamp()
    assert before - 5 <= auth_time <= time.time() + 1
    # The basis: the register's role, when it was read, and the matched entry.
    assert signature.basis == "enhetsregisteret:DAGL"
    assert signature.basis_role_code == "DAGL"
    assert signature.basis_read_at is not None
    assert signature.basis_entry["name"] == "Kari Nordmann"
    assert signature.basis_entry["birth_date"] == kari.birth_date.isoformat()
    event = AuditEvent.objects.get(action="agreement.signed")
    assert event.after["step_up"] == signature.step_up
    assert event.after["role_code"] == "DAGL"


# --- the edges, with the session's provider login set directly ------------------------------------------------


@pytest.mark.parametrize(
    ("acr", "age"),
    [(SUBSTANTIAL, 0), (HIGH, 301), ("", 0)],
    ids=["below-the-signing-level", "too-old", "no-level"],
)
def test_a_provider_session_without_a_fresh_high_login_is_sent_to_step_up_and_nothing_is_signed(
    client: Client, world: Any, terms: Any, kari: User, oidc_providers: DevProvider, acr: str, age: int
) -> None:
    kari.set_password(FACTORY_PASSWORD)
    kari.save()
    provider_login(client, kari, acr=acr, age=age)

    # Even the right password in the form does not stand in for ID-porten.
    response = client.post(sign_url(world.org_a), {"confirm": "on", "password": FACTORY_PASSWORD, **shown()})

    assert response.status_code == 200
    assert "acr=idporten-loa-high" in handoff_url(response)
    assert not Signature.objects.exists()


def test_a_provider_session_is_told_what_is_missing_before_it_is_sent_away(
    client: Client, world: Any, terms: Any, kari: User, oidc_providers: DevProvider
) -> None:
    provider_login(client, kari, acr=SUBSTANTIAL)

    response = client.post(sign_url(world.org_a), shown())  # the confirmation not ticked

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["confirm"]
    assert not Signature.objects.exists()


def test_a_password_session_keeps_the_password_step_up_and_records_it(
    client: Client, world: Any, terms: Any, login: Any
) -> None:
    client = login(world["admin_a"])
    page = client.get(sign_url(world.org_a))
    assert 'name="password"' in page.content.decode()
    assert 'id="step-up-notice"' not in page.content.decode()

    response = client.post(sign_url(world.org_a), {"confirm": "on", "password": FACTORY_PASSWORD, **shown()})

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.step_up == {"method": PASSWORD}
    assert AuditEvent.objects.get(action="agreement.signed").after["step_up"] == {"method": PASSWORD}


# --- the service ----------------------------------------------------------------------------------------------


def test_the_service_refuses_a_weak_or_old_provider_step_up_and_records_a_good_one(
    world: Any, terms: Any, kari: User, oidc_providers: DevProvider
) -> None:
    def sign(step_up: StepUp) -> Signature:
        return services.terms_sign(
            actor=kari,
            organisation=world.org_a,
            version=terms.published,
            confirmed=True,
            shown_version_id=terms.published.pk,
            shown_sha256=terms.published.text_sha256,
            step_up=step_up,
        )

    now = int(time.time())
    for weak in (
        StepUp(method=OIDC, provider="idporten", acr=SUBSTANTIAL, auth_time=now),
        StepUp(method=OIDC, provider="idporten", acr=HIGH, auth_time=now - 3600),
        StepUp(method=OIDC, provider="nowhere", acr=HIGH, auth_time=now),
    ):
        with pytest.raises(StepUpNeeded):
            sign(weak)
    with pytest.raises(ValidationError):  # no provider login and no password: the password step-up fails
        sign(StepUp.with_password(""))
    assert not Signature.objects.exists()

    signature = sign(StepUp(method=OIDC, provider="idporten", acr=HIGH, auth_time=now))

    assert signature.step_up == {
        "method": OIDC,
        "provider": "idporten",
        "acr": HIGH,
        "auth_time": dt.datetime.fromtimestamp(now, tz=dt.UTC).isoformat(),
    }
    assert "secret-words" not in repr(StepUp.with_password("secret-words"))  # never in a log or traceback
