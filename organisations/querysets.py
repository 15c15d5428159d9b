"""Reads on the member registry, scoped by the permission module's visibility."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.permissions import visibility


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> OrganisationQuerySet:
        """The organisations ``user`` may know exist: staff all; others their own and, for a
        Diginettverk coordinator, the municipalities of their network."""
        scope = visibility(user)
        if scope.everything:
            return self
        condition = Q(pk__in=scope.organisation_ids)
        if scope.network_ids:
            condition |= Q(form="KOMM", municipality__diginettverk_id__in=scope.network_ids)
        return self.filter(condition)

    def held_by(self, user: Any) -> OrganisationQuerySet:
        """The organisations ``user`` holds a role in today (``OrganisationRoleQuerySet.active``); none
        for an anonymous user. Unlike ``visible_to``, staff and coordinators get only their own."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(pk__in=user.organisation_roles.active().values("organisation_id"))

    def search(self, text: str) -> OrganisationQuerySet:
        """By name (any part, any case) or organisation number (spaces ignored)."""
        text = text.strip()
        if not text:
            return self
        folded = text.casefold()
        digits = "".join(text.split())
        if digits.isascii() and digits.isdigit():
            return self.filter(Q(org_number__startswith=digits) | Q(search_name__contains=folded))
        return self.filter(search_name__contains=folded)


class OrganisationRoleQuerySet(models.QuerySet):
    def active(self) -> OrganisationRoleQuerySet:
        """Roles in force today: a delegation past its end date, or a deactivated person's role, no
        longer counts."""
        today = timezone.localdate()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today), user__is_active=True)


_QS = TypeVar("_QS", bound="models.QuerySet[Any]")


def scoped_to_visible_organisations(queryset: _QS, user: Any, field: str = "organisation") -> _QS:
    """Objects that belong to an organisation: only those of organisations ``user`` can see."""
    scope = visibility(user)
    if scope.everything:
        return queryset
    condition = Q(**{f"{field}_id__in": scope.organisation_ids})
    if scope.network_ids:
        condition |= Q(**{f"{field}__form": "KOMM", f"{field}__municipality__diginettverk_id__in": scope.network_ids})
    return queryset.filter(condition)
