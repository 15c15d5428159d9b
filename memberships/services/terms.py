"""Terms versions: drafts and publishing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.permissions import Action, can
from memberships.choices import TermsStatus
from memberships.models import TermsVersion
from memberships.services.common import _snapshot, terms_text_sha256

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def terms_save_draft(*, actor: User, version: TermsVersion) -> TermsVersion:
    """Create or change a draft. A published version never changes: a correction is a new version."""
    if not can(actor, Action.TERMS_MANAGE):
        raise PermissionDenied
    before = None
    if version.pk is not None:
        stored = TermsVersion.objects.select_for_update().get(pk=version.pk)
        if stored.status != TermsStatus.DRAFT:
            raise ValidationError(_("A published version cannot be changed. Make a new version instead."))
        before = _snapshot(stored)
    version.status = TermsStatus.DRAFT
    version.created_by = version.created_by or actor
    version.full_clean()
    version.save()
    audit_record(actor=actor, action="terms.draft_saved", obj=version, before=before, after=_snapshot(version))
    return version


@transaction.atomic
def terms_publish(*, actor: User, version: TermsVersion) -> TermsVersion:
    """Publish a draft: freeze its text hash and start the signing round (invitations are sent by a
    background task, so publishing returns at once)."""
    if not can(actor, Action.TERMS_MANAGE):
        raise PermissionDenied
    version = TermsVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != TermsStatus.DRAFT:
        raise ValidationError(_("This version is already published."))
    if version.sign_by < timezone.localdate():
        raise ValidationError(_("The deadline has passed. Choose a later sign-by date before publishing."))
    before = _snapshot(version)
    version.status = TermsStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.text_sha256 = terms_text_sha256(version)
    from memberships.rounds import invitation_preview  # rounds builds on this module

    # What the round sets out to do, for its progress on the terms page.
    version.invitations_planned, version.invitations_unreachable = invitation_preview(version)
    version.save()
    audit_record(actor=actor, action="terms.published", obj=version, before=before, after=_snapshot(version))
    from memberships.tasks import send_invitations

    transaction.on_commit(lambda: send_invitations.enqueue(version.pk))
    return version
