"""At a login, the organisations Enhetsregisteret says the person signs for (enhetsregisteret.signatories).
Connected in EnhetsregisteretConfig.ready()."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from enhetsregisteret import signatories

logger = logging.getLogger(__name__)


def signatory_roles_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if not signatories.identified(user):
        return
    try:
        outcome = signatories.reconcile(user)
    except DatabaseError:  # the login itself must not fail for this: the next login tries again
        logger.exception("Signatory roles from Enhetsregisteret could not be reconciled at login")
        return
    if request is None or not hasattr(request, "_messages"):
        return
    for role in outcome.granted:
        messages.success(
            request,
            _("You may sign for %(org)s: %(basis)s. The organisation is now on your front page.")
            % {"basis": role.get_signatory_basis_display(), "org": role.organisation},
        )
    for organisation in outcome.ended:
        messages.info(
            request,
            _("Enhetsregisteret no longer lists you with the right to sign for %(org)s, so that role has ended.")
            % {"org": organisation},
        )
