"""Choices of the API and webhooks, each with its badge colour defined once, here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed; will not be retried")


DELIVERY_STATE_COLOURS = {
    DeliveryState.PENDING: "blue",
    DeliveryState.SUCCEEDED: "green",
    DeliveryState.FAILED: "red",
}
