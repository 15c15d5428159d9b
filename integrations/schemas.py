"""The API's request and response bodies (pydantic, through django-ninja): they are the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class Problem(Schema):
    """RFC 9457 problem details; ``title`` and ``detail`` in the language asked for (Accept-Language)."""

    type: str = Field(examples=["https://medlemsportal.nhn.no/api/problems/not-found"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: dict[str, list[str]] | None = None


class MunicipalityOut(Schema):
    number: str
    name: str
    county: str


class MembershipOut(Schema):
    state: str = Field(description="not_member, invited, active, must_resign, suspended or terminated")
    is_member: bool = Field(description="True while the organisation may exchange messages in Helsenettet")
    since: dt.datetime | None = Field(description="When the membership came into its present state")
    terms_version: str | None = Field(description="The membership terms in force for the organisation")


class MemberOut(Schema):
    orgnr: str
    name: str
    form: str
    municipality: MunicipalityOut | None
    membership: MembershipOut
    updated_at: dt.datetime


class ServiceRef(Schema):
    slug: str
    name: str


class ServiceOut(Schema):
    slug: str
    name: str
    short_description: str
    category: str
    lifecycle: str = Field(description="planned, pilot, available or phasing_out")
    orderable: bool
    orderable_forms: list[str] = Field(description="Organisation forms that may order it; empty: every member")
    requires_membership: bool
    prerequisites: list[str] = Field(description="Slugs of the services this one needs")
    pilot_from: dt.date | None
    available_from: dt.date | None
    phase_out_from: dt.date | None
    ends_on: dt.date | None


class AuthorisationOut(Schema):
    orgnr: str
    service: ServiceRef
    state: str = Field(description="active or must_resign")
    terms_version: str
    since: dt.date


class OrderOut(Schema):
    id: int
    reference: str
    orgnr: str
    service: ServiceRef
    state: str
    state_since: dt.datetime
    submitted_at: dt.datetime
    note: str


class OrderCancelIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, pattern=r"\S", description="Why (not only spaces)")


class OrderCommentIn(Schema):
    text: str = Field(min_length=1, max_length=4000, pattern=r"\S", description="The comment (not only spaces)")


class CommentOut(Schema):
    id: int
    at: dt.datetime
    text: str


class AdvisoryOut(Schema):
    id: int
    tracking_id: str
    title: str
    summary: str
    tlp: str
    severity: str
    revision: int
    published_at: dt.datetime | None
    acknowledgement: str | None = Field(description="The organisation's answer: received, handled, not_affected")


class AcknowledgementIn(Schema):
    status: Literal["received", "handled", "not_affected"]
    comment: str = Field(default="", max_length=2000)


class AcknowledgementOut(Schema):
    advisory: int
    status: str
    comment: str
