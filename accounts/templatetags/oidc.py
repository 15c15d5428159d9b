from __future__ import annotations

from django import template

from accounts.oidc.providers import Provider, configured_providers

register = template.Library()


@register.simple_tag
def oidc_providers() -> list[Provider]:
    """The identity providers offered on the login page, ID-porten first."""
    return configured_providers()
