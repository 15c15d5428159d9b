"""Helpers for the services and orders tests: services from the catalogue, agreements, signings, orders.

Signings made here carry a placeholder PDF (no sealing): they stand for evidence the tests do not read.
The tests of sign_services itself make real, sealed signings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

from agreements.choices import AgreementState
from agreements.models import Service, ServiceAgreement, ServiceSigning, ServiceTermsVersion

PASSWORD = "correct-horse-battery"  # every factory user's password


def service(slug: str) -> Service:
    return Service.objects.get(slug=slug)


def current_version(slug: str) -> ServiceTermsVersion:
    from agreements.services import current_terms

    svc = service(slug)
    return current_terms([svc])[svc.pk]


def make_signing(organisation: Any, signer: Any, *, at: dt.datetime | None = None) -> ServiceSigning:
    pdf = b"%PDF-1.7 placeholder\n"
    return ServiceSigning.objects.create(
        organisation=organisation,
        signer=signer,
        signer_name=signer.get_full_name(),
        basis="general_manager",
        basis_text="Daglig leder i Enhetsregisteret",
        signed_at=at or timezone.now(),
        items=[],
        document_sha256=hashlib.sha256(pdf).hexdigest(),
        signed_pdf=pdf,
        signed_pdf_sha256=hashlib.sha256(pdf).hexdigest(),
    )


def make_agreement(
    organisation: Any,
    slug: str,
    *,
    state: str = AgreementState.ACTIVE,
    version: ServiceTermsVersion | None = None,
    started_on: dt.date = dt.date(2025, 1, 1),
) -> ServiceAgreement:
    return ServiceAgreement.objects.create(
        organisation=organisation,
        service=service(slug),
        terms_version=version or current_version(slug),
        state=state,
        started_on=started_on,
    )


def publish_new_terms(slug: str, *, label: str = "2026.1", actor: Any = None) -> ServiceTermsVersion:
    """A new version of a service's terms, published through the service (agreements must re-sign)."""
    from agreements.services import service_terms_publish

    version = ServiceTermsVersion.objects.create(
        service=service(slug), label=label, general_terms=f"## Nye vilkår for {slug}\n\n1. Endret punkt."
    )
    service_terms_publish(actor=actor, version=version)
    version.refresh_from_db()
    return version


def make_order(organisation: Any, slug: str, actor: Any, *, state: str | None = None, signing: Any = None) -> Any:
    """An order submitted through orders.services.submit_order; ``state`` then set directly (a test's setup,
    not a move: the moves themselves are what the tests exercise)."""
    from orders.models import Order
    from orders.services import submit_order

    order = submit_order(
        organisation=organisation,
        service=service(slug),
        terms_version=current_version(slug),
        signing=signing or make_signing(organisation, actor),
        actor=actor,
    )
    if state is not None and state != order.state:
        Order.objects.filter(pk=order.pk).update(state=state)
        order.refresh_from_db()
    return order
