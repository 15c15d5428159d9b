"""National identity numbers (fødselsnummer, D-number): the one place that handles them.

They are personal data of the highest sensitivity: never shown in full, never logged, never put in a
URL, and never stored. An account keeps only ``digest(number)`` (HMAC-SHA256 under
``settings.NATIONAL_ID_HMAC_KEY``), to recognise the same person arriving through another identity
provider, and the birth date, which the authority check matches against Enhetsregisteret's roles.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.no import fodselsnummer


class InvalidNationalId(ValueError):
    """The value is not a valid Norwegian national identity number (the value itself is not kept)."""


def normalise(number: str) -> str:
    """The eleven digits of a valid identity number; raises InvalidNationalId without echoing it."""
    try:
        return str(fodselsnummer.validate(number))
    except StdnumValidationError:
        raise InvalidNationalId("not a valid national identity number") from None


def digest(number: str) -> str:
    """The keyed digest that an account stores instead of the number (64 hex characters)."""
    key = settings.NATIONAL_ID_HMAC_KEY.encode()
    return hmac.new(key, normalise(number).encode(), hashlib.sha256).hexdigest()


def birth_date(number: str) -> dt.date:
    """The birth date the number encodes (D-numbers included)."""
    return fodselsnummer.get_birth_date(normalise(number))


def masked(number: str) -> str:
    """What may be shown: the birth date part and five stars (``010190*****``)."""
    return normalise(number)[:6] + "*****"
