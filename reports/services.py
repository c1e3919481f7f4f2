"""Report jobs: requesting a paper and producing it.

``report_job_create`` records the request and queues the work once the request's
transaction commits; ``report_job_run`` (called by the Celery task, or in-process when no
broker is configured) renders the file and archives it on the job row. Running a job twice
is safe: a job that is done stays done with its one file.

The job row, in PostgreSQL, is the record of the request, not the broker's message: when
the broker cannot be reached the request still succeeds and the job stays queued, and
``report_jobs_dispatch_stalled`` (every minute from beat, and as each worker starts) hands
over the queued jobs that never reached the broker, or that it lost.

Schedules (:class:`~reports.models.ReportSchedule`) make a paper for a governance body
without anyone asking, either a number of working days before each of the body's
meetings ("papers for Performance Scrutiny are due 10 working days before the meeting")
or on a cadence (every Monday, the 1st of each month, every 14 days), and email it to
their recipients once it is done:

- :func:`schedule_create`, :func:`schedule_update` and :func:`schedule_delete` are the
  writes the schedule pages call; they keep the schedule's own beat entry (a cadence's
  django-celery-beat PeriodicTask) in step, and make sure the beat entries every
  installation needs exist (:func:`periodic_tasks_ensure`, from ``BEAT_TASKS``).
- :func:`schedules_run_due` (the daily beat task) makes, for each schedule, the paper of
  the body's nearest upcoming meeting once its paper day has come. A ScheduledRun row,
  unique per (schedule, meeting), is what makes it happen once: a beat that fires twice,
  or comes back after days down, finds the row and makes nothing more; and only the
  nearest meeting's paper is made, never one per missed day.
- :func:`schedule_run_cadence` is the same for a cadence, unique per (schedule, day).
- :func:`scheduled_run_email` emails the finished paper, once: under a row lock it puts
  one email per recipient in the outbox (partners.email_outbox, key
  ``paper:<job id>:<address>``, each sent once by its own task) and records ``emailed_at``;
  it waits (the task retries) while the job is still queued or running.

The beat tasks that call them are in reports.tasks; what a schedule's page shows (when it
makes its paper, its next meeting) is read by reports.selectors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from enum import StrEnum

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from kombu.exceptions import OperationalError as BrokerUnavailable

from actionplans.choices import PlanStatus
from foundation.dispatch import DISPATCH_BATCH, dispatched_note, stalled_dispatch
from partners.email_outbox import OutgoingEmail, email_enqueue
from partners.models import Meeting
from reports.choices import CONTENT_TYPES, JobStatus, ReportFormat, ReportKind, kind_in_sentence
from reports.models import Cadence, ReportJob, ReportSchedule, ScheduledRun, ScheduleMode
from reports.papers.registry import renderer_for
from reports.selectors import CADENCE_HOUR, next_paper, upcoming_meetings_by_body

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


def _check_renderer(kind: str, format: str) -> None:
    """Refuse a paper (a job or a schedule) that no renderer produces."""
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
    _check_renderer(kind, format)
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


# --- Schedules: the beat entries ------------------------------------------------------

BEAT_TIME_ZONE = "Europe/London"
DAILY_TASK_NAME = "reports: run due schedules"
WEEKLY_REMINDERS_TASK_NAME = "reminders: weekly"
STALLED_JOBS_TASK_NAME = "reports: dispatch stalled jobs"
# The beat entries every installation needs; reports/migrations/0003_beat_tasks.py creates
# the first two, 0004 the third. "task" is the name a task is registered under, which the
# beat's rows store: the reports.scheduling.* names are kept although those tasks are now
# in reports.tasks and actionplans.tasks (each is declared with its old name).
BEAT_TASKS = [
    {
        "name": DAILY_TASK_NAME,
        "task": "reports.scheduling.run_due_schedules",
        "crontab": {"minute": "0", "hour": "7", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
        "description": "Makes the papers due before governance body meetings, once per meeting.",
    },
    {
        "name": WEEKLY_REMINDERS_TASK_NAME,
        "task": "reports.scheduling.send_weekly_reminders",
        "crontab": {"minute": "30", "hour": "7", "day_of_week": "1", "day_of_month": "*", "month_of_year": "*"},
        "description": "Emails each lead their overdue, due-soon and needing-an-update actions.",
    },
    {
        "name": STALLED_JOBS_TASK_NAME,
        "task": "reports.tasks.dispatch_stalled_report_jobs",
        "crontab": {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
        "description": "Hands the worker the report jobs that are queued but never reached it (the queue was down).",
    },
    {
        "name": "partners: dispatch stalled emails",
        "task": "partners.tasks.dispatch_stalled_emails",
        "crontab": {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
        "description": "Hands the worker the emails written while the queue was down.",
    },
    {
        "name": "dashboards: month-end RAG snapshots",
        "task": "actionplans.tasks.record_rag_snapshots",
        "crontab": {"minute": "0", "hour": "2", "day_of_week": "*", "day_of_month": "1", "month_of_year": "*"},
        "description": "Counts each plan's RAG ratings as at the month just ended, once, for the dashboards' trend.",
    },
]
CADENCE_TASK = "reports.scheduling.run_cadence_schedule"

# Larger papers are linked, not attached: many council mail systems refuse big messages.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# A scheduled job whose renderer failed is tried again by the next day's run, up to this many attempts.
SCHEDULED_MAX_ATTEMPTS = 3


def _crontab(**fields) -> CrontabSchedule:
    crontab = CrontabSchedule.objects.filter(timezone=BEAT_TIME_ZONE, **fields).first()
    return crontab or CrontabSchedule.objects.create(timezone=BEAT_TIME_ZONE, **fields)


def periodic_tasks_ensure() -> list[PeriodicTask]:
    """Create or correct the daily "run due schedules", weekly reminder and every-minute
    "dispatch stalled jobs" beat entries. Idempotent; an entry someone paused in the admin
    stays paused."""
    tasks = []
    for spec in BEAT_TASKS:
        task, _ = PeriodicTask.objects.update_or_create(
            name=spec["name"],
            defaults={
                "task": spec["task"],
                "crontab": _crontab(**spec["crontab"]),
                "interval": None,
                "args": "[]",
                "kwargs": "{}",
                "description": spec["description"],
            },
        )
        tasks.append(task)
    return tasks


def _cadence_task_name(schedule: ReportSchedule) -> str:
    return f"reports: schedule {schedule.pk}"


def _next_run_start(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    start = local.replace(hour=CADENCE_HOUR, minute=0, second=0, microsecond=0)
    return start if start > local else start + dt.timedelta(days=1)


def _sync_periodic_task(schedule: ReportSchedule) -> None:
    """Keep the schedule's own beat entry in step: a cadence has one (enabled while the
    schedule is active); a before-each-meeting schedule has none, the daily run serves it."""
    task = schedule.periodic_task
    if schedule.mode != ScheduleMode.CADENCE:
        if task is not None:
            schedule.periodic_task = None
            schedule.save(update_fields=["periodic_task"])
            task.delete()
        return
    crontab = interval = None
    if schedule.cadence == Cadence.WEEKLY:
        # cron counts Sunday as 0; Python's weekday() counts Monday as 0.
        crontab = _crontab(minute="0", hour=str(CADENCE_HOUR), day_of_week=str((schedule.cadence_weekday + 1) % 7),
                           day_of_month="*", month_of_year="*")
    elif schedule.cadence == Cadence.MONTHLY:
        crontab = _crontab(minute="0", hour=str(CADENCE_HOUR), day_of_week="*",
                           day_of_month=str(schedule.cadence_day), month_of_year="*")
    else:
        interval, _ = IntervalSchedule.objects.get_or_create(every=schedule.cadence_every_days, period=IntervalSchedule.DAYS)
    values = {
        "name": _cadence_task_name(schedule),
        "task": CADENCE_TASK,
        "crontab": crontab,
        "interval": interval,
        "kwargs": json.dumps({"schedule_id": schedule.pk}),
        "enabled": schedule.is_active,
        "description": f"Scheduled paper: {schedule}"[:500],
        "start_time": _next_run_start(timezone.now()) if interval else None,
    }
    if task is None:
        task = PeriodicTask.objects.filter(name=values["name"]).first() or PeriodicTask(name=values["name"])
    for name, value in values.items():
        setattr(task, name, value)
    task.save()
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task"])


# --- Schedules: the writes of the schedule pages ---------------------------------------

SCHEDULE_FIELDS = (
    "plan", "body", "kind", "format", "mode", "working_days_before", "cadence", "cadence_weekday",
    "cadence_day", "cadence_every_days", "recipients", "attach_file", "parameters", "is_active",
)


def _tidy_cadence(schedule: ReportSchedule) -> None:
    # Only the fields of the chosen mode and cadence are kept, so the page never shows a
    # stale "every 14 days" under a weekly cadence.
    if schedule.mode != ScheduleMode.CADENCE:
        schedule.cadence = ""
    if schedule.mode != ScheduleMode.BEFORE_EACH_MEETING:
        schedule.working_days_before = None
    if schedule.cadence != Cadence.WEEKLY:
        schedule.cadence_weekday = None
    if schedule.cadence != Cadence.MONTHLY:
        schedule.cadence_day = None
    if schedule.cadence != Cadence.EVERY_N_DAYS:
        schedule.cadence_every_days = None


def schedule_create(
    *,
    plan,
    body,
    kind: str,
    format: str,
    mode: str,
    recipients: list[str],
    created_by,
    working_days_before: int | None = None,
    cadence: str = "",
    cadence_weekday: int | None = None,
    cadence_day: int | None = None,
    cadence_every_days: int | None = None,
    attach_file: bool = True,
    parameters: dict | None = None,
    is_active: bool = True,
) -> ReportSchedule:
    _check_renderer(kind, format)
    with transaction.atomic():
        schedule = ReportSchedule(
            plan=plan, body=body, kind=kind, format=format, mode=mode, working_days_before=working_days_before,
            cadence=cadence, cadence_weekday=cadence_weekday, cadence_day=cadence_day,
            cadence_every_days=cadence_every_days, recipients=list(recipients), attach_file=attach_file,
            parameters=parameters or {}, is_active=is_active, created_by=created_by,
        )
        _tidy_cadence(schedule)
        schedule.full_clean()
        schedule.save()
        _sync_periodic_task(schedule)
        periodic_tasks_ensure()
    return schedule


def schedule_update(*, schedule: ReportSchedule, **values) -> ReportSchedule:
    unknown = set(values) - set(SCHEDULE_FIELDS)
    if unknown:
        raise TypeError(f"schedule_update() got unexpected fields: {', '.join(sorted(unknown))}")
    _check_renderer(values.get("kind", schedule.kind), values.get("format", schedule.format))
    with transaction.atomic():
        schedule = ReportSchedule.objects.select_for_update(of=("self",)).select_related("periodic_task").get(pk=schedule.pk)
        for name, value in values.items():
            setattr(schedule, name, value)
        _tidy_cadence(schedule)
        schedule.full_clean()
        schedule.save()
        _sync_periodic_task(schedule)
        periodic_tasks_ensure()
    return schedule


def schedule_delete(*, schedule: ReportSchedule) -> None:
    """Remove a schedule and its beat entry. The papers it made stay in the archive, and
    its runs (who was emailed what, when) stay with them."""
    with transaction.atomic():
        task_id = schedule.periodic_task_id
        schedule.delete()
        if task_id:
            PeriodicTask.objects.filter(pk=task_id).delete()


# --- Schedules: the beat tasks' work --------------------------------------------------


def _enqueue_email(job_id: int) -> None:
    from reports.tasks import EMAIL_FIRST_CHECK_SECONDS, email_report_job

    email_report_job.apply_async(args=[job_id], countdown=EMAIL_FIRST_CHECK_SECONDS)


def _enqueue_job(job_id: int) -> None:
    from reports.tasks import run_report_job

    run_report_job.delay(job_id)


def _make_run(schedule: ReportSchedule, *, today: dt.date, due_date: dt.date, meeting: Meeting | None) -> ScheduledRun | None:
    """Request the paper and record the run, or nothing if the run exists already."""
    try:
        with transaction.atomic():
            job = report_job_create(
                plan=schedule.plan,
                kind=schedule.kind,
                format=schedule.format,
                requested_by=None,  # a partnership paper: the whole plan, no requester's scope
                as_at=today,
                body=schedule.body,
                meeting=meeting,
                parameters=dict(schedule.parameters or {}),
            )
            run = ScheduledRun.objects.create(schedule=schedule, meeting=meeting, due_date=due_date, job=job)
            # After the job's own on-commit enqueue, so that in-process the paper is done
            # before the email is looked at; with a worker the email task waits for it.
            transaction.on_commit(lambda: _enqueue_email(job.pk), robust=True)
    except IntegrityError:
        # Another run of the beat task made it first; the rollback dropped our job request.
        logger.info("Schedule %s: the paper for %s was made by another run", schedule.pk, meeting or due_date)
        return None
    except ValidationError as exc:
        logger.error("Schedule %s cannot make its paper: %s", schedule.pk, "; ".join(exc.messages))
        return None
    logger.info("Schedule %s: requested job %s for %s", schedule.pk, run.job_id, meeting or due_date)
    return run


def _follow_up(run: ScheduledRun) -> None:
    """A run whose paper failed is tried again; a finished paper not yet emailed is
    emailed. Both are safe to repeat: the job and the email record their outcome."""
    job = run.job
    if job.status == JobStatus.FAILED and job.attempts < SCHEDULED_MAX_ATTEMPTS:
        logger.info("Schedule %s: trying failed job %s again", run.schedule_id, job.pk)
        transaction.on_commit(lambda: _enqueue_job(job.pk), robust=True)
        transaction.on_commit(lambda: _enqueue_email(job.pk), robust=True)
    elif job.status == JobStatus.DONE and run.emailed_at is None:
        transaction.on_commit(lambda: _enqueue_email(job.pk), robust=True)


def schedules_run_due(*, today: dt.date) -> list[ScheduledRun]:
    """Make the papers whose day has come: for each active before-each-meeting schedule,
    the paper for the body's nearest meeting on or after ``today`` once ``today`` has
    reached its paper day (``add_working_days(meeting.date, -N)``), if none was made.
    Returns the runs made now."""
    schedules = list(
        ReportSchedule.objects.filter(is_active=True, mode=ScheduleMode.BEFORE_EACH_MEETING)
        .exclude(plan__status=PlanStatus.CLOSED)  # a closed plan reports no more
        .select_related("plan", "body")
    )
    nearest = upcoming_meetings_by_body([s.body_id for s in schedules], today)
    existing = {
        (run.schedule_id, run.meeting_id): run
        for run in ScheduledRun.objects.filter(
            schedule__in=schedules, meeting__in=list(nearest.values())
        ).select_related("job")
    }
    made = []
    for schedule in schedules:
        upcoming = next_paper(schedule, nearest)
        if upcoming.meeting is None or upcoming.paper_day > today:
            continue
        run = existing.get((schedule.pk, upcoming.meeting.pk))
        if run is not None:
            _follow_up(run)
            continue
        run = _make_run(schedule, today=today, due_date=upcoming.paper_day, meeting=upcoming.meeting)
        if run is not None:
            made.append(run)
    return made


def schedule_run_cadence(*, schedule_id: int, today: dt.date) -> ScheduledRun | None:
    """Make a cadence schedule's paper for ``today``, once."""
    schedule = (
        ReportSchedule.objects.filter(pk=schedule_id, is_active=True, mode=ScheduleMode.CADENCE)
        .exclude(plan__status=PlanStatus.CLOSED)
        .select_related("plan", "body")
        .first()
    )
    if schedule is None:
        return None
    existing = ScheduledRun.objects.filter(schedule=schedule, meeting=None, due_date=today).select_related("job").first()
    if existing is not None:
        _follow_up(existing)
        return None
    return _make_run(schedule, today=today, due_date=today, meeting=None)


class EmailOutcome(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already sent"
    WAITING = "waiting for the paper"
    JOB_FAILED = "the paper failed"
    NOT_SCHEDULED = "not a scheduled paper"


def _subject(job: ReportJob) -> str:
    subject = f"{job.get_kind_display()}: {job.plan.title}"
    if job.meeting_id:
        subject += f" for {job.meeting.body.name}, {job.meeting.date.day} {job.meeting.date:%B %Y}"
    elif job.body_id:
        subject += f" for {job.body.name}"
    return subject


def scheduled_run_email(*, job_id: int) -> EmailOutcome:
    """Email a scheduled paper to its schedule's recipients, once it is done and only once.

    The file is attached when the schedule asks for it and it is no bigger than 10 MB;
    otherwise the email links to the paper's page, where it downloads after signing in.
    The emails go through the outbox: ``emailed_at`` records when they were queued, and
    each recipient's email is sent by its own task (its outcome is in the admin's email
    deliveries)."""
    with transaction.atomic():
        run = (
            ScheduledRun.objects.select_for_update(of=("self",))
            .select_related("schedule", "job__plan", "job__body", "job__meeting__body")
            .filter(job_id=job_id)
            .first()
        )
        if run is None:
            return EmailOutcome.NOT_SCHEDULED
        if run.emailed_at is not None:
            return EmailOutcome.ALREADY_SENT
        if run.schedule is None:  # deleted before its paper was sent: nobody to send it to
            return EmailOutcome.NOT_SCHEDULED
        job = run.job
        if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            return EmailOutcome.WAITING
        if job.status == JobStatus.FAILED:
            run.email_error = f"Not sent: the paper could not be produced ({job.error})"[:2000]
            run.save(update_fields=["email_error"])
            logger.warning("Scheduled paper %s failed; nothing emailed", job.pk)
            return EmailOutcome.JOB_FAILED

        schedule = run.schedule
        attach = schedule.attach_file and (job.size_bytes or 0) <= ATTACHMENT_MAX_BYTES
        context = {
            "job": job,
            "run": run,
            "schedule": schedule,
            "attached": attach,
            "too_big": schedule.attach_file and not attach,
            "url": settings.SITE_URL + reverse("reports:job_detail", args=[job.pk]),
            "PARTNERSHIP_NAME": settings.PARTNERSHIP_NAME,
        }
        body = render_to_string("reports/email/paper.txt", context)
        subject = _subject(job)
        # One message per recipient: councillors and officers do not see each other's
        # addresses. The file is read from the archive when each email is sent.
        attachment = (
            {"attachment_path": job.file.name, "attachment_name": job.file_name or f"paper.{job.format}",
             "attachment_type": CONTENT_TYPES.get(job.format, "")}
            if attach else {}
        )
        email_enqueue(emails=[
            OutgoingEmail(key=f"paper:{job.pk}:{recipient}", recipient=recipient, subject=subject, body=body, **attachment)
            for recipient in schedule.recipients
        ])
        run.emailed_at = timezone.now()
        run.emailed_to = list(schedule.recipients)
        run.email_error = ""
        run.save(update_fields=["emailed_at", "emailed_to", "email_error"])
    return EmailOutcome.SENT
