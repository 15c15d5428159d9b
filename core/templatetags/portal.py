from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def accessible_widget(field: BoundField) -> Any:
    """Render a form field's widget tied to its hint and errors (aria-describedby, aria-invalid)."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_hint")
    described += [f"{field.auto_id}_error_{i}" for i in range(1, len(field.errors) + 1)]
    attrs: dict[str, str] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def badge(label: Any, colour: str) -> Any:
    """A status badge; the colour comes from the app's choices module, never from a template."""
    return format_html('<span class="badge badge--{}">{}</span>', colour, label)
