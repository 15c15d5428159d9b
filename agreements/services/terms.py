"""Publishing a service's terms."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.choices import AgreementState, TermsStatus
from agreements.models import ServiceAgreement, ServiceTermsVersion
from core.audit import audit_record
from core.mail import mail_queue
from memberships.services import recipients_for

if TYPE_CHECKING:
    from accounts.models import User


def terms_sha256(version: ServiceTermsVersion) -> str:
    special = "".join(f"\n[{form}]\n{text}" for form, text in sorted((version.special_terms or {}).items()))
    return hashlib.sha256(f"{version.general_terms}{special}".encode()).hexdigest()


def service_terms_publish(*, actor: User, version: ServiceTermsVersion) -> int:
    """Publish a draft. Every live agreement on an older version must be re-signed; its organisation
    hears about it. Returns how many agreements now must be re-signed."""
    with transaction.atomic():
        version = ServiceTermsVersion.objects.select_for_update().select_related("service").get(pk=version.pk)
        if version.status != TermsStatus.DRAFT:
            raise ValidationError(_("Only a draft can be published."))
        if not version.general_terms.strip():
            raise ValidationError({"general_terms": _("Write the general terms.")})
        now = timezone.now()
        version.status = TermsStatus.PUBLISHED
        version.published_at = now
        version.published_by = actor
        version.text_sha256 = terms_sha256(version)
        version.save(update_fields=["status", "published_at", "published_by", "text_sha256", "updated_at"])
        affected = list(
            ServiceAgreement.objects.filter(service=version.service, state=AgreementState.ACTIVE)
            .exclude(terms_version=version)
            .select_related("organisation")
        )
        ServiceAgreement.objects.filter(pk__in=[a.pk for a in affected]).update(
            state=AgreementState.MUST_RESIGN, updated_at=now
        )
        audit_record(
            actor=actor,
            action="service_terms.published",
            obj=version,
            after={"service": version.service.slug, "label": version.label, "sha256": version.text_sha256},
            reason=ngettext(
                "%(count)s agreement must be re-signed", "%(count)s agreements must be re-signed", len(affected)
            )
            % {"count": len(affected)},
            at=now,
        )
        for agreement in affected:
            mail_queue(
                template="agreements/email/must_resign",
                recipients=recipients_for(agreement.organisation),
                context={"agreement": agreement, "version": version, "base_url": settings.PORTAL_BASE_URL},
                key=f"service-resign:{version.pk}:{agreement.organisation_id}",
            )
    return len(affected)
