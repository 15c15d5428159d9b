"""Where an organisation is, for an advisory's audience: its form, counties and Diginettverk (reads only).

Only organisations whose membership is in force have a region (``MEMBERSHIP_IN_FORCE``): the one rule every
channel reads, through ``advisories.models.AdvisoryQuerySet``.
"""

from __future__ import annotations

from memberships.choices import MEMBERSHIP_IN_FORCE
from organisations.models import County, Organisation

Region = tuple[str, set[int], set[int]]  # (form, county ids, Diginettverk ids) of one organisation


def regions_by_organisation(org_ids: frozenset[int] | set[int]) -> dict[int, Region]:
    """Each organisation's form, counties and Diginettverk, in two queries: a municipality by its own
    county and network, a county authority by its county, any other unit by its address municipality.

    Only organisations whose membership is in force (``MEMBERSHIP_IN_FORCE``) have a region: an advisory's
    audience is its target's members, so a register candidate, an invited, blocked or ended organisation
    is in no advisory's audience (the one rule every channel reads, through ``AdvisoryQuerySet``)."""
    if not org_ids:
        return {}
    rows = Organisation.objects.filter(pk__in=org_ids, membership__state__in=MEMBERSHIP_IN_FORCE).values_list(
        "pk",
        "form",
        "municipality__county_id",
        "municipality__diginettverk_id",
        "address_municipality__county_id",
        "address_municipality__diginettverk_id",
    )
    regions: dict[int, Region] = {
        pk: (form, {c for c in (county, address_county) if c}, {n for n in (network, address_network) if n})
        for pk, form, county, network, address_county, address_network in rows
    }
    for county_id, org_id in County.objects.filter(organisation_id__in=org_ids).values_list("pk", "organisation_id"):
        if org_id in regions:
            regions[org_id][1].add(county_id)
    return regions


def organisation_regions(
    org_ids: frozenset[int] | set[int], regions: dict[int, Region] | None = None
) -> tuple[set[str], set[int], set[int]]:
    """(forms, county ids, Diginettverk ids) of organisations together."""
    forms: set[str] = set()
    counties: set[int] = set()
    networks: set[int] = set()
    if regions is None:
        regions = regions_by_organisation(org_ids)
    for form, org_counties, org_networks in regions.values():
        forms.add(form)
        counties |= org_counties
        networks |= org_networks
    return forms, counties, networks
