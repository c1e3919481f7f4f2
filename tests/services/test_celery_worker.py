"""Report jobs through the production shape: queued by the web process on PostgreSQL,
carried by Redis, produced by a real Celery worker in another process."""

import csv
import hashlib
import io
import time
from pathlib import Path

import pytest
from django.conf import settings

from actionplans.choices import RAG
from config.celery import app as celery_app
from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.models import ReportJob
from reports.services import report_job_create
from tests.factories import ActionFactory, PlanFactory, ProgressUpdateFactory, SectionFactory
from tests.services.conftest import pool_children

pytestmark = pytest.mark.services

JOB_TIMEOUT = 60


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _wait_for_outcome(job_id: int) -> ReportJob:
    """Poll the database, as the page that shows the job does, until the job is done or failed."""
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        job = ReportJob.objects.get(pk=job_id)
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            return job
        time.sleep(0.2)
    pytest.fail(f"Report job {job_id} still {job.status} after {JOB_TIMEOUT}s")


def test_a_report_job_is_produced_by_the_worker(celery_worker, transactional_db, officer):
    # Not in-process: the job can only be produced by the worker reading the broker.
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert celery_app.conf.task_always_eager is False
    plan = PlanFactory(slug="worker-plan")
    section = SectionFactory(plan=plan)
    for order in range(3):
        action = ActionFactory(plan=plan, section=section, order=order)
        ProgressUpdateFactory(action=action, proposed_rag=RAG.AMBER, author=officer)

    # Outside any transaction (transactional_db): committed at once, and queued on commit.
    job = report_job_create(
        plan=plan, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV, requested_by=officer
    )
    assert job.status == JobStatus.QUEUED

    job = _wait_for_outcome(job.pk)

    assert job.status == JobStatus.DONE, f"{job.error}\n{celery_worker['output']()}"
    assert job.attempts == 1
    # The worker wrote the file in its own PRIVATE_FILES_ROOT; read it from there.
    content = (celery_worker["files_root"] / job.file.name).read_bytes()
    assert job.checksum_sha256 == hashlib.sha256(content).hexdigest()
    assert job.size_bytes == len(content)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert {row["RAG"] for row in rows} == {"Amber"}


def test_healthz_reports_the_broker_and_the_worker(celery_worker, client, transactional_db):
    response = client.get("/healthz")

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": True, "required": True}
    assert checks["broker"] == {"ok": True, "required": False}  # without it: degraded, not down
    assert checks["worker"]["ok"] is True
    assert checks["worker"]["workers"] >= 1



def test_a_worker_killed_while_rendering_leaves_one_done_job_and_one_file(celery_worker, transactional_db, director):
    import os
    import signal

    from tests.factories import PostFactory

    plan = PlanFactory(slug="killed-worker-plan")
    section = SectionFactory(plan=plan)
    post = PostFactory()
    for order in range(300):  # a paper that takes the worker several seconds
        ActionFactory(plan=plan, section=section, lead_post=post, order=order, reference=f"K{order}")

    job = report_job_create(plan=plan, kind=ReportKind.OFSTED_PLAN, format=ReportFormat.PDF, requested_by=director)
    deadline = time.monotonic() + JOB_TIMEOUT
    while ReportJob.objects.get(pk=job.pk).status != JobStatus.RUNNING:
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)
    children = pool_children(celery_worker["pid"])
    assert children, "no pool process to kill"
    for pid in children:
        os.kill(pid, signal.SIGKILL)  # mid-render: no chance to clean up or acknowledge

    job = _wait_for_outcome(job.pk)

    assert job.status == JobStatus.DONE, f"{job.error}\n{celery_worker['output']()}"
    assert job.attempts == 2  # the message was redelivered, not lost
    assert ReportJob.objects.filter(plan=plan).count() == 1
    stored = [p for p in (celery_worker["files_root"] / "reports").rglob("*") if p.is_file()]
    papers = [p for p in stored if p.suffix == ".pdf"]
    assert [p.name for p in papers] == [Path(job.file.name).name]  # the killed render left nothing
    assert hashlib.sha256(papers[0].read_bytes()).hexdigest() == job.checksum_sha256
    assert job.page_count and job.page_count > 1
