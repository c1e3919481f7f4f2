"""Background work for reports. A task takes a job id and calls the service; the job row
records the outcome. With no broker configured the task runs in-process when the request
that queued it commits.

A job requested while the broker was down is recorded but not queued: the beat runs
``dispatch_stalled_report_jobs`` every minute, and every worker asks for a run as it starts
(``worker_ready``), so such jobs are produced once the broker and a worker are back.
"""

from __future__ import annotations

import logging

from celery.signals import worker_ready
from django.conf import settings

from foundation.tasks import durable_task
from reports.models import ReportJob
from reports.services import (
    DISPATCH_GRACE,
    report_job_run,
    report_jobs_dispatch_stalled,
    report_jobs_fail_overrun,
)

logger = logging.getLogger(__name__)


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
