"""The beat's weekly reminders to leads: what is left here of the beat's tasks (the
scheduled papers' are in reports.tasks).

- ``send_weekly_reminders`` (Mondays, 07:30 London): one email per lead, once per week
  (the email outbox's key, one per lead and ISO week, makes it once).

Celery's autodiscovery looks for ``tasks`` modules only, so the worker must be told about
this one (config/celery.py: ``app.autodiscover_tasks(related_name="scheduling")``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from foundation.tasks import durable_task

logger = logging.getLogger(__name__)


def _today(today) -> dt.date:
    if today is None:
        return timezone.localdate()
    return today if isinstance(today, dt.date) else dt.date.fromisoformat(str(today))


@durable_task(max_retries=5)
def send_weekly_reminders(today: str | dt.date | None = None) -> int:
    """Queue each lead's weekly reminder in the email outbox, once per ISO week: a second
    beat in the same week, or this task redelivered after its worker died, queues only
    the leads not yet reminded (partners.email_outbox). Returns how many were queued now."""
    from actionplans.reminders import send_reminders

    day = _today(today)
    queued = send_reminders(today=day)
    year, week, _ = day.isocalendar()
    logger.info("Weekly reminders for %s-W%02d: %d queued now", year, week, queued)
    return queued
