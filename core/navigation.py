"""Links that domain apps add to the main menu and to the front page, without core importing them.

An app registers its links in its AppConfig.ready() with ``register(NavLink(...))``. ``allowed`` is
asked per request (normally a ``core.permissions.can`` check), so a link shows only to those who may
follow it. Two places:

* ``MAIN`` — the site's main menu: at most one link per app, for what most of its users come to do.
* ``WORK`` — "Your work at NHN" on the front page: staff work queues and tools.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAIN, WORK = "main", "work"


@dataclass(frozen=True)
class NavLink:
    view_name: str
    label: Any  # a lazy translation
    allowed: Callable[[Any], bool]
    order: int = 100
    place: str = MAIN
    # Other view names under which the link is the current page (aria-current).
    also_current: tuple[str, ...] = ()


_LINKS: dict[tuple[str, str], NavLink] = {}


def register(link: NavLink) -> NavLink:
    _LINKS[(link.place, link.view_name)] = link
    return link


def links_for(user: Any, place: str) -> list[NavLink]:
    chosen = [link for (where, _name), link in _LINKS.items() if where == place and link.allowed(user)]
    return sorted(chosen, key=lambda link: (link.order, link.view_name))
