"""Background work for reports. A task takes a job id and calls the service; the job row
records the outcome. With no broker configured the task runs in-process when the request
that queued it commits."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from reports.models import ReportJob
from reports.services import report_job_run

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    # A worker killed mid-render must not lose the job: the message is acknowledged only
    # once the task returns, and redelivered if the worker dies. report_job_run is
    # idempotent, so a redelivered job that had finished is not produced twice.
    acks_late=True,
    reject_on_worker_lost=True,
    # Only failures of the database connection are worth retrying; a renderer's error
    # would fail the same way again and is recorded on the job instead.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=3,
)
def run_report_job(self, job_id: int) -> str | None:
    try:
        job = report_job_run(job_id=job_id)
    except ReportJob.DoesNotExist:
        logger.warning("Report job %s no longer exists; nothing to do", job_id)
        return None
    return job.status
