"""Reading a label off a choices enum."""

from __future__ import annotations

from typing import Any

from django.db.models import Choices


def label_of(choices: type[Choices], value: Any, default: str = "") -> str:
    """The label of ``value`` in the active language, or ``default`` when it is none of the choices.
    Straight from the enum: ``get_FOO_display()`` rebuilds and translates every choice on each call."""
    try:
        return str(choices(value).label)
    except ValueError:
        return default
