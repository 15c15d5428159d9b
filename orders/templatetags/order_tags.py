from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import ngettext

from orders.choices import state_label

register = template.Library()


register.simple_tag(state_label, name="order_state_label")


@register.simple_tag
def duration(value: dt.timedelta) -> str:
    """A span in days and hours ("2 days 3 hours"), or minutes when under an hour."""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if not days and not hours:
        minutes = rest // 60
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    return " ".join(parts)
