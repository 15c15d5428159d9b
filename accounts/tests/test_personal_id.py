"""National identity numbers are kept only as a keyed digest and a birth date, never in the clear."""

import datetime as dt

import pytest
from django.test import override_settings

from accounts import personal_id

VALID = "15076500565"  # a synthetic, checksum-valid number


def test_it_derives_the_birth_date_and_a_mask_that_hides_the_personal_number():
    assert personal_id.birth_date(VALID) == dt.date(1965, 7, 15)
    assert personal_id.masked(VALID) == "150765*****"


def test_the_digest_is_keyed_stable_and_never_the_number():
    first = personal_id.digest(VALID)
    assert first == personal_id.digest(f" {VALID[:6]} {VALID[6:]} ")
    assert len(first) == 64 and VALID not in first
    with override_settings(NATIONAL_ID_HMAC_KEY="another key, another digest"):
        assert personal_id.digest(VALID) != first


@pytest.mark.parametrize("value", ["", "123", "15076500566", "abcdefghijk"])
def test_it_refuses_an_invalid_number_without_repeating_it(value):
    with pytest.raises(personal_id.InvalidNationalId) as raised:
        personal_id.digest(value)
    assert value not in str(raised.value) or not value
