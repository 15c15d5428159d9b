"""Every change to API tokens and webhook endpoints, audited; and the token check every API call makes.

Tokens: 256 random bits from ``secrets`` behind a readable prefix (``mpt_``), shown once; the database holds
only the SHA-256 (a token is a random secret, not a password: a fast hash is the right one, as NetBox and
GitHub do). Webhook secrets follow Standard Webhooks (``whsec_`` + base64 of 24 random bytes).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import ratelimit
from core.audit import audit_record
from core.events import EventType
from core.permissions import Action, can, require
from integrations.choices import DeliveryState
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from integrations.urlcheck import UnsafeURL, check_url
from organisations.models import OrganisationRole

TOKEN_PREFIX = "mpt_"  # noqa: S105 - a prefix that marks tokens in logs and secret scanners, not a secret
# last_used_at is written at most this often per token, so the hot lookup stays a read.
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_manage(actor: Any, organisation: Any) -> None:
    if organisation is None:
        require(actor, Action.API_NATIONAL_MANAGE)
    else:
        require(actor, Action.API_TOKENS_MANAGE, organisation)


def api_token_create(
    *,
    actor: Any,
    organisation: Any,
    description: str,
    write_enabled: bool = False,
    expires_on: dt.date | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for ``organisation`` (None: national, always read-only). Returns the token and its
    secret, which is never stored and cannot be shown again. Raises PermissionDenied or ValidationError."""
    _require_manage(actor, organisation)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say what the token is for, e.g. the system that uses it.")})
    if organisation is None and write_enabled:
        raise ValidationError({"write_enabled": _("A national token can only read.")})
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("The expiry date has passed.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organisation=organisation,
            owner=actor,
            description=description[:200],
            key_hash=token_hash(raw),
            prefix=raw[:10],
            write_enabled=write_enabled,
            expires_on=expires_on,
        )
        audit_record(
            actor=actor,
            action="api_token.created",
            obj=token,
            organisation_id=token.organisation_id,
            after={
                "prefix": token.prefix,
                "description": token.description,
                "write_enabled": write_enabled,
                "expires_on": expires_on,
                "national": organisation is None,
            },
        )
    return token, raw


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token; the next request with it is refused. Revoking twice changes nothing."""
    _require_manage(actor, token.organisation)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="api_token.revoked",
                obj=token,
                organisation_id=token.organisation_id,
                after={"prefix": token.prefix},
            )
    return token


# The token check every API call makes is cached in the shared cache (Redis in production) under the
# token's hash, and forgotten whenever something it depends on changes (integrations.apps connects
# ``forget_tokens`` to the token, its owner and the owner's roles): a revoked token, or one whose owner
# is deactivated or loses the right to make it, is refused on the very next request, in every process.
# Changes that bypass model signals (``QuerySet.update``) and a delegation that ends with the day are
# caught by the time-to-live: at most a minute, never past midnight.
TOKEN_CACHE_SECONDS = 60
_TOKEN_FIELDS = ("pk", "organisation_id", "owner_id", "prefix", "write_enabled", "expires_on", "last_used_at")
# A user's fields the token check reads (``can``): a save of others (the last login) forgets nothing.
_OWNER_FIELDS = frozenset({"is_active", "is_superuser", "staff_role"})


def _token_cache_key(key_hash: str) -> str:
    return f"api-token:{key_hash}"


def _token_cache_seconds() -> int:
    now = timezone.localtime()
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=now.tzinfo)
    return max(1, min(TOKEN_CACHE_SECONDS, int((midnight - now).total_seconds())))


def _load_token(key_hash: str) -> ApiToken | None:
    """The usable token with this hash whose owner may still make it, from the database."""
    token = (
        ApiToken.objects.usable()
        .select_related("owner", "organisation__municipality")
        .filter(key_hash=key_hash, owner__is_active=True)
        .first()
    )
    if token is None:
        return None
    # A token lives as long as its owner may make it: an administrator who leaves the organisation takes
    # their tokens along (for staff, national or not, this reads no row).
    if token.organisation is None:
        if not can(token.owner, Action.API_NATIONAL_MANAGE):
            return None
    elif not can(token.owner, Action.API_TOKENS_MANAGE, token.organisation):
        return None
    return token


class TokenCheck:
    """What the token check found: whether the token is usable, its ids and rights (``token_id``,
    ``organisation_id``, ``write_enabled``), the token itself (``token``: built when first asked, so that
    the member lookup, which needs only the ids, builds no model instance) and, when a rate was given,
    whether this request is within the token's budget (``core.ratelimit``; else always allowed)."""

    __slots__ = ("_fields", "_key_hash", "_token", "verdict")

    def __init__(
        self,
        fields: dict[str, Any] | None = None,
        key_hash: str = "",
        token: ApiToken | None = None,
        verdict: ratelimit.Verdict = ratelimit.ALLOWED,
    ) -> None:
        self._fields, self._key_hash, self._token, self.verdict = fields, key_hash, token, verdict

    @property
    def valid(self) -> bool:
        return self._fields is not None

    def _field(self, name: str) -> Any:
        if self._fields is None:
            raise ValueError("no usable token")
        return self._fields[name]

    @property
    def token_id(self) -> int:
        return int(self._field("pk"))

    @property
    def organisation_id(self) -> int | None:
        organisation_id: int | None = self._field("organisation_id")
        return organisation_id

    @property
    def write_enabled(self) -> bool:
        return bool(self._field("write_enabled"))

    @property
    def token(self) -> ApiToken | None:
        if self._token is None and self._fields is not None:
            token = ApiToken(key_hash=self._key_hash, **self._fields)
            token._state.adding = False
            token._state.db = "default"
            self._token = token
        return self._token


RATE_SCOPE = "api-token"
# Tokens this process has found valid (their hash and id), so that their next request can be counted in
# the token check's own round trip (``ratelimit.hit_and_read``). Only the choice of round trips and the
# counter's key come from here, never whether a token is valid; a token not found here is counted after
# it is checked, so a guessed token makes no counter. Bounded: emptied when full.
_SEEN: dict[str, int] = {}
_SEEN_MAX = 10_000


def api_token_check(raw: str, also: dict[str, Any] | None = None, *, rate: str | None = None) -> TokenCheck:
    """The usable token behind ``raw``: one cache read, or on a miss one indexed query (for a token made
    by an organisation's administrator one more, their roles). A cached token carries its ids, not its
    owner or organisation (read when a write or an organisation's own read asks for them). Records the
    use (at most once a minute per token). ``also``: other cache keys the request will read, fetched in
    the same round trip (their values, or None, are put in the dict). ``rate`` (e.g. "600/minute"): count
    this request against the token's budget — for a token this process has seen before, in the same
    round trip too."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return TokenCheck()
    key_hash = token_hash(raw)
    key = _token_cache_key(key_hash)
    keys = [key, *(also or ())]
    seen = _SEEN.get(key_hash) if rate else None
    verdict = None
    if rate and seen is not None:
        verdict, values = ratelimit.hit_and_read(RATE_SCOPE, str(seen), rate, keys)
    else:
        values = cache.get_many(keys)
    if also:
        also.update({name: values.get(name) for name in also})
    cached = values.get(key)
    token = None
    if cached is not None:
        fields = dict(zip(_TOKEN_FIELDS, cached, strict=True))
        if fields["expires_on"] is not None and fields["expires_on"] < timezone.localdate():
            cache.delete(key)
            _SEEN.pop(key_hash, None)
            return TokenCheck()
    else:
        token = _load_token(key_hash)
        if token is None:
            _SEEN.pop(key_hash, None)
            return TokenCheck()  # refusals are not cached: a guessed token fills no cache
        fields = {name: getattr(token, name) for name in _TOKEN_FIELDS}
    now = timezone.now()
    if fields["last_used_at"] is None or now - fields["last_used_at"] > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=fields["pk"]).update(last_used_at=now)
        fields["last_used_at"] = now
        if token is not None:
            token.last_used_at = now
        cached = None
    if cached is None:
        cache.set(key, tuple(fields[name] for name in _TOKEN_FIELDS), _token_cache_seconds())
    if rate:
        if verdict is None:
            verdict = ratelimit.hit(RATE_SCOPE, str(fields["pk"]), rate)
        if seen is None:
            if len(_SEEN) >= _SEEN_MAX:
                _SEEN.clear()
            _SEEN[key_hash] = fields["pk"]
    return TokenCheck(fields, key_hash, token, verdict or ratelimit.ALLOWED)


def api_token_authenticate(raw: str, also: dict[str, Any] | None = None) -> ApiToken | None:
    """The usable token behind ``raw``, or None (``api_token_check`` without counting)."""
    return api_token_check(raw, also).token


def forget_tokens(key_hashes: Any) -> None:
    """Drop these tokens' cached checks, now and when the transaction commits (a check made meanwhile,
    from the rows before the change, is dropped too)."""
    keys = [_token_cache_key(key_hash) for key_hash in key_hashes]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def forget_token(sender: Any, instance: ApiToken, **kwargs: Any) -> None:
    """``post_save``/``post_delete`` of a token: revoked, expiry changed, deleted."""
    forget_tokens([instance.key_hash])


def forget_owners_tokens(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """``post_save`` of a user or ``post_save``/``post_delete`` of an organisation role: the tokens whose
    owner may have lost the right to make them. A new user or role takes no right away."""
    if kwargs.get("created"):
        return
    if update_fields is not None and sender is not OrganisationRole and not (_OWNER_FIELDS & set(update_fields)):
        return
    owner_id = instance.user_id if isinstance(instance, OrganisationRole) else instance.pk
    forget_tokens(list(ApiToken.objects.filter(owner_id=owner_id).values_list("key_hash", flat=True)))


def api_write_audit(*, token: ApiToken, operation: str, obj: Any, after: Any = None) -> None:
    """Every write through the API is audited as made with this token (the service audits the change)."""
    audit_record(
        actor=token.owner,
        action=f"api.{operation}",
        obj=obj,
        organisation_id=token.organisation_id,
        after={"token": token.prefix, **(after or {})},
    )


# --- webhook endpoints ------------------------------------------------------------------------------


def _webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def webhook_endpoint_create(
    *, actor: Any, organisation: Any, url: str, event_types: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its signing secret (shown once). The URL must be https in
    production and must not point at the portal's own network (checked again at every delivery)."""
    _require_manage(actor, organisation)
    unknown = [t for t in event_types if t not in EventType.ALL]
    if not event_types or unknown:
        raise ValidationError({"event_types": _("Choose at least one of the listed event types.")})
    try:
        check_url(url, resolve=not settings.WEBHOOK_ALLOW_LOOPBACK)
    except UnsafeURL as error:
        raise ValidationError({"url": str(error)}) from None
    secret = _webhook_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organisation=organisation,
            url=url,
            description=(description or "").strip()[:200],
            event_types=sorted(set(event_types)),
            secret=secret,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="webhook.created",
            obj=endpoint,
            organisation_id=endpoint.organisation_id,
            after={"url": url, "event_types": endpoint.event_types},
        )
    return endpoint, secret


def webhook_endpoint_set_active(*, actor: Any, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    _require_manage(actor, endpoint.organisation)
    with transaction.atomic():
        before = endpoint.is_active
        endpoint.is_active = active
        endpoint.disabled_reason = "" if active else _("Switched off by %(name)s") % {"name": actor}
        endpoint.consecutive_failures = 0
        endpoint.save(update_fields=["is_active", "disabled_reason", "consecutive_failures"])
        audit_record(
            actor=actor,
            action="webhook.enabled" if active else "webhook.disabled",
            obj=endpoint,
            organisation_id=endpoint.organisation_id,
            before={"active": before},
            after={"active": active},
        )
    return endpoint


def webhook_endpoint_delete(*, actor: Any, endpoint: WebhookEndpoint) -> None:
    _require_manage(actor, endpoint.organisation)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="webhook.deleted",
            obj=endpoint,
            organisation_id=endpoint.organisation_id,
            before={"url": endpoint.url, "event_types": endpoint.event_types},
        )
        endpoint.delete()


def webhook_delivery_replay(*, actor: Any, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again, now, whatever its state (the receiver lost it, or was down for days)."""
    from integrations.webhooks import enqueue_delivery

    endpoint = delivery.endpoint
    _require_manage(actor, endpoint.organisation)
    if not endpoint.is_active:
        raise PermissionDenied(_("Switch the endpoint on before sending again."))
    with transaction.atomic():
        delivery.state = DeliveryState.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="webhook.replayed",
            obj=endpoint,
            organisation_id=endpoint.organisation_id,
            after={"message_id": delivery.message_id},
        )
        transaction.on_commit(lambda: enqueue_delivery(delivery.pk))
    return delivery
