"""django-ninja's cursor pagination, refusing cursors the portal did not make with a 400 (not a 500)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja.pagination import CursorPagination

MAX_ID = 2**63 - 1


class PortalCursorPagination(CursorPagination):
    def _find_position(self, queryset: Any, cursor: Any) -> Any:
        position = cursor.p
        made_here = position is None or (position.isascii() and position.isdigit() and int(position) <= MAX_ID)
        if self._order_attribute == "id" and not made_here:
            message = _("This cursor was not made by the portal; start from the first page.")
            raise ValidationError({"cursor": [message]})
        return super()._find_position(queryset, cursor)
