"""The assessment's recommendations for contrasting answers, and the comparison with a connection."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from connections.assessment import Answers, compare, recommend, tier

GP = Answers(
    users=3,
    sites=1,
    imaging=False,
    video=False,
    uptime="normal",
    security="normal",
    data_processing="cloud",
    budget="low",
    competence="none",
    growth="none",
)
MUNICIPALITY = Answers(
    users=400,
    sites=12,
    imaging=True,
    video=True,
    uptime="critical",
    security="normal",
    data_processing="mixed",
    budget="high",
    competence="own",
    growth="strong",
)


def test_a_small_gp_practice_gets_a_shared_single_line() -> None:
    rec = recommend(GP)
    assert (rec.type_code, rec.bandwidth_mbps, rec.redundancy) == ("shared", 10, "single")
    assert any("own connection" in reason for reason in rec.reasons)  # cloud EPJ: NHN still recommends own
    assert any("one line is enough" in reason for reason in rec.reasons)


def test_a_large_municipality_with_round_the_clock_services_gets_diverse_routes() -> None:
    rec = recommend(MUNICIPALITY)
    # (400 × 0.5 + 100 imaging + 12 × 10 video) × 2 growth = 840 → 1000 Mbit/s
    assert (rec.type_code, rec.bandwidth_mbps, rec.redundancy) == ("municipal_network", 1000, "diverse")
    assert any("different physical routes" in reason for reason in rec.reasons)


def test_a_tight_budget_still_gets_two_lines_for_critical_services() -> None:
    rec = recommend(replace(MUNICIPALITY, budget="low"))
    assert rec.redundancy == "dual"
    assert any("tight budget" in reason for reason in rec.reasons)


def test_high_security_means_a_direct_line() -> None:
    rec = recommend(replace(MUNICIPALITY, security="high"))
    assert rec.type_code == "direct"
    assert any("keeps the traffic in Helsenettet" in reason for reason in rec.reasons)


def test_the_same_practice_with_high_uptime_needs_gets_its_own_dual_line() -> None:
    rec = recommend(replace(GP, uptime="high"))
    assert (rec.type_code, rec.redundancy) == ("direct", "dual")
    assert any("customer centre" in reason for reason in rec.reasons)  # no technical staff: help offered


def test_the_vendor_cloud_is_never_recommended() -> None:
    for uptime in ("normal", "high", "critical"):
        for competence in ("none", "some", "own"):
            answers = replace(GP, uptime=uptime, competence=competence, data_processing="cloud")
            assert recommend(answers).type_code != "cloud_epj"


def test_growth_raises_the_bandwidth() -> None:
    base = replace(GP, users=150, budget="high", competence="some")
    assert recommend(base).bandwidth_mbps == 100  # 75 → 100
    assert recommend(replace(base, growth="strong")).bandwidth_mbps == 200  # 150 → 200


def test_many_sites_need_a_second_line() -> None:
    assert recommend(replace(MUNICIPALITY, uptime="normal", sites=5)).redundancy == "dual"
    assert recommend(replace(MUNICIPALITY, uptime="normal", sites=4)).redundancy == "single"


@pytest.mark.parametrize(("mbps", "expected"), [(0, 10), (10, 10), (10.5, 20), (999, 1000), (50_000, 10_000)])
def test_it_rounds_up_to_a_standard_bandwidth(mbps: float, expected: int) -> None:
    assert tier(mbps) == expected


def test_it_compares_the_current_connection_with_the_recommendation() -> None:
    recommendation = SimpleNamespace(
        recommended_type="Direkte", recommended_type_id=1, recommended_bandwidth_mbps=200, recommended_redundancy="dual"
    )
    weaker = SimpleNamespace(connection_type="Delt", connection_type_id=4, bandwidth_mbps=100, redundancy="single")
    stronger = SimpleNamespace(
        connection_type="Direkte", connection_type_id=1, bandwidth_mbps=500, redundancy="diverse"
    )
    assert [row.ok for row in compare(recommendation, weaker)] == [False, False, False]
    assert [row.ok for row in compare(recommendation, stronger)] == [True, True, True]
