"""What the agreement services share: the errors, what a selection lists, and the terms in force."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agreements.models import Service, ServiceTermsVersion
from organisations.models import Organisation

if TYPE_CHECKING:
    from agreements.services.signing import Selection


class NothingToSign(ValidationError):
    pass


class SelectionChanged(ValidationError):
    """What the signatory was shown on the review step is no longer what would be signed: nothing is
    stored, and ``changes`` says in plain words what changed."""

    def __init__(self, changes: list[str]) -> None:
        self.changes = changes
        super().__init__(
            _("What you were about to sign changed after the page was shown. Nothing was signed or ended."),
            code="selection_changed",
        )


def selection_items(organisation: Organisation, selection: Selection) -> list[dict[str, Any]]:
    """Exactly what the review step shows and the signature binds, in the order shown: each agreement to
    re-sign (with its terms version and the SHA-256 of the text this organisation accepts), to end, and
    each service to order. The signing form carries it back; the server signs only the same list."""
    signed = [*(a.service for a in selection.keep), *selection.order]
    terms = current_terms(signed)

    def version(service: Service) -> dict[str, str]:
        v = terms.get(service.pk)
        if v is None:
            return {"terms": "", "text_sha256": ""}
        return {"terms": v.label, "text_sha256": hashlib.sha256(v.text_for(organisation.form).encode()).hexdigest()}

    items: list[dict[str, Any]] = []
    items += [
        {"action": "resign", "agreement": a.pk, "service": a.service.slug, **version(a.service)} for a in selection.keep
    ]
    items += [{"action": "end", "agreement": a.pk, "service": a.service.slug} for a in selection.drop]
    items += [{"action": "order", "service": s.slug, **version(s)} for s in selection.order]
    return items


def describe_changes(shown: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[str]:
    """What differs between the list shown and the list now, in sentences for the signatory."""
    names = dict(Service.objects.values_list("slug", "name"))
    verbs = {"resign": _("re-sign"), "end": _("end"), "order": _("order")}

    def key(item: dict[str, Any]) -> tuple[str, str]:
        return (str(item.get("action")), str(item.get("service")))

    before = {key(i): i for i in shown if isinstance(i, dict)}
    after = {key(i): i for i in current}
    changes: list[str] = []
    for k, item in after.items():
        name, verb = names.get(k[1], k[1]), verbs.get(k[0], k[0])
        if k not in before:
            changes.append(_("Now also: %(verb)s %(service)s.") % {"verb": verb, "service": name})
        elif before[k].get("terms") != item.get("terms") or before[k].get("text_sha256") != item.get("text_sha256"):
            changes.append(
                _("%(service)s: new terms %(new)s (you were shown %(old)s).")
                % {"service": name, "new": item.get("terms") or "–", "old": before[k].get("terms") or "–"}
            )
        elif before[k].get("agreement") != item.get("agreement"):
            changes.append(_("%(service)s: the agreement is another one now.") % {"service": name})
    for k in before:
        if k not in after:
            changes.append(
                _("No longer: %(verb)s %(service)s.")
                % {"verb": verbs.get(k[0], k[0]), "service": names.get(k[1], k[1])}
            )
    if not changes and [key(i) for i in shown if isinstance(i, dict)] != [key(i) for i in current]:
        changes.append(_("The order of the list changed."))
    return changes or [_("The list could not be compared with what you were shown.")]


def current_terms(services: Iterable[Service]) -> dict[int, ServiceTermsVersion]:
    """The newest published terms of each service that has any, in one query."""
    ids = [s.pk for s in services]
    current: dict[int, ServiceTermsVersion] = {}
    for version in ServiceTermsVersion.objects.published().filter(service_id__in=ids).order_by("published_at", "pk"):
        current[version.service_id] = version  # the newest wins
    return current
