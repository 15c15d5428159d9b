"""Reads on the member registry, scoped by the permission module's visibility."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from core.permissions import visibility
from lib.search import digits_of, fold
from organisations.fields import WordSimilarity


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
        """Organisations as people look for them, best match first.

        A number typed any way ("974 760 673", "974.760.673") matches organisation numbers that start
        with its digits. Every word must match the folded name (lib.search.fold: "Bodo" finds Bodø,
        "aalesund" finds Ålesund) as a substring or, from three letters, with a small typo
        ("Lillehamer"): one query, served on PostgreSQL by the trigram index on ``search_key``.
        """
        text = text.strip()
        if not text:
            return self
        digits = digits_of(text)
        if digits is not None:
            return self.filter(org_number__startswith=digits).order_by("org_number")
        query = fold(text)
        if not query:
            return self.none()
        matches = self
        for word in query.split():  # every word must match, as typed or nearly
            if len(word) < 3:
                matches = matches.filter(search_key__contains=word)
            else:
                matches = matches.filter(Q(search_key__contains=word) | Q(search_key__word_similar=word))
        # The name as typed, letters and all ("Ålesund"), before the same name spelt another way.
        as_typed = " ".join(text.casefold().split())
        return matches.annotate(
            search_exact=Case(When(search_name__contains=as_typed, then=1), default=0),
            search_rank=WordSimilarity(Value(query), F("search_key")),
        ).order_by("-search_exact", "-search_rank", "search_name")


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
