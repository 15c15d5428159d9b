"""The portal's one validation of typed input (core.forms.PortalFormMixin), field by field type."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from core.forms import PortalForm, invisible_character


class Sample(PortalForm):
    title = forms.CharField(max_length=50, required=False)
    body = forms.CharField(widget=forms.Textarea, required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    count = forms.IntegerField(required=False)
    bounded = forms.IntegerField(required=False, max_value=10)
    day = forms.DateField(required=False)


@pytest.mark.parametrize(
    ("value", "multiline", "position"),
    [
        ("faktura\u202egpj.exe", False, 8),  # right-to-left override
        ("a\u2066b", True, 2),  # bidi isolate
        ("zero\u200bwidth", True, 5),
        ("\ufeffstart", True, 1),
        ("a\x1bb", True, 2),
        ("a\x7fb", True, 2),
        ("a\u00adb", False, 2),  # soft hyphen: invisible
        ("a\u200db", False, 2),  # a zero-width joiner outside an emoji sequence
        ("line\nbreak", False, 5),
        ("a\u2028b", True, 2),  # Unicode line separator
        ("Blåbær ÆØÅ 😀 👨\u200d👩\u200d👧 ٩٧٤", False, None),
        ("two\nlines\r\nand\ta tab", True, None),
    ],
)
def test_invisible_character_finds_what_nobody_means_to_type(value: str, multiline: bool, position: int | None) -> None:
    found = invisible_character(value, multiline=multiline)
    assert (found[0] if found else None) == position


def test_every_text_field_refuses_hidden_characters_with_a_message_naming_them() -> None:
    with translation.override("en"):
        form = Sample({"title": "Rapport\u202eexe", "body": "ok\u200b"})
        assert not form.is_valid()
        assert "U+202E at position 8" in form.errors["title"][0]
        assert "U+200B" in form.errors["body"][0]


def test_a_one_line_field_refuses_a_line_break_and_a_text_area_keeps_it() -> None:
    with translation.override("en"):
        form = Sample({"title": "Emne\r\nBcc: x@example.org", "body": "first\nsecond"})
        assert not form.is_valid()
        assert form.errors["title"] == ["Write this on one line: remove the line break."]
        assert "body" not in form.errors


def test_passwords_are_left_as_typed() -> None:
    assert Sample({"secret": "pass\u200bord\x1b"}).is_valid()


def test_whole_numbers_and_years_are_bounded_unless_the_field_says_otherwise() -> None:
    form = Sample({"count": "9" * 25, "bounded": "11", "day": "9999-12-31"})
    assert not form.is_valid()
    assert set(form.errors) == {"count", "bounded", "day"}
    assert Sample({"count": "2147483647", "day": "2999-12-31"}).is_valid()
    assert not Sample({"count": "-2147483648"}).is_valid()
    assert not Sample({"day": "1899-12-31"}).is_valid()


def test_the_checks_are_per_form_instance_and_do_not_pile_up() -> None:
    first, second = Sample(), Sample()
    assert len(first.fields["title"].validators) == len(second.fields["title"].validators)
    assert Sample.base_fields["title"].validators == Sample.base_fields["title"].validators[:]
    assert not any(type(v).__name__ == "PlainTextValidator" for v in Sample.base_fields["title"].validators)
