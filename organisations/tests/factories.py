"""Factories for the member registry. Organisation numbers are valid MOD11 numbers in the 8xx range."""

from __future__ import annotations

import itertools

import factory
from django.contrib.auth import get_user_model

from core.roles import OrganisationRoleType
from organisations.choices import OrganisationForm, Source
from organisations.models import County, Diginettverk, Municipality, Organisation, OrganisationRole
from organisations.validators import with_check_digit

_serials = itertools.count(1)


def valid_org_number() -> str:
    """The next unused valid organisation number (weights 3,2,7,6,5,4,3,2; remainder 10 skipped)."""
    while not (number := with_check_digit(f"8{next(_serials):07d}")):
        pass
    return number


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.no")
    full_name = factory.Faker("name", locale="no_NO")
    password = factory.django.Password("correct-horse-battery")


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ["number"]

    number = factory.Sequence(lambda n: f"{(n % 89) + 10:02d}")
    name = factory.Sequence(lambda n: f"Fylke {n}")


class DiginettverkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diginettverk
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Digi {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    org_number = factory.LazyFunction(valid_org_number)
    name = factory.Sequence(lambda n: f"Organisasjon {n} AS")
    form = OrganisationForm.AS
    source = Source.MANUAL
    industry_codes = ["86.211"]


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        skip_postgeneration_save = True

    # 9000-9999 are no real municipality numbers; the cycle keeps them at four digits in long sessions.
    number = factory.Sequence(lambda n: f"{9000 + n % 1000:04d}")
    name = factory.Sequence(lambda n: f"Kommune {n}")
    county = factory.SubFactory(CountyFactory)
    diginettverk = factory.SubFactory(DiginettverkFactory)
    organisation = factory.SubFactory(
        OrganisationFactory,
        form=OrganisationForm.KOMM,
        name=factory.SelfAttribute("..name"),
        industry_codes=["84.110"],
    )
    latitude = "60.00000"
    longitude = "10.00000"

    @factory.post_generation
    def address(obj, create, extracted, **kwargs):
        if create:
            obj.organisation.address_municipality = obj
            obj.organisation.save(update_fields=["address_municipality"])


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationRole

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = OrganisationRoleType.TECHNICAL_CONTACT
