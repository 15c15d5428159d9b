"""Why an enterprise must be a member, in plain words, with the regulation behind it (issue 20).

Sole proprietorships (ENK) and limited companies (AS) that deliver health and care services have had
to use Helsenettet since 1 January 2022; many used it through someone else before, and each
organisation number needs its own membership. The front page (dashboards.next_steps) and the
invitation e-mail (templates/memberships/email/invitation*) both say so, from here.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext as _

from organisations.choices import OrganisationForm

ENTERPRISE_FORMS = frozenset({OrganisationForm.ENK, OrganisationForm.AS})

# The regulation, named as Lovdata names it; the amendment that brought the duty in.
REGULATION = "forskrift om standarder og nasjonale e-helseløsninger"


def _why(name: str) -> str:
    return _(
        "Why: since 1 January 2022, every enterprise that delivers health and care services must use "
        "Helsenettet. This follows from the regulation on standards and national e-health solutions "
        "(%(regulation)s), as amended on 22 December 2021 under the Patient Records Act "
        "(pasientjournalloven) sections 8 and 21. Each organisation number needs its own membership: "
        "%(org)s has its own organisation number, so it must become a member and sign the terms itself, "
        "also if it has used Helsenettet through someone else until now."
    ) % {"regulation": REGULATION, "org": name}


_why_lazy = lazy(_why, str)


def why_membership(organisation: Any) -> str | None:
    """The reason an ENK or AS must sign the membership terms itself, or None for other forms. Lazy: it
    is translated where it is shown (an e-mail renders in the recipient's language)."""
    if organisation.form not in ENTERPRISE_FORMS:
        return None
    return _why_lazy(organisation.name)
