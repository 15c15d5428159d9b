"""Security advisories from HelseCERT/KommuneCERT, members' acknowledgements, security contacts'
details and the threat picture.

Who may see an advisory is decided in ONE place, ``AdvisoryQuerySet.visible_to(user)``, and every
channel (pages, search, CSV and CSAF exports, e-mails, the organisation panel) goes through it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advisories.choices import (
    ACK_STATUS_COLOURS,
    ADVISORY_STATUS_COLOURS,
    SEVERITY_COLOURS,
    TLP,
    TLP_COLOURS,
    UNKNOWN_TLP_COLOUR,
    AckStatus,
    AdvisoryStatus,
    Severity,
    Source,
)
from advisories.regions import Region, organisation_regions, regions_by_organisation
from core.models import TimeStampedModel
from core.permissions import Action, can, visibility
from core.roles import OrganisationRoleType
from memberships.choices import MEMBERSHIP_IN_FORCE
from organisations.choices import RegisterStatus
from organisations.models import County, Organisation


def _user_org_ids(user: Any) -> frozenset[int]:
    return visibility(user).organisation_ids


class AdvisoryQuerySet(models.QuerySet["Advisory"]):
    def live(self) -> AdvisoryQuerySet:
        """Published, past the publish time and not expired; corrections in progress excluded."""
        now = timezone.now()
        return self.filter(
            Q(status=AdvisoryStatus.PUBLISHED),
            Q(corrects__isnull=True),
            Q(published_at__lte=now),
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        )

    def targeting(
        self, org_ids: frozenset[int] | set[int], regions: dict[int, Region] | None = None
    ) -> AdvisoryQuerySet:
        """Advisories whose audience includes at least one of these organisations (``regions``: theirs,
        from ``regions_by_organisation``, when the caller has read them already)."""
        return self.filter(self._targeting_q(org_ids, regions))

    def _targeting_q(self, org_ids: frozenset[int] | set[int], regions: dict[int, Region] | None = None) -> Q:
        if not org_ids:
            return Q(pk__in=[])
        if regions is None:
            regions = regions_by_organisation(org_ids)
        org_ids = frozenset(regions)  # members in force only
        if not org_ids:
            return Q(pk__in=[])
        forms, counties, networks = organisation_regions(org_ids, regions)
        through = Advisory
        q = Q(audience_all=True)
        for form in sorted(forms):
            q |= Q(audience_forms__contains=f",{form},")
        q |= Q(
            pk__in=through.audience_organisations.through.objects.filter(organisation_id__in=org_ids).values(
                "advisory_id"
            )
        )
        if counties:
            q |= Q(
                pk__in=through.audience_counties.through.objects.filter(county_id__in=counties).values("advisory_id")
            )
        if networks:
            q |= Q(
                pk__in=through.audience_networks.through.objects.filter(diginettverk_id__in=networks).values(
                    "advisory_id"
                )
            )
        return q

    def visible_to(self, user: Any) -> AdvisoryQuerySet:
        """THE visibility rule of advisories, for every channel.

        * CERT analysts: everything, drafts included.
        * Everyone else sees only live advisories, and by TLP:
          CLEAR — anyone, also signed out (the public list);
          GREEN — any signed-in user;
          AMBER — people holding a role in a targeted member organisation (membership in force), and
          people named on it;
          AMBER+STRICT — people holding a role in a targeted member organisation only;
          RED — only the people named on it;
          a missing or unknown label — nobody but the analysts.
        """
        if can(user, Action.ADVISORY_MANAGE):
            return self
        allowed = Q(tlp=TLP.CLEAR)
        if getattr(user, "is_authenticated", False) and user.is_active:
            named = Q(pk__in=Advisory.audience_people.through.objects.filter(user_id=user.pk).values("advisory_id"))
            targeted = self._targeting_q(_user_org_ids(user))
            allowed |= Q(tlp=TLP.GREEN)
            allowed |= Q(tlp=TLP.AMBER) & (targeted | named)
            allowed |= Q(tlp=TLP.AMBER_STRICT) & targeted
            allowed |= Q(tlp=TLP.RED) & named
        return self.live().filter(allowed)

    def with_audience(self) -> AdvisoryQuerySet:
        return self.prefetch_related("audience_organisations", "audience_counties", "audience_networks")

    def search(self, text: str) -> AdvisoryQuerySet:
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text)
            | Q(summary__icontains=text)
            | Q(tracking_id__icontains=text)
            | Q(affected_products__icontains=text)
        )


class Advisory(TimeStampedModel):
    """A security advisory. Written as a draft, reviewed and approved by a second analyst, then
    published. A correction is written as a draft of its own (``corrects``) and, once approved,
    becomes the advisory's next revision; every published revision is kept (AdvisoryRevision)."""

    tracking_id = models.CharField(_("tracking ID"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=2000)
    body = models.TextField(_("description"), help_text=_("Markdown."), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    cvss_vector = models.CharField(
        _("CVSS vector"),
        max_length=200,
        blank=True,
        help_text=_("Optional, CVSS 2.0, 3.0, 3.1 or 4.0, for example CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H."),
    )
    affected_products = models.TextField(_("affected products"), blank=True, help_text=_("One per line."))
    affected_services = models.TextField(_("affected NHN services"), blank=True, help_text=_("One per line."))
    recommended_actions = models.TextField(_("recommended actions"), blank=True, help_text=_("Markdown."))
    references = models.TextField(_("references"), blank=True, help_text=_("One https:// address per line."))
    tlp = models.CharField(_("TLP label"), max_length=16, choices=TLP.choices, blank=True)
    audience_all = models.BooleanField(_("all members"), default=False)
    # Organisation forms as ",KOMM,AS," so that one LIKE finds a form on every database.
    audience_forms = models.CharField(_("organisation forms"), max_length=200, blank=True, default="")
    audience_counties = models.ManyToManyField(
        "organisations.County", blank=True, related_name="+", verbose_name=_("counties")
    )
    audience_networks = models.ManyToManyField(
        "organisations.Diginettverk", blank=True, related_name="+", verbose_name=_("Diginettverk")
    )
    audience_organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="+", verbose_name=_("named organisations")
    )
    audience_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("named people")
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True, help_text=_("Empty: when approved."))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AdvisoryStatus.choices, default=AdvisoryStatus.DRAFT, editable=False
    )
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    first_published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("author"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("submitted by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="corrections",
        editable=False,
        verbose_name=_("correction of"),
    )
    change_note = models.CharField(_("what changed"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.NHN, editable=False)
    external_publisher = models.CharField(_("publisher"), max_length=200, blank=True, editable=False)
    external_namespace = models.CharField(_("publisher namespace"), max_length=300, blank=True, editable=False)
    external_version = models.CharField(_("publisher's version"), max_length=50, blank=True, editable=False)
    csaf_document = models.JSONField(_("imported CSAF document"), null=True, blank=True, editable=False)
    # What an imported CSAF document says beyond our fields, kept so that export gives it back: the
    # document's notes and references (as published) and its product tree. Vulnerabilities are rows.
    csaf_extra = models.JSONField(_("CSAF notes, references and products"), default=dict, blank=True, editable=False)

    objects = AdvisoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("security advisory")
        verbose_name_plural = _("security advisories")
        ordering = [models.F("published_at").desc(nulls_first=True), "-pk"]
        constraints = [
            models.CheckConstraint(
                name="advisory_published_has_time",
                condition=~Q(status=AdvisoryStatus.PUBLISHED) | Q(published_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "tlp"], name="advisory_status_tlp_idx")]

    def __str__(self) -> str:
        return f"{self.tracking_id} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("advisories:detail", args=[self.pk])

    @property
    def tlp_known(self) -> bool:
        return self.tlp in TLP.values

    @property
    def tlp_label(self) -> str:
        return TLP(self.tlp).label if self.tlp_known else str(_("TLP missing: restricted"))

    @property
    def tlp_colour(self) -> str:
        return TLP_COLOURS[TLP(self.tlp)] if self.tlp_known else UNKNOWN_TLP_COLOUR

    @property
    def severity_colour(self) -> str:
        return SEVERITY_COLOURS.get(self.severity, "grey")

    @property
    def status_colour(self) -> str:
        return ADVISORY_STATUS_COLOURS[AdvisoryStatus(self.status)]

    @property
    def is_published(self) -> bool:
        return self.status == AdvisoryStatus.PUBLISHED

    @property
    def form_codes(self) -> list[str]:
        return [code for code in self.audience_forms.split(",") if code]

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    def product_list(self) -> list[str]:
        return self.lines(self.affected_products)

    def service_list(self) -> list[str]:
        return self.lines(self.affected_services)

    def reference_list(self) -> list[str]:
        return self.lines(self.references)

    def vulnerability_list(self) -> list[dict[str, Any]]:
        """The vulnerabilities as shown: CVE, CWE, title, product status and remediations with product
        names (from the stored product tree) and translated labels. One query."""
        from advisories.choices import PRODUCT_STATUS_LABELS, REMEDIATION_LABELS
        from advisories.csaf import product_names

        names = product_names((self.csaf_extra or {}).get("product_tree", {}))
        rows = []
        for vulnerability in self.vulnerabilities.all():
            status = vulnerability.product_status()
            rows.append(
                {
                    "vulnerability": vulnerability,
                    "statuses": [
                        (label, [names.get(pid, pid) for pid in status[key]])
                        for key, label in PRODUCT_STATUS_LABELS.items()
                        if status.get(key)
                    ],
                    "remediations": [
                        (REMEDIATION_LABELS.get(r.get("category", ""), r.get("category", "")), r.get("details", ""))
                        for r in vulnerability.remediations()
                    ],
                }
            )
        return rows

    def targets(self, org_id: int, region: Region) -> bool:
        """Does the audience include this organisation? ``AdvisoryQuerySet.targeting`` in Python, for
        advisories loaded with their audience prefetched (``with_audience``)."""
        form, counties, networks = region
        return (
            self.audience_all
            or form in self.form_codes
            or any(org.pk == org_id for org in self.audience_organisations.all())
            or any(county.pk in counties for county in self.audience_counties.all())
            or any(network.pk in networks for network in self.audience_networks.all())
        )

    def targeted_organisations(self) -> models.QuerySet[Organisation]:
        """The organisations this advisory reaches: those its audience names whose membership is in force
        (deleted units excluded). The audience follows membership: it is read now, not fixed at publication."""
        base = Organisation.objects.exclude(register_status=RegisterStatus.DELETED).filter(
            membership__state__in=MEMBERSHIP_IN_FORCE
        )
        if self.audience_all:
            return base
        counties = list(self.audience_counties.values_list("pk", flat=True))
        networks = list(self.audience_networks.values_list("pk", flat=True))
        q = Q(pk__in=self.audience_organisations.values("pk"))
        if self.form_codes:
            q |= Q(form__in=self.form_codes)
        if counties:
            q |= Q(municipality__county_id__in=counties) | Q(address_municipality__county_id__in=counties)
            q |= Q(pk__in=County.objects.filter(pk__in=counties, organisation__isnull=False).values("organisation_id"))
        if networks:
            q |= Q(municipality__diginettverk_id__in=networks) | Q(address_municipality__diginettverk_id__in=networks)
        return base.filter(q)

    def snapshot(self) -> dict[str, Any]:
        """The content of a revision, as kept in AdvisoryRevision."""
        return {
            "title": self.title,
            "summary": self.summary,
            "body": self.body,
            "severity": self.severity,
            "cvss_vector": self.cvss_vector,
            "affected_products": self.affected_products,
            "affected_services": self.affected_services,
            "recommended_actions": self.recommended_actions,
            "references": self.references,
            "tlp": self.tlp,
            "audience_all": self.audience_all,
            "audience_forms": self.audience_forms,
            "audience_counties": sorted(self.audience_counties.values_list("pk", flat=True)),
            "audience_networks": sorted(self.audience_networks.values_list("pk", flat=True)),
            "audience_organisations": sorted(self.audience_organisations.values_list("pk", flat=True)),
            "audience_people": sorted(self.audience_people.values_list("pk", flat=True)),
            "publish_at": self.publish_at.isoformat() if self.publish_at else None,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }


class Vulnerability(models.Model):
    """One vulnerability of an advisory as CSAF 2.0 describes it: its CVE id and CWE as columns (to find
    and show), and the whole CSAF ``vulnerabilities[]`` object as published — notes, product status (fixed,
    known affected, known not affected, under investigation …), remediations with their categories,
    references, scores (each checked against its vector on import) — so export gives it back unchanged."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="vulnerabilities")
    position = models.PositiveIntegerField(_("position"))
    cve = models.CharField(_("CVE id"), max_length=30, blank=True)
    cwe_id = models.CharField(_("CWE id"), max_length=20, blank=True)
    cwe_name = models.CharField(_("CWE name"), max_length=300, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    content = models.JSONField(_("CSAF vulnerability"))

    class Meta:
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")
        ordering = ["advisory", "position"]
        constraints = [models.UniqueConstraint(fields=["advisory", "position"], name="vulnerability_position_unique")]
        indexes = [models.Index(fields=["cve"], name="vulnerability_cve_idx")]

    def __str__(self) -> str:
        return self.cve or self.title or f"#{self.position}"

    def product_status(self) -> dict[str, list[str]]:
        status: dict[str, list[str]] = self.content.get("product_status", {})
        return status

    def remediations(self) -> list[dict[str, Any]]:
        remediations: list[dict[str, Any]] = self.content.get("remediations", [])
        return remediations


class AdvisoryRevision(models.Model):
    """One published revision of an advisory, frozen: the first publication and each correction."""

    advisory = models.ForeignKey(
        Advisory, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("advisory")
    )
    number = models.PositiveIntegerField(_("revision"))
    content = models.JSONField(_("content"))
    change_note = models.CharField(_("what changed"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("author")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("approved by")
    )
    published_at = models.DateTimeField(_("published"))

    class Meta:
        verbose_name = _("advisory revision")
        verbose_name_plural = _("advisory revisions")
        ordering = ["advisory", "-number"]
        constraints = [models.UniqueConstraint(fields=["advisory", "number"], name="advisory_revision_unique")]

    def __str__(self) -> str:
        return f"{self.advisory_id} r{self.number}"


class Acknowledgement(TimeStampedModel):
    """A member organisation's answer to an advisory: received, handled or not affected."""

    advisory = models.ForeignKey(
        Advisory, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("advisory")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="advisory_acknowledgements",
        verbose_name=_("organisation"),
    )
    status = models.CharField(_("status"), max_length=16, choices=AckStatus.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("acknowledged by")
    )

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["advisory", "organisation"], name="acknowledgement_unique"),
            models.CheckConstraint(name="acknowledgement_status_valid", condition=Q(status__in=AckStatus.values)),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.get_status_display()}"

    @property
    def status_colour(self) -> str:
        return ACK_STATUS_COLOURS[AckStatus(self.status)]


class SecurityContactDetails(TimeStampedModel):
    """Phone and 24/7 reachability of one security contact (an OrganisationRole of that kind)."""

    role = models.OneToOneField(
        "organisations.OrganisationRole",
        on_delete=models.CASCADE,
        related_name="security_details",
        limit_choices_to={"role": OrganisationRoleType.SECURITY_CONTACT},
        verbose_name=_("role"),
    )
    phone = models.CharField(_("phone"), max_length=30)
    available_24_7 = models.BooleanField(_("reachable 24/7"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("updated by")
    )

    class Meta:
        verbose_name = _("security contact details")
        verbose_name_plural = _("security contact details")

    def __str__(self) -> str:
        return f"{self.role} ({self.phone})"


class ThreatPicture(models.Model):
    """A version of the overall threat picture the analysts maintain; the newest is current."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown."))
    change_note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("threat picture")
        verbose_name_plural = _("threat pictures")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.version}: {self.title}"
