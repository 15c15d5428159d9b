"""seed_demo: create the demo world, idempotently, on top of the reference data."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from accounts import personal_id
from demo.data import (
    DEMO_MUNICIPALITY,
    DEMO_PASSWORD,
    DEV_IDENTITIES,
    ORGANISATIONS,
    OTHER_MUNICIPALITY,
    PERSONAS,
    demo_org_number,
)
from demo.history import seed_draft_2026, seed_signing_history
from organisations.choices import Source
from organisations.models import CoordinatorAssignment, Municipality, Organisation, OrganisationRole


@dataclass(frozen=True)
class Login:
    email: str
    name: str
    journey: str


class DemoDataError(Exception):
    pass


@transaction.atomic
def demo_seed(*, history: bool = True) -> list[Login]:
    """Create or update the demo organisations, personas and their roles. Safe to run again.

    Requires the reference data (the personas work in Ringsaker and Hamar). A persona's password is
    reset to the demo password only when the persona is first created. ``history`` replays the deck's
    signing round of 2025 (a few seconds: every signature gets a real sealed PDF).
    """
    municipalities = {
        m.number: m for m in Municipality.objects.filter(number__in=[DEMO_MUNICIPALITY, OTHER_MUNICIPALITY])
    }
    if len(municipalities) != 2:
        raise DemoDataError("Load the reference data first: manage.py load_reference_data")
    organisations = {
        "municipality": municipalities[DEMO_MUNICIPALITY].organisation,
        "other_municipality": municipalities[OTHER_MUNICIPALITY].organisation,
    }
    for spec in ORGANISATIONS:
        org, _created = Organisation.objects.update_or_create(
            org_number=demo_org_number(spec.serial),
            defaults={
                "name": spec.name,
                "form": spec.form,
                "industry_codes": [spec.industry_code],
                "address_municipality": municipalities[spec.municipality],
                "source": Source.DEMO,
                "postal_place": municipalities[spec.municipality].name.upper(),
            },
        )
        organisations[spec.key] = org

    User = get_user_model()
    logins = []
    for persona in PERSONAS:
        user = User.objects.filter(email=persona.email).first()
        if user is None:
            user = User(email=persona.email)
            user.set_password(DEMO_PASSWORD)
        user.full_name = persona.full_name
        user.staff_role = persona.staff_role
        user.is_superuser = persona.superuser
        user.is_demo = True
        if persona.email in DEV_IDENTITIES:  # the same person at the local OpenID Provider
            number = DEV_IDENTITIES[persona.email]
            digest = personal_id.digest(number)
            if not User.objects.filter(national_id_digest=digest).exclude(email=persona.email).exists():
                user.national_id_digest = digest
                user.birth_date = personal_id.birth_date(number)
        user.full_clean(exclude=["password"])
        user.save()
        for key, role, basis in persona.roles:
            OrganisationRole.objects.get_or_create(
                user=user, organisation=organisations[key], role=role, defaults={"signatory_basis": basis}
            )
        for number in persona.coordinates:
            network = Municipality.objects.get(number=number).diginettverk
            CoordinatorAssignment.objects.get_or_create(user=user, diginettverk=network)
        logins.append(Login(persona.email, persona.full_name, persona.journey))
    from enhetsregisteret.demo_data import seed_register_roles

    seed_register_roles(organisations=organisations, users={u.email: u for u in User.objects.filter(is_demo=True)})
    manager = User.objects.get(email="nils@demo.medlemsportal.no")
    seed_signing_history(publisher=manager, signatures=history)
    seed_draft_2026(author=manager)
    users = {user.email: user for user in User.objects.filter(is_demo=True)}
    for seed in app_demo_seeders():
        seed(organisations=organisations, users=users)
    return logins


def app_demo_seeders() -> list[Any]:
    """Each installed app's ``demo_data.seed(organisations=…, users=…)``, in INSTALLED_APPS order.

    ``organisations`` maps the demo keys ("municipality", "other_municipality", and the keys of
    demo.data.ORGANISATIONS) to organisations; ``users`` maps the personas' e-mail addresses to users.
    Each seeder must be idempotent: `make run` seeds again on every start.
    """
    seeders = []
    for config in apps.get_app_configs():
        if config.name != "demo" and module_has_submodule(config.module, "demo_data"):
            seeders.append(import_module(f"{config.name}.demo_data").seed)
    return seeders


__all__ = ["DEMO_PASSWORD", "Login", "demo_seed"]
