"""Scheduled papers on a frozen clock: made on the right working day before a meeting
(bank holidays not counted), once however often the beat runs, caught up once after the
beat was down, and emailed once, with the paper attached or linked."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from partners.choices import BodyKind
from partners.workdays import add_working_days
from reports import services as schedules
from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.models import Cadence, ReportJob, ScheduledRun, ScheduleMode
from reports.papers import registry as renderers
from reports.services import EmailOutcome, schedule_create, scheduled_run_email
from reports.tasks import email_report_job, run_cadence_schedule, run_due_schedules
from tests.factories import (
    ActionFactory,
    GovernanceBodyFactory,
    MeetingFactory,
    PlanFactory,
    SectionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files", "eager_tasks")]
LONDON = ZoneInfo("Europe/London")

# Tuesday 6 May 2025 follows the early May bank holiday (Monday 5 May); counting ten
# working days back also skips Easter Monday (21 April) and Good Friday (18 April).
MEETING = dt.date(2025, 5, 6)
PAPER_DAY = dt.date(2025, 4, 17)


def at(day: dt.date, hour: int = 7) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def reports_urls(settings):
    import tests.test_report_pages as pages

    if not pages._REPORTS_WIRED:
        settings.ROOT_URLCONF = "tests.test_report_pages"


@pytest.fixture(autouse=True)
def paper_renderers(monkeypatch):
    from reports.papers.registry import PAPERS as SUPPORTED
    from reports.papers.registry import render_job

    for kind, fmt in SUPPORTED:
        if renderers.renderer_for(kind, fmt) is None:
            monkeypatch.setitem(renderers.RENDERERS, (str(kind), str(fmt)), render_job)


@pytest.fixture
def clock(db):
    """The clock stands still at 07:00 on 1 April 2025 until a test moves it."""
    with time_machine.travel(at(dt.date(2025, 4, 1)), tick=False) as traveller:
        yield traveller


@pytest.fixture
def scrutiny(clock):
    body = GovernanceBodyFactory(
        name="Performance Scrutiny Committee", short_name="PSC", kind=BodyKind.SCRUTINY, papers_due_working_days=10
    )
    MeetingFactory(body=body, date=MEETING)
    return body


@pytest.fixture
def plan(clock):
    plan = PlanFactory(title="Testshire JTAI plan", slug="testshire-jtai")
    section = SectionFactory(plan=plan, number="1", title="Front door")
    ActionFactory(plan=plan, section=section, reference="1.1", due_date=dt.date(2025, 9, 30))
    return plan


def _schedule(plan, body, clerk, **values):
    defaults = {
        "kind": ReportKind.COMMITTEE, "format": ReportFormat.PDF, "mode": ScheduleMode.BEFORE_EACH_MEETING,
        "recipients": ["clerk@council.gov.uk", "chair@council.gov.uk"], "created_by": clerk,
        "parameters": {"report_of": "Director of Children's Services"},
    }
    defaults.update(values)
    return schedule_create(plan=plan, body=body, **defaults)


def beat(capture, day: dt.date | None = None) -> int:
    """One firing of the daily beat entry, with its queued work run as a worker would."""
    with capture(execute=True):
        return run_due_schedules.delay().get() if day is None else run_due_schedules.delay(day.isoformat()).get()


def test_the_paper_day_is_ten_working_days_before_skipping_three_bank_holidays():
    assert add_working_days(MEETING, -10) == PAPER_DAY


def test_the_paper_is_made_on_its_working_day_once_and_emailed_once(
    clock, plan, scrutiny, clerk, django_capture_on_commit_callbacks
):
    schedule = _schedule(plan, scrutiny, clerk)

    clock.move_to(at(PAPER_DAY - dt.timedelta(days=1)))  # Wednesday 16 April: not yet
    assert beat(django_capture_on_commit_callbacks) == 0
    assert ReportJob.objects.count() == 0 and mail.outbox == []

    clock.move_to(at(PAPER_DAY))  # Thursday 17 April, 07:00
    assert beat(django_capture_on_commit_callbacks) == 1
    assert beat(django_capture_on_commit_callbacks) == 0  # the beat fires twice
    clock.move_to(at(PAPER_DAY + dt.timedelta(days=1)))  # and again on Good Friday
    assert beat(django_capture_on_commit_callbacks) == 0

    job = ReportJob.objects.get()
    assert job.status == JobStatus.DONE, job.error
    assert (job.requested_by, job.body, job.meeting.date, job.as_at) == (None, scrutiny, MEETING, PAPER_DAY)
    assert job.parameters == {"report_of": "Director of Children's Services"}
    run = ScheduledRun.objects.get()
    assert (run.schedule, run.job, run.due_date) == (schedule, job, PAPER_DAY)
    assert run.emailed_at is not None and run.emailed_to == ["clerk@council.gov.uk", "chair@council.gov.uk"]

    # One email per recipient, each with the paper attached, sent once.
    assert sorted(m.to[0] for m in mail.outbox) == ["chair@council.gov.uk", "clerk@council.gov.uk"]
    message = mail.outbox[0]
    assert len(message.to) == 1 and not message.cc and not message.bcc
    assert message.subject == "Committee progress report: Testshire JTAI plan for Performance Scrutiny Committee, 6 May 2025"
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == (job.file_name, "application/pdf")
    assert content == job.file.open("rb").read() and content.startswith(b"%PDF")
    assert "The paper is attached" in message.body and job.checksum_sha256 in message.body
    assert f"/reports/{job.pk}/" in message.body

    # Asked again to email it (a redelivered task), nothing more is sent.
    assert email_report_job.delay(job.pk).get() == str(EmailOutcome.ALREADY_SENT)
    assert len(mail.outbox) == 2


def test_after_the_beat_was_down_only_the_nearest_meetings_paper_is_made_once(
    clock, plan, scrutiny, clerk, django_capture_on_commit_callbacks
):
    later = MeetingFactory(body=scrutiny, date=dt.date(2025, 5, 13))  # paper day: Monday 28 April
    _schedule(plan, scrutiny, clerk, recipients=["clerk@council.gov.uk"])

    # Down from before 17 April until Friday 2 May: both papers' days have passed.
    clock.move_to(at(dt.date(2025, 5, 2)))
    assert beat(django_capture_on_commit_callbacks) == 1
    assert beat(django_capture_on_commit_callbacks) == 0
    assert [j.meeting.date for j in ReportJob.objects.all()] == [MEETING]
    assert len(mail.outbox) == 1

    # Once the 6 May meeting has been, the next day's run makes the 13 May paper.
    clock.move_to(at(dt.date(2025, 5, 7)))
    assert beat(django_capture_on_commit_callbacks) == 1
    clock.move_to(at(dt.date(2025, 5, 9)))
    assert beat(django_capture_on_commit_callbacks) == 0
    assert sorted(j.meeting_id for j in ReportJob.objects.all()) == sorted([scrutiny.meetings.get(date=MEETING).pk, later.pk])
    assert ReportJob.objects.filter(status=JobStatus.DONE).count() == 2
    assert len(mail.outbox) == 2


def test_a_run_given_a_later_date_makes_exactly_one_paper(clock, plan, scrutiny, clerk, django_capture_on_commit_callbacks):
    _schedule(plan, scrutiny, clerk, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV)
    for day in (dt.date(2025, 4, 24), dt.date(2025, 4, 25), dt.date(2025, 5, 1), MEETING):
        beat(django_capture_on_commit_callbacks, day)
    assert ScheduledRun.objects.count() == 1 and ReportJob.objects.count() == 1
    assert ReportJob.objects.get().as_at == dt.date(2025, 4, 24)
    assert len(mail.outbox) == 2  # two recipients, once each


def test_the_schedules_own_working_days_and_the_meeting_day_rule(
    clock, plan, scrutiny, clerk, django_capture_on_commit_callbacks
):
    _schedule(plan, scrutiny, clerk, working_days_before=3, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV)
    # Three working days before Tuesday 6 May (Monday 5 May a bank holiday) is Wednesday 30 April.
    assert beat(django_capture_on_commit_callbacks, dt.date(2025, 4, 29)) == 0
    assert beat(django_capture_on_commit_callbacks, dt.date(2025, 4, 30)) == 1


def test_a_paused_schedule_and_a_meeting_that_has_been_make_nothing(
    clock, plan, scrutiny, clerk, django_capture_on_commit_callbacks
):
    paused = _schedule(plan, scrutiny, clerk, is_active=False)
    assert beat(django_capture_on_commit_callbacks, PAPER_DAY) == 0
    schedules.schedule_update(schedule=paused, is_active=True)
    assert beat(django_capture_on_commit_callbacks, MEETING + dt.timedelta(days=1)) == 0  # the meeting has been
    assert ReportJob.objects.count() == 0


def test_a_paper_larger_than_10_mb_or_not_to_be_attached_is_linked(
    clock, plan, scrutiny, clerk, monkeypatch, django_capture_on_commit_callbacks
):
    _schedule(plan, scrutiny, clerk, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV,
              recipients=["clerk@council.gov.uk"])
    other_body = GovernanceBodyFactory(name="Cabinet", kind=BodyKind.CABINET)
    MeetingFactory(body=other_body, date=MEETING)
    _schedule(plan, other_body, clerk, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV,
              recipients=["cabinet@council.gov.uk"], attach_file=False)
    monkeypatch.setattr(schedules, "ATTACHMENT_MAX_BYTES", 10)  # the CSV is bigger than this

    beat(django_capture_on_commit_callbacks, PAPER_DAY)

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"clerk@council.gov.uk", "cabinet@council.gov.uk"}
    assert all(m.attachments == [] for m in mail.outbox)
    assert "too large to attach" in by_recipient["clerk@council.gov.uk"].body
    assert "Download the paper here after signing in" in by_recipient["cabinet@council.gov.uk"].body
    for message in mail.outbox:
        job = ScheduledRun.objects.get(schedule__recipients=[message.to[0]]).job
        assert f"http://127.0.0.1:8000/reports/{job.pk}/" in message.body


def test_a_failed_paper_is_not_emailed_and_is_tried_again_the_next_day(
    clock, plan, scrutiny, clerk, monkeypatch, django_capture_on_commit_callbacks
):
    _schedule(plan, scrutiny, clerk, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV)
    key = (ReportKind.ACTIONS_EXPORT.value, ReportFormat.CSV.value)
    real = renderers.RENDERERS[key]

    def broken(job):
        raise RuntimeError("The disk is full")

    monkeypatch.setitem(renderers.RENDERERS, key, broken)
    beat(django_capture_on_commit_callbacks, PAPER_DAY)  # the failure is recorded on the job
    job = ReportJob.objects.get()
    assert job.status == JobStatus.FAILED and mail.outbox == []

    monkeypatch.setitem(renderers.RENDERERS, key, real)
    beat(django_capture_on_commit_callbacks, PAPER_DAY + dt.timedelta(days=1))
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert ReportJob.objects.count() == 1 and len(mail.outbox) == 2


def test_the_email_waits_for_the_paper_and_records_a_failure(plan, scrutiny, clerk):
    schedule = _schedule(plan, scrutiny, clerk)
    job = ReportJob.objects.create(plan=plan, kind=ReportKind.COMMITTEE, format=ReportFormat.PDF, body=scrutiny)
    run = ScheduledRun.objects.create(schedule=schedule, meeting=scrutiny.meetings.get(), due_date=PAPER_DAY, job=job)

    assert scheduled_run_email(job_id=job.pk) == EmailOutcome.WAITING
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="RuntimeError: no fonts")
    assert scheduled_run_email(job_id=job.pk) == EmailOutcome.JOB_FAILED
    run.refresh_from_db()
    assert run.emailed_at is None and "no fonts" in run.email_error and mail.outbox == []
    other = ReportJob.objects.create(plan=plan, kind=ReportKind.COMMITTEE, format=ReportFormat.PDF)
    assert scheduled_run_email(job_id=other.pk) == EmailOutcome.NOT_SCHEDULED


def test_a_cadence_schedule_makes_one_paper_a_day_however_often_its_entry_fires(
    clock, plan, scrutiny, clerk, django_capture_on_commit_callbacks
):
    schedule = _schedule(plan, scrutiny, clerk, mode=ScheduleMode.CADENCE, cadence=Cadence.MONTHLY, cadence_day=1,
                         kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV)
    task = schedule.periodic_task
    assert task.task == "reports.scheduling.run_cadence_schedule"
    assert (task.crontab.day_of_month, task.crontab.hour) == ("1", "7")

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            run_cadence_schedule.apply_async(kwargs=json.loads(task.kwargs)).get()
    clock.move_to(at(dt.date(2025, 5, 1)))
    with django_capture_on_commit_callbacks(execute=True):
        run_cadence_schedule.apply_async(kwargs=json.loads(task.kwargs)).get()

    assert sorted(ScheduledRun.objects.values_list("due_date", flat=True)) == [dt.date(2025, 4, 1), dt.date(2025, 5, 1)]
    assert all(j.meeting is None and j.body == scrutiny for j in ReportJob.objects.all())
    assert len(mail.outbox) == 4  # two papers, two recipients each
    # the daily run leaves cadence schedules to their own entries
    assert beat(django_capture_on_commit_callbacks, PAPER_DAY) == 0


def test_the_beat_entries_exist_in_london_time_and_ensuring_them_changes_nothing(db):
    daily = PeriodicTask.objects.get(name="reports: run due schedules")
    weekly = PeriodicTask.objects.get(name="reminders: weekly")
    assert daily.task == "reports.scheduling.run_due_schedules" and daily.enabled
    assert (daily.crontab.minute, daily.crontab.hour, daily.crontab.day_of_week) == ("0", "7", "*")
    assert weekly.task == "reports.scheduling.send_weekly_reminders"
    assert (weekly.crontab.minute, weekly.crontab.hour, weekly.crontab.day_of_week) == ("30", "7", "1")
    assert str(daily.crontab.timezone) == str(weekly.crontab.timezone) == "Europe/London"

    before = list(PeriodicTask.objects.order_by("pk").values_list("pk", "name", "task", "crontab_id"))
    schedules.periodic_tasks_ensure()
    schedules.periodic_tasks_ensure()
    assert list(PeriodicTask.objects.order_by("pk").values_list("pk", "name", "task", "crontab_id")) == before


def test_deleting_a_schedule_keeps_its_papers_and_the_record_of_who_was_emailed(
    clock, plan, scrutiny, clerk, django_capture_on_commit_callbacks
):
    schedule = _schedule(plan, scrutiny, clerk, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV)
    beat(django_capture_on_commit_callbacks, PAPER_DAY)

    schedules.schedule_delete(schedule=schedule)

    run = ScheduledRun.objects.select_related("job").get()
    assert run.schedule is None and run.job.status == JobStatus.DONE
    assert run.emailed_to == ["clerk@council.gov.uk", "chair@council.gov.uk"]
    assert scheduled_run_email(job_id=run.job_id) == EmailOutcome.ALREADY_SENT


def test_the_papers_page_says_what_became_of_each_recipients_email(
    client, clock, plan, scrutiny, clerk, member, django_capture_on_commit_callbacks
):
    _schedule(plan, scrutiny, clerk)
    clock.move_to(at(PAPER_DAY))
    assert beat(django_capture_on_commit_callbacks) == 1
    job = ReportJob.objects.get()

    client.force_login(clerk)
    page = client.get(reverse("reports:job_detail", args=[job.pk])).content.decode()

    assert "for 2 recipients" in page
    assert "chair@council.gov.uk: Sent, 17 April 2025" in page
    assert "clerk@council.gov.uk: Sent, 17 April 2025" in page
    # Members read the paper, not who it was emailed to.
    client.force_login(member)
    page = client.get(reverse("reports:job_detail", args=[job.pk])).content.decode()
    assert "for 2 recipients" in page and "chair@council.gov.uk" not in page
