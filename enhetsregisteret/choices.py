"""Choices of the Enhetsregisteret sync, each with its badge colour defined once, here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowUpReason(models.TextChoices):
    """Why a member needs a membership manager's attention after a change in the register."""

    DELETED = "deleted", _("Deleted from the register")
    REMOVED = "removed", _("Removed from the register for legal reasons")
    BANKRUPT = "bankrupt", _("Bankrupt")
    UNDER_LIQUIDATION = "under_liquidation", _("Under liquidation")
    FORCED_LIQUIDATION = "forced_liquidation", _("Under compulsory liquidation or dissolution")


FOLLOW_UP_COLOURS = {
    FollowUpReason.DELETED: "grey",
    FollowUpReason.REMOVED: "grey",
    FollowUpReason.BANKRUPT: "red",
    FollowUpReason.UNDER_LIQUIDATION: "amber",
    FollowUpReason.FORCED_LIQUIDATION: "amber",
}


class MergerKind(models.TextChoices):
    MUNICIPALITY_MERGER = "municipality_merger", _("Municipality merger")
    CHANGE_OF_OWNER = "change_of_owner", _("Change of owner (new organisation number)")
