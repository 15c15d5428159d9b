import functools
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.forms import BoundField
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def accessible_widget(field: BoundField) -> Any:
    """Render a form field's widget tied to its hint and errors (aria-describedby, aria-invalid)."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_hint")
    described += [f"{field.auto_id}_error_{i}" for i in range(1, len(field.errors) + 1)]
    attrs: dict[str, str | bool] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def badge(label: Any, colour: str) -> Any:
    """A status badge; the colour comes from the app's choices module, never from a template."""
    return format_html('<span class="badge badge--{}">{}</span>', colour, label)


@register.simple_tag
def link_to(view_name: str) -> str:
    """``{% url view_name %}`` for a page without URL arguments, worked out once: the layout links to
    the same dozen pages on every page, and each reverse() costs more than the rest of the link."""
    return _reverse(view_name, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=256)
def _reverse(view_name: str, _prefix: str, _urlconf: Any) -> str:
    return reverse(view_name)


@receiver(setting_changed)
def _forget_urls(*, setting: str, **_kwargs: Any) -> None:
    """A test that swaps the URLconf gets its own links (as Django's own URL caches are cleared)."""
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()
