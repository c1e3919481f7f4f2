"""Report jobs: requesting a paper and producing it.

``report_job_create`` records the request and queues the work once the request's
transaction commits; ``report_job_run`` (called by the Celery task, or in-process when no
broker is configured) renders the file and archives it on the job row. Running a job twice
is safe: a job that is done stays done with its one file.

The job row, in PostgreSQL, is the record of the request, not the broker's message: when
the broker cannot be reached the request still succeeds and the job stays queued, and
``report_jobs_dispatch_stalled`` (every minute from beat, and as each worker starts) hands
over the queued jobs that never reached the broker, or that it lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from foundation.dispatch import DISPATCH_BATCH, dispatched_note, stalled_dispatch
from reports.choices import JobStatus, ReportFormat, ReportKind, kind_in_sentence
from reports.models import ReportJob
from reports.papers.registry import renderer_for

logger = logging.getLogger(__name__)

_ERROR_MAX_CHARS = 4000
# A queued job that never reached the broker is handed over once it is this old: younger,
# the request that queued it may still be publishing it (which gives up within ~2 s).
DISPATCH_GRACE = dt.timedelta(seconds=5)
# A job handed to the broker but still queued this long after is handed over again: the
# broker may have lost it (a Redis restarted without its data). Running a job twice is safe.
REDISPATCH_AFTER = dt.timedelta(minutes=15)
# A job still running this long after its task's hard time limit was killed by the worker.
OVERRUN_GRACE = dt.timedelta(minutes=2)


def _kind_phrase(kind: str) -> str:
    return kind_in_sentence(kind, start=True) if kind in ReportKind.values else f"A {kind!r}"


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
                    f"{_kind_phrase(kind)} cannot be produced as "
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
        transaction.on_commit(lambda: report_job_dispatch(job_id=job_id), robust=True)
    return job


def report_job_dispatch(*, job_id: int) -> bool:
    """Hand a recorded job to the worker through the broker and note when. Returns False,
    leaving the job queued for ``report_jobs_dispatch_stalled``, when the broker cannot be
    reached (publishing gives up after CELERY_TASK_PUBLISH_RETRY_POLICY)."""
    from reports.tasks import run_report_job

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # In-process: the job runs here and records its own outcome; a renderer's error
        # propagates to the caller (report_job_create's on-commit logs it).
        run_report_job.delay(job_id)
    else:
        try:
            run_report_job.delay(job_id)
        except (BrokerUnavailable, OSError) as exc:
            logger.warning(
                "Report job %s is recorded but could not be queued (%s: %s); it stays queued "
                "and is handed over once the broker answers", job_id, exc.__class__.__name__, exc,
            )
            return False
    dispatched_note(ReportJob, job_id)
    return True


def report_jobs_dispatch_stalled(*, now: dt.datetime | None = None) -> list[int]:
    """Hand over the queued jobs the worker never received: never published (the broker
    was down when they were requested) or published long ago and still queued. Stops at
    the first that cannot be published: the broker is still down, the next run tries again.
    Returns the ids handed over."""
    dispatched = stalled_dispatch(
        ReportJob.objects.filter(status=JobStatus.QUEUED),
        created_field="requested_at", grace=DISPATCH_GRACE, redispatch_after=REDISPATCH_AFTER,
        publish=lambda job_id: report_job_dispatch(job_id=job_id), now=now,
    )
    if dispatched:
        logger.info("Handed %s stalled report job(s) to the worker: %s", len(dispatched), dispatched)
    return dispatched


def report_jobs_fail_overrun(*, now: dt.datetime | None = None) -> list[int]:
    """Mark failed the jobs still "running" well past the hard time limit of the task that
    runs them. The worker killed such a task (it ignored or swallowed the soft limit) and
    Celery acknowledged it, so nothing else would ever end it and its requester would wait
    for ever. No run can legitimately last that long, so none is cut short. Returns the ids."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.REPORT_TASK_TIME_LIMIT) - OVERRUN_GRACE
    overrun = list(
        ReportJob.objects.filter(status=JobStatus.RUNNING, started_at__lte=cutoff)
        .order_by("started_at", "pk").values_list("pk", flat=True)[:DISPATCH_BATCH]
    )
    if overrun:
        minutes = max(settings.REPORT_TASK_TIME_LIMIT // 60, 1)
        ReportJob.objects.filter(pk__in=overrun, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, finished_at=now,
            error=(
                f"The paper was stopped after {minutes} minutes without finishing. Ask for it again; "
                "if it stops again, ask for a shorter paper or tell the administrator."
            ),
        )
        logger.warning("Marked %s report job(s) failed, still running past the time limit: %s", len(overrun), overrun)
    return overrun


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
    written = ""
    try:
        with transaction.atomic():
            job = ReportJob.objects.select_for_update().get(pk=job_id)
            if job.status == JobStatus.DONE:
                # Another run of the same job finished first: keep its file, drop ours.
                return job
            job.file.save(rendered.file_name, ContentFile(rendered.content), save=False)
            written = job.file.name
            job.file_name = rendered.file_name
            job.checksum_sha256 = hashlib.sha256(rendered.content).hexdigest()
            job.size_bytes = len(rendered.content)
            job.page_count = rendered.page_count
            job.status = JobStatus.DONE
            job.finished_at = timezone.now()
            job.error = ""
            job.full_clean()
            job.save()
    except BaseException:
        # Up to and including the commit: a row that was never saved names no file, so the
        # file written for it (on disk or in the object store) goes too.
        if written:
            try:
                ReportJob._meta.get_field("file").storage.delete(written)
            except Exception:
                logger.exception("Report job %s: could not remove the unsaved file %s", job_id, written)
        raise
    return job


def _report_job_fail(*, job_id: int, exc: Exception) -> None:
    if isinstance(exc, SoftTimeLimitExceeded):
        # The worker's soft time limit (reports.tasks): say so in words the job page can show.
        minutes = max(settings.REPORT_TASK_SOFT_TIME_LIMIT // 60, 1)
        error = (
            f"The paper took longer than {minutes} minutes to produce and was stopped. Ask for it again; "
            "if it stops again, ask for a shorter paper (an earlier date, one plan's exceptions) or tell "
            "the administrator."
        )
    else:
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
