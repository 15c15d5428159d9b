"""Every way in rejects an invalid organisation number with a clear, translated message and stores nothing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from organisations.choices import OrganisationForm, Source
from organisations.models import Organisation
from organisations.reference import DATA_DIR
from organisations.validators import validate_org_number

VALID = ["974760673", "958935420", "830090282"]
INVALID = {
    "97476067": "org_number_length",  # 8 digits
    "9747606730": "org_number_length",  # 10 digits
    "97476067A": "org_number_format",
    "974760674": "org_number_checksum",  # check digit off by one
    "000000000": "org_number_prefix",  # passes MOD11, but no unit in the register starts with 0
    "١٢٣٤٥٦٧٨٩": "org_number_format",  # Arabic-Indic digits are digits to Python, not to the register
    "974 760 673": "org_number_format",  # spaces are removed by forms, never by the validator itself
    "974760673\x00": "org_number_format",
    "": "org_number_format",
}


@pytest.mark.parametrize("number", VALID)
def test_it_accepts_real_organisation_numbers(number: str) -> None:
    validate_org_number(number)


@pytest.mark.parametrize(("number", "code"), INVALID.items())
def test_it_rejects_invalid_organisation_numbers_with_a_reason(number: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_org_number(number)
    assert excinfo.value.code == code


def test_the_message_is_norwegian_by_default_and_english_on_request() -> None:
    with translation.override("nb"), pytest.raises(ValidationError) as nb:
        validate_org_number("974760674")
    with translation.override("nb"):
        assert "kontrollsifferet" in nb.value.messages[0]
    with translation.override("en"):
        assert "check digit" in nb.value.messages[0]


@pytest.mark.django_db
def test_full_clean_rejects_a_bad_number_before_anything_is_stored() -> None:
    org = Organisation(org_number="974760674", name="Feil AS", form=OrganisationForm.AS)
    with pytest.raises(ValidationError) as excinfo:
        org.full_clean()
    assert "org_number" in excinfo.value.message_dict
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_only_reference_data_may_lack_a_number() -> None:
    with pytest.raises(ValidationError):
        Organisation(
            org_number=None, name="Uten nummer AS", form=OrganisationForm.AS, source=Source.MANUAL
        ).full_clean()
    Organisation(
        org_number=None, name="Haram kommune", form=OrganisationForm.KOMM, source=Source.REFERENCE_DATA
    ).full_clean()


@pytest.mark.parametrize("number", ["97476067", "97476067A", "974760674", "000000000"])
def test_the_admin_rejects_a_bad_number_and_stores_nothing(world: Any, client: Any, number: str) -> None:
    client.force_login(world["system_admin"], backend="accounts.backends.PortalBackend")
    before = Organisation.objects.count()
    response = client.post(
        reverse("admin:organisations_organisation_add"),
        {
            "org_number": number,
            "name": "Ny Klinikk AS",
            "form": "AS",
            "register_status": "active",
            "industry_codes": "[]",
            "source": "manual",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["org_number"]
    assert Organisation.objects.count() == before


def test_the_admin_accepts_a_number_typed_with_spaces(world: Any, client: Any) -> None:
    client.force_login(world["system_admin"], backend="accounts.backends.PortalBackend")
    response = client.post(
        reverse("admin:organisations_organisation_add"),
        {
            "org_number": "974 760 673",
            "name": "Registerenheten",
            "form": "ORGL",
            "register_status": "active",
            "industry_codes": "[]",
            "source": "manual",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Organisation.objects.get(org_number="974760673").name == "Registerenheten"


@pytest.mark.django_db
def test_the_reference_loader_rejects_a_bad_number_and_stores_nothing(tmp_path: Path) -> None:
    for name in ("fylker-2024.csv", "kommuner-2024.csv", "diginettverk-2024.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    municipalities = tmp_path / "kommuner-2024.csv"
    lines = municipalities.read_text(encoding="utf-8").splitlines()
    lines[200] = lines[200].replace(lines[200].split(",")[4], "123456789")
    municipalities.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"kommuner-2024.csv line 201: organisation number '123456789'"):
        call_command("load_reference_data", directory=tmp_path)
    assert not Organisation.objects.exists()
