from io import StringIO

import pytest
from django.core.management import call_command

from organisations.choices import OrganisationForm
from organisations.models import County, Diginettverk, Municipality, Organisation
from organisations.reference import load_reference_data


@pytest.fixture
def loaded(db):
    return load_reference_data()


def test_it_loads_the_2024_structure(loaded) -> None:
    assert Municipality.objects.count() == 357
    assert County.objects.count() == 15
    assert Organisation.objects.filter(form=OrganisationForm.KOMM).count() == 357
    assert Organisation.objects.filter(form=OrganisationForm.FYLK).count() == 14  # Oslo is both
    assert not Municipality.objects.filter(diginettverk__isnull=True).exists()
    assert Diginettverk.objects.count() == 11


def test_a_second_run_changes_nothing(loaded) -> None:
    snapshot = list(Organisation.objects.order_by("pk").values_list("pk", "org_number", "name", "updated_at"))
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert "no changes" in out.getvalue()
    assert load_reference_data().changes == 0
    assert list(Organisation.objects.order_by("pk").values_list("pk", "org_number", "name", "updated_at")) == snapshot


def test_haram_has_no_known_number_and_still_works(loaded, client, django_user_model) -> None:
    haram = Municipality.objects.select_related("organisation").get(number="1580")
    assert haram.organisation.org_number is None
    assert haram.organisation.formatted_org_number == ""
    staff = django_user_model.objects.create_user(
        "nils@nhn.example.no", "x" * 16, full_name="Nils", staff_role="membership_manager"
    )
    client.force_login(staff, backend="accounts.backends.PortalBackend")
    assert client.get(haram.organisation.get_absolute_url()).status_code == 200
    assert client.get("/organisations/?q=haram").status_code == 200


def test_oslo_is_municipality_and_county_in_one_organisation(loaded) -> None:
    oslo = Municipality.objects.get(number="0301")
    assert County.objects.get(number="03").organisation_id == oslo.organisation_id
    assert oslo.organisation.org_number == "958935420"


def test_a_renamed_municipality_is_updated_in_place(loaded) -> None:
    Organisation.objects.filter(municipality__number="3411").update(name="Gammelt navn")
    report = load_reference_data()
    assert report.updated["organisation"] == 1
    assert Organisation.objects.get(municipality__number="3411").name == "Ringsaker kommune"
