"""The Enhetsregisteret sync's pages in the authorization matrix (issue 7): membership managers only."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from conftest import World
from tests.matrix_common import REDIRECT, TERMS_MANAGERS, Route, signed_in

READ_ONLY_ADMIN = {
    "enhetsregisteret_membershiprule",
    "enhetsregisteret_registerentry",
    "enhetsregisteret_followup",
    "enhetsregisteret_importcheckpoint",
    "enhetsregisteret_feedcursor",
    "enhetsregisteret_merger",
}


def seed_world(world: World) -> None:
    from enhetsregisteret.models import FeedCursor, FollowUp, ImportCheckpoint, Merger, RegisterEntry

    now = timezone.now()
    RegisterEntry.objects.create(organisation=world.enterprise_b, must_be_member=True, first_seen_at=now)
    world.extra["follow_up"] = FollowUp.objects.create(
        organisation=world.enterprise_b, reason="deleted", detected_at=now
    )
    ImportCheckpoint.objects.create(file_key="matrix", file_name="enheter_alle.json.gz", started_at=now, updated_at=now)
    FeedCursor.objects.create(feed="enheter", last_update_id=1)
    Merger.objects.create(
        old_organisation=world.org_b,
        new_organisation=world.enterprise_b,
        kind="change_of_owner",
        effective_date=dt.date(2026, 1, 1),
        recorded_at=now,
        applied_at=now,
    )
    # A scheduled change of owner (far ahead) that managers may change or withdraw.
    world.extra["merger"] = Merger.objects.create(
        old_organisation=world.enterprise_b,
        new_organisation=world.org_b,
        kind="change_of_owner",
        effective_date=dt.date(2099, 1, 1),
        recorded_at=now,
    )


def _manager(ok: object = 200) -> object:
    return signed_in(lambda role, target: ok if role in TERMS_MANAGERS else 403)


def _merger_url(name: str) -> object:
    def url(world: World, target: str) -> str:
        return reverse(f"enhetsregisteret:{name}", args=[world.extra["merger"].pk if target == "A" else 999_999])

    return url


def _follow_up_url(world: World, target: str) -> str:
    pk = world.extra["follow_up"].pk if target == "A" else 999_999
    return reverse("enhetsregisteret:follow_up_resolve", args=[pk])


def _rule_url(world: World, target: str) -> str:
    from enhetsregisteret.models import MembershipRule

    pk = MembershipRule.objects.order_by("pk").first().pk if target == "A" else 999_999
    return reverse("enhetsregisteret:rule_edit", args=[pk])


def _by_target(found: object) -> object:
    return signed_in(lambda r, t: 403 if r not in TERMS_MANAGERS else (found if t == "A" else 404))


ROUTES: dict[str, Route] = {
    # Anyone signed in may ask to be looked up; only a person identified by ID-porten is (none in the matrix).
    "enhetsregisteret:claim": Route(lambda w, t: reverse("enhetsregisteret:claim"), signed_in(lambda r, t: 200)),
    "enhetsregisteret:claim[post]": Route(
        lambda w, t: reverse("enhetsregisteret:claim"), signed_in(lambda r, t: 200), method="post"
    ),
    "enhetsregisteret:candidates": Route(lambda w, t: reverse("enhetsregisteret:candidates"), _manager()),
    "enhetsregisteret:invite": Route(
        lambda w, t: reverse("enhetsregisteret:invite"), _manager(REDIRECT), method="post"
    ),
    "enhetsregisteret:follow_up_resolve": Route(
        _follow_up_url, _by_target(REDIRECT), method="post", targets=("A", "missing")
    ),
    "enhetsregisteret:rule_list": Route(lambda w, t: reverse("enhetsregisteret:rule_list"), _manager()),
    "enhetsregisteret:rule_create": Route(lambda w, t: reverse("enhetsregisteret:rule_create"), _manager()),
    "enhetsregisteret:rule_edit": Route(_rule_url, _by_target(200), targets=("A", "missing")),
    "enhetsregisteret:merger_create": Route(lambda w, t: reverse("enhetsregisteret:merger_create"), _manager()),
    "enhetsregisteret:merger_edit": Route(_merger_url("merger_edit"), _by_target(200), targets=("A", "missing")),
    "enhetsregisteret:merger_withdraw": Route(
        _merger_url("merger_withdraw"), _by_target(REDIRECT), method="post", targets=("A", "missing")
    ),
}
