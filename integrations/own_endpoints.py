"""The member-service API: an organisation's own orders and security advisories (with its token).

The members, services and authorisations are in ``integrations.endpoints``; both routers are mounted by
``integrations.api``."""

from typing import Any, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from advisories.filters import AdvisoryFilter
from advisories.models import Acknowledgement, Advisory
from core.permissions import Action, get_visible_or_404, require
from integrations.api import ProblemError, request_token
from integrations.endpoints import (
    ERRORS,
    WRITE_ERRORS,
    ChangedSince,
    ObjectId,
    _filtered,
    _MemberRows,
    _own_organisation,
    _principal,
)
from integrations.filters import OrderFilter
from integrations.pagination import PortalCursorPagination
from integrations.schemas import (
    AcknowledgementIn,
    AcknowledgementOut,
    AdvisoryOut,
    CommentOut,
    OrderCancelIn,
    OrderCommentIn,
    OrderOut,
)
from integrations.services import api_write_audit
from orders.models import Order
from orders.services import InvalidTransition

router = Router()


# --- an organisation's own orders ------------------------------------------------------------------


def _order(order: Order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "reference": order.reference,
        "orgnr": order.organisation.org_number or "",
        "service": {"slug": order.service.slug, "name": order.service.name},
        "state": order.state,
        "state_since": order.state_since,
        "submitted_at": order.submitted_at,
        "note": order.note,
    }


class _OrderRow(dict):  # type: ignore[type-arg,unused-ignore]  # a plain row dict for pydantic
    def __init__(self, order: Order) -> None:
        super().__init__(_order(order))
        self.id = order.pk


class _OrderRows(_MemberRows):
    def order_by(self, *fields: str) -> "_OrderRows":
        return _OrderRows(self.queryset.order_by(*fields))

    def filter(self, *args: Any, **kwargs: Any) -> "_OrderRows":
        return _OrderRows(self.queryset.filter(*args, **kwargs))

    def __getitem__(self, index: Any) -> Any:
        return [_OrderRow(o) for o in self.queryset[index]]


class OrderFilters(Schema):
    changed_since: ChangedSince = None
    service: str | None = None
    status: Literal["submitted", "in_review", "in_delivery", "delivered", "rejected", "cancelled"] | None = None


def _orders(request: HttpRequest) -> QuerySet[Order]:
    return Order.objects.visible_to(_principal(request)).select_related("organisation", "service")


@router.get("/orders/", response={200: list[OrderOut], **ERRORS}, tags=["orders"], operation_id="orders_list")
@paginate(PortalCursorPagination, ordering=("-id",))
def orders_list(request: HttpRequest, filters: Query[OrderFilters]) -> Any:
    """The organisation's orders, newest first (an organisation's own token)."""
    require(_principal(request), Action.ORDER_VIEW, _own_organisation(request))
    return _OrderRows(_filtered(OrderFilter, filters, _orders(request)))


@router.get("/orders/{order_id}", response={200: OrderOut, **ERRORS}, tags=["orders"], operation_id="order_detail")
def order_detail(request: HttpRequest, order_id: ObjectId) -> Any:
    return _order(get_visible_or_404(_orders(request), _principal(request), Action.ORDER_VIEW, pk=order_id))


@router.post(
    "/orders/{order_id}/cancel", response={200: OrderOut, **WRITE_ERRORS}, tags=["orders"], operation_id="order_cancel"
)
def order_cancel(request: HttpRequest, order_id: ObjectId, body: OrderCancelIn) -> Any:
    """Withdraw the organisation's order before delivery has begun (orders.services.order_cancel_by_member)."""
    from orders.services import order_cancel_by_member

    token = request_token(request)
    order = get_visible_or_404(_orders(request), _principal(request), Action.ORDER_CANCEL, pk=order_id)
    try:
        with transaction.atomic():
            order = order_cancel_by_member(actor=token.owner, order=order, reason=body.reason)
            api_write_audit(token=token, operation="order.cancel", obj=order)
    except InvalidTransition as error:
        raise ProblemError(409, "conflict", _("Not in this state"), error.messages[0]) from None
    return _order(order)


@router.post(
    "/orders/{order_id}/comments",
    response={201: CommentOut, **ERRORS},
    tags=["orders"],
    operation_id="order_comment",
)
def order_comment(request: HttpRequest, order_id: ObjectId, body: OrderCommentIn) -> Any:
    """Write to the customer centre about the order (orders.services.order_comment)."""
    from orders.services import order_comment as comment_service

    token = request_token(request)
    order = get_visible_or_404(_orders(request), _principal(request), Action.ORDER_COMMENT, pk=order_id)
    with transaction.atomic():
        event = comment_service(actor=token.owner, order=order, text=body.text)
        api_write_audit(token=token, operation="order.comment", obj=order)
    return Status(201, {"id": event.pk, "at": event.at, "text": event.comment})


# --- an organisation's own security advisories ------------------------------------------------------


def _advisory(advisory: Advisory, acknowledgements: dict[int, str]) -> dict[str, Any]:
    return {
        "id": advisory.pk,
        "tracking_id": advisory.tracking_id,
        "title": advisory.title,
        "summary": advisory.summary,
        "tlp": advisory.tlp,
        "severity": advisory.severity,
        "revision": advisory.revision,
        "published_at": advisory.published_at,
        "acknowledgement": acknowledgements.get(advisory.pk),
    }


def _advisories(request: HttpRequest) -> QuerySet[Advisory]:
    _own_organisation(request)
    return Advisory.objects.visible_to(_principal(request))


def _acknowledgements(request: HttpRequest, ids: list[int]) -> dict[int, str]:
    organisation = _own_organisation(request)
    rows = Acknowledgement.objects.filter(organisation=organisation, advisory_id__in=ids)
    return dict(rows.values_list("advisory_id", "status"))


class _AdvisoryRows(_MemberRows):
    def __init__(self, queryset: QuerySet[Any], request: HttpRequest) -> None:
        super().__init__(queryset)
        self.request = request

    def order_by(self, *fields: str) -> "_AdvisoryRows":
        return _AdvisoryRows(self.queryset.order_by(*fields), self.request)

    def filter(self, *args: Any, **kwargs: Any) -> "_AdvisoryRows":
        return _AdvisoryRows(self.queryset.filter(*args, **kwargs), self.request)

    def __getitem__(self, index: Any) -> Any:
        advisories = list(self.queryset[index])
        acks = _acknowledgements(self.request, [a.pk for a in advisories])
        rows = []
        for advisory in advisories:
            row = _OrderRow.__new__(_OrderRow)
            dict.__init__(row, _advisory(advisory, acks))
            row.id = advisory.pk
            rows.append(row)
        return rows


class AdvisoryFilters(Schema):
    changed_since: ChangedSince = None
    tlp: Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"] | None = None


@router.get(
    "/advisories/", response={200: list[AdvisoryOut], **ERRORS}, tags=["advisories"], operation_id="advisories_list"
)
@paginate(PortalCursorPagination, ordering=("-id",))
def advisories_list(request: HttpRequest, filters: Query[AdvisoryFilters]) -> Any:
    """The security advisories the organisation may see by TLP, exactly as on the pages, newest first."""
    return _AdvisoryRows(_filtered(AdvisoryFilter, filters, _advisories(request)), request)


def _visible_advisory(request: HttpRequest, advisory_id: int) -> Advisory:
    advisory = _advisories(request).filter(pk=advisory_id).first()
    if advisory is None:
        raise Http404
    return advisory


@router.get(
    "/advisories/{advisory_id}",
    response={200: AdvisoryOut, **ERRORS},
    tags=["advisories"],
    operation_id="advisory_detail",
)
def advisory_detail(request: HttpRequest, advisory_id: ObjectId) -> Any:
    advisory = _visible_advisory(request, advisory_id)
    return _advisory(advisory, _acknowledgements(request, [advisory.pk]))


@router.put(
    "/advisories/{advisory_id}/acknowledgement",
    response={200: AcknowledgementOut, **ERRORS},
    tags=["advisories"],
    operation_id="advisory_acknowledge",
)
def advisory_acknowledge(request: HttpRequest, advisory_id: ObjectId, body: AcknowledgementIn) -> Any:
    """Answer an advisory for the organisation: received, handled or not affected
    (advisories.services.acknowledge; the token's owner must be its security contact or administrator)."""
    from advisories.services import acknowledge

    token = request_token(request)
    organisation = _own_organisation(request)
    advisory = _visible_advisory(request, advisory_id)
    require(_principal(request), Action.ADVISORY_ACKNOWLEDGE, organisation)
    with transaction.atomic():
        ack = acknowledge(
            actor=token.owner, advisory=advisory, organisation=organisation, status=body.status, comment=body.comment
        )
        api_write_audit(token=token, operation="advisory.acknowledge", obj=advisory, after={"status": body.status})
    return {"advisory": advisory.pk, "status": ack.status, "comment": ack.comment}
