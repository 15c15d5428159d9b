"""The advisory list's FilterSet, shared with the API: search and severity narrow the page, TLP and
changed-since serve the API, and a value it cannot use is left out (never a server error)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from advisories.filters import AdvisoryFilter
from advisories.models import Advisory
from advisories.tests.conftest import make_advisory


@pytest.fixture
def advisories(world: Any, sec: dict[str, Any]) -> dict[str, Advisory]:
    return {
        "critical": make_advisory(tlp="CLEAR", severity="critical", title="Kritisk feil i journalsystem"),
        "low": make_advisory(tlp="GREEN", severity="low", title="Liten feil i timebok"),
    }


def titles(**params: str) -> set[str]:
    return set(AdvisoryFilter(params, queryset=Advisory.objects.all()).qs.values_list("title", flat=True))


def test_each_filter_narrows_the_list(advisories: dict[str, Advisory]) -> None:
    critical, low = advisories["critical"].title, advisories["low"].title
    assert titles() == {critical, low}
    assert titles(q="timebok") == {low}
    assert titles(severity="critical") == {critical}
    assert titles(tlp="GREEN") == {low}
    Advisory.objects.filter(pk=advisories["low"].pk).update(updated_at=timezone.now() - dt.timedelta(days=3))
    assert titles(changed_since=(timezone.now() - dt.timedelta(days=1)).isoformat()) == {critical}


@pytest.mark.parametrize("params", [{"severity": "apocalyptic"}, {"q": "x" * 201}, {"tlp": "PURPLE"}])
def test_a_value_it_cannot_use_is_left_out(
    world: Any, client: Any, advisories: dict[str, Advisory], params: dict[str, str]
) -> None:
    assert titles(**params) == {a.title for a in advisories.values()}
    client.force_login(world["sec_a"])
    response = client.get(reverse("advisories:list"), params)
    assert response.status_code == 200 and response.context["severity"] == response.context["q"] == ""
    assert all(a.title in response.content.decode() for a in advisories.values())
    assert client.get(reverse("advisories:export_csv"), params).status_code == 200


def test_the_page_filters_by_severity_and_keeps_the_choice(
    world: Any, client: Any, advisories: dict[str, Advisory]
) -> None:
    client.force_login(world["sec_a"])
    response = client.get(reverse("advisories:list"), {"severity": "low"})
    page = response.content.decode()
    assert advisories["low"].title in page and advisories["critical"].title not in page
    assert response.context["severity"] == "low"
    export = client.get(reverse("advisories:export_csv"), {"severity": "low"}).content.decode("utf-8-sig")
    assert advisories["low"].title in export and advisories["critical"].title not in export
