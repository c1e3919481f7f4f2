"""Handing report jobs to the worker: a broker that cannot be reached leaves the job
recorded and queued (the request still succeeds, quickly), and the sweep hands over the
queued jobs that never reached the broker; a job handed over twice still makes one file.
The broker is made unreachable by configuration (a closed port), not by a mock;
tests/faults stops a real Redis under a real web process."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.models import ReportJob
from reports.services import (
    DISPATCH_GRACE,
    OVERRUN_GRACE,
    REDISPATCH_AFTER,
    report_job_create,
    report_job_run,
    report_jobs_dispatch_stalled,
    report_jobs_fail_overrun,
)
from reports.tasks import dispatch_stalled_report_jobs
from tests.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.usefixtures("private_files")


@pytest.fixture
def plan(db):
    plan = PlanFactory(slug="dispatch-plan")
    ActionFactory(plan=plan)
    return plan


def _job(plan, user, *, requested_ago: dt.timedelta, dispatched_ago: dt.timedelta | None = None, status=JobStatus.QUEUED):
    now = timezone.now()
    return ReportJob.objects.create(
        plan=plan, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV, requested_by=user, status=status,
        requested_at=now - requested_ago, dispatched_at=None if dispatched_ago is None else now - dispatched_ago,
    )


def test_a_paper_requested_while_the_broker_is_down_is_recorded_queued_without_an_error(
    plan, officer, broker_down, django_capture_on_commit_callbacks, caplog
):

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_create(plan=plan, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV, requested_by=officer)
    elapsed = time.monotonic() - started

    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.dispatched_at is None
    assert elapsed < 3, f"publishing to a broker that is down took {elapsed:.1f}s"
    assert f"Report job {job.pk} is recorded but could not be queued" in caplog.text


def test_a_paper_handed_to_the_worker_records_when(plan, officer, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_create(plan=plan, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV, requested_by=officer)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.dispatched_at is not None


def test_the_sweep_hands_over_only_queued_jobs_that_never_reached_the_worker(plan, officer, eager_tasks):
    minute = dt.timedelta(minutes=1)
    never_sent = _job(plan, officer, requested_ago=minute)
    just_requested = _job(plan, officer, requested_ago=DISPATCH_GRACE / 2)
    sent_long_ago = _job(plan, officer, requested_ago=REDISPATCH_AFTER * 2, dispatched_ago=REDISPATCH_AFTER + minute)
    sent_recently = _job(plan, officer, requested_ago=minute, dispatched_ago=minute)
    running = _job(plan, officer, requested_ago=minute, status=JobStatus.RUNNING)
    failed = _job(plan, officer, requested_ago=minute, status=JobStatus.FAILED)

    assert report_jobs_dispatch_stalled() == [sent_long_ago.pk, never_sent.pk]

    statuses = dict(ReportJob.objects.values_list("pk", "status"))
    assert statuses[never_sent.pk] == statuses[sent_long_ago.pk] == JobStatus.DONE
    assert statuses[just_requested.pk] == statuses[sent_recently.pk] == JobStatus.QUEUED
    assert statuses[running.pk] == JobStatus.RUNNING
    assert statuses[failed.pk] == JobStatus.FAILED
    # Run again (the next minute's beat, a second worker starting): nothing more to do.
    assert report_jobs_dispatch_stalled() == []


def test_the_sweep_leaves_jobs_queued_while_the_broker_is_still_down(plan, officer, broker_down):
    stalled = [_job(plan, officer, requested_ago=dt.timedelta(minutes=n)) for n in (3, 2)]

    started = time.monotonic()
    assert report_jobs_dispatch_stalled() == []
    # It stops at the first job it cannot hand over, rather than waiting on each in turn.
    assert time.monotonic() - started < 3

    for job in stalled:
        job.refresh_from_db()
        assert (job.status, job.dispatched_at) == (JobStatus.QUEUED, None)


def test_a_job_handed_over_twice_and_run_twice_at_once_leaves_one_file(plan, officer, eager_tasks, monkeypatch, tmp_path):
    """The sweep may hand over a job whose first message is still on its way: both runs
    render, the first to finish stores its file, the other drops its own."""
    from reports.papers import registry as renderers

    key = (ReportKind.ACTIONS_EXPORT.value, ReportFormat.CSV.value)
    real = renderers.RENDERERS[key]
    calls = []

    def render_while_another_run_finishes(job):
        calls.append(job.pk)
        if len(calls) == 1:
            report_job_run(job_id=job.pk)  # the second message, run to the end meanwhile
        return real(job)

    monkeypatch.setitem(renderers.RENDERERS, key, render_while_another_run_finishes)
    job = _job(plan, officer, requested_ago=dt.timedelta(minutes=1))

    report_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert len(calls) == 2
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    stored = [p for p in (tmp_path / "private").rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [job.file.name.rsplit("/", 1)[-1]]


def test_a_job_killed_at_the_hard_time_limit_is_failed_by_the_sweep_not_left_running(plan, officer, settings):
    # The worker kills a task at its hard limit and acknowledges it: without the sweep, the
    # job would say "running" for ever.
    limit = dt.timedelta(seconds=settings.REPORT_TASK_TIME_LIMIT)
    now = timezone.now()
    killed = _job(plan, officer, requested_ago=limit * 2, status=JobStatus.RUNNING)
    ReportJob.objects.filter(pk=killed.pk).update(started_at=now - limit - OVERRUN_GRACE - dt.timedelta(seconds=1))
    still_within = _job(plan, officer, requested_ago=limit, status=JobStatus.RUNNING)
    ReportJob.objects.filter(pk=still_within.pk).update(started_at=now - limit)

    dispatch_stalled_report_jobs()

    killed.refresh_from_db()
    still_within.refresh_from_db()
    assert killed.status == JobStatus.FAILED
    assert "was stopped after" in killed.error and "Ask for it again" in killed.error
    assert still_within.status == JobStatus.RUNNING
    assert report_jobs_fail_overrun() == []
