"""Advisories, security contacts and the threat picture in the authorization matrix (issue 8).

CERT analysts write; members read per TLP (``Advisory.objects.visible_to``): an advisory outside
the persona's TLP reach is 404, like another organisation's object."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from conftest import World
from tests.matrix_common import STAFF, TARGETS, Route, org_action, org_id, signed_in

READ_ONLY_ADMIN = {
    "advisories_advisory",
    "advisories_advisoryrevision",
    "advisories_acknowledgement",
    "advisories_securitycontactdetails",
    "advisories_threatpicture",
}
ANALYSTS = {"cert_analyst"}
ADVISORY_TARGETS = ("clear", "amber_a", "amber_b", "red", "draft", "missing")


def seed_world(world: World) -> None:
    from advisories.models import Acknowledgement, SecurityContactDetails, ThreatPicture
    from advisories.tests.conftest import make_advisory
    from memberships.models import Membership
    from organisations.tests.factories import UserFactory

    outsider = UserFactory(email="matrix.named@example.no")
    for org in (world.org_a, world.org_b):  # advisories reach members in force only
        Membership.objects.get_or_create(organisation=org, defaults={"state": "active"})
    advisories = {
        "clear": make_advisory(tlp="CLEAR", audience_all=True),
        "amber_a": make_advisory(tlp="AMBER", organisations=[world.org_a]),
        "amber_b": make_advisory(tlp="AMBER", organisations=[world.org_b]),
        "red": make_advisory(tlp="RED", organisations=[world.org_a, world.org_b], people=[outsider]),
        "draft": make_advisory(tlp="GREEN", audience_all=True, published=False),
    }
    world.extra["advisories"] = advisories
    role = world.org_a.roles.create(user=UserFactory(email="matrix.sec@example.no"), role="security_contact")
    SecurityContactDetails.objects.create(role=role, phone="+47 22 33 44 55")
    # The admin opens the first acknowledgement: one on a TLP:CLEAR advisory, which any staff may read (an
    # acknowledgement of an AMBER advisory is hidden from staff outside its audience, like the advisory).
    Acknowledgement.objects.create(
        advisory=advisories["clear"], organisation=world.org_b, status="received", acknowledged_by=world["admin_b"]
    )
    Acknowledgement.objects.create(
        advisory=advisories["amber_a"], organisation=world.org_a, status="received", acknowledged_by=world["admin_a"]
    )
    ThreatPicture.objects.create(version=1, title="Trusselbilde", body="Tekst", created_by=world["cert_analyst"])


def _adv(world: World, target: str) -> int:
    return world.extra["advisories"][target].pk if target != "missing" else 999_999


def _sees(role: str, target: str) -> bool:
    if role in ANALYSTS:
        return target != "missing"
    return target == "clear" or (target, role) in {
        ("amber_a", "member_a"),
        ("amber_a", "admin_a"),
        ("amber_b", "admin_b"),
    }


def _acknowledge(role: str, target: str) -> int:
    if not _sees(role, target):
        return 404
    # An empty answer from someone who may answer is refused with a message; others 403.
    answering = {("amber_a", "admin_a"), ("amber_b", "admin_b"), ("clear", "admin_a"), ("clear", "admin_b")}
    return 400 if (target, role) in answering else 403


def _analyst(ok: Any = 200) -> Any:
    return signed_in(lambda role, target: ok if role in ANALYSTS else 403)


def _advisory_url(name: str) -> Any:
    return lambda w, t: reverse(f"advisories:{name}", args=[_adv(w, t)])


def _contact_url(world: World, target: str) -> str:
    from organisations.tests.factories import UserFactory

    org = {"A": world.org_a, "B": world.org_b}.get(target)
    role_pk = 999_999
    if org is not None:
        role_pk = org.roles.create(user=UserFactory(), role="security_contact").pk
    return reverse("advisories:contact_edit", args=[org_id(world, target), role_pk])


OWN = {("member_a", "A"), ("admin_a", "A"), ("admin_b", "B")}
ADMINS = {("admin_a", "A"), ("admin_b", "B")}

ROUTES: dict[str, Route] = {
    "advisories:list": Route(lambda w, t: reverse("advisories:list"), signed_in(lambda r, t: 200)),
    "advisories:export_csv": Route(lambda w, t: reverse("advisories:export_csv"), signed_in(lambda r, t: 200)),
    "advisories:public_list": Route(lambda w, t: reverse("advisories:public_list"), lambda r, t: 200),
    "advisories:public_detail": Route(
        _advisory_url("public_detail"), lambda r, t: 200 if t == "clear" else 404, targets=ADVISORY_TARGETS
    ),
    "advisories:create": Route(lambda w, t: reverse("advisories:create"), _analyst()),
    "advisories:import": Route(lambda w, t: reverse("advisories:import"), _analyst()),
    "advisories:detail": Route(
        _advisory_url("detail"), signed_in(lambda r, t: 200 if _sees(r, t) else 404), targets=ADVISORY_TARGETS
    ),
    "advisories:csaf": Route(
        _advisory_url("csaf"), signed_in(lambda r, t: 200 if _sees(r, t) else 404), targets=ADVISORY_TARGETS
    ),
    "advisories:edit": Route(
        _advisory_url("edit"),
        signed_in(lambda r, t: (200 if t == "draft" else "redirect") if r in ANALYSTS else 403),
        targets=("draft", "clear"),
    ),
    "advisories:submit": Route(_advisory_url("submit"), _analyst("redirect"), method="post", targets=("clear",)),
    "advisories:approve": Route(_advisory_url("approve"), _analyst("redirect"), method="post", targets=("draft",)),
    "advisories:return": Route(_advisory_url("return"), _analyst("redirect"), method="post", targets=("draft",)),
    "advisories:correct": Route(_advisory_url("correct"), _analyst("redirect"), method="post", targets=("draft",)),
    "advisories:acknowledge": Route(
        _advisory_url("acknowledge"), signed_in(_acknowledge), method="post", targets=ADVISORY_TARGETS
    ),
    "advisories:acknowledgements": Route(_advisory_url("acknowledgements"), _analyst(), targets=("amber_a",)),
    "advisories:revision": Route(lambda w, t: reverse("advisories:revision", args=[_adv(w, "amber_a"), 1]), _analyst()),
    "advisories:contacts_missing": Route(
        lambda w, t: reverse("advisories:contacts_missing"),
        signed_in(lambda role, target: 200 if role in ANALYSTS | {"coordinator_a"} else 403),
    ),
    "advisories:contacts": Route(
        lambda w, t: reverse("advisories:contacts", args=[org_id(w, t)]),
        org_action(lambda r, t: r in STAFF or (r, t) in OWN),
        targets=TARGETS,
    ),
    "advisories:contact_edit": Route(
        _contact_url, org_action(lambda r, t: r in ANALYSTS or (r, t) in ADMINS), targets=TARGETS
    ),
    "advisories:threat_picture": Route(lambda w, t: reverse("advisories:threat_picture"), signed_in(lambda r, t: 200)),
    "advisories:threat_picture_edit": Route(lambda w, t: reverse("advisories:threat_picture_edit"), _analyst()),
}
