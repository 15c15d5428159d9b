"""``field__any=[…]``: membership in a long list, sent to PostgreSQL as one array parameter.

``field__in`` with thousands of values writes one placeholder per value: the query text grows with
the list, and psycopg and Django spend more time splitting and binding it than PostgreSQL spends
running it (0.16 s per query of 5,000 organisation numbers in the bulk import). ``= ANY(%s)`` keeps
the query the same size whatever the list. Other databases get the plain ``IN`` list.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, Lookup
from django.db.models.lookups import In


@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[Any]:
        return [self.lhs.output_field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
