"""A Celery worker killed in the middle of an email batch sends no email twice.

The weekly reminders to 200 leads go through the outbox (partners.email_outbox) to a real
worker whose mail backend writes each message to a file. The process queuing the batch
dies part-way through handing the emails to the broker. Once the first emails have been
written, the "mail server" is made slow to answer (tests/services/mail_backends.py), and
the worker's pool process is killed (SIGKILL: no chance to clean up or acknowledge) while
an email has been written but not yet confirmed: the worst moment, when the email has
gone but the outbox cannot know it. The batch is run again at once, while the worker is
still busy, so that some emails are queued twice. Then every lead has exactly one email;
the one in the worker's hands when it was killed is marked unknown and is not sent again.
"""

from __future__ import annotations

import collections
import datetime as dt
import email
import os
import signal
import time
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from actionplans.choices import PlanStatus
from actionplans.reminders import send_reminders
from config.celery import app as celery_app
from partners import email_outbox
from partners.choices import DeliveryStatus
from partners.models import EmailDelivery
from tests.factories import (
    ActionFactory,
    AgencyFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    SectionFactory,
    UserFactory,
)
from tests.services.conftest import PIDFILE, pool_children, running_celery_worker, services_missing
from tests.services.mail_backends import SLOW_REPLY_FLAG

pytestmark = pytest.mark.services

BATCH = 200  # leads, one reminder each
DISPATCHED_BEFORE_CRASH = 150  # the batch's process dies after handing this many to the broker
KILL_AFTER = 20  # emails written before the worker's pool process is killed
SETTLE_TIMEOUT = 120
DOMAIN = "kill.test"
SEPARATOR = b"\n" + b"-" * 79 + b"\n"



def _messages(mail_dir: Path) -> list[email.message.Message]:
    """Every message the file-based backend wrote, in any of its files (it appends, and
    several connections may share a file name)."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def _received(mail_dir: Path) -> collections.Counter:
    return collections.Counter(
        m["To"] for m in _messages(mail_dir) if m["To"] and m["To"].endswith(f"@{DOMAIN}")
    )


def _leads(today: dt.date) -> list[str]:
    agency = AgencyFactory(name="Killtown Council", short_name="KTC")
    plan = PlanFactory(slug="batch-kill", status=PlanStatus.LIVE)
    section = SectionFactory(plan=plan)
    addresses = []
    for n in range(BATCH):
        person = UserFactory(email=f"lead-{n:03d}@{DOMAIN}", full_name=f"Lead {n:03d}", agency=agency)
        post = PostFactory(agency=agency, title=f"Lead post {n:03d}")
        PostHoldingFactory(post=post, person=person)
        ActionFactory(plan=plan, section=section, lead_post=post, order=n, reference=f"K{n}",
                      due_date=today - dt.timedelta(days=3))
        addresses.append(person.email)
    return addresses


def _wait(condition, what: str, worker) -> None:
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} after {SETTLE_TIMEOUT}s\n{worker['output']()}")
        time.sleep(0.1)


def test_a_worker_killed_mid_batch_sends_no_email_twice(transactional_db, tmp_path_factory, monkeypatch):
    reason = services_missing()
    if reason:
        pytest.skip(reason)
    assert celery_app.conf.task_always_eager is False
    today = timezone.localdate()
    addresses = _leads(today)
    mail_dir = tmp_path_factory.mktemp("worker-mail")

    # Its own worker on its own queue, writing mail to files; the session's worker (console
    # mail), if running, cannot take these emails.
    queue = f"email-batch-{uuid.uuid4().hex[:8]}"
    env = {"EMAIL_BACKEND": "tests.services.mail_backends.SlowReplyFileBackend", "EMAIL_FILE_PATH": str(mail_dir)}
    previous_routes = celery_app.conf.task_routes
    started = time.monotonic()
    with running_celery_worker(
        tmp_path_factory, env=env, queue=queue, pidfile=PIDFILE.with_name("celery-worker-email-batch.pid")
    ) as worker:
        celery_app.conf.update(task_routes={"partners.tasks.send_email_delivery": {"queue": queue}})
        try:
            # 1. The batch commits its 200 rows, then its process dies after handing 150
            #    of the emails to the broker: the other 50 stay pending with no message.
            real_dispatch = email_outbox._dispatch
            handed = []

            def dispatch_then_die(delivery_id: int) -> None:
                if len(handed) >= DISPATCHED_BEFORE_CRASH:
                    raise ConnectionError("the batch's process died")
                real_dispatch(delivery_id)
                handed.append(delivery_id)

            monkeypatch.setattr(email_outbox, "_dispatch", dispatch_then_die)
            # The rows are committed before any is handed over; the "death" stops the rest.
            with pytest.raises(ConnectionError, match="process died"):
                send_reminders(today=today)
            monkeypatch.setattr(email_outbox, "_dispatch", real_dispatch)
            assert len(handed) == DISPATCHED_BEFORE_CRASH
            assert EmailDelivery.objects.filter(kind="reminder").count() == BATCH

            # 2. Once the first emails are written, the mail server turns slow to answer,
            #    and the pool process is killed while an email is written but unconfirmed.
            while sum(_received(mail_dir).values()) < KILL_AFTER:
                assert time.monotonic() - started < SETTLE_TIMEOUT, worker["output"]()
                time.sleep(0.01)
            slow = mail_dir / SLOW_REPLY_FLAG
            slow.touch()
            # Claimed after the flag was set, so its worker is certain to wait for the reply.
            slow_from = timezone.now()
            in_flight = None
            while in_flight is None:
                assert time.monotonic() - started < SETTLE_TIMEOUT, worker["output"]()
                sending = EmailDelivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__gt=slow_from).first()
                if sending is not None and _received(mail_dir)[sending.recipient]:
                    in_flight = sending
                time.sleep(0.02)
            children = []
            while not children:  # none for a moment while the pool replaces a child
                children = pool_children(worker["pid"])
            for pid in children:
                os.kill(pid, signal.SIGKILL)
            slow.unlink()
            written_at_kill = sum(_received(mail_dir).values())
            states_at_kill = collections.Counter(EmailDelivery.objects.values_list("status", flat=True))

            # 3. The batch runs again at once (the beat's task redelivered): nothing new is
            #    queued, and every pending row is queued again, including ones whose
            #    message is still waiting, so some emails now have two messages.
            assert send_reminders(today=today) == 0

            _wait(lambda: not EmailDelivery.objects.filter(
                status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]).exists(),
                "emails still pending or sending", worker)
        finally:
            celery_app.conf.update(task_routes=previous_routes)

        settled = time.monotonic() - started
        received = _received(mail_dir)
        deliveries = {d.recipient: d for d in EmailDelivery.objects.filter(kind="reminder")}
        by_status = collections.Counter(d.status for d in deliveries.values())
        unknown = [d for d in deliveries.values() if d.status == DeliveryStatus.UNKNOWN]
        print(  # the figures, for the run's log (pytest -s)
            f"\nbatch {BATCH}; handed to the broker before the crash {DISPATCHED_BEFORE_CRASH}; "
            f"written when killed {written_at_kill}; states when killed {dict(states_at_kill)}; "
            f"final {dict(by_status)}; unknown (received) {[(d.recipient, received[d.recipient]) for d in unknown]}; "
            f"most received by one lead {max(received.values())}; settled in {settled:.1f}s"
        )

        assert written_at_kill < BATCH  # killed mid-batch
        assert sorted(deliveries) == sorted(addresses)
        assert max(received.values()) == 1, [a for a, n in received.items() if n > 1]  # nobody got two
        assert sum(received.values()) == BATCH
        assert set(by_status) <= {DeliveryStatus.SENT, DeliveryStatus.UNKNOWN}, by_status
        # The email in the pool process's hands went, but the outbox cannot know it: it is
        # unknown, received once, and was not sent again when its message was redelivered.
        assert [d.pk for d in unknown] == [in_flight.pk]
        assert "worker was lost" in unknown[0].last_error and unknown[0].message_id in unknown[0].last_error
        assert all(received[address] == 1 for address in addresses)
        assert all(d.attempts == 1 for d in deliveries.values())  # nothing claimed twice

        # 4. Once more, long after: nothing is queued and nothing more is written.
        assert send_reminders(today=today) == 0
        time.sleep(1)
        assert _received(mail_dir) == received
