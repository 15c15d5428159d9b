"""The services app in the authorization matrix (issue 4): the public catalogue, an organisation's services,
the guided flow, ending agreements, signed service agreements and publishing service terms."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from conftest import World
from tests.matrix_common import AGREEMENT_STAFF, TARGETS, TERMS_MANAGERS, Route, org_action, org_id, signed_in, visible

READ_ONLY_ADMIN = {
    "services_servicetermsversion",
    "services_serviceagreement",
    "services_servicesigning",
}


def seed_world(world: World) -> None:
    """The catalogue, a size, and for A and B an agreement (HelseID) and a signing with an order (Kjernejournal)."""
    from agreements.catalogue import load_catalogue
    from agreements.models import OrganisationSize
    from agreements.tests.factories import make_agreement, make_order, make_signing

    load_catalogue()
    OrganisationSize.objects.create(organisation=world.org_a, inhabitants=35_000, employees=2_500, source="SSB")
    objects: dict[str, dict[str, Any]] = {}
    for target, org, signer in (("A", world.org_a, world["admin_a"]), ("B", world.org_b, world["admin_b"])):
        signing = make_signing(org, signer)
        objects[target] = {
            "agreement": make_agreement(org, "helseid"),
            "signing": signing,
            "order": make_order(org, "kjernejournal", signer, signing=signing),
        }
    world.extra["services"] = objects


def _object(world: World, target: str, name: str) -> int:
    return world.extra["services"][target][name].pk if target in ("A", "B") else 999_999


def _terms_version(world: World) -> int:
    from agreements.models import ServiceTermsVersion

    return ServiceTermsVersion.objects.published().get(service__slug="helseid").pk


def _signatory_of(role: str, target: str) -> bool:
    return role == "admin_a" and target == "A"  # the general manager of A; B has no signatory


def _flow_restart(role: str, target: str) -> Any:
    outcome = org_action(_signatory_of)(role, target)
    return "redirect" if outcome == 200 else outcome


def _may_download(role: str, target: str) -> bool:
    """AGREEMENT_DOWNLOAD: agreement staff, and the target's administrators and signatories."""
    return role in AGREEMENT_STAFF or (role, target) in {("admin_a", "A"), ("admin_b", "B")}


ROUTES: dict[str, Route] = {
    "agreements:catalogue": Route(lambda w, t: reverse("agreements:catalogue"), lambda r, t: 200),
    "agreements:overview": Route(lambda w, t: reverse("agreements:overview"), lambda r, t: 200),
    "agreements:service_detail": Route(
        lambda w, t: reverse("agreements:service_detail", args=["kjernejournal"]), lambda r, t: 200
    ),
    "agreements:terms_detail": Route(
        lambda w, t: reverse("agreements:terms_detail", args=["helseid", _terms_version(w)]), lambda r, t: 200
    ),
    "agreements:terms_new": Route(
        lambda w, t: reverse("agreements:terms_new", args=["helseid"]),
        signed_in(lambda r, t: 200 if r in TERMS_MANAGERS else 403),
    ),
    # SERVICE_AGREEMENTS_VIEW: every staff role, every role in the organisation, its network's coordinator.
    "agreements:organisation_services": Route(
        lambda w, t: reverse("agreements:organisation_services", args=[org_id(w, t)]),
        signed_in(lambda r, t: 200 if visible(r, t) else 404),
        targets=TARGETS,
    ),
    "agreements:guided_flow": Route(
        lambda w, t: reverse("agreements:guided_flow", args=[org_id(w, t)]), org_action(_signatory_of), targets=TARGETS
    ),
    "agreements:flow_restart": Route(
        lambda w, t: reverse("agreements:flow_restart", args=[org_id(w, t)]),
        _flow_restart,
        method="post",
        targets=TARGETS,
    ),
    "agreements:agreement_terminate": Route(
        lambda w, t: reverse("agreements:agreement_terminate", args=[_object(w, t, "agreement")]),
        org_action(_signatory_of),
        targets=TARGETS,
    ),
    "agreements:signing_detail": Route(
        lambda w, t: reverse("agreements:signing_detail", args=[_object(w, t, "signing")]),
        org_action(_may_download),
        targets=TARGETS,
    ),
    "agreements:signing_pdf": Route(
        lambda w, t: reverse("agreements:signing_pdf", args=[_object(w, t, "signing")]),
        org_action(_may_download),
        targets=TARGETS,
    ),
}
