"""Scheduled papers: the services behind the schedule pages and the beat tasks.

A :class:`~reports.models.ReportSchedule` makes a paper for a governance body without
anyone asking, either a number of working days before each of the body's meetings
("papers for Performance Scrutiny are due 10 working days before the meeting") or on a
cadence (every Monday, the 1st of each month, every 14 days), and emails it to its
recipients once it is done.

- :func:`schedule_create`, :func:`schedule_update` and :func:`schedule_delete` are the
  writes the schedule pages call; they keep the schedule's own beat entry (a cadence's
  django-celery-beat PeriodicTask) in step, and make sure the daily and weekly entries
  exist (:func:`periodic_tasks_ensure`).
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
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from actionplans.choices import PlanStatus
from partners.email_outbox import OutgoingEmail, email_enqueue
from partners.models import Meeting
from partners.workdays import add_working_days
from reports.choices import JobStatus, ReportFormat, kind_in_sentence
from reports.models import Cadence, ReportJob, ReportSchedule, ScheduledRun, ScheduleMode
from reports.papers.registry import renderer_for
from reports.services import report_job_create

logger = logging.getLogger(__name__)

TIME_ZONE = "Europe/London"
DAILY_TASK_NAME = "reports: run due schedules"
WEEKLY_REMINDERS_TASK_NAME = "reminders: weekly"
STALLED_JOBS_TASK_NAME = "reports: dispatch stalled jobs"
# The beat entries every installation needs; reports/migrations/0003_beat_tasks.py creates
# the first two, 0004 the third.
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
CADENCE_HOUR = 7  # cadence papers are made at 07:00, London time, like the daily run

# Larger papers are linked, not attached: many council mail systems refuse big messages.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# A job whose renderer failed is tried again by the next day's run, up to this many attempts.
MAX_ATTEMPTS = 3
CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportFormat.CSV: "text/csv",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


# --- Beat entries ------------------------------------------------------------------------


def _crontab(**fields) -> CrontabSchedule:
    crontab = CrontabSchedule.objects.filter(timezone=TIME_ZONE, **fields).first()
    return crontab or CrontabSchedule.objects.create(timezone=TIME_ZONE, **fields)


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


# --- Writes from the schedule pages ------------------------------------------------------

SCHEDULE_FIELDS = (
    "plan", "body", "kind", "format", "mode", "working_days_before", "cadence", "cadence_weekday",
    "cadence_day", "cadence_every_days", "recipients", "attach_file", "parameters", "is_active",
)


def _check_renderer(kind: str, format: str) -> None:
    if renderer_for(kind, format) is None:
        raise ValidationError(
            {"format": f"{kind_in_sentence(kind, start=True)} cannot be produced as {ReportFormat(format).label}. Choose another format."},
            code="no_renderer",
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


# --- Reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextPaper:
    meeting: Meeting | None
    paper_day: dt.date | None


def describe_when(schedule: ReportSchedule) -> str:
    """When the schedule makes its paper, in words."""
    if schedule.mode == ScheduleMode.BEFORE_EACH_MEETING:
        days = schedule.days_before
        own = "" if schedule.working_days_before is not None else " (the body's deadline)"
        return f"{days} working day{'s' if days != 1 else ''} before each meeting{own}"
    if schedule.cadence == Cadence.WEEKLY and schedule.cadence_weekday is not None:
        return f"Every {WEEKDAYS[schedule.cadence_weekday]} at {CADENCE_HOUR:02d}:00"
    if schedule.cadence == Cadence.MONTHLY and schedule.cadence_day:
        return f"On day {schedule.cadence_day} of every month at {CADENCE_HOUR:02d}:00"
    if schedule.cadence == Cadence.EVERY_N_DAYS and schedule.cadence_every_days:
        n = schedule.cadence_every_days
        return f"Every {n} day{'s' if n != 1 else ''} at {CADENCE_HOUR:02d}:00"
    return "Not set"


def upcoming_meetings_by_body(body_ids, today: dt.date) -> dict[int, Meeting]:
    """The nearest meeting on or after ``today`` of each body, in one query."""
    nearest: dict[int, Meeting] = {}
    for meeting in Meeting.objects.filter(body_id__in=set(body_ids), date__gte=today).order_by("body_id", "date"):
        nearest.setdefault(meeting.body_id, meeting)
    return nearest


def next_paper(schedule: ReportSchedule, nearest: dict[int, Meeting]) -> NextPaper:
    """The meeting a before-each-meeting schedule is working towards, and its paper day."""
    meeting = nearest.get(schedule.body_id)
    if schedule.mode != ScheduleMode.BEFORE_EACH_MEETING or meeting is None:
        return NextPaper(None, None)
    return NextPaper(meeting, add_working_days(meeting.date, -schedule.days_before))


# --- The beat tasks' work ----------------------------------------------------------------


def _enqueue_email(job_id: int) -> None:
    from reports.scheduling import EMAIL_FIRST_CHECK_SECONDS, email_report_job

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
    if job.status == JobStatus.FAILED and job.attempts < MAX_ATTEMPTS:
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
