"""The front page tells whoever answers advisories for a member how many are still unanswered."""

from __future__ import annotations

from typing import Any

import lxml.html
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advisories import services
from advisories.choices import TLP, AckStatus
from advisories.tests.conftest import make_advisory

HOME = reverse("dashboards:home")


def _steps(response: Any) -> dict[str, list[tuple[str, str]]]:
    doc = lxml.html.fromstring(response.content.decode())
    return {
        card.xpath(".//h3")[0].text_content().strip(): [
            (a.text_content().strip(), a.get("href")) for a in card.xpath(".//a[contains(@href, '#security-title')]")
        ]
        for card in doc.xpath('//ul[@class="cards"]/li')
    }


def test_unanswered_counts_follow_the_audience_visibility_and_answers(world: Any, sec: dict[str, Any]) -> None:
    a, b = world.org_a, world.org_b
    direct = make_advisory(tlp=TLP.GREEN, organisations=[a])
    to_all_municipalities = make_advisory(tlp=TLP.AMBER, forms=[a.form])
    make_advisory(tlp=TLP.GREEN, organisations=[b])  # someone else's
    make_advisory(tlp=TLP.GREEN, organisations=[a], published=False)  # a draft
    make_advisory(tlp=TLP.RED, organisations=[a])  # RED: only the people named on it
    admin = world["admin_a"]

    assert services.unanswered_counts(admin, {a.pk, b.pk}) == {a.pk: 2, b.pk: 2}
    services.acknowledge(actor=admin, advisory=direct, organisation=a, status=AckStatus.RECEIVED, comment="")
    assert services.unanswered_counts(admin, {a.pk}) == {a.pk: 1}
    services.acknowledge(
        actor=admin, advisory=to_all_municipalities, organisation=a, status=AckStatus.NOT_AFFECTED, comment=""
    )
    assert services.unanswered_counts(admin, {a.pk}) == {a.pk: 0}


def test_the_front_page_shows_the_step_to_those_who_answer(world: Any, sec: dict[str, Any], client: Any) -> None:
    make_advisory(tlp=TLP.GREEN, organisations=[world.org_a])
    make_advisory(tlp=TLP.GREEN, audience_all=True)
    url = reverse("organisations:organisation_detail", args=[world.org_a.pk]) + "#security-title"

    for persona in ("admin_a", "sec_a"):
        user = world[persona] if persona in world.users else sec[persona]
        client.force_login(user, backend="accounts.backends.PortalBackend")
        steps = _steps(client.get(HOME, headers={"accept-language": "en"}))
        assert steps[world.org_a.name] == [("Answer 2 security advisories", url)], persona

    # A technical contact does not answer advisories: no step.
    client.force_login(world["member_a"], backend="accounts.backends.PortalBackend")
    assert _steps(client.get(HOME, headers={"accept-language": "en"}))[world.org_a.name] == []


def test_the_step_costs_the_same_queries_for_one_advisory_and_for_many(
    world: Any, sec: dict[str, Any], client: Any
) -> None:
    client.force_login(world["admin_a"], backend="accounts.backends.PortalBackend")
    make_advisory(tlp=TLP.GREEN, organisations=[world.org_a])
    client.get(HOME)
    with CaptureQueriesContext(connection) as one:
        client.get(HOME)
    for _ in range(6):
        make_advisory(tlp=TLP.GREEN, organisations=[world.org_a], counties=[world.municipality_a.county])
    with CaptureQueriesContext(connection) as many:
        response = client.get(HOME, headers={"accept-language": "en"})
    assert len(many) == len(one)
    assert _steps(response)[world.org_a.name][0][0] == "Answer 7 security advisories"
