"""Writes of topic suggestions: suggest, support once, answer (and tell the suggester)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mail import mail_queue
from core.permissions import Action, require
from suggestions.choices import SuggestionStatus
from suggestions.models import Suggestion, SuggestionSupport

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def suggestion_create(*, actor: User, suggestion: Suggestion) -> Suggestion:
    suggestion.created_by = actor
    suggestion.status = SuggestionStatus.NEW
    suggestion.full_clean()
    suggestion.save()
    return suggestion


def suggestion_support(*, actor: User, suggestion: Suggestion) -> bool:
    """Support a suggestion once. Returns False when ``actor`` had already supported it (the unique
    constraint decides, so two clicks at once still count once). One's own suggestion needs no support."""
    if suggestion.created_by_id == actor.pk:
        raise ValidationError(_("You cannot support your own suggestion."))
    try:
        with transaction.atomic():
            SuggestionSupport.objects.create(suggestion=suggestion, user=actor)
    except IntegrityError:
        return False
    return True


def suggestion_withdraw_support(*, actor: User, suggestion: Suggestion) -> bool:
    deleted, _rows = SuggestionSupport.objects.filter(suggestion=suggestion, user=actor).delete()
    return bool(deleted)


@transaction.atomic
def suggestion_answer(
    *, actor: User, suggestion: Suggestion, status: str, answer: str, answer_url: str = "", event: Any = None
) -> Suggestion:
    """Staff set the status. "Answered" needs a link to an event or a page. The suggester is told by
    e-mail at each change of status."""
    require(actor, Action.ENGAGEMENT_MANAGE)
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if status not in SuggestionStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == SuggestionStatus.ANSWERED and not (answer_url or event):
        raise ValidationError({"answer_url": _("Link to the event or the page that answers the topic.")})
    previous = suggestion.status
    suggestion.status, suggestion.answer, suggestion.answer_url, suggestion.event = (
        status,
        answer.strip(),
        answer_url,
        event,
    )
    suggestion.full_clean()
    suggestion.save()
    if status != previous:
        mail_queue(
            template="suggestions/email/status",
            recipients=[suggestion.created_by.email],
            context={"suggestion": suggestion, "base_url": settings.PORTAL_BASE_URL},
            key=f"suggestion:{suggestion.pk}:{status}:{timezone.now():%Y%m%d%H%M%S}",
        )
    return suggestion
