"""Order states, the moves between them, and their badge colours, defined once, here."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lib.choices import label_of


class OrderState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    IN_DELIVERY = "in_delivery", _("In delivery")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


def state_label(state: str) -> str:
    """The state's name in the active language ("" for a value that is no state)."""
    return label_of(OrderState, state)


ORDER_STATE_COLOURS: dict[str, str] = {
    OrderState.SUBMITTED: "blue",
    OrderState.IN_REVIEW: "blue",
    OrderState.IN_DELIVERY: "amber",
    OrderState.DELIVERED: "green",
    OrderState.REJECTED: "red",
    OrderState.CANCELLED: "grey",
}

# The only moves there are. Delivered, rejected and cancelled are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    OrderState.SUBMITTED: frozenset({OrderState.IN_REVIEW, OrderState.REJECTED, OrderState.CANCELLED}),
    OrderState.IN_REVIEW: frozenset({OrderState.IN_DELIVERY, OrderState.REJECTED, OrderState.CANCELLED}),
    OrderState.IN_DELIVERY: frozenset({OrderState.DELIVERED, OrderState.CANCELLED}),
}
OPEN_STATES = frozenset(TRANSITIONS)
# A member may withdraw its own order until delivery has begun.
MEMBER_CANCELLABLE = frozenset({OrderState.SUBMITTED, OrderState.IN_REVIEW})


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    STATE = "state", _("State changed")
    ASSIGNED = "assigned", _("Assigned")
    COMMENT = "comment", _("Comment")
