from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core import navigation
from core.customer_centre import customer_centre
from core.permissions import Action, can, effective_staff_role


def portal(request: HttpRequest) -> dict[str, Any]:
    """What every page's layout needs: the customer centre, and which navigation links to show."""
    user = request.user
    nav = {
        "organisations": can(user, Action.ORGANISATION_LIST),
        "terms": can(user, Action.TERMS_MANAGE),
        "status": can(user, Action.STATUS_VIEW),
        "admin": can(user, Action.ADMIN_SITE),
        "staff_role": effective_staff_role(user),
        "main": (main := navigation.links_for(user, navigation.MAIN)),
        "work": navigation.links_for(user, navigation.WORK),
    }
    # Which menu the user gets: the key of the menu's cached HTML (with the language and the page).
    nav["key"] = "".join("1" if nav[name] else "0" for name in ("organisations", "terms", "status", "admin")) + (
        ",".join(link.view_name for link in main)
    )
    return {
        # The hours staff save (support registers the provider; cached per process): read only when a
        # template shows them, so a partial page costs nothing.
        "customer_centre": SimpleLazyObject(customer_centre),
        "nav": nav,
    }
