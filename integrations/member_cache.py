"""The member lookup's answers, cached in the shared cache as the JSON the API sends.

``GET /api/v1/members/<orgnr>`` is the API's hottest read (every message exchange may ask it). Its
answer is the same for every token that may see the organisation, so it is kept, rendered, under the
organisation number together with the organisation's id (the permission check still runs on every
request, for every token). One round trip reads the answer and the *generation* it must belong to;
every change to what an answer shows bumps the generation (an organisation, its membership and the
membership's history, a terms version's label, a municipality or county), at once and again when the
transaction commits, so an answer read from the rows before a change is never served after it.
Writes that bypass model signals (the register import's bulk upsert) are caught by the time-to-live:
an answer is at most ``MEMBER_CACHE_SECONDS`` old. A number the portal does not know is not cached
(guessed numbers fill no cache).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

from core.generations import Generation, fresh_start

MEMBER_CACHE_SECONDS = 60
ANSWERS = Generation("api-member:generation", prefix="api-member", ttl=MEMBER_CACHE_SECONDS)
GENERATION_KEY = ANSWERS.key
# A change to what a member answer shows (connected to the models' signals in ``integrations.apps``).
bump = ANSWERS.bump
# The member list's rendered pages (``integrations.endpoints``) depend on what an answer shows and on
# what the list filters on besides (a service held, a Diginettverk): a generation of their own, so that
# a new service agreement does not drop every cached lookup.
LIST = Generation("api-member-list:generation", prefix="api-member-list", ttl=MEMBER_CACHE_SECONDS)
bump_list = LIST.bump
LOOKUP_URL_NAME = "member_lookup"  # django-ninja names the lookup's URL after its view
LIST_URL_NAME = "members_list"


def _key(orgnr: str) -> str:
    return f"api-member:{orgnr}"


def prefetch_keys(request: HttpRequest) -> dict[str, Any]:
    """The keys a lookup (``read``) or a page of the member list (``LIST``'s generation) needs, known from
    the URL before authentication, so that the token check can fetch them in its own round trip; none
    for any other request."""
    match = request.resolver_match
    if match is None:
        return {}
    if match.url_name == LIST_URL_NAME:
        return {LIST.key: None}
    if match.url_name != LOOKUP_URL_NAME:
        return {}
    orgnr = str(match.kwargs.get("orgnr", ""))
    if len(orgnr) != 9 or not orgnr.isascii() or not orgnr.isdigit():  # the lookup answers anything else 400
        return {}
    return {GENERATION_KEY: None, _key(orgnr): None}


def read(orgnr: str, prefetched: dict[str, Any] | None = None) -> tuple[int | None, tuple[int, bytes] | None]:
    """(the current generation, the cached (organisation id, JSON body) or None): one round trip, or
    none when the token check fetched the keys (``prefetched``)."""
    key = _key(orgnr)
    values = prefetched if prefetched is not None and key in prefetched else cache.get_many([GENERATION_KEY, key])
    generation = values.get(GENERATION_KEY)
    entry = values.get(key)
    if generation is not None and entry is not None and entry[0] == generation:
        return generation, (entry[1], entry[2])
    return generation, None


def remember(orgnr: str, generation: int | None, organisation_id: int, body: bytes) -> None:
    """Keep an answer computed after ``generation`` was read (None: there was none yet, and one is
    started unless another process did so meanwhile, when the answer is not kept)."""
    if generation is None:
        generation = fresh_start()
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            return
    cache.set(_key(orgnr), (generation, organisation_id, body), MEMBER_CACHE_SECONDS)
