"""Cached status figures that are never staler than the data they count.

The national figures aggregate every organisation (50,000 and more); computing them on every request
would cost hundreds of milliseconds. They are cached under a *generation* number (``core.generations``)
that every change
to what they count bumps (a signature, a membership, an organisation, a coordinator assignment), so a
cached figure is the figure of the current data. Bulk writes that bypass model signals (imports of the
register, seed_scale) are caught by a short time-to-live (at most twice ``TTL_SECONDS``: a process
may keep its own copy for that long after the shared one was made), or call ``bump()`` themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from core.generations import Generation
from core.permissions import visibility_key

T = TypeVar("T")
TTL_SECONDS = 60
STATUS = Generation("status:generation", prefix="status", ttl=TTL_SECONDS)
GENERATION_KEY = STATUS.key
generation = STATUS.current
# A change to what the figures count (connected to the models' signals in ``dashboards.apps``).
bump = STATUS.bump


# Whom the figures are for: everything (staff), or the organisations and networks a user sees.
scope_key = visibility_key


def cached(name: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, cached per generation, language and ``parts`` (``core.generations``)."""
    return STATUS.cached(name, parts, compute)
