import datetime as dt

from enhetsregisteret.records import parse_unit
from enhetsregisteret.tests.records import deleted_record, unit_record
from organisations.choices import RegisterStatus
from organisations.validators import with_check_digit

NUMBER = with_check_digit("91234568")


def test_a_full_record_is_read_and_unknown_fields_ignored():
    unit = parse_unit(unit_record(NUMBER))
    assert unit is not None
    assert unit.org_number == NUMBER
    assert unit.form == "AS"
    assert unit.industry_codes == ["86.211"]
    assert unit.business_address == "Torget 1"  # null and "" lines dropped
    assert (unit.postal_code, unit.postal_place, unit.municipality_number) == ("2380", "BRUMUNDDAL", "3411")
    assert unit.register_status == RegisterStatus.ACTIVE
    assert unit.sector_code == "2100"
    assert not unit.reduced


def test_invalid_organisation_numbers_are_rejected():
    assert parse_unit(unit_record("974760674")) is None  # wrong check digit
    assert parse_unit(unit_record("97476067")) is None
    assert parse_unit(unit_record("９７４７６０６７３")) is None  # non-ASCII digits
    assert parse_unit({"navn": "UTEN NUMMER"}) is None
    assert parse_unit(["not", "a", "record"]) is None


def test_foreign_address_keeps_the_post_code_inside_the_place():
    record = unit_record(NUMBER, form="NUF")
    record["forretningsadresse"] = {
        "land": "Sverige",
        "landkode": "SE",
        "poststed": "411 04 GÖTEBORG",
        "adresse": ["Storgatan 1"],
    }
    unit = parse_unit(record)
    assert unit.postal_code == ""
    assert unit.municipality_number == ""
    assert unit.postal_place == "411 04 GÖTEBORG, Sverige"


def test_missing_and_null_fields_are_tolerated():
    record = {"organisasjonsnummer": NUMBER, "navn": None, "forretningsadresse": None, "naeringskode1": {"kode": None}}
    unit = parse_unit(record)
    assert unit is not None
    assert (unit.name, unit.form, unit.industry_codes, unit.business_address) == ("", "", [], "")


def test_status_flags():
    assert parse_unit(unit_record(NUMBER, konkurs=True)).register_status == RegisterStatus.BANKRUPT
    assert parse_unit(unit_record(NUMBER, underAvvikling=True)).register_status == RegisterStatus.UNDER_LIQUIDATION
    forced = parse_unit(unit_record(NUMBER, underTvangsavviklingEllerTvangsopplosning=True))
    assert forced.register_status == RegisterStatus.UNDER_LIQUIDATION
    assert forced.follow_up_reasons == ["forced_liquidation"]


def test_deleted_unit_with_reduced_body():
    unit = parse_unit(deleted_record(NUMBER, "2024-11-26"))
    assert unit.reduced
    assert unit.deleted_on == dt.date(2024, 11, 26)
    assert unit.register_status == RegisterStatus.DELETED
    assert unit.follow_up_reasons == ["deleted"]


def test_invalid_email_and_bad_codes_are_dropped():
    record = unit_record(NUMBER, epostadresse="ikke en adresse", naeringskode2={"kode": "8621", "beskrivelse": "x"})
    unit = parse_unit(record)
    assert unit.email == ""
    assert unit.industry_codes == ["86.211"]
