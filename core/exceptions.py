"""Exceptions that the portal's error pages know how to explain."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class PermissionDeniedWithReason(PermissionDenied):
    """A 403 whose reason is the user's own (an expired delegation, a missing role), shown on the page.

    Raise it only when the user may learn the reason: it must never tell whether an object they may
    not see exists (an outsider gets a 404 instead). The message is user-facing and translated:
    ``raise PermissionDeniedWithReason(_("Your delegation for Ringsaker expired on 1 March."))``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
