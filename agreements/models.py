"""NHN's service catalogue, each service's versioned terms and price model, and members' agreements.

A member is *authorised* for a service through a ServiceAgreement under one published version of the
service's terms. New terms make every agreement on an older version "must re-sign". Signing (re-sign
or a new order) leaves a ServiceSigning: one sealed PDF covering every service signed in one go.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements.choices import (
    AGREEMENT_STATE_COLOURS,
    LIFECYCLE_COLOURS,
    ORDERABLE_LIFECYCLES,
    AgreementState,
    Category,
    FlowStep,
    Lifecycle,
    PriceBasis,
    TermsStatus,
)
from core.models import TimeStampedModel
from organisations.choices import OrganisationForm
from organisations.querysets import scoped_to_visible_organisations

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class ServiceQuerySet(models.QuerySet["Service"]):
    def orderable(self) -> ServiceQuerySet:
        return self.filter(lifecycle__in=ORDERABLE_LIFECYCLES)


class Service(TimeStampedModel):
    """A national service NHN offers members, with who may order it, what it needs, and its price."""

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    short_description = models.CharField(_("short description"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    orderable_forms = models.JSONField(
        _("who may order it"),
        default=list,
        blank=True,
        help_text=_("Organisation forms (Enhetsregisteret codes, e.g. KOMM, ENK, AS). Empty: every member."),
    )
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="required_by", verbose_name=_("prerequisites")
    )
    requires_membership = models.BooleanField(_("requires membership"), default=True)
    is_connection = models.BooleanField(
        _("is the Helsenett connection"),
        default=False,
        help_text=_("Ordering this service plans a connection in the connection registry."),
    )
    lifecycle = models.CharField(_("lifecycle"), max_length=20, choices=Lifecycle.choices)
    pilot_from = models.DateField(_("pilot from"), null=True, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    phase_out_from = models.DateField(_("phasing out from"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    price_basis = models.CharField(_("price basis"), max_length=20, choices=PriceBasis.choices)
    fixed_amount = models.DecimalField(_("fixed annual amount (NOK)"), default=Decimal(0), **MONEY)
    unit_price = models.DecimalField(_("annual price per unit (NOK)"), default=Decimal(0), **MONEY)
    minimum_amount = models.DecimalField(_("minimum annual amount (NOK)"), default=Decimal(0), **MONEY)
    sort_order = models.PositiveSmallIntegerField(_("order in the catalogue"), default=100)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                name="service_dates_in_lifecycle_order",
                condition=(
                    Q(pilot_from__isnull=True)
                    | Q(available_from__isnull=True)
                    | Q(pilot_from__lte=models.F("available_from"))
                )
                & (
                    Q(available_from__isnull=True)
                    | Q(phase_out_from__isnull=True)
                    | Q(available_from__lte=models.F("phase_out_from"))
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agreements:service_detail", args=[self.slug])

    @property
    def lifecycle_colour(self) -> str:
        return LIFECYCLE_COLOURS[self.lifecycle]

    @property
    def is_orderable(self) -> bool:
        return self.lifecycle in ORDERABLE_LIFECYCLES

    def may_be_ordered_by(self, form: str) -> bool:
        return not self.orderable_forms or form in self.orderable_forms

    def orderable_forms_display(self) -> list[str]:
        return [str(OrganisationForm(f).label) if f in OrganisationForm.values else f for f in self.orderable_forms]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, Any] = {}
        unknown = [f for f in self.orderable_forms or [] if f not in OrganisationForm.values]
        if not isinstance(self.orderable_forms, list) or unknown:
            errors["orderable_forms"] = _("Unknown organisation forms: %(forms)s") % {"forms": ", ".join(unknown)}
        if self.price_basis == PriceBasis.FREE and (self.fixed_amount or self.unit_price or self.minimum_amount):
            errors["price_basis"] = _("A service without charge has no amounts.")
        if self.price_basis == PriceBasis.FIXED and self.unit_price:
            errors["unit_price"] = _("A fixed annual amount has no price per unit.")
        if self.price_basis in (PriceBasis.PER_INHABITANT, PriceBasis.PER_EMPLOYEE) and not self.unit_price:
            errors["unit_price"] = _("Give the price per unit.")
        if (self.pilot_from and self.available_from and self.pilot_from > self.available_from) or (
            self.available_from and self.phase_out_from and self.available_from > self.phase_out_from
        ):
            errors["available_from"] = _("The dates must follow the lifecycle: pilot, available, phasing out.")
        if errors:
            raise ValidationError(errors)


class OrganisationSize(TimeStampedModel):
    """What a per-inhabitant or per-employee price is counted from, for one organisation."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="size", verbose_name=_("organisation")
    )
    inhabitants = models.PositiveIntegerField(_("inhabitants"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("For example SSB 2025Q1."))

    class Meta:
        verbose_name = _("organisation size")
        verbose_name_plural = _("organisation sizes")

    def __str__(self) -> str:
        return str(self.organisation)


class ServiceTermsQuerySet(models.QuerySet["ServiceTermsVersion"]):
    def published(self) -> ServiceTermsQuerySet:
        return self.filter(status=TermsStatus.PUBLISHED)


class ServiceTermsVersion(TimeStampedModel):
    """A version of one service's terms: general terms, plus special terms per organisation form.
    Drafted and published by membership managers; once published it never changes."""

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="terms_versions", verbose_name=_("service")
    )
    label = models.CharField(_("label"), max_length=50, help_text=_("For example 2026.1."))
    status = models.CharField(_("status"), max_length=12, choices=TermsStatus.choices, default=TermsStatus.DRAFT)
    general_terms = models.TextField(_("general terms"), help_text=_("Markdown."))
    special_terms = models.JSONField(
        _("special terms per organisation form"), default=dict, blank=True, help_text=_('{"KOMM": "…"}')
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

    objects = ServiceTermsQuerySet.as_manager()

    class Meta:
        verbose_name = _("service terms version")
        verbose_name_plural = _("service terms versions")
        ordering = [models.F("published_at").desc(nulls_first=True), "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "label"], name="service_terms_label_unique"),
            models.CheckConstraint(
                name="service_terms_published_has_hash",
                condition=Q(status=TermsStatus.DRAFT) | (Q(published_at__isnull=False) & ~Q(text_sha256="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.label}"

    @property
    def is_published(self) -> bool:
        return self.status == TermsStatus.PUBLISHED

    def text_for(self, form: str) -> str:
        """The terms an organisation of ``form`` accepts: the general terms and its special terms."""
        special = (self.special_terms or {}).get(form, "")
        return self.general_terms + (f"\n\n{special}" if special else "")


class ServiceSigning(models.Model):
    """The evidence of one signing: which services' terms a signatory accepted, and the sealed PDF."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="service_signings",
        verbose_name=_("organisation"),
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signer")
    )
    signer_name = models.CharField(_("signed by"), max_length=200)
    basis = models.CharField(_("authority"), max_length=32)
    basis_text = models.CharField(_("authority"), max_length=300)
    # The register entry the authority rests on (empty for a delegation or a staff override).
    basis_role_code = models.CharField(_("role in the register"), max_length=8, blank=True)
    basis_read_at = models.DateTimeField(_("register read"), null=True, blank=True)
    basis_entry = models.JSONField(_("matched register entry"), default=dict, blank=True)
    # How the signer proved it was them just before signing (accounts.step_up): the method, and for a
    # provider login its acr and auth_time. Empty for signings made before this was recorded.
    step_up = models.JSONField(_("step-up"), default=dict, blank=True)
    signed_at = models.DateTimeField(_("signed"))
    items = models.JSONField(_("services signed"), default=list)
    document_sha256 = models.CharField(max_length=64, verbose_name=_("document sha256"))
    signed_pdf = models.BinaryField(editable=False, verbose_name=_("signed pdf"))
    signed_pdf_sha256 = models.CharField(max_length=64, verbose_name=_("signed pdf sha256"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))
    user_agent = models.CharField(max_length=500, blank=True, verbose_name=_("user agent"))
    # The guided flow this signing finished: a submit from a stale tab of that flow is told so.
    flow_token = models.UUIDField(null=True, blank=True, editable=False, verbose_name=_("flow token"))

    class Meta:
        verbose_name = _("service signing")
        verbose_name_plural = _("service signings")
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.signed_at:%Y-%m-%d %H:%M}"


class AgreementQuerySet(models.QuerySet["ServiceAgreement"]):
    def live(self) -> AgreementQuerySet:
        return self.exclude(state=AgreementState.TERMINATED)

    def visible_to(self, user: Any) -> AgreementQuerySet:
        return scoped_to_visible_organisations(self, user)


class ServiceAgreement(TimeStampedModel):
    """An organisation's authorisation for one service under one version of its terms."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="service_agreements",
        verbose_name=_("organisation"),
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("service"))
    terms_version = models.ForeignKey(
        ServiceTermsVersion, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("terms version")
    )
    state = models.CharField(_("state"), max_length=20, choices=AgreementState.choices, default=AgreementState.ACTIVE)
    signing = models.ForeignKey(
        ServiceSigning, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("signing")
    )
    started_on = models.DateField(_("since"))
    terminated_at = models.DateTimeField(_("terminated"), null=True, blank=True)
    termination_reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")
        ordering = ["service__sort_order", "service__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service"],
                condition=~Q(state=AgreementState.TERMINATED),
                name="one_live_agreement_per_service",
            ),
        ]
        indexes = [models.Index(fields=["service", "state"])]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.service}"

    @property
    def state_colour(self) -> str:
        return AGREEMENT_STATE_COLOURS[self.state]


class ServiceFlow(TimeStampedModel):
    """A signatory's progress through the guided flow, kept so it can be resumed where it was left."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="service_flow"
    )
    step = models.PositiveSmallIntegerField(choices=FlowStep.choices, default=FlowStep.MEMBERSHIP)
    keep = models.JSONField(default=list, blank=True)  # agreement ids to re-sign
    drop = models.JSONField(default=list, blank=True)  # agreement ids to end
    order = models.JSONField(default=list, blank=True)  # service ids to order
    # Every page of the flow carries this token; a new flow gets a new one, so a submit from a stale
    # tab (or after Back) of a finished flow is recognised and changes nothing.
    token = models.UUIDField(default=uuid.uuid4, editable=False)
    # Ending agreements is never a side effect: the signatory confirmed it on its own warned step.
    drop_confirmed = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("guided flow")
        verbose_name_plural = _("guided flows")

    def __str__(self) -> str:
        return str(self.organisation)
