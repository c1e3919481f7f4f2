"""Report jobs: requesting a paper and producing it.

``report_job_create`` records the request and queues the work once the request's
transaction commits; ``report_job_run`` (called by the Celery task, or in-process when no
broker is configured) renders the file and archives it on the job row. Running a job twice
is safe: a job that is done stays done with its one file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.models import ReportJob
from reports.renderers import renderer_for

logger = logging.getLogger(__name__)

_ERROR_MAX_CHARS = 4000


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return repr(value)


def report_job_create(
    *,
    plan,
    kind: str,
    format: str,
    requested_by,
    as_at: dt.date | None = None,
    body=None,
    meeting=None,
    parameters: dict | None = None,
) -> ReportJob:
    """Record a request for a paper and queue its production.

    Refused with a ValidationError (and nothing written) when no renderer produces
    ``kind`` in ``format``."""
    if renderer_for(kind, format) is None:
        raise ValidationError(
            {
                "format": (
                    f"A {_label(ReportKind, kind)} cannot be produced as "
                    f"{_label(ReportFormat, format)}. Choose another format."
                )
            },
            code="no_renderer",
        )
    with transaction.atomic():
        job = ReportJob(
            plan=plan,
            kind=kind,
            format=format,
            requested_by=requested_by,
            as_at=as_at,
            body=body,
            meeting=meeting,
            parameters=parameters or {},
        )
        job.full_clean()
        job.save()
        job_id = job.pk
        # robust: the job row is committed and records the outcome either way, so a broker
        # that is down (or, in-process, a renderer that fails) must not turn the request
        # into an error page. The failure is logged and the job shows queued or failed.
        transaction.on_commit(lambda: _enqueue(job_id), robust=True)
    return job


def _enqueue(job_id: int) -> None:
    from reports.tasks import run_report_job

    run_report_job.delay(job_id)


def report_job_run(*, job_id: int) -> ReportJob:
    """Produce the job's file. Idempotent: a job already done is returned unchanged; a job
    run twice at once keeps the first file saved. On failure the job is marked failed with
    the error and the exception is raised again, so that the task can retry."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.status == JobStatus.DONE:
            return job
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.finished_at = None
        job.attempts += 1
        job.error = ""
        job.save(update_fields=["status", "started_at", "finished_at", "attempts", "error"])

    # Rendered outside any transaction: a long render must not hold a lock (on SQLite, the
    # whole database) while it runs.
    try:
        job = ReportJob.objects.select_related("plan", "requested_by", "body", "meeting").get(pk=job_id)
        renderer = renderer_for(job.kind, job.format)
        if renderer is None:
            raise LookupError(f"No renderer produces {job.kind} as {job.format}.")
        rendered = renderer(job)
        return _report_job_store(job_id=job_id, rendered=rendered)
    except Exception as exc:
        _report_job_fail(job_id=job_id, exc=exc)
        raise


def _report_job_store(*, job_id: int, rendered) -> ReportJob:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.status == JobStatus.DONE:
            # Another run of the same job finished first: keep its file, drop ours.
            return job
        job.file.save(rendered.file_name, ContentFile(rendered.content), save=False)
        try:
            job.file_name = rendered.file_name
            job.checksum_sha256 = hashlib.sha256(rendered.content).hexdigest()
            job.size_bytes = len(rendered.content)
            job.page_count = rendered.page_count
            job.status = JobStatus.DONE
            job.finished_at = timezone.now()
            job.error = ""
            job.full_clean()
            job.save()
        except Exception:
            job.file.storage.delete(job.file.name)
            raise
    return job


def _report_job_fail(*, job_id: int, exc: Exception) -> None:
    error = f"{exc.__class__.__name__}: {exc}"[:_ERROR_MAX_CHARS]
    try:
        updated = (
            ReportJob.objects.filter(pk=job_id)
            .exclude(status=JobStatus.DONE)
            .update(status=JobStatus.FAILED, error=error, finished_at=timezone.now())
        )
    except Exception:  # the database itself may be what failed
        logger.exception("Report job %s failed and could not be marked failed", job_id)
        return
    if updated:
        logger.warning("Report job %s failed: %s", job_id, error)
