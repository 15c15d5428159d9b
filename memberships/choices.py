"""Choices of memberships and terms, each with its badge colour defined once, here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TermsStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class MembershipState(models.TextChoices):
    """Where an organisation stands with Helsenettet's membership terms."""

    NOT_MEMBER = "not_member", _("Not a member")
    INVITED = "invited", _("Invited to sign")
    ACTIVE = "active", _("Member")
    MUST_RESIGN = "must_resign", _("Must sign new terms")
    SUSPENDED = "suspended", _("Blocked: deadline passed")
    TERMINATED = "terminated", _("Terminated")


MEMBERSHIP_STATE_COLOURS = {
    MembershipState.NOT_MEMBER: "grey",
    MembershipState.INVITED: "blue",
    MembershipState.ACTIVE: "green",
    MembershipState.MUST_RESIGN: "amber",
    MembershipState.SUSPENDED: "red",
    MembershipState.TERMINATED: "grey",
}


class TerminationReason(models.TextChoices):
    OWN_NOTICE = "own_notice", _("The member's own notice")
    MERGER = "merger", _("Merger")
    DELETED_FROM_REGISTER = "deleted_from_register", _("Deleted from Enhetsregisteret")


class DocumentKind(models.TextChoices):
    """The three documents NHN's members accept together."""

    MEMBERSHIP_TERMS = "membership_terms", _("Membership terms")
    DATA_PROCESSING = "data_processing", _("Data processing agreement")
    CUSTOMER_AGREEMENT = "customer_agreement", _("Customer agreement")


class ReminderStep(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    REMINDER = "reminder", _("Reminder")
