"""The outbox: queue e-mails in the caller's transaction; deliver them from a background task.

* ``mail_queue`` renders ``templates/<name>_subject.txt``, ``_body.txt`` and ``_body.html`` and stores one
  OutboundEmail per recipient under a unique key; the same key twice is skipped, which is what makes
  notices exactly-once. The delivery task is enqueued when the transaction commits.
  The language: the caller's ``language`` if given; else the organisation's written form from
  Enhetsregisteret («målform»), the organisation being passed or found in the context (``organisation``,
  ``org``, or an object's ``.organisation``); else each recipient's own choice (``User.language``); else
  the portal's default.
* ``mail_queue_many`` does the same for many notices at once (a signing round's invitations), in a fixed
  number of queries.
* ``mail_deliver`` sends one queued e-mail over SMTP; a failure is retried with growing delays up to
  ``MAX_ATTEMPTS``, then marked failed.
* ``mail_batch``: around a loop that queues many e-mails (a signing round's invitations), delivery goes out
  in tasks of up to ``BATCH_SIZE`` e-mails, each sent over one SMTP connection (``mail_deliver_many``),
  instead of a task and a connection per e-mail.
* ``mail_enqueue_stale`` re-enqueues pending mail whose task was lost (a crash between commit and
  enqueue); the periodic command runs it. Delivery is idempotent, so an extra task does no harm.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import smtplib
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.models import OutboundEmail
from core.request_id import current_request_id

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_DELAYS = [dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2)]
# E-mails per delivery task inside mail_batch: one SMTP connection each (issue 21: 70,000 invitations).
BATCH_SIZE = 100
_batch = threading.local()


def one_line(text: str) -> str:
    """Subjects are one line: a newline in a name must never become a header break."""
    return " ".join(text.split())


def is_deliverable(address: str) -> bool:
    """False for an address under the reserved top-level domain .invalid (RFC 2606), which can never
    receive mail: the placeholder a person who arrived by ID-porten or HelseID has until they give an
    address of their own (``@no-email.invalid``)."""
    local, at, domain = address.strip().lower().rpartition("@")
    domain = domain.rstrip(".")
    return bool(local and at and domain) and domain != "invalid" and not domain.endswith(".invalid")


def mail_queue(
    *,
    template: str,
    recipients: Iterable[str],
    context: dict[str, Any],
    key: str,
    attachment: tuple[str, bytes] | None = None,
    language: str | None = None,
    organisation: Any = None,
) -> list[OutboundEmail]:
    """Queue one e-mail per recipient. Returns the newly queued ones (already queued keys are skipped).

    An address that cannot receive mail (``is_deliverable``) is left out."""
    queued = []
    addresses = sorted({r.strip().lower() for r in recipients if r and is_deliverable(r)})
    fixed = language or _written_form(organisation if organisation is not None else _organisation_in(context))
    languages = {address: fixed for address in addresses} if fixed else _chosen_languages(addresses)
    rendered: dict[str, tuple[str, str, str]] = {}
    for address in addresses:
        code = languages.get(address) or settings.LANGUAGE_CODE
        if code not in rendered:
            rendered[code] = mail_render(template, context, code)
        subject, text, html = rendered[code]
        mail = OutboundEmail(
            key=f"{key}:{address}"[:200],
            to=address,
            subject=subject[:300],
            body_text=text,
            body_html=html,
            attachment_name=attachment[0] if attachment else "",
            attachment=attachment[1] if attachment else None,
            request_id=current_request_id(),
        )
        try:
            with transaction.atomic():
                mail.save(force_insert=True)
        except IntegrityError:
            continue  # this notice went to this address already
        queued.append(mail)
        batch: list[int] | None = getattr(_batch, "pks", None)
        if batch is None:
            transaction.on_commit(functools.partial(_enqueue, mail.pk))
        else:  # counted only once committed: mail of a rolled-back savepoint never joins a batch
            transaction.on_commit(functools.partial(_collect, batch, _batch.size, mail.pk))
    return queued


@dataclass(frozen=True)
class Notice:
    """One ``mail_queue`` call's arguments, for ``mail_queue_many``."""

    template: str
    recipients: list[str]
    context: dict[str, Any]
    key: str
    language: str | None = None
    organisation: Any = None
    # Renders the e-mail in a language: (subject, text, HTML). Default: ``mail_render`` with the context.
    render: Callable[[str], tuple[str, str, str]] | None = None


def mail_queue_many(notices: list[Notice]) -> list[list[OutboundEmail]]:
    """``mail_queue`` for each notice in turn (no attachments), in three queries however many: the keys
    queued before (skipped, as there), the recipients' own languages, one insert. Returns each notice's
    newly queued e-mails. A key queued by someone else in between raises IntegrityError, in the caller's
    transaction (``mail_queue`` would have skipped it): the caller can then fall back to ``mail_queue``."""
    plans: list[tuple[Notice, list[str], str]] = []
    for notice in notices:
        addresses = sorted({r.strip().lower() for r in notice.recipients if r and is_deliverable(r)})
        fixed = notice.language or _written_form(
            notice.organisation if notice.organisation is not None else _organisation_in(notice.context)
        )
        plans.append((notice, addresses, fixed))
    keys = [f"{notice.key}:{address}"[:200] for notice, addresses, _fixed in plans for address in addresses]
    queued_before = set(OutboundEmail.objects.filter(key__in=keys).values_list("key", flat=True)) if keys else set()
    chosen = _chosen_languages(sorted({a for _n, addresses, fixed in plans if not fixed for a in addresses}))
    request_id = current_request_id()
    result: list[list[OutboundEmail]] = []
    every: list[OutboundEmail] = []
    for notice, addresses, fixed in plans:
        queued = []
        rendered: dict[str, tuple[str, str, str]] = {}
        for address in addresses:
            key = f"{notice.key}:{address}"[:200]
            if key in queued_before:
                continue  # this notice went to this address already
            code = fixed or chosen.get(address) or settings.LANGUAGE_CODE
            if code not in rendered:
                rendered[code] = (
                    notice.render(code) if notice.render else mail_render(notice.template, notice.context, code)
                )
            subject, text, html = rendered[code]
            queued.append(
                OutboundEmail(
                    key=key, to=address, subject=subject[:300], body_text=text, body_html=html, request_id=request_id
                )
            )
        result.append(queued)
        every.extend(queued)
    if every:
        OutboundEmail.objects.bulk_create(every)
        pks = [mail.pk for mail in every]
        batch: list[int] | None = getattr(_batch, "pks", None)
        if batch is None:
            transaction.on_commit(functools.partial(_enqueue_chunks, pks))
        else:
            transaction.on_commit(functools.partial(_collect_many, batch, _batch.size, pks))
    return result


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """A plain-text template (an e-mail's subject or text part), not HTML-escaped: the ``text`` engine."""
    return render_to_string(template_name, context, using="text")


def mail_render(template: str, context: dict[str, Any], code: str) -> tuple[str, str, str]:
    """An e-mail's subject (one line), text and HTML in the language ``code``, as ``mail_queue`` renders it:
    the subject and text unescaped, the HTML escaped."""
    with translation.override(code):
        return (
            one_line(render_text(f"{template}_subject.txt", context)),
            render_text(f"{template}_body.txt", context),
            render_to_string(f"{template}_body.html", context),
        )


def _collect_many(batch: list[int], size: int, pks: list[int]) -> None:
    for pk in pks:
        _collect(batch, size, pk)


def _enqueue_chunks(pks: list[int]) -> None:
    for start in range(0, len(pks), BATCH_SIZE):
        _enqueue_many(pks[start : start + BATCH_SIZE])


@contextmanager
def mail_batch(size: int = BATCH_SIZE) -> Iterator[None]:
    """Within it, mail queued by ``mail_queue`` is delivered, once its transaction commits, by tasks of up to
    ``size`` e-mails each (``deliver_emails``, one SMTP connection per task) rather than a task each.

    A task is enqueued whenever ``size`` committed e-mails have gathered, and one for the rest when the block
    ends (or, when the block ran inside a transaction, when that commits). A crash in between leaves at most
    ``size`` committed e-mails without a task, which ``mail_enqueue_stale`` sends later, as for any lost task.
    Nested blocks join the outermost."""
    if getattr(_batch, "pks", None) is not None:
        yield
        return
    pks: list[int] = []
    _batch.pks, _batch.size = pks, size
    try:
        yield
    finally:
        _batch.pks = None

        def rest() -> None:
            if pks:
                _enqueue_many(list(pks))
                pks.clear()

        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(rest)
        else:
            rest()


def _collect(batch: list[int], size: int, pk: int) -> None:
    batch.append(pk)
    if len(batch) >= size:
        _enqueue_many(list(batch))
        batch.clear()


def _enqueue_many(pks: list[int]) -> None:
    from core.tasks import deliver_emails

    if len(pks) == 1:
        _enqueue(pks[0])
    else:
        deliver_emails.enqueue(pks)


def _organisation_in(context: dict[str, Any]) -> Any:
    """The organisation an e-mail is about, if its context names one."""
    for name in ("organisation", "org"):
        if hasattr(context.get(name), "written_form"):
            return context[name]
    for value in context.values():
        if hasattr(getattr(value, "organisation", None), "written_form"):
            return value.organisation
    return None


def _written_form(organisation: Any) -> str:
    """The organisation's preferred written Norwegian as the register states it, if it is a portal language."""
    code = getattr(organisation, "written_form", "") or ""
    return code if code in dict(settings.LANGUAGES) else ""


def _chosen_languages(addresses: list[str]) -> dict[str, str]:
    """Each recipient's own language choice (by e-mail address), where they have made one."""
    from django.contrib.auth import get_user_model

    known = dict(settings.LANGUAGES)
    rows = get_user_model().objects.filter(email__in=addresses).exclude(language="").values_list("email", "language")
    return {email.lower(): code for email, code in rows if code in known}


def _enqueue(pk: int, run_after: dt.datetime | None = None) -> None:
    from core.tasks import deliver_email

    task = deliver_email.using(run_after=run_after) if run_after else deliver_email
    task.enqueue(pk)


def _headers(mail: OutboundEmail) -> dict[str, str]:
    """The same Message-ID on every attempt (receivers drop a repeat), and the request that queued it."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "medlemsportal.invalid"
    headers = {"Message-ID": f"<outbox-{mail.pk}@{domain}>"}
    if mail.request_id:
        headers["X-Request-ID"] = mail.request_id
    return headers


def mail_deliver(pk: int, *, connection: Any = None) -> str:
    """Send one queued e-mail. Returns what happened: sent, skipped, retry or failed.

    ``connection``: an open or closed SMTP backend to send through and leave open (``mail_deliver_many``);
    without it, the e-mail opens a connection of its own and closes it."""
    with transaction.atomic():
        mail = OutboundEmail.objects.select_for_update().filter(pk=pk).first()
        if mail is None or mail.status != OutboundEmail.Status.PENDING:
            return "skipped"
        message = EmailMultiAlternatives(
            subject=mail.subject,
            body=mail.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[mail.to],
            headers=_headers(mail),
            connection=connection,
        )
        if mail.body_html:
            message.attach_alternative(mail.body_html, "text/html")
        if mail.attachment_name and mail.attachment is not None:
            message.attach(mail.attachment_name, bytes(mail.attachment), "application/pdf")
        mail.attempts += 1
        try:
            if connection is not None:
                connection.open()  # a no-op when open: the backend then leaves it open after sending
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if mail.attempts >= MAX_ATTEMPTS:
                mail.status = OutboundEmail.Status.FAILED
                mail.save(update_fields=["attempts", "last_error", "status"])
                logger.error("E-mail %s failed for good after %s attempts: %s", pk, mail.attempts, exc)
                return "failed"
            delay = RETRY_DELAYS[min(mail.attempts - 1, len(RETRY_DELAYS) - 1)]
            mail.next_attempt_at = timezone.now() + delay
            mail.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            transaction.on_commit(lambda: _enqueue(pk, mail.next_attempt_at))
            logger.warning("E-mail %s failed (attempt %s), retrying in %s: %s", pk, mail.attempts, delay, exc)
            return "retry"
        mail.status = OutboundEmail.Status.SENT
        mail.sent_at = timezone.now()
        mail.save(update_fields=["attempts", "status", "sent_at"])
        return "sent"


def mail_deliver_many(pks: list[int]) -> dict[str, int]:
    """Send queued e-mails over one SMTP connection, each as ``mail_deliver`` (its own row lock, retries and
    outcome). After a failure the connection is closed, and the next e-mail opens a new one. Returns how
    many were sent, skipped, retried or failed."""
    outcomes: Counter[str] = Counter()
    connection = get_connection()
    try:
        for pk in pks:
            outcome = mail_deliver(pk, connection=connection)
            outcomes[outcome] += 1
            if outcome in ("retry", "failed"):
                connection.close()
    finally:
        connection.close()
    return dict(outcomes)


def mail_cancel_pending(*, key_contains: str) -> int:
    """Withdraw queued mail that is no longer due (a reminder to sign, once the organisation has
    signed). Mail already sent is left alone; a task that later picks a cancelled one skips it."""
    return OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING, key__contains=key_contains).update(
        status=OutboundEmail.Status.CANCELLED, next_attempt_at=None
    )


def mail_enqueue_stale(older_than: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Enqueue delivery again for pending mail that has waited too long (its task may be lost)."""
    cutoff = timezone.now() - older_than
    stale = OutboundEmail.objects.filter(
        Q(next_attempt_at__isnull=True, created_at__lt=cutoff) | Q(next_attempt_at__lt=cutoff),
        status=OutboundEmail.Status.PENDING,
    ).values_list("pk", flat=True)
    count = 0
    for pk in stale:
        _enqueue(pk)
        count += 1
    return count
