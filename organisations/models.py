"""The member registry: counties, municipalities, Diginettverk, organisations and people's roles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.roles import OrganisationRoleType, SignatoryBasis
from lib.choices import label_of
from lib.collation import NORWEGIAN
from lib.search import fold
from organisations.choices import REGISTER_STATUS_COLOURS, OrganisationForm, RegisterStatus, Source, WrittenForm
from organisations.fields import OrgNumberField, SearchKeyField
from organisations.querysets import OrganisationQuerySet, OrganisationRoleQuerySet

industry_code_validator = RegexValidator(r"^\d{2}\.\d{1,3}$", _("An industry code looks like 86.211."))


class County(models.Model):
    """A county (fylke) in the 2024 structure: 15 of them. Its authority is an Organisation."""

    number = models.CharField(_("county number"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100, db_collation=NORWEGIAN)
    organisation = models.ForeignKey(
        "Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="county_authority_of",
        verbose_name=_("county authority"),
        help_text=_("Oslo is both a county and a municipality: one organisation serves as both."),
    )

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name


class Diginettverk(models.Model):
    """A regional digitalisation network (KS's Diginettverk): the municipalities of a region that
    cooperate on digitalisation. A grouping for status and follow-up, not a network provider."""

    name = models.CharField(_("name"), max_length=100, unique=True, db_collation=NORWEGIAN)

    class Meta:
        verbose_name = _("Diginettverk")
        verbose_name_plural = _("Diginettverk")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A municipality (kommune) in the 2024 structure, with the point used to place it on a map."""

    number = models.CharField(
        _("municipality number"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("A municipality number has 4 digits."))],
    )
    name = models.CharField(_("name"), max_length=100, db_collation=NORWEGIAN)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("county")
    )
    diginettverk = models.ForeignKey(
        Diginettverk, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("Diginettverk")
    )
    organisation = models.OneToOneField(
        "Organisation", on_delete=models.PROTECT, related_name="municipality", verbose_name=_("organisation")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Organisation(TimeStampedModel):
    """An organisation that can or must be a member of Helsenettet: one organisation number, one
    membership. Municipalities, county authorities and independent health enterprises (ENK/AS) alike.

    The organisation number is unknown only for a municipality from the reference data that the
    register has not yet been asked about (Haram, re-established in 2024); a database constraint keeps
    it that way.
    """

    org_number = OrgNumberField(_("organisation number"), unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=255, db_collation=NORWEGIAN)
    # The name case-folded in Python: SQLite's LIKE folds ASCII only, so "ålesund" would miss "Ålesund".
    search_name = models.CharField(
        max_length=255, editable=False, db_index=True, default="", db_collation=NORWEGIAN, verbose_name=_("search name")
    )
    # The name as people type it when they search (lib.search.fold: "Bodø" -> "bodo"); PostgreSQL
    # serves both substring and typo-tolerant matches from a trigram index on it (migration 0002).
    search_key = SearchKeyField(max_length=255, editable=False, default="", verbose_name=_("search key"))
    form = models.CharField(_("organisation form"), max_length=8, choices=OrganisationForm.choices)
    address_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="addressed_organisations",
        verbose_name=_("address municipality"),
    )
    business_address = models.CharField(_("business address"), max_length=255, blank=True)
    postal_code = models.CharField(
        _("postal code"),
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", _("A postal code has 4 digits."))],
    )
    postal_place = models.CharField(_("postal place"), max_length=100, blank=True)
    industry_codes = models.JSONField(_("industry codes"), default=list, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    register_status = models.CharField(
        _("register status"), max_length=20, choices=RegisterStatus.choices, default=RegisterStatus.ACTIVE
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    written_form = models.CharField(
        _("written form"),
        max_length=2,
        choices=WrittenForm.choices,
        blank=True,
        help_text=_("From Enhetsregisteret («målform»). E-mails to the organisation are written in it."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    synced_at = models.DateTimeField(_("last synchronised"), null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="organisation_number_known_unless_reference",
                condition=Q(org_number__isnull=False) | Q(source=Source.REFERENCE_DATA),
            ),
            models.CheckConstraint(
                name="organisation_register_status_valid", condition=Q(register_status__in=RegisterStatus.values)
            ),
        ]
        indexes = [
            # The staff list filters by form and sorts by name.
            models.Index(fields=["form", "name"], name="organisation_form_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:organisation_detail", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = self.name.casefold()
        self.search_key = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name", "search_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.org_number is not None:
            self.org_number = "".join(self.org_number.split()) or None
        if self.org_number is None and self.source != Source.REFERENCE_DATA:
            raise ValidationError({"org_number": _("An organisation number is required.")})
        codes = self.industry_codes
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise ValidationError({"industry_codes": _("Industry codes must be a list of codes such as 86.211.")})
        for code in codes:
            industry_code_validator(code)
        if self.parent_id is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own parent.")})

    @property
    def register_status_colour(self) -> str:
        return REGISTER_STATUS_COLOURS[RegisterStatus(self.register_status)]

    # Not get_FOO_display(): it rebuilds every choice on each call, twice per row of a 50-row list.
    @property
    def form_label(self) -> str:
        return label_of(OrganisationForm, self.form, self.form)

    @property
    def register_status_label(self) -> str:
        return label_of(RegisterStatus, self.register_status, self.register_status)

    @property
    def formatted_org_number(self) -> str:
        """Grouped in threes, the way Norwegians write it: 974 760 673."""
        n = self.org_number
        return f"{n[:3]} {n[3:6]} {n[6:]}" if n else ""

    @property
    def coordinated_network_id(self) -> int | None:
        """The Diginettverk whose coordinators follow this organisation (municipalities only)."""
        if self.form != OrganisationForm.KOMM:
            return None
        try:
            return self.municipality.diginettverk_id
        except Municipality.DoesNotExist:
            return None


class OrganisationRole(TimeStampedModel):
    """A person's role for an organisation: administrator, signatory, security or technical contact.

    A signatory carries the basis of their authority; a delegated authority has an end date.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_roles", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="roles", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=32, choices=OrganisationRoleType.choices)
    signatory_basis = models.CharField(
        _("basis of signatory authority"), max_length=32, choices=SignatoryBasis.choices, blank=True
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # A delegation names what it lets the delegate sign ("membership", "services"), and nothing else.
    delegated_agreements = models.JSONField(_("delegated agreements"), default=list, blank=True)
    override_reason = models.CharField(
        _("reason for the override"),
        max_length=300,
        blank=True,
        help_text=_("Why NHN staff record authority the register does not show."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    # Given at a login with ID-porten because Enhetsregisteret lists the person (no invitation, nobody
    # granted it): such a grant ends when the register stops listing them (enhetsregisteret.signatories).
    from_register = models.BooleanField(
        _("from Enhetsregisteret"),
        default=False,
        help_text=_("Given at login because Enhetsregisteret lists the person with a role that lets them sign."),
    )

    objects = OrganisationRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation role")
        verbose_name_plural = _("organisation roles")
        ordering = ["organisation", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="organisation_role_unique"),
            models.CheckConstraint(
                name="organisation_role_basis_only_for_signatories",
                condition=(Q(role=OrganisationRoleType.SIGNATORY) & ~Q(signatory_basis=""))
                | (~Q(role=OrganisationRoleType.SIGNATORY) & Q(signatory_basis="")),
            ),
            models.CheckConstraint(
                name="organisation_role_delegation_has_end",
                condition=~Q(signatory_basis=SignatoryBasis.DELEGATED) | Q(valid_until__isnull=False),
            ),
            models.CheckConstraint(
                name="organisation_role_override_has_end_and_reason",
                condition=~Q(signatory_basis=SignatoryBasis.STAFF_OVERRIDE)
                | (Q(valid_until__isnull=False) & ~Q(override_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"

    def clean(self) -> None:
        super().clean()
        if self.role == OrganisationRoleType.SIGNATORY and not self.signatory_basis:
            raise ValidationError({"signatory_basis": _("A signatory needs the basis of their authority.")})
        if self.role != OrganisationRoleType.SIGNATORY and self.signatory_basis:
            raise ValidationError({"signatory_basis": _("Only a signatory has a basis of authority.")})
        if self.signatory_basis == SignatoryBasis.DELEGATED and self.valid_until is None:
            raise ValidationError({"valid_until": _("A delegated authority needs an end date.")})
        if self.signatory_basis == SignatoryBasis.STAFF_OVERRIDE:
            errors = {}
            if self.valid_until is None:
                errors["valid_until"] = _("An override needs an end date.")
            if not self.override_reason.strip():
                errors["override_reason"] = _("An override needs a reason.")
            if errors:
                raise ValidationError(errors)

    @property
    def is_current(self) -> bool:
        return self.valid_until is None or self.valid_until >= timezone.localdate()

    def describe_basis(self) -> Any:
        return self.get_signatory_basis_display() if self.signatory_basis else ""


class CoordinatorAssignment(TimeStampedModel):
    """A Diginettverk coordinator: read access to the municipalities of one network."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coordinator_assignments",
        verbose_name=_("person"),
    )
    diginettverk = models.ForeignKey(
        Diginettverk, on_delete=models.CASCADE, related_name="coordinators", verbose_name=_("Diginettverk")
    )

    class Meta:
        verbose_name = _("Diginettverk coordinator")
        verbose_name_plural = _("Diginettverk coordinators")
        constraints = [
            models.UniqueConstraint(fields=["user", "diginettverk"], name="coordinator_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.diginettverk}"
