"""Organisation numbers: nine digits with a MOD11 check digit (python-stdnum does the arithmetic)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.no import orgnr

MESSAGES = {
    "length": _("An organisation number has exactly 9 digits."),
    "format": _("An organisation number contains digits only."),
    "prefix": _("An organisation number starts with 8 or 9."),
    "checksum": _("This is not a valid organisation number: the check digit does not match."),
}


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
    try:
        orgnr.validate(value)
    except InvalidLength:
        raise ValidationError(MESSAGES["length"], code="org_number_length") from None
    except InvalidFormat:
        raise ValidationError(MESSAGES["format"], code="org_number_format") from None
    except InvalidChecksum:
        raise ValidationError(MESSAGES["checksum"], code="org_number_checksum") from None
