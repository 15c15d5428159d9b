"""Choices of the member registry, each status with its badge colour defined once, here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationForm(models.TextChoices):
    """Organisation forms from Enhetsregisteret's code list that the portal meets among members."""

    KOMM = "KOMM", _("Municipality")
    FYLK = "FYLK", _("County authority")
    AS = "AS", _("Limited company")
    ASA = "ASA", _("Public limited company")
    ENK = "ENK", _("Sole proprietorship")
    HF = "HF", _("Health enterprise")
    IKS = "IKS", _("Inter-municipal company")
    KF = "KF", _("Municipal enterprise")
    ORGL = "ORGL", _("Organisational unit")
    STAT = "STAT", _("The State")
    SA = "SA", _("Cooperative")
    STI = "STI", _("Foundation")
    FLI = "FLI", _("Association")
    ANS = "ANS", _("General partnership")
    DA = "DA", _("Partnership with shared liability")
    NUF = "NUF", _("Norwegian branch of a foreign company")


class RegisterStatus(models.TextChoices):
    """The unit's standing in Enhetsregisteret."""

    ACTIVE = "active", _("Active")
    UNDER_LIQUIDATION = "under_liquidation", _("Under liquidation")
    BANKRUPT = "bankrupt", _("Bankrupt")
    DELETED = "deleted", _("Deleted")


REGISTER_STATUS_COLOURS = {
    RegisterStatus.ACTIVE: "green",
    RegisterStatus.UNDER_LIQUIDATION: "amber",
    RegisterStatus.BANKRUPT: "red",
    RegisterStatus.DELETED: "grey",
}


class Source(models.TextChoices):
    """Where an organisation's facts came from."""

    REFERENCE_DATA = "reference_data", _("Reference data (Kartverket/SSB)")
    ENHETSREGISTERET = "enhetsregisteret", _("Enhetsregisteret")
    MANUAL = "manual", _("Entered by NHN")
    DEMO = "demo", _("Demo data")


class WrittenForm(models.TextChoices):
    """Enhetsregisteret's «målform»: the written Norwegian an organisation prefers (language codes)."""

    BOKMAAL = "nb", _("Bokmål")
    NYNORSK = "nn", _("Nynorsk")
