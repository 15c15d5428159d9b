"""TLP × channel × recipient: nothing leaks. Every channel asks Advisory.objects.visible_to."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from advisories import csaf, services
from advisories.choices import TLP
from advisories.models import Advisory
from advisories.tests.conftest import make_advisory
from core.models import OutboundEmail

# TLP labels as stored, with the two kinds of invalid one: missing and unknown.
LABELS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", "", "PURPLE"]
PERSONAS = [
    "anonymous",
    "sec_a",
    "member_a",
    "named_outsider",
    "sec_b",
    "admin_b",
    "coordinator_a",
    "membership_manager",
    "cert_analyst",
]


def expected_visible(tlp: str, persona: str) -> bool:
    """The policy, written out independently of the implementation. Each advisory targets county A
    (Innlandet) and names ``outsider`` (a person with no organisation) and, for RED, sec_a too."""
    if persona == "cert_analyst":
        return True
    if tlp == "CLEAR":
        return True
    if persona == "anonymous":
        return False
    if tlp == "GREEN":
        return True
    in_target = persona in {"sec_a", "member_a"}
    named = persona in {"named_outsider"} or (tlp == "RED" and persona == "sec_a")
    if tlp == "AMBER":
        return in_target or named
    if tlp == "AMBER+STRICT":
        return in_target
    if tlp == "RED":
        return named
    return False  # missing or unknown label: restricted


@pytest.fixture
def tlp_world(world: Any, sec: dict[str, Any]) -> dict[str, Any]:
    world.users["named_outsider"] = sec["outsider"]
    county_a = world.municipality_a.county
    advisories = {}
    for label in LABELS:
        people = [sec["outsider"]] + ([sec["sec_a"]] if label == "RED" else [])
        advisories[label] = make_advisory(
            tlp=label, counties=[county_a], people=people, title=f"Varsel {label or 'tom'} X"
        )
    return advisories


def _user(world: Any, persona: str) -> Any:
    return AnonymousUser() if persona == "anonymous" else world[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_queryset_and_detail_page(world: Any, tlp_world: dict[str, Any], client: Any, persona: str) -> None:
    user = _user(world, persona)
    if persona != "anonymous":
        client.force_login(user, backend="accounts.backends.PortalBackend")
    visible_ids = set(Advisory.objects.visible_to(user).values_list("pk", flat=True))
    for label, advisory in tlp_world.items():
        expected = expected_visible(label, persona)
        assert (advisory.pk in visible_ids) == expected, (label, persona)
        response = client.get(reverse("advisories:detail", args=[advisory.pk]))
        if persona == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == (200 if expected else 404), (label, persona)
        csaf_response = client.get(reverse("advisories:csaf", args=[advisory.pk]))
        if persona != "anonymous":
            assert csaf_response.status_code == (200 if expected else 404), (label, persona)
        public = client.get(reverse("advisories:public_detail", args=[advisory.pk]))
        assert public.status_code == (200 if label == "CLEAR" else 404), (label, persona)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_list_search_and_export(world: Any, tlp_world: dict[str, Any], client: Any, persona: str) -> None:
    client.force_login(world[persona], backend="accounts.backends.PortalBackend")
    listing = client.get(reverse("advisories:list")).content.decode()
    search = client.get(reverse("advisories:list"), {"q": "Varsel"}).content.decode()
    export = client.get(reverse("advisories:export_csv")).content.decode()
    for label, advisory in tlp_world.items():
        expected = expected_visible(label, persona)
        for channel, text in (("list", listing), ("search", search), ("csv", export)):
            assert (advisory.title in text) == expected, (channel, label, persona)


def test_public_list_shows_only_clear(world: Any, tlp_world: dict[str, Any], client: Any) -> None:
    content = client.get(reverse("advisories:public_list")).content.decode()
    for label, advisory in tlp_world.items():
        assert (advisory.title in content) == (label == "CLEAR"), label


@pytest.mark.parametrize("persona", ["sec_a", "member_a", "coordinator_a", "membership_manager", "cert_analyst"])
def test_organisation_panel(world: Any, tlp_world: dict[str, Any], client: Any, persona: str) -> None:
    """The panel on org A's page: only advisories the viewer may see (a coordinator sees A's page
    but is not in A, so AMBER stays hidden)."""
    client.force_login(world[persona], backend="accounts.backends.PortalBackend")
    content = client.get(reverse("organisations:organisation_detail", args=[world.org_a.pk])).content.decode()
    for label, advisory in tlp_world.items():
        assert (advisory.title in content) == expected_visible(label, persona), (label, persona)


def test_email_recipients_follow_visibility(world: Any, tlp_world: dict[str, Any], sec: dict[str, Any]) -> None:
    """E-mail goes to the targeted members' security contacts and the named people — each checked
    against visible_to; RED only to the named; restricted labels' content never in the body."""
    for advisory in tlp_world.values():
        services.distribute(advisory.pk, 1)
    by_label: dict[str, set[str]] = {}
    for label, advisory in tlp_world.items():
        mails = OutboundEmail.objects.filter(key__startswith=f"advisory:{advisory.pk}:")
        by_label[label] = {m.to for m in mails}
        for mail in mails:
            if label in {"AMBER", "AMBER+STRICT", "RED"}:
                assert advisory.summary not in mail.body_text and advisory.title not in mail.body_text
                assert advisory.title not in mail.subject and advisory.summary not in (mail.body_html or "")
            else:
                assert advisory.summary in mail.body_text
    a, out = sec["sec_a"].email, sec["outsider"].email
    assert by_label["CLEAR"] == {a, out}
    assert by_label["GREEN"] == {a, out}
    assert by_label["AMBER"] == {a, out}
    assert by_label["AMBER+STRICT"] == {a}  # the named outsider is outside the organisations
    assert by_label["RED"] == {a, out}  # both are named; the contact role alone would not be enough
    assert by_label[""] == set() and by_label["PURPLE"] == set()
    assert sec["sec_b"].email not in set().union(*by_label.values())


def test_red_reaches_only_named_people(world: Any, sec: dict[str, Any]) -> None:
    advisory = make_advisory(tlp=TLP.RED, counties=[world.municipality_a.county], people=[sec["outsider"]])
    assert [u.email for u in services.advisory_recipients(advisory)] == [sec["outsider"].email]
    assert not Advisory.objects.visible_to(sec["sec_a"]).filter(pk=advisory.pk).exists()


def test_other_organisations_amber_is_404(world: Any, sec: dict[str, Any], client: Any) -> None:
    advisory = make_advisory(tlp=TLP.AMBER, organisations=[world.org_b])
    client.force_login(sec["sec_a"], backend="accounts.backends.PortalBackend")
    assert client.get(reverse("advisories:detail", args=[advisory.pk])).status_code == 404
    assert client.post(reverse("advisories:acknowledge", args=[advisory.pk]), {"status": "received"}).status_code == 404
    client.force_login(sec["sec_b"], backend="accounts.backends.PortalBackend")
    assert client.get(reverse("advisories:detail", args=[advisory.pk])).status_code == 200


def test_drafts_expired_and_scheduled_are_hidden(world: Any, sec: dict[str, Any]) -> None:
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    draft = make_advisory(tlp=TLP.CLEAR, published=False)
    expired = make_advisory(tlp=TLP.CLEAR, expires_at=now - dt.timedelta(minutes=1))
    scheduled = make_advisory(tlp=TLP.CLEAR, published_at=now + dt.timedelta(hours=2))
    for user in (AnonymousUser(), sec["sec_a"], world["membership_manager"]):
        ids = set(Advisory.objects.visible_to(user).values_list("pk", flat=True))
        assert not ids & {draft.pk, expired.pk, scheduled.pk}
    assert Advisory.objects.visible_to(world["cert_analyst"]).filter(pk=draft.pk).exists()


def test_deactivated_user_sees_nothing_restricted(world: Any, sec: dict[str, Any]) -> None:
    advisory = make_advisory(tlp=TLP.AMBER, organisations=[world.org_a])
    assert not Advisory.objects.visible_to(world["deactivated_a"]).filter(pk=advisory.pk).exists()


def test_csaf_export_of_each_label_validates(world: Any, tlp_world: dict[str, Any]) -> None:
    for label, advisory in tlp_world.items():
        document = csaf.export(advisory)
        assert csaf.schema_errors(document) == [], label
        tlp = document["document"]["distribution"]["tlp"]["label"]
        assert tlp == {"CLEAR": "WHITE", "GREEN": "GREEN", "AMBER": "AMBER", "AMBER+STRICT": "AMBER"}.get(label, "RED")


def test_list_page_queries_are_bounded(
    world: Any, sec: dict[str, Any], client: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(30):
        make_advisory(tlp=TLP.AMBER, counties=[world.municipality_a.county])
    client.force_login(sec["sec_a"], backend="accounts.backends.PortalBackend")
    with django_assert_max_num_queries(15):
        assert client.get(reverse("advisories:list")).status_code == 200
    # The panel on the organisation page (other apps' panels share that page, so it is measured alone).
    from django.test import RequestFactory

    from advisories.panels import security_panel

    request = RequestFactory().get("/")
    request.user = sec["sec_a"]
    with django_assert_max_num_queries(10):
        _template, context = security_panel(request, world.org_a)
    assert len(context["rows"]) == 10
