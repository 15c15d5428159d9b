"""Enhetsregisteret sync: membership rules, what the register says of each organisation, follow-ups,
and the cursors that make the bulk import and the update feed resumable."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from enhetsregisteret.choices import FOLLOW_UP_COLOURS, FollowUpReason, MergerKind
from organisations.choices import OrganisationForm
from organisations.models import industry_code_validator


def validate_industry_prefix(value: str) -> None:
    """A prefix of an SN2007 code: "86", "86.2" or "86.211"."""
    if not isinstance(value, str) or not value:
        raise ValidationError(_("An industry code prefix looks like 86 or 86.2."))
    if len(value) == 2 and value.isdigit():
        return
    industry_code_validator(value)


class MembershipRule(TimeStampedModel):
    """Organisation forms (and, optionally, industry code prefixes) that make a unit one that must be a
    member. A unit matches when its form is listed and, if prefixes are given, one of its industry
    codes starts with one of them. Any active rule that matches makes the unit a candidate."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    forms = models.JSONField(_("organisation forms"), default=list, help_text=_("Enhetsregisteret codes."))
    industry_prefixes = models.JSONField(
        _("industry code prefixes"),
        default=list,
        blank=True,
        help_text=_("For example 86 for human health activities, or 86.211. Empty: every industry."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership rule")
        verbose_name_plural = _("membership rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.forms, list) or not self.forms:
            raise ValidationError({"forms": _("Choose at least one organisation form.")})
        unknown = [form for form in self.forms if form not in OrganisationForm.values]
        if unknown:
            raise ValidationError({"forms": _("Unknown organisation form: %(forms)s") % {"forms": ", ".join(unknown)}})
        if not isinstance(self.industry_prefixes, list):
            raise ValidationError({"industry_prefixes": _("Industry code prefixes must be a list.")})
        for prefix in self.industry_prefixes:
            try:
                validate_industry_prefix(prefix)
            except ValidationError as exc:
                raise ValidationError({"industry_prefixes": exc.messages}) from None

    def matches(self, form: str, codes: list[str]) -> bool:
        if form not in self.forms:
            return False
        return not self.industry_prefixes or any(
            code.startswith(prefix) for code in codes for prefix in self.industry_prefixes
        )


class RegisterEntry(models.Model):
    """What Enhetsregisteret last said about an organisation, beyond the fields on Organisation."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="register_entry",
        verbose_name=_("organisation"),
    )
    deleted_on = models.DateField(_("deleted from the register"), null=True, blank=True)
    removed = models.BooleanField(_("removed for legal reasons"), default=False)
    bankrupt = models.BooleanField(_("bankrupt"), default=False)
    under_liquidation = models.BooleanField(_("under liquidation"), default=False)
    forced_liquidation = models.BooleanField(_("under compulsory liquidation or dissolution"), default=False)
    sector_code = models.CharField(_("institutional sector code"), max_length=4, blank=True)
    must_be_member = models.BooleanField(_("must be a member"), default=False, db_index=True)
    first_seen_at = models.DateTimeField(_("first seen in the register"))
    # A digest of the record as last applied: an unchanged record in the next night's file is skipped
    # without being parsed or compared field by field.
    record_hash = models.CharField(_("record digest"), max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")

    def __str__(self) -> str:
        return str(self.organisation_id)


class FollowUpQuerySet(models.QuerySet["FollowUp"]):
    def open(self) -> FollowUpQuerySet:
        return self.filter(resolved_at__isnull=True)


class FollowUp(models.Model):
    """A member that left the register (or changed its standing there) and needs a membership manager's
    attention. The organisation and its membership are never deleted because of the register."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="register_follow_ups",
        verbose_name=_("organisation"),
    )
    reason = models.CharField(_("reason"), max_length=24, choices=FollowUpReason.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    detected_at = models.DateTimeField(_("detected"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("register follow-up")
        verbose_name_plural = _("register follow-ups")
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reason"],
                condition=Q(resolved_at__isnull=True),
                name="register_follow_up_one_open_per_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.reason}"

    @property
    def colour(self) -> str:
        return FOLLOW_UP_COLOURS[FollowUpReason(self.reason)]


class ImportCheckpoint(models.Model):
    """How far the bulk import of one file got. Written in the same transaction as each batch, so a
    killed import resumes after the last whole batch: no partial batch, no duplicates."""

    file_key = models.CharField(_("file identity"), max_length=128, unique=True)
    file_name = models.CharField(_("file name"), max_length=255)
    units_done = models.BigIntegerField(_("units read"), default=0)
    batches_done = models.IntegerField(_("batches"), default=0)
    created = models.IntegerField(_("organisations created"), default=0)
    updated = models.IntegerField(_("organisations updated"), default=0)
    started_at = models.DateTimeField(_("started"))
    updated_at = models.DateTimeField(_("last batch"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import checkpoint")
        verbose_name_plural = _("import checkpoints")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name}: {self.units_done}"


class StagedUnit(models.Model):
    """A changed unit of a bulk file, read but not yet applied. The import stages the file batch by batch
    (each batch with its checkpoint, so a killed import resumes) and applies the staged units to the
    register in one transaction only when the whole file was read: a truncated or broken file leaves
    the register exactly as it was."""

    checkpoint = models.ForeignKey(ImportCheckpoint, on_delete=models.CASCADE, related_name="+")
    position = models.BigIntegerField(_("unit in the file"))
    record_hash = models.CharField(_("hash of the record"), max_length=32)
    raw = models.JSONField(_("record"))

    class Meta:
        verbose_name = _("staged unit")
        verbose_name_plural = _("staged units")
        indexes = [models.Index(fields=["checkpoint", "position"], name="staged_unit_order_idx")]

    def __str__(self) -> str:
        return f"{self.checkpoint_id}/{self.position}"


class FeedCursor(models.Model):
    """The last applied oppdateringsid of an update feed, written with the changes it caused."""

    feed = models.CharField(_("feed"), max_length=32, unique=True)
    last_update_id = models.BigIntegerField(_("last update id"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("feed cursor")
        verbose_name_plural = _("feed cursors")

    def __str__(self) -> str:
        return f"{self.feed}: {self.last_update_id}"


class Merger(models.Model):
    """A municipality merger or a change of owner: the old organisation's membership ended and the new
    organisation took over (and was invited)."""

    old_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="merged_into", verbose_name=_("old")
    )
    new_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="merged_from", verbose_name=_("new")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MergerKind.choices)
    effective_date = models.DateField(_("effective date"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"))
    # Scheduled until its effective date: ``apply_due_mergers`` (daily) carries it out and sets applied_at;
    # until then it can be changed or withdrawn.
    applied_at = models.DateTimeField(_("carried out"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        verbose_name = _("merger")
        verbose_name_plural = _("mergers")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["old_organisation"], condition=Q(withdrawn_at__isnull=True), name="merger_old_once"
            ),
            models.CheckConstraint(
                name="merger_different_organisations", condition=~Q(old_organisation=models.F("new_organisation"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_organisation_id} → {self.new_organisation_id}"

    @property
    def is_pending(self) -> bool:
        """Recorded, not yet carried out, not withdrawn: it can still be changed or withdrawn."""
        return self.applied_at is None and self.withdrawn_at is None


class RegisterRoles(models.Model):
    """The roles Enhetsregisteret lists for a member organisation, as read at ``read_at``: the basis of
    the authority to sign (enhetsregisteret.authority). Personal data, so only the persons' roles are
    kept (name, birth date, role code), only for organisations someone signs for, and they are read
    again before a signing when older than SIGNING_ROLES_MAX_AGE or marked stale by the roles feed."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="register_roles",
        verbose_name=_("organisation"),
    )
    entries = models.JSONField(_("roles"), default=list)
    read_at = models.DateTimeField(_("read from the register"))
    stale = models.BooleanField(_("changed in the register since"), default=False)

    class Meta:
        verbose_name = _("roles in Enhetsregisteret")
        verbose_name_plural = _("roles in Enhetsregisteret")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {len(self.entries)} roles, {self.read_at:%Y-%m-%d %H:%M}"


class RegisterRoleHolder(models.Model):
    """One person whom the stored roles (RegisterRoles) list with a role that may give the right to sign
    (roles.AUTHORITY_ORDER), by birth date only: the index that finds, at a login with ID-porten, the
    organisations a person may sign for without an invitation (enhetsregisteret.signatories). Rebuilt with
    its RegisterRoles on every read; the name is matched against the stored entries, not kept here."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="register_role_holders",
        verbose_name=_("organisation"),
    )
    birth_date = models.DateField(_("birth date"), db_index=True)
    code = models.CharField(_("role code"), max_length=8)

    class Meta:
        verbose_name = _("role holder in Enhetsregisteret")
        verbose_name_plural = _("role holders in Enhetsregisteret")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "birth_date", "code"], name="register_role_holder_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.code}"
