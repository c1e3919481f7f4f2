"""Background work for reports. A task takes a job id and calls the service; the job row
records the outcome. With no broker configured the task runs in-process when the request
that queued it commits.

The beat's tasks for scheduled papers are here too, each stored as a django-celery-beat
PeriodicTask (reports/migrations/0003_beat_tasks.py, reports.services.periodic_tasks_ensure)
and safe to run twice:

- ``run_due_schedules`` (daily, 07:00 London): papers due before meetings, once per meeting;
- ``run_cadence_schedule`` (a cadence schedule's own entry): its paper, once per day;
- ``email_report_job`` (queued with each scheduled paper): once it is done, puts its emails
  in the outbox (partners.email_outbox), which sends each once.

They keep the names they had in reports/scheduling.py (``name=``): the beat's rows in the
database and messages already queued name a task by that name.

A job requested while the broker was down is recorded but not queued: the beat runs
``dispatch_stalled_report_jobs`` every minute, and every worker asks for a run as it starts
(``worker_ready``), so such jobs are produced once the broker and a worker are back.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery.signals import worker_ready
from django.conf import settings
from django.utils import timezone

from foundation.tasks import durable_task
from reports.models import ReportJob
from reports.services import (
    DISPATCH_GRACE,
    EmailOutcome,
    report_job_run,
    report_jobs_dispatch_stalled,
    report_jobs_fail_overrun,
    schedule_run_cadence,
    scheduled_run_email,
    schedules_run_due,
)

logger = logging.getLogger(__name__)

# The email task looks for the finished paper this long after the job is queued, then
# backs off: 30 s, 1, 2, 4, 8 and then every 10 minutes, for about two hours in all.
EMAIL_FIRST_CHECK_SECONDS = 30
EMAIL_MAX_WAIT_RETRIES = 16


@durable_task(
    # A worker killed mid-render does not lose the job (acks_late): report_job_run is
    # idempotent, so a redelivered job that had finished is not produced twice. A
    # renderer's error is recorded on the job; only the database is retried.
    bind=True,
    retry_backoff_max=300,
    retry_jitter=True,
    # Longer than other tasks' (CELERY_TASK_*TIME_LIMIT), but bounded: at the soft limit
    # report_job_run marks the job failed, saying why, before the hard limit kills the process.
    soft_time_limit=settings.REPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TASK_TIME_LIMIT,
)
def run_report_job(self, job_id: int) -> str | None:
    try:
        job = report_job_run(job_id=job_id)
    except ReportJob.DoesNotExist:
        logger.warning("Report job %s no longer exists; nothing to do", job_id)
        return None
    return job.status


@durable_task(
    # A sweep that meets a database that is down is tried again shortly; the next beat
    # would run it a minute later anyway.
    # Beat sends one a minute, also while no worker is up: a worker coming back runs the
    # latest, not one for every minute it was away. (Two at once hand a job over twice,
    # which is safe.)
    expires=120,
)
def dispatch_stalled_report_jobs() -> int:
    """Hand the worker the queued jobs it never received, and end those a worker killed at
    the time limit. Returns how many were handed over."""
    report_jobs_fail_overrun()
    return len(report_jobs_dispatch_stalled())


@worker_ready.connect
def _dispatch_stalled_report_jobs_on_start(sender=None, **kwargs) -> None:
    # After DISPATCH_GRACE, so that a job requested just before the worker came up is old
    # enough to be taken for one that never reached the broker.
    dispatch_stalled_report_jobs.apply_async(countdown=DISPATCH_GRACE.total_seconds())


# --- The beat's scheduled papers ---------------------------------------------------------


def _today(today) -> dt.date:
    if today is None:
        return timezone.localdate()
    return today if isinstance(today, dt.date) else dt.date.fromisoformat(str(today))


@durable_task(name="reports.scheduling.run_due_schedules")
def run_due_schedules(today: str | dt.date | None = None) -> int:
    """Make the papers whose day has come. Returns how many were requested now."""
    made = schedules_run_due(today=_today(today))
    return len(made)


@durable_task(name="reports.scheduling.run_cadence_schedule")
def run_cadence_schedule(schedule_id: int, today: str | dt.date | None = None) -> int | None:
    run = schedule_run_cadence(schedule_id=schedule_id, today=_today(today))
    return run.job_id if run else None


@durable_task(
    name="reports.scheduling.email_report_job",
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
