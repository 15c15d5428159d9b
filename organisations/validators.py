"""Organisation numbers: nine digits with a MOD11 check digit (python-stdnum does the arithmetic)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.no import orgnr

MESSAGES = {
    "length": _("An organisation number has exactly 9 digits."),
    "format": _("An organisation number contains digits only."),
    "prefix": _("An organisation number starts with 8 or 9."),
    "checksum": _("This is not a valid organisation number: the check digit does not match."),
}


def with_check_digit(base: str) -> str | None:
    """``base`` (8 digits) completed with its MOD11 check digit, or None when no digit makes it valid.

    python-stdnum validates but does not compute the digit; the demo data and the test factories need
    to make numbers."""
    check = (11 - orgnr.checksum(base + "0")) % 11  # checksum() weights the 9th digit by 1: pass it as 0
    return None if check == 10 else base + str(check)


def normalise_org_number(value: str) -> str:
    """Strip the spaces people type ("974 760 673"); keep everything else for the validator to judge."""
    return "".join(str(value).split())


def validate_org_number(value: str) -> None:
    """Raise a translated ValidationError unless ``value`` is a valid Norwegian organisation number.

    Only ASCII digits count: stdnum would accept other Unicode digits, which are not valid in the
    register and could smuggle look-alike numbers past a uniqueness check.
    """
    value = str(value)
    if not value.isascii() or not value.isdigit():
        raise ValidationError(MESSAGES["format"], code="org_number_format")
    if len(value) != 9:
        raise ValidationError(MESSAGES["length"], code="org_number_length")
    if value[0] not in "89":
        raise ValidationError(MESSAGES["prefix"], code="org_number_prefix")
    # Nine ASCII digits by now: only the MOD11 sum is left (stdnum's validate() would clean and
    # re-check the format first, half its cost, and the bulk import runs this 70,000 times).
    if orgnr.checksum(value) != 0:
        raise ValidationError(MESSAGES["checksum"], code="org_number_checksum")
