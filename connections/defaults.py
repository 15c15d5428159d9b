"""The four standard connection types (staff may rename them or add more).

Created by migration 0002; ``standard_type`` recreates one that is missing (a database emptied by a
test's flush, or a type an administrator deleted) instead of failing where the code needs it.
"""

from __future__ import annotations

from typing import Any

from connections.models import ConnectionType

STANDARD_TYPES = [
    ("direct", "Direkte linje til Norsk helsenett", "En egen linje fra virksomheten til Stamnettet.", 10),
    (
        "municipal_network",
        "Via kommunalt eller interkommunalt nett",
        "Tilknytning gjennom kommunens eller det interkommunale samarbeidets eget nett.",
        20,
    ),
    (
        "cloud_epj",
        "Via EPJ-leverandørens sky",
        "Leverandøren av skybasert EPJ gir tilgang til Helsenettet gjennom sin egen tilknytning.",
        30,
    ),
    ("shared", "Delt linje", "En linje som flere medlemmer deler; hver har sitt eget medlemskap.", 40),
]


def ensure_standard_types(model: Any) -> None:
    """Create the standard types that do not exist (``model``: the real or the migration's model)."""
    for code, name, description, order in STANDARD_TYPES:
        model.objects.get_or_create(code=code, defaults={"name": name, "description": description, "sort_order": order})


def standard_type(code: str) -> Any:
    found = ConnectionType.objects.filter(code=code).first()
    if found is None:
        ensure_standard_types(ConnectionType)
        found = ConnectionType.objects.get(code=code)
    return found
