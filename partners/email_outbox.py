"""The email outbox: every email the service sends is sent once, or visibly marked as
unknown; never twice.

A batch (the weekly reminders, a scheduled paper's recipients) or a single notice calls
:func:`email_enqueue`, which writes one :class:`~partners.models.EmailDelivery` row per
email, in the caller's transaction, under a key naming the email. A key already in the
outbox is left as it is, so a batch run again (a beat that fires twice, a task
redelivered after its worker died) adds only the emails the first run did not. Once the
transaction commits, one ``partners.tasks.send_email_delivery`` task per pending row
calls :func:`email_delivery_send`, which moves the row along::

    pending ──claim──▶ sending ──mail server took it──▶ sent
       ▲                  │
       └─ not sent ◀──────┤  (connection refused, server said no: tried again later;
                          │   failed after MAX_ATTEMPTS or when the refusal is permanent)
                          └─ worker died / connection dropped mid-send ──▶ unknown

The claim (pending → sending, attempts + 1, and which task message holds it) is
committed before the mail server is spoken to. If the worker then dies, the broker
redelivers the same message (``acks_late``, ``reject_on_worker_lost``); it finds its own
claim still ``sending`` and cannot tell whether the server accepted the email before the
worker died, so it marks the row ``unknown`` and logs a warning rather than sending it a
second time. An administrator finds those under the status filter of the admin's email
deliveries and searches the mail server's log for the row's Message-ID.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from email.utils import make_msgid
from enum import StrEnum
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from foundation.dispatch import dispatched_note, stalled_dispatch
from partners.choices import DeliveryStatus
from partners.models import EmailDelivery

logger = logging.getLogger(__name__)

# A row not sent after this many claims (the mail server down or refusing for hours) is
# marked failed; the task's backoff spreads the attempts over about half an hour.
MAX_ATTEMPTS = 5
# A row left "sending" longer than this by a task message that was then lost (not
# redelivered: the broker's data was lost) is marked unknown by the next message for it.
# Longer than the broker's visibility timeout, so a live redelivery always comes first.
SENDING_ABANDONED_AFTER = dt.timedelta(hours=2)

# The mail server answered with a refusal: it did not take the message, so trying again
# cannot send it twice. Any other error once the message is on its way (a dropped
# connection, a timeout) leaves it unknown.
_REFUSED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


@dataclass(frozen=True)
class OutgoingEmail:
    """One email to one recipient, as a batch or notice asks for it."""

    key: str
    recipient: str
    subject: str
    body: str
    html_body: str = ""
    attachment_path: str = ""  # a name in the default storage
    attachment_name: str = ""
    attachment_type: str = ""


@dataclass(frozen=True)
class Enqueued:
    created: int  # rows new to the outbox
    deliveries: list[EmailDelivery]  # every row asked for, new or already there


class DeliveryOutcome(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already sent"
    ALREADY_FAILED = "already failed"
    ALREADY_UNKNOWN = "already unknown"
    IN_HAND = "being sent by another task"
    UNKNOWN = "unknown: the worker was lost while sending"
    RETRY = "not sent: will try again"
    FAILED = "not sent: failed"
    GONE = "no such delivery"


_FINISHED = {
    DeliveryStatus.SENT: DeliveryOutcome.ALREADY_SENT,
    DeliveryStatus.FAILED: DeliveryOutcome.ALREADY_FAILED,
    DeliveryStatus.UNKNOWN: DeliveryOutcome.ALREADY_UNKNOWN,
}


def _message_id_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


# A pending email no task reached the broker for is handed over by the sweep after this
# long; one handed over this long ago and still pending (its message lost with the
# broker's data) is handed over again. Longer than the longest retry countdown (an hour),
# so an email waiting for its retry is not hurried.
DISPATCH_GRACE = dt.timedelta(minutes=1)
REDISPATCH_AFTER = dt.timedelta(hours=2)


def _dispatch(delivery_id: int) -> bool:
    """Hand one email's task to the broker. A broker that is down is logged, not raised:
    the row stays pending with no dispatched_at, and the sweep hands it over later."""
    from partners.tasks import send_email_delivery

    try:
        send_email_delivery.delay(delivery_id)
    except Exception as exc:  # noqa: BLE001 - kombu raises several kinds; any means "not queued"
        logger.warning("Outbox: email %s not handed to the queue (%s: %s); the sweep will try again",
                       delivery_id, exc.__class__.__name__, exc)
        return False
    dispatched_note(EmailDelivery, delivery_id)
    return True


def email_deliveries_dispatch_stalled(*, now: dt.datetime | None = None) -> list[int]:
    """Hand over the pending emails whose task never reached the broker (it was down when
    they were written), or reached it long ago and never ran. Stops at the first that
    cannot be handed over: the broker is still down, the next sweep tries again. Safe to
    overlap with a live task: the claim lets one send and the other do nothing."""
    dispatched = stalled_dispatch(
        EmailDelivery.objects.filter(status=DeliveryStatus.PENDING),
        created_field="created_at", grace=DISPATCH_GRACE, redispatch_after=REDISPATCH_AFTER,
        publish=lambda delivery_id: _dispatch(delivery_id), now=now,
    )
    if dispatched:
        logger.info("Outbox: handed %d stalled email(s) to the queue", len(dispatched))
    return dispatched


def email_enqueue(*, emails: Iterable[OutgoingEmail]) -> Enqueued:
    """Put emails in the outbox, in the caller's transaction, and queue one task per
    email still pending once it commits. An email whose key is already in the outbox is
    not added again, whatever became of it; one still pending is queued again (a task
    that finds it claimed or sent does nothing)."""
    wanted: dict[str, OutgoingEmail] = {}
    for email in emails:
        wanted.setdefault(email.key, email)
    if not wanted:
        return Enqueued(created=0, deliveries=[])
    from_email = settings.DEFAULT_FROM_EMAIL
    domain = _message_id_domain()
    with transaction.atomic():
        existing = set(EmailDelivery.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
        new = [
            EmailDelivery(
                key=email.key,
                kind=email.key.partition(":")[0],
                recipient=email.recipient,
                from_email=from_email,
                subject=email.subject[:500],
                body=email.body,
                html_body=email.html_body,
                attachment_path=email.attachment_path,
                attachment_name=email.attachment_name,
                attachment_type=email.attachment_type,
                message_id=make_msgid(idstring="outbox", domain=domain),
            )
            for key, email in wanted.items()
            if key not in existing
        ]
        # A concurrent run that wrote the same key first wins; ours is dropped.
        EmailDelivery.objects.bulk_create(new, ignore_conflicts=True)
        deliveries = list(EmailDelivery.objects.filter(key__in=list(wanted)).order_by("id"))
        for delivery in deliveries:
            if delivery.status == DeliveryStatus.PENDING:
                # A broker that refuses one email does not stop the others: the row
                # stays pending and the sweep hands it over when the broker is back.
                transaction.on_commit(lambda pk=delivery.pk: _dispatch(pk))
    if new:
        logger.info("Outbox: %d new email(s) queued, %d already there", len(new), len(existing))
    return Enqueued(created=len(new), deliveries=deliveries)


def _claim(delivery_id: int, claim: str) -> tuple[EmailDelivery | None, DeliveryOutcome | None]:
    """Take a pending row for sending, committed before anything is sent. Returns the row
    to send, or the outcome when there is nothing to send."""
    # A plain row lock, not skip_locked: the other holder keeps it only for this short
    # transaction, and waiting lets us see what it decided. Skipping would acknowledge
    # our message while the other claim might yet roll back, leaving the row pending
    # with no message left to send it.
    with transaction.atomic():
        delivery = EmailDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return None, DeliveryOutcome.GONE
        now = timezone.now()
        if delivery.status == DeliveryStatus.SENDING:
            ours = delivery.claimed_by == claim
            abandoned = delivery.claimed_at is None or delivery.claimed_at < now - SENDING_ABANDONED_AFTER
            if not (ours or abandoned):
                return None, DeliveryOutcome.IN_HAND
            # Our own claim, so the worker that made it died between claiming and
            # confirming: the mail server may or may not have taken the email.
            claimed = f"{timezone.localtime(delivery.claimed_at):%d %B %Y %H:%M:%S}" if delivery.claimed_at else "?"
            delivery.status = DeliveryStatus.UNKNOWN
            delivery.last_error = (
                f"The worker was lost while sending (attempt {delivery.attempts}, claimed {claimed}): it may "
                f"or may not have been sent, so it is not sent again. Look for Message-ID "
                f"{delivery.message_id} in the mail server's log."
            )
            delivery.save(update_fields=["status", "last_error"])
            logger.warning(
                "Outbox: email %s (%s to %s) may or may not have been sent: the worker was lost while "
                "sending it. Marked unknown, not sent again; check the mail server's log for %s",
                delivery.pk, delivery.key, delivery.recipient, delivery.message_id,
            )
            return None, DeliveryOutcome.UNKNOWN
        if delivery.status != DeliveryStatus.PENDING:
            return None, _FINISHED[delivery.status]
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.claimed_by = claim
        delivery.claimed_at = now
        delivery.save(update_fields=["status", "attempts", "claimed_by", "claimed_at"])
    return delivery, None


def _message(delivery: EmailDelivery) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        delivery.subject,
        delivery.body,
        delivery.from_email or settings.DEFAULT_FROM_EMAIL,
        [delivery.recipient],
        headers={"Message-ID": delivery.message_id},
    )
    if delivery.html_body:
        message.attach_alternative(delivery.html_body, "text/html")
    if delivery.attachment_path:
        with default_storage.open(delivery.attachment_path, "rb") as handle:
            content = handle.read()
        name = delivery.attachment_name or os.path.basename(delivery.attachment_path)
        message.attach(name, content, delivery.attachment_type or None)
    message.message()  # built now, so a malformed message fails before anything is sent
    return message


def _finish(delivery: EmailDelivery, claim: str, status: str, error: str = "") -> None:
    values = {"status": status, "last_error": error[:4000]}
    if status == DeliveryStatus.SENT:
        values["sent_at"] = timezone.now()
    # Only while our claim stands: a row another message has since decided is left alone,
    # except that news of a send replaces an "unknown" (we know better now).
    (
        EmailDelivery.objects.filter(pk=delivery.pk, claimed_by=claim)
        .filter(status__in=[DeliveryStatus.SENDING, DeliveryStatus.UNKNOWN])
        .update(**values)
    )


def _not_sent(delivery: EmailDelivery, claim: str, exc: Exception, *, permanent: bool = False) -> DeliveryOutcome:
    error = f"{type(exc).__name__}: {exc}"
    if permanent or delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, claim, DeliveryStatus.FAILED, error)
        logger.error("Outbox: email %s (%s to %s) failed: %s", delivery.pk, delivery.key, delivery.recipient, error)
        return DeliveryOutcome.FAILED
    _finish(delivery, claim, DeliveryStatus.PENDING, error)
    logger.warning("Outbox: email %s not sent (attempt %d), will try again: %s", delivery.pk, delivery.attempts, error)
    return DeliveryOutcome.RETRY


def email_delivery_send(*, delivery_id: int, claim: str) -> DeliveryOutcome:
    """Send one email of the outbox, at most once. ``claim`` names the task message doing
    it, the same when the broker redelivers that message (see the module docstring)."""
    delivery, outcome = _claim(delivery_id, claim)
    if delivery is None:
        return outcome

    connection = None
    try:
        message = _message(delivery)
        connection = get_connection()
        connection.open()
    except Exception as exc:
        # Nothing reached the mail server: trying again cannot send it twice.
        if connection is not None:
            with suppress(Exception):
                connection.close()
        return _not_sent(delivery, claim, exc)
    try:
        sent = connection.send_messages([message])
    except _REFUSED as exc:
        code = getattr(exc, "smtp_code", None)
        if code is None and isinstance(exc, smtplib.SMTPRecipientsRefused):
            code = next(iter(exc.recipients.values()), (None,))[0]
        return _not_sent(delivery, claim, exc, permanent=bool(code and code >= 500))
    except Exception as exc:
        error = (
            f"{type(exc).__name__}: {exc}. The connection failed while sending: it may or may not have been "
            f"sent, so it is not sent again. Look for Message-ID {delivery.message_id} in the mail server's log."
        )
        _finish(delivery, claim, DeliveryStatus.UNKNOWN, error)
        logger.warning("Outbox: email %s (%s) may or may not have been sent: %s", delivery.pk, delivery.key, error)
        return DeliveryOutcome.UNKNOWN
    finally:
        with suppress(Exception):  # the message is handed over (or not) whatever QUIT says
            connection.close()
    if not sent:
        _finish(delivery, claim, DeliveryStatus.FAILED, "The mail backend sent nothing (no valid recipient).")
        return DeliveryOutcome.FAILED
    _finish(delivery, claim, DeliveryStatus.SENT)
    return DeliveryOutcome.SENT


def deliveries_with_prefix(prefix: str) -> list[EmailDelivery]:
    """The outbox rows whose key starts with ``prefix`` ("paper:41:" for a paper's
    recipients), by recipient: what became of each email, for the pages that sent them."""
    return list(EmailDelivery.objects.filter(key__startswith=prefix).order_by("recipient"))
