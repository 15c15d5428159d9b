from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- One validation of what people type, shared by every form of the portal (SECURITY.md T6). -------------

WHOLE_NUMBER_LIMIT = 2_147_483_647  # the smallest integer column any form writes to
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999  # beyond these a date is a typing error, and date arithmetic overflows
_LINE_BREAKS = {"\n", "\r"}
_ALLOWED_IN_MULTILINE = {"\n", "\r", "\t"}


def _emoji_part(char: str) -> bool:
    return unicodedata.category(char) in {"So", "Sk"} or char == "\ufe0f"


def invisible_character(value: str, *, multiline: bool) -> tuple[int, str] | None:
    """The first character nobody means to type, as (1-based position, character), or None.

    Refused: control characters (NUL, ESC, DEL …; line breaks and tabs only where several lines are
    allowed), format characters (bidi overrides and isolates such as U+202E, zero-width spaces, byte-order
    marks, soft hyphens; a zero-width joiner only inside an emoji sequence), private-use and surrogate code
    points, and the Unicode line and paragraph separators. Emoji, accents and every script are allowed."""
    for index, char in enumerate(value):
        if multiline and char in _ALLOWED_IN_MULTILINE:
            continue
        category = unicodedata.category(char)
        joins_emoji = 0 < index < len(value) - 1 and _emoji_part(value[index - 1]) and _emoji_part(value[index + 1])
        if char == "\u200d" and joins_emoji:
            continue
        if category in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}:
            return index + 1, char
    return None


@deconstructible
class PlainTextValidator:
    """Text as people type it: no invisible, control or direction characters; one line unless multiline."""

    def __init__(self, *, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        found = invisible_character(value, multiline=self.multiline)
        if found is None:
            return
        position, char = found
        if char in _LINE_BREAKS or unicodedata.category(char) in {"Zl", "Zp"}:
            raise ValidationError(_("Write this on one line: remove the line break."), code="line_break")
        raise ValidationError(
            _(
                "Remove the invisible or control character %(code)s at position %(position)s "
                "(it may have come along when the text was copied)."
            ),
            code="invisible_character",
            params={"code": f"U+{ord(char):04X}", "position": position},
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainTextValidator) and other.multiline == self.multiline


def _check_year(value: Any) -> None:
    if isinstance(value, dt.date) and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("Give a date between the years %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


def add_input_validators(fields: dict[str, forms.Field], *, own_date_bounds: tuple[str, ...] = ()) -> None:
    """Give every field of a form the portal's shared checks (called by PortalFormMixin for each form):
    plain text on text fields (passwords excepted), a bound on whole numbers, sensible years on dates
    (except the fields in ``own_date_bounds``, whose form checks a narrower range itself)."""
    for name, field in fields.items():
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
            field.validators.append(PlainTextValidator(multiline=isinstance(field.widget, forms.Textarea)))
        elif isinstance(field, forms.IntegerField):  # DecimalField and FloatField too
            if field.max_value is None:
                field.validators.append(MaxValueValidator(WHOLE_NUMBER_LIMIT))
            if field.min_value is None:
                field.validators.append(MinValueValidator(-WHOLE_NUMBER_LIMIT))
        elif isinstance(field, (forms.DateField, forms.DateTimeField)) and name not in own_date_bounds:
            field.validators.append(_check_year)


class PortalFormMixin:
    """Every form of the portal validates what people type the same way (``add_input_validators``)."""

    fields: dict[str, forms.Field]
    own_date_bounds: tuple[str, ...] = ()  # date fields the form bounds more narrowly itself, with its own message

    def full_clean(self) -> None:
        # Here rather than in __init__, so that fields a form adds after construction (a survey's questions)
        # are checked too; once per form instance (its fields are its own copies).
        if not getattr(self, "_input_validators_added", False):
            add_input_validators(self.fields, own_date_bounds=self.own_date_bounds)
            self._input_validators_added = True
        super().full_clean()  # type: ignore[misc]  # the mixin calls the form class's full_clean it is mixed into


class PortalForm(PortalFormMixin, forms.Form):
    pass


class PortalModelForm(PortalFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # ModelForm's model parameter is the subclass's Meta.model
    pass
