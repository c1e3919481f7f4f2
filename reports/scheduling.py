"""The beat's tasks: scheduled papers, their emails, and the weekly reminders to leads.

Each is stored as a django-celery-beat PeriodicTask (see reports/migrations/0003_beat_tasks.py
and reports.schedules.periodic_tasks_ensure) and is safe to run twice:

- ``run_due_schedules`` (daily, 07:00 London): papers due before meetings, once per meeting;
- ``run_cadence_schedule`` (a cadence schedule's own entry): its paper, once per day;
- ``email_report_job`` (queued with each scheduled paper): once it is done, puts its emails
  in the outbox (partners.email_outbox), which sends each once;
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
from reports.schedules import (
    EmailOutcome,
    schedule_run_cadence,
    scheduled_run_email,
    schedules_run_due,
)

logger = logging.getLogger(__name__)

# The email task looks for the finished paper this long after the job is queued, then
# backs off: 30 s, 1, 2, 4, 8 and then every 10 minutes, for about two hours in all.
EMAIL_FIRST_CHECK_SECONDS = 30
EMAIL_MAX_WAIT_RETRIES = 16


def _today(today) -> dt.date:
    if today is None:
        return timezone.localdate()
    return today if isinstance(today, dt.date) else dt.date.fromisoformat(str(today))


@durable_task()
def run_due_schedules(today: str | dt.date | None = None) -> int:
    """Make the papers whose day has come. Returns how many were requested now."""
    made = schedules_run_due(today=_today(today))
    return len(made)


@durable_task()
def run_cadence_schedule(schedule_id: int, today: str | dt.date | None = None) -> int | None:
    run = schedule_run_cadence(schedule_id=schedule_id, today=_today(today))
    return run.job_id if run else None


@durable_task(
    bind=True,
    # It only queues the emails (the outbox's own tasks speak to the mail server and
    # retry it), so only the database is worth retrying here, as for every task.
    retry_backoff_max=600,
    max_retries=EMAIL_MAX_WAIT_RETRIES,
)
def email_report_job(self, job_id: int) -> str:
    """Queue a scheduled paper's emails once it is done; retried while it is queued or running."""
    outcome = scheduled_run_email(job_id=job_id)
    if outcome == EmailOutcome.WAITING:
        countdown = min(EMAIL_FIRST_CHECK_SECONDS * 2 ** self.request.retries, 600)
        raise self.retry(countdown=countdown)
    return str(outcome)


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
