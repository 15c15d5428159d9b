"""Django strings that Django's own Norwegian catalogue lacks.

Django 5.2 reworded the minimum-length message; its bundled nb catalogue still has only the old
wording, so Norwegian pages showed it in English. Naming the strings here puts them in our catalogue
(makemessages extracts them), and LOCALE_PATHS is consulted before Django's own catalogue.
The function is never called.
"""

from django.utils.translation import ngettext


def _extracted_for_translation() -> None:  # pragma: no cover
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        0,
    )
