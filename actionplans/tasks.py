"""Background work for action plans: the dashboards' month-end snapshots and the weekly
reminders to leads, both run by the beat. (Notification emails are written to the outbox
by actionplans.services and sent by partners.tasks.)"""

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from foundation.tasks import durable_task

logger = logging.getLogger(__name__)


@durable_task(
    max_retries=5,
    # It counts every live plan as at the month end, like a paper does: a paper's limits.
    soft_time_limit=settings.REPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TASK_TIME_LIMIT,
)
def record_rag_snapshots() -> int:
    """Beat, shortly after each month end: store each plan's RAG counts as at the month just
    ended for the dashboards' trend (actionplans.dashboards.rag_snapshots_record). Safe to
    run again: a stored month is never counted twice. Returns how many were stored."""
    from actionplans.dashboards import rag_snapshots_record

    return rag_snapshots_record()


@durable_task(
    # The name it had in reports/scheduling.py, where it was first declared: the beat's
    # row ("reminders: weekly") and any message already queued name it so.
    name="reports.scheduling.send_weekly_reminders",
    max_retries=5,
)
def send_weekly_reminders(today: str | dt.date | None = None) -> int:
    """Beat, Mondays at 07:30 London: queue each lead's weekly reminder in the email
    outbox, once per ISO week: a second beat in the same week, or this task redelivered
    after its worker died, queues only the leads not yet reminded (partners.email_outbox).
    Returns how many were queued now."""
    from actionplans.reminders import send_reminders

    if today is None:
        day = timezone.localdate()
    else:
        day = today if isinstance(today, dt.date) else dt.date.fromisoformat(str(today))
    queued = send_reminders(today=day)
    year, week, _ = day.isocalendar()
    logger.info("Weekly reminders for %s-W%02d: %d queued now", year, week, queued)
    return queued
