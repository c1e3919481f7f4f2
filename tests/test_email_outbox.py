"""The email outbox's state machine: an email is queued once per key, sent once, tried
again only when the mail server certainly did not take it, and marked unknown (never
sent again) when its worker was lost while sending. The kill of a real worker mid-batch
is tests/services/test_email_batch_kill.py."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from partners import email_outbox
from partners.choices import DeliveryStatus
from partners.email_outbox import DeliveryOutcome, OutgoingEmail, email_delivery_send, email_enqueue
from partners.models import EmailDelivery
from partners.tasks import send_email_delivery

pytestmark = pytest.mark.django_db


class ServerDownBackend(BaseEmailBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        raise AssertionError("never reached")


class RefusingBackend(BaseEmailBackend):
    code = 550

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (self.code, b"refused")})


class BusyBackend(RefusingBackend):
    code = 451


class DroppingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def _email(n: int = 1, **values) -> OutgoingEmail:
    values = {"key": f"notification:test:{n}:p{n}@example.test", "recipient": f"p{n}@example.test",
              "subject": f"Subject {n}", "body": f"Body {n}", **values}
    return OutgoingEmail(**values)


def _one(**values) -> EmailDelivery:
    return email_enqueue(emails=[_email(**values)]).deliveries[0]


def test_queuing_the_same_key_twice_makes_one_row_and_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = email_enqueue(emails=[_email(1), _email(2), _email(1)])
    assert first.created == 2 and len(mail.outbox) == 2

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = email_enqueue(emails=[_email(1), _email(2), _email(3)])
    assert again.created == 1 and len(callbacks) == 1  # only the new, pending one is queued
    assert EmailDelivery.objects.count() == 3 and len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["p1@example.test", "p2@example.test", "p3@example.test"]


def test_a_sent_email_carries_its_fixed_message_id_and_is_not_sent_again():
    delivery = _one(html_body="<p>Body 1</p>")
    assert delivery.status == DeliveryStatus.PENDING and delivery.kind == "notification"
    assert delivery.message_id.startswith("<") and delivery.message_id.endswith("@127.0.0.1>")

    assert email_delivery_send(delivery_id=delivery.pk, claim="task-1:0") == DeliveryOutcome.SENT
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.claimed_by) == (DeliveryStatus.SENT, 1, "task-1:0")
    assert delivery.sent_at is not None
    [message] = mail.outbox
    assert message.message()["Message-ID"] == delivery.message_id
    assert message.alternatives[0][0] == "<p>Body 1</p>"

    # The same message redelivered (its ack was lost), or another dispatch of it.
    assert email_delivery_send(delivery_id=delivery.pk, claim="task-1:0") == DeliveryOutcome.ALREADY_SENT
    assert email_delivery_send(delivery_id=delivery.pk, claim="task-2:0") == DeliveryOutcome.ALREADY_SENT
    assert len(mail.outbox) == 1


def test_a_redelivered_message_that_finds_its_own_claim_marks_the_email_unknown(caplog):
    delivery = _one()
    # Its worker claimed it (committed) and died before confirming: still "sending".
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, claimed_by="task-1:0", claimed_at=timezone.now()
    )

    # Another dispatch of the same email leaves it to the message holding the claim.
    assert email_delivery_send(delivery_id=delivery.pk, claim="task-2:0") == DeliveryOutcome.IN_HAND
    with caplog.at_level(logging.WARNING, logger="partners.email_outbox"):
        assert email_delivery_send(delivery_id=delivery.pk, claim="task-1:0") == DeliveryOutcome.UNKNOWN

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.UNKNOWN, 1)
    assert delivery.message_id in delivery.last_error and "not sent again" in delivery.last_error
    assert mail.outbox == []
    assert any(delivery.message_id in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    # Redelivered yet again: still nothing sent.
    assert email_delivery_send(delivery_id=delivery.pk, claim="task-1:0") == DeliveryOutcome.ALREADY_UNKNOWN
    assert mail.outbox == []


def test_a_claim_whose_message_was_lost_is_marked_unknown_by_the_next_dispatch():
    delivery = _one()
    long_ago = timezone.now() - email_outbox.SENDING_ABANDONED_AFTER - dt.timedelta(minutes=1)
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, claimed_by="lost:0", claimed_at=long_ago
    )
    assert email_delivery_send(delivery_id=delivery.pk, claim="task-2:0") == DeliveryOutcome.UNKNOWN
    assert mail.outbox == []


def test_a_mail_server_that_is_down_is_tried_again_then_failed(settings):
    settings.EMAIL_BACKEND = f"{__name__}.ServerDownBackend"
    delivery = _one()

    # The task asks Celery to try again later (with a worker, after 1, 2, 4, 8 minutes).
    with pytest.raises(Retry):
        send_email_delivery.apply(args=[delivery.pk], task_id="task-1")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "Connection refused" in delivery.last_error

    for retries in range(1, email_outbox.MAX_ATTEMPTS - 1):
        assert email_delivery_send(delivery_id=delivery.pk, claim=f"task-1:{retries}") == DeliveryOutcome.RETRY
    last = f"task-1:{email_outbox.MAX_ATTEMPTS - 1}"
    assert email_delivery_send(delivery_id=delivery.pk, claim=last) == DeliveryOutcome.FAILED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, email_outbox.MAX_ATTEMPTS)
    assert mail.outbox == []


def test_a_refusal_is_retried_when_temporary_and_failed_when_permanent(settings):
    settings.EMAIL_BACKEND = f"{__name__}.BusyBackend"
    busy = _one(n=1)
    assert email_delivery_send(delivery_id=busy.pk, claim="t:0") == DeliveryOutcome.RETRY
    busy.refresh_from_db()
    assert (busy.status, busy.attempts) == (DeliveryStatus.PENDING, 1) and "451" in busy.last_error

    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    refused = _one(n=2)
    assert email_delivery_send(delivery_id=refused.pk, claim="t:0") == DeliveryOutcome.FAILED
    refused.refresh_from_db()
    assert (refused.status, refused.attempts) == (DeliveryStatus.FAILED, 1)


def test_a_connection_dropped_mid_send_leaves_the_email_unknown(settings):
    settings.EMAIL_BACKEND = f"{__name__}.DroppingBackend"
    delivery = _one()
    assert email_delivery_send(delivery_id=delivery.pk, claim="t:0") == DeliveryOutcome.UNKNOWN
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.UNKNOWN and "may or may not" in delivery.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert email_delivery_send(delivery_id=delivery.pk, claim="t:1") == DeliveryOutcome.ALREADY_UNKNOWN
    assert mail.outbox == []


def test_the_admin_lists_unknown_emails_read_only(client, admin_user):
    sent, unknown = _one(n=1), _one(n=2)
    email_delivery_send(delivery_id=sent.pk, claim="t:0")
    EmailDelivery.objects.filter(pk=unknown.pk).update(status=DeliveryStatus.UNKNOWN)
    client.force_login(admin_user)

    response = client.get(reverse("admin:partners_emaildelivery_changelist"), {"status__exact": "unknown"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "p2@example.test" in content and "p1@example.test" not in content
    assert client.get(reverse("admin:partners_emaildelivery_change", args=[unknown.pk])).status_code == 200
    assert client.get(reverse("admin:partners_emaildelivery_delete", args=[unknown.pk])).status_code == 403


def test_an_email_written_while_the_queue_is_down_waits_for_the_sweep(
    broker_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = _one()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.dispatched_at is None
    assert "not handed to the queue" in caplog.text
    # The queue still down, the sweep hands over nothing and says nothing went.
    later = timezone.now() + email_outbox.DISPATCH_GRACE
    assert email_outbox.email_deliveries_dispatch_stalled(now=later) == []


def test_the_sweep_sends_what_the_queue_missed_once_it_is_back(django_capture_on_commit_callbacks):
    delivery = EmailDelivery.objects.create(
        key="notification:test:9:late@example.test", kind="notification", recipient="late@example.test",
        from_email="from@example.test", subject="Written while the queue was down", body="Body",
        message_id="<x@example.test>",
    )
    # Within the grace period it is left to the task that may yet be on its way.
    assert email_outbox.email_deliveries_dispatch_stalled(now=delivery.created_at) == []

    sent = email_outbox.email_deliveries_dispatch_stalled(now=delivery.created_at + email_outbox.DISPATCH_GRACE)

    assert sent == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.dispatched_at is not None
    assert [m.subject for m in mail.outbox] == ["Written while the queue was down"]
    # Sent now, so a later sweep has nothing to do.
    assert email_outbox.email_deliveries_dispatch_stalled(now=timezone.now() + dt.timedelta(days=1)) == []
