"""Issue 20: an ENK or AS that must now be a member is told why, with the regulation behind it, on its
front page and in its invitation. A municipality is not told this (it is not why it must sign)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from core.models import OutboundEmail
from memberships.rounds import queue_invitation
from memberships.why import REGULATION
from organisations.choices import OrganisationForm
from organisations.tests.factories import OrganisationFactory, RoleFactory, UserFactory


def test_an_enk_is_told_why_on_its_front_page_and_in_its_invitation(world: Any, terms: Any, login: Any) -> None:
    terms.published.required_forms = ["KOMM", "AS", "ENK"]
    terms.published.save()
    enk = OrganisationFactory(name="Fysioterapeut Olsen", form=OrganisationForm.ENK)
    owner = UserFactory(email="olsen@fysio.example.no", full_name="Ola Olsen")
    RoleFactory(user=owner, organisation=enk, role="admin")

    page = login(owner).get(reverse("dashboards:home"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert REGULATION in page
    assert "pasientjournalloven §§ 8 og 21" in page
    assert "Fysioterapeut Olsen har sitt eget organisasjonsnummer" in page

    assert queue_invitation(enk, terms.published)
    mail = OutboundEmail.objects.get(to="olsen@fysio.example.no")
    for body in (mail.body_text, mail.body_html):
        assert REGULATION in body
        assert "1. januar 2022" in body

    english = login(owner).get(reverse("dashboards:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "since 1 January 2022, every enterprise that delivers health and care services" in english


def test_a_municipality_is_not_given_the_enterprise_reason(world: Any, terms: Any, login: Any) -> None:
    page = login(world["admin_a"]).get(reverse("dashboards:home"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert REGULATION not in page
    assert queue_invitation(world.org_a, terms.published)
    assert all(REGULATION not in m.body_text for m in OutboundEmail.objects.all())
