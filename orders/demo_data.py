"""Demo orders: Hamar signs for two services, and the customer centre has started on one. Runs after
agreements' demo data (INSTALLED_APPS order), which loads the catalogue. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from agreements.models import Service, ServiceSigning
from agreements.services import Selection, current_terms, record_service_signing
from memberships.services import signing_authority
from orders.choices import OrderState
from orders.models import Order
from orders.services import order_assign, order_transition


def seed(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    services = {s.slug: s for s in Service.objects.all()}
    _queue(organisations["other_municipality"], users, services)


def _queue(organisation: Any, users: dict[str, Any], services: dict[str, Service]) -> None:
    """Hamar orders Helsenorge and DigiHelsestasjon; the customer centre has started on them."""
    if ServiceSigning.objects.filter(organisation=organisation).exists():
        return
    signer = users["tor@demo.medlemsportal.no"]
    agent = users["aisha@demo.medlemsportal.no"]
    wanted = [services["helsenorge"], services["digihelse"]]
    authority = signing_authority(signer, organisation)
    if authority is None:
        return
    record_service_signing(
        actor=signer,
        organisation=organisation,
        selection=Selection(order=wanted),
        authority=authority,
        terms=current_terms(wanted),
        at=timezone.now() - dt.timedelta(days=9),
        notify=False,
    )
    helsenorge = Order.objects.get(organisation=organisation, service=services["helsenorge"])
    order_assign(actor=agent, order=helsenorge, assignee=agent)
    order_transition(
        actor=agent,
        order=helsenorge,
        to_state=OrderState.IN_REVIEW,
        comment="Vi ser på integrasjonen mot journalsystemet og kommer tilbake innen en uke.",
    )
