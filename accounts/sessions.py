"""Session rules besides Django's own: an idle time-out, and a new session id at every step-up.

* Django gives a new session id at login (``login()`` cycles the key); ``rotate`` does the same after a
  second factor and after the password step-up at signing, so an id seen before cannot ride on it.
* ``IdleTimeoutMiddleware`` ends a session unused for ``SESSION_IDLE_MINUTES_STAFF`` (NHN staff) or
  ``SESSION_IDLE_MINUTES_MEMBERS`` minutes, besides the absolute ``SESSION_COOKIE_AGE``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

LAST_SEEN_KEY = "last_seen"
# Writing the session on every request would cost a write per page; once a minute is precise enough.
_TOUCH_EVERY_SECONDS = 60


def idle_limit_seconds(user: Any) -> int:
    minutes = settings.SESSION_IDLE_MINUTES_STAFF if user.is_staff else settings.SESSION_IDLE_MINUTES_MEMBERS
    return int(minutes) * 60


def rotate(request: HttpRequest) -> None:
    """A new session id for the same session (after a second factor or a step-up)."""
    request.session.cycle_key()


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if isinstance(last_seen, (int, float)) and now - last_seen > idle_limit_seconds(user):
                logout(request)
                messages.info(request, _("You were logged out after a period without activity. Log in again."))
            elif not isinstance(last_seen, (int, float)) or now - last_seen >= _TOUCH_EVERY_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
