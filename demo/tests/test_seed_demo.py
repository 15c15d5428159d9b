from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import User
from demo.data import PERSONAS, demo_org_number
from organisations.choices import Source
from organisations.models import Organisation, OrganisationRole
from organisations.validators import validate_org_number


@pytest.fixture
def reference(db):
    call_command("load_reference_data", stdout=StringIO())


def test_demo_org_numbers_are_valid_and_distinct() -> None:
    numbers = [demo_org_number(n) for n in range(1, 200)]
    for number in numbers:
        validate_org_number(number)
    assert len(set(numbers)) == len(numbers)


def test_it_creates_every_persona_and_prints_their_logins(reference) -> None:
    out = StringIO()
    call_command("seed_demo", without_history=True, stdout=out)
    assert User.objects.filter(email__in=[p.email for p in PERSONAS], is_demo=True).count() == len(PERSONAS)
    for persona in PERSONAS:
        assert persona.email in out.getvalue()
    assert "Helsenett-demo-2025" in out.getvalue()
    kari = User.objects.get(email="kari@demo.medlemsportal.no")
    assert kari.check_password("Helsenett-demo-2025")
    assert OrganisationRole.objects.filter(user=kari, role="signatory", signatory_basis="general_manager").exists()
    assert Organisation.objects.filter(source=Source.DEMO, form__in=["ENK", "AS"]).count() >= 4


def test_a_second_run_changes_nothing(reference) -> None:
    call_command("seed_demo", without_history=True, stdout=StringIO())
    counts = (User.objects.count(), Organisation.objects.count(), OrganisationRole.objects.count())
    call_command("seed_demo", without_history=True, stdout=StringIO())
    assert (User.objects.count(), Organisation.objects.count(), OrganisationRole.objects.count()) == counts


def test_it_needs_the_reference_data_first(db) -> None:
    with pytest.raises(CommandError, match="load_reference_data"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


@override_settings(PRODUCTION=True)
def test_it_is_refused_in_production(reference) -> None:
    with pytest.raises(CommandError, match="never loaded in production"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_the_history_reproduces_the_deck(reference) -> None:
    """306 of 357 municipalities (85 %) had signed on 10 March 2025; today all but five have, and
    those five are blocked. Every signature has a sealed PDF and the audit chain holds."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from core.audit import verify_chain
    from memberships.models import Membership, Signature
    from organisations.models import Municipality

    call_command("seed_demo", stdout=StringIO())
    municipal = Signature.objects.filter(terms_version__label="2025", organisation__form="KOMM")
    webinar = dt.datetime(2025, 3, 10, tzinfo=ZoneInfo("Europe/Oslo"))
    assert Municipality.objects.count() == 357
    assert municipal.filter(signed_at__lt=webinar).count() == 306
    assert municipal.filter(signed_at__lt=webinar + dt.timedelta(days=1)).count() == 306  # none on the day
    assert municipal.count() == 352
    blocked = Membership.objects.filter(organisation__form="KOMM", state="suspended")
    assert blocked.count() == 5
    assert blocked.filter(organisation__municipality__number="3411").exists()  # Kari's municipality
    assert not municipal.filter(signed_at__gt=dt.datetime.now(tz=dt.UTC)).exists()
    assert verify_chain().ok
    counts = (Signature.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Signature.objects.count(), Membership.objects.count()) == counts


@pytest.mark.django_db
def test_demo_personas_are_the_local_providers_people() -> None:
    """Kari at the local OpenID Provider (devtools/oidc/personas.json) is the demo Kari: same identity number."""
    from django.core.management import call_command

    from accounts import personal_id
    from accounts.models import User
    from demo.data import DEV_IDENTITIES

    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--without-history", verbosity=0)
    kari = User.objects.get(email="kari@demo.medlemsportal.no")
    assert kari.national_id_digest == personal_id.digest(DEV_IDENTITIES["kari@demo.medlemsportal.no"])
    assert kari.birth_date is not None
    call_command("seed_demo", "--without-history", verbosity=0)  # idempotent


def test_the_demo_register_lists_the_providers_people_with_their_birth_dates() -> None:
    """Kari and Ola log in with ID-porten (test); the login sets their birth date from the identity number,
    and the authority check matches it against the demo register's roles. They must agree, or the
    demo's own signatories are refused."""
    from accounts import personal_id
    from demo.data import DEV_IDENTITIES
    from enhetsregisteret.demo_data import DEMO_BIRTH_DATES, DEMO_ROLES

    born_in_register = {f"{first} {last}": born for _key, _code, _d, first, _m, last, born in DEMO_ROLES}
    checked = 0
    for email, born in DEMO_BIRTH_DATES.items():
        if email in DEV_IDENTITIES:
            assert personal_id.birth_date(DEV_IDENTITIES[email]).isoformat() == born, email
            checked += 1
    assert checked >= 2
    assert born_in_register["Kari Nordmann"] == DEMO_BIRTH_DATES["kari@demo.medlemsportal.no"]
    assert born_in_register["Ola Berg"] == DEMO_BIRTH_DATES["ola@demo.medlemsportal.no"]


@pytest.mark.django_db
def test_the_demo_signatories_sign_because_the_register_says_so() -> None:
    """After seed_demo, Kari is DAGL of Ringsaker and Ola INNH of his ENK by the register (no network)."""
    from django.core.management import call_command

    from accounts.models import User
    from memberships.services import authority_decision
    from organisations.models import Organisation

    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", "--without-history", verbosity=0)
    kari = User.objects.get(email="kari@demo.medlemsportal.no")
    ringsaker = Organisation.objects.get(municipality__number="3411")
    decision = authority_decision(kari, ringsaker)
    assert decision.authority is not None, decision.reason
    assert decision.authority.role_code == "DAGL"
    assert decision.authority.matched_entry["birth_date"] == kari.birth_date.isoformat()
    ola = User.objects.get(email="ola@demo.medlemsportal.no")
    enk = ola.organisation_roles.get(role="signatory").organisation
    decision = authority_decision(ola, enk)
    assert decision.authority is not None, decision.reason
    assert decision.authority.role_code == "INNH"
