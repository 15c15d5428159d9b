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


# A membership in force: a member (active), a member asked to sign new terms (until the deadline), or an
# organisation invited to sign (the portal's first round invites Helsenettet's existing members, whose paper
# agreements are in force until they sign). Not in force: a register candidate (no membership or not a
# member), a member blocked past its deadline, an ended one. Member-only information (advisories) asks this.
MEMBERSHIP_IN_FORCE = frozenset({MembershipState.INVITED, MembershipState.ACTIVE, MembershipState.MUST_RESIGN})

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
