"""Membership of Helsenettet: versioned terms, each organisation's membership, and signatures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from memberships.choices import (
    MEMBERSHIP_STATE_COLOURS,
    DocumentKind,
    MembershipState,
    TerminationReason,
    TermsStatus,
)
from organisations.choices import OrganisationForm


def default_required_forms() -> list[str]:
    return [OrganisationForm.KOMM, OrganisationForm.FYLK, OrganisationForm.ENK, OrganisationForm.AS]


class TermsVersionQuerySet(models.QuerySet["TermsVersion"]):
    def published(self) -> TermsVersionQuerySet:
        return self.filter(status=TermsStatus.PUBLISHED)

    def without_texts(self) -> TermsVersionQuerySet:
        """Versions for lists and figures: the three documents (tens of kilobytes each) stay in the database."""
        return self.defer("membership_terms", "data_processing", "customer_agreement")

    def current_for(self, form: str) -> TermsVersion | None:
        """The newest published version that organisations of ``form`` must sign."""
        for version in self.published().order_by("-published_at", "-pk"):
            if form in version.required_forms:
                return version
        return None


class TermsVersion(TimeStampedModel):
    """A version of the membership agreement: the membership terms, the data processing agreement and
    the customer agreement, accepted together. A membership manager drafts and publishes it; once
    published it never changes (a correction is a new version)."""

    label = models.CharField(_("label"), max_length=50, unique=True, help_text=_("For example 2025."))
    status = models.CharField(_("status"), max_length=12, choices=TermsStatus.choices, default=TermsStatus.DRAFT)
    membership_terms = models.TextField(_("membership terms"), help_text=_("Markdown."))
    data_processing = models.TextField(_("data processing agreement"), help_text=_("Markdown."))
    customer_agreement = models.TextField(_("customer agreement"), help_text=_("Markdown."))
    effective_date = models.DateField(_("effective date"))
    sign_by = models.DateField(_("sign by"), help_text=_("The deadline for signing."))
    required_forms = models.JSONField(
        _("organisation forms that must sign"),
        default=default_required_forms,
        help_text=_("Enhetsregisteret codes, for example KOMM, ENK, AS."),
    )
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("published by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    # What publishing set out to do (the organisations to invite, and how many of them nobody could be
    # reached at), and when the invitation job had gone through them all: the progress of the round's
    # invitations is measured against these.
    invitations_planned = models.PositiveIntegerField(_("organisations to invite"), null=True, editable=False)
    invitations_unreachable = models.PositiveIntegerField(
        _("organisations with nobody to notify"), null=True, editable=False
    )
    invitations_done_at = models.DateTimeField(_("invitations queued"), null=True, blank=True, editable=False)

    objects = TermsVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("terms version")
        verbose_name_plural = _("terms versions")
        # Drafts (not yet published) first, then the newest published: the same on every database
        # (PostgreSQL puts NULL first in a descending order, SQLite last).
        ordering = [models.F("published_at").desc(nulls_first=True), "-pk"]
        constraints = [
            models.CheckConstraint(
                name="terms_published_has_hash_and_time",
                condition=Q(status=TermsStatus.DRAFT) | (Q(published_at__isnull=False) & ~Q(text_sha256="")),
            ),
        ]

    def __str__(self) -> str:
        return str(self.label)

    def get_absolute_url(self) -> str:
        return reverse("memberships:terms_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == TermsStatus.PUBLISHED

    @property
    def deadline_passed(self) -> bool:
        """The deadline was yesterday or earlier (Norway's date): pages say it passed, not "sign by"."""
        from django.utils import timezone

        return self.sign_by < timezone.localdate()

    def documents(self) -> list[tuple[str, str]]:
        """(title, Markdown) of the three documents, in the order they are accepted."""
        return [
            (str(DocumentKind.MEMBERSHIP_TERMS.label), self.membership_terms),
            (str(DocumentKind.DATA_PROCESSING.label), self.data_processing),
            (str(DocumentKind.CUSTOMER_AGREEMENT.label), self.customer_agreement),
        ]


class Membership(TimeStampedModel):
    """An organisation's membership of Helsenettet: one organisation number, one membership.

    The state changes only through memberships.services.membership_transition, which checks the move
    against the state machine, records it in the history and the audit trail."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="membership",
        verbose_name=_("organisation"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=MembershipState.choices, default=MembershipState.NOT_MEMBER
    )
    signed_version = models.ForeignKey(
        TermsVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed terms"),
    )
    termination_reason = models.CharField(
        _("termination reason"), max_length=32, choices=TerminationReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(name="membership_state_valid", condition=Q(state__in=MembershipState.values)),
            models.CheckConstraint(
                name="membership_termination_has_reason",
                condition=~Q(state=MembershipState.TERMINATED) | ~Q(termination_reason=""),
            ),
        ]
        indexes = [
            # Status dashboards count memberships by state.
            models.Index(fields=["state"], name="membership_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.get_state_display()}"

    @property
    def state_colour(self) -> str:
        return MEMBERSHIP_STATE_COLOURS[MembershipState(self.state)]


class MembershipTransition(models.Model):
    """One step in a membership's history, as shown on the organisation page."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("membership")
    )
    from_state = models.CharField(_("from"), max_length=16, choices=MembershipState.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=MembershipState.choices)
    terms_version = models.ForeignKey(
        TermsVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("terms version")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.from_state} → {self.to_state}"


class Signature(models.Model):
    """A signed membership agreement: who signed which exact document for which organisation, with
    what authority and when. The PDF is sealed by the portal (PAdES), so it proves itself without our
    database; exactly one signature exists per organisation and terms version."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("organisation"),
    )
    terms_version = models.ForeignKey(
        TermsVersion, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("terms version")
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("signed by")
    )
    signer_name = models.CharField(_("signer's name"), max_length=150)
    basis = models.CharField(_("basis"), max_length=32)
    basis_text = models.CharField(_("authority"), max_length=300)
    # The register entry the authority rests on (empty for a delegation or a staff override).
    basis_role_code = models.CharField(_("role in the register"), max_length=8, blank=True)
    basis_read_at = models.DateTimeField(_("register read"), null=True, blank=True)
    basis_entry = models.JSONField(_("matched register entry"), default=dict, blank=True)
    # How the signer proved it was them just before signing (accounts.step_up): the method, and for a
    # provider login its acr and auth_time. Empty for signatures made before this was recorded.
    step_up = models.JSONField(_("step-up"), default=dict, blank=True)
    signed_at = models.DateTimeField(_("signed"))
    document_sha256 = models.CharField(_("SHA-256 of the document"), max_length=64)
    signed_pdf = models.BinaryField(_("signed PDF"))
    signed_pdf_sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64, unique=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "terms_version"], name="signature_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.terms_version} – {self.signer_name}"

    @property
    def filename(self) -> str:
        number = self.organisation.org_number or self.organisation.pk
        return f"medlemsavtale-{number}-{self.terms_version.label}.pdf"


class ReminderLog(models.Model):
    """That an invitation or a reminder step went out for an organisation and terms version.

    The unique constraint is what makes reminders exactly-once: the row and the queued e-mails are
    written in one transaction, so a second run, or a run after a crash, finds the step taken."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    terms_version = models.ForeignKey(TermsVersion, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(
        _("step"), max_length=32, help_text=_("'invitation', days before the deadline, or manual-DATE.")
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "terms_version", "step"], name="reminder_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.terms_version_id}/{self.step}"


class BulkReminder(models.Model):
    """A membership manager reminded everyone who has not signed a version: at most once a day per
    version (the unique day), sent by the job queue (memberships.tasks.send_bulk_reminder)."""

    terms_version = models.ForeignKey(TermsVersion, on_delete=models.CASCADE, related_name="bulk_reminders")
    day = models.DateField(_("day"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("confirmed"), auto_now_add=True)
    planned = models.PositiveIntegerField(_("organisations to remind"), default=0)
    reminded = models.PositiveIntegerField(_("organisations reminded"), default=0)
    nobody_to_notify = models.PositiveIntegerField(_("organisations with nobody to notify"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder to everyone")
        verbose_name_plural = _("reminders to everyone")
        constraints = [
            models.UniqueConstraint(fields=["terms_version", "day"], name="bulk_reminder_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.terms_version_id}/{self.day}"
