"""The permission vocabulary: who a person can be, for the portal and for an organisation.

These choices live in core because the permission module decides on them; accounts and organisations
store them. Each value's badge colour is defined once, here, next to the value.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    """A role at Norsk helsenett (NHN). Staff see every organisation."""

    MEMBERSHIP_MANAGER = "membership_manager", _("Membership manager")
    CUSTOMER_CENTRE = "customer_centre", _("Customer centre")
    CERT_ANALYST = "cert_analyst", _("CERT analyst")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class OrganisationRoleType(models.TextChoices):
    """A person's role for one member organisation."""

    ADMIN = "admin", _("Administrator")
    SIGNATORY = "signatory", _("Signatory")
    SECURITY_CONTACT = "security_contact", _("Security contact")
    TECHNICAL_CONTACT = "technical_contact", _("Technical contact")


class SignatoryBasis(models.TextChoices):
    """Why a signatory may sign. The first four say which register role the person is expected to hold:
    the authority itself is read from the register at each signing (core.authority). A delegation and an
    NHN staff override carry their own end date; an override also its reason, and is shown as such."""

    GENERAL_MANAGER = "general_manager", _("General manager in Enhetsregisteret")
    OWNER = "owner", _("Owner of the sole proprietorship in Enhetsregisteret")
    SIGNATURE_RIGHT = "signature_right", _("Signature right")
    PROCURATION = "procuration", _("Procuration")
    DELEGATED = "delegated", _("Delegated")
    STAFF_OVERRIDE = "staff_override", _("Override by NHN staff")


REGISTER_BASES = frozenset({"general_manager", "owner", "signature_right", "procuration"})

# The basis a register role gives (enhetsregisteret.roles.AUTHORITY_ORDER).
BASIS_OF_REGISTER_ROLE = {
    "DAGL": SignatoryBasis.GENERAL_MANAGER,
    "INNH": SignatoryBasis.OWNER,
    "SIGN": SignatoryBasis.SIGNATURE_RIGHT,
    "PROK": SignatoryBasis.PROCURATION,
}
