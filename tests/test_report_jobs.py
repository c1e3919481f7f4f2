"""Report jobs from request to archived file, with tasks run in-process (eager), as in the
embedded default; tests/services/ runs the same through a real Celery worker."""

import csv
import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplans.actions.exports import HEADINGS as ACTIONS_CSV_COLUMNS
from actionplans.choices import RAG, ActionStatus
from actionplans.models import Action
from actionplans.rag import annotate_rag
from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.models import ReportJob
from reports.papers import registry as renderers
from reports.papers.content import Rendered
from reports.papers.registry import RENDERERS
from reports.services import report_job_create, report_job_run
from tests.factories import (
    ActionFactory,
    AgencyFactory,
    PlanFactory,
    PostFactory,
    ProgressUpdateFactory,
    SectionFactory,
)

pytestmark = pytest.mark.usefixtures("private_files", "eager_tasks")


TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Factories give every person a password; the production hasher costs a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _rows(job):
    with job.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def plan_with_actions(police, council):
    plan = PlanFactory(title="Testshire WSoA", slug="testshire-wsoa", uses_blue=True)
    front_door = SectionFactory(plan=plan, number="1", title="Front door", order=1)
    assessments = SectionFactory(plan=plan, number="2", title="Assessments", order=2)
    psw = PostFactory(agency=council, title="Principal Social Worker")
    di = PostFactory(agency=police, title="Detective Inspector, MASH")
    overdue = ActionFactory(
        plan=plan, section=front_door, reference="1.1", order=1, lead_post=psw,
        description="=Review thresholds", start_date=TODAY - dt.timedelta(days=90),
        due_date=TODAY - dt.timedelta(days=1), status=ActionStatus.IN_PROGRESS,
    )
    overdue.partner_agencies.add(police)
    ProgressUpdateFactory(action=overdue, proposed_rag=RAG.GREEN, as_of=TODAY - dt.timedelta(days=3))
    amber = ActionFactory(
        plan=plan, section=front_door, reference="1.2", order=2, lead_post=di,
        due_date=TODAY + dt.timedelta(days=60), status=ActionStatus.IN_PROGRESS,
    )
    ProgressUpdateFactory(action=amber, proposed_rag=RAG.AMBER, as_of=TODAY - dt.timedelta(days=2))
    delivered = ActionFactory(
        plan=plan, section=assessments, reference="2.1", order=3, lead_post=psw,
        lead_text="Principal Social Worker and Head of Service", due_date=TODAY - dt.timedelta(days=10),
        status=ActionStatus.DELIVERED,
    )
    evidenced = ActionFactory(
        plan=plan, section=assessments, reference="2.2", order=4, lead_post=psw,
        due_date=TODAY + dt.timedelta(days=5), status=ActionStatus.OUTCOME_EVIDENCED,
    )
    unrated = ActionFactory(
        plan=plan, section=None, reference="3", order=5, lead_post=None, due_date=None,
        status=ActionStatus.NOT_STARTED,
    )
    return plan, [overdue, amber, delivered, evidenced, unrated]


def _export(plan, user, capture):
    with capture(execute=True):
        job = report_job_create(
            plan=plan, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV, requested_by=user
        )
    job.refresh_from_db()
    return job


def test_csv_export_job_ends_done_with_one_row_per_action(
    plan_with_actions, officer, django_capture_on_commit_callbacks
):
    plan, actions = plan_with_actions

    job = _export(plan, officer, django_capture_on_commit_callbacks)

    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 1 and job.error == ""
    assert job.started_at <= job.finished_at
    assert job.file_name == f"testshire-wsoa-actions-{TODAY.isoformat()}.csv"
    content = job.file.read()
    assert job.checksum_sha256 == hashlib.sha256(content).hexdigest()
    assert job.size_bytes == len(content)
    assert job.page_count is None

    rows = _rows(job)
    assert list(rows[0].keys()) == ACTIONS_CSV_COLUMNS
    assert [row["Reference"] for row in rows] == ["1.1", "1.2", "2.1", "2.2", "3"]
    first = rows[0]
    assert first["Section"] == "1 Front door"
    assert first["Action"] == "'=Review thresholds"  # kept as text, never run as a formula
    assert first["What will be different"] == actions[0].outcome
    assert first["How will we know"] == actions[0].success_measure
    assert first["Lead"] == "Principal Social Worker, Testshire County Council"  # the shape the import reads back
    assert first["Partners"] == "TP"
    assert first["Start date"] == (TODAY - dt.timedelta(days=90)).isoformat()
    assert first["Due date"] == first["Original due date"] == (TODAY - dt.timedelta(days=1)).isoformat()
    assert first["Status"] == "In progress"
    assert rows[2]["Lead"] == "Principal Social Worker and Head of Service"
    assert rows[4]["Section"] == rows[4]["Lead"] == rows[4]["Due date"] == ""


def test_csv_rag_column_is_the_rag_rule(plan_with_actions, officer, django_capture_on_commit_callbacks):
    plan, _ = plan_with_actions

    job = _export(plan, officer, django_capture_on_commit_callbacks)

    by_rule = {
        a.reference: RAG(a.rag).label for a in annotate_rag(Action.objects.filter(plan=plan), TODAY)
    }
    exported = {row["Reference"]: row["RAG"] for row in _rows(job)}
    assert exported == by_rule
    # and the rule gave what the plan's owners would expect of these five actions
    assert exported == {
        "1.1": "Red", "1.2": "Amber", "2.1": "Green", "2.2": "Blue (complete)", "3": "Not yet rated",
    }


def test_a_partner_officer_exports_only_the_actions_of_their_agency(
    plan_with_actions, partner_officer, django_capture_on_commit_callbacks
):
    plan, _ = plan_with_actions

    job = _export(plan, partner_officer, django_capture_on_commit_callbacks)

    # 1.1 is supported by the police, 1.2 led by a police post; the rest are the council's.
    assert [row["Reference"] for row in _rows(job)] == ["1.1", "1.2"]


def test_running_a_done_job_again_keeps_its_one_file(
    plan_with_actions, officer, private_files, django_capture_on_commit_callbacks
):
    plan, _ = plan_with_actions
    job = _export(plan, officer, django_capture_on_commit_callbacks)
    files_before = _stored_files(private_files)

    again = report_job_run(job_id=job.pk)
    again.refresh_from_db()

    assert len(files_before) == 1
    assert _stored_files(private_files) == files_before
    assert (again.status, again.file.name, again.checksum_sha256, again.attempts) == (
        JobStatus.DONE, job.file.name, job.checksum_sha256, 1,
    )


def test_a_failed_job_run_again_is_done_with_one_file(
    plan_with_actions, officer, private_files, monkeypatch, django_capture_on_commit_callbacks
):
    plan, _ = plan_with_actions
    real = RENDERERS[(ReportKind.ACTIONS_EXPORT, ReportFormat.CSV)]

    def broken(job):
        raise RuntimeError("The plan could not be read")

    monkeypatch.setitem(RENDERERS, (ReportKind.ACTIONS_EXPORT, ReportFormat.CSV), broken)
    job = _export(plan, officer, django_capture_on_commit_callbacks)
    monkeypatch.setitem(RENDERERS, (ReportKind.ACTIONS_EXPORT, ReportFormat.CSV), real)

    report_job_run(job_id=job.pk)
    report_job_run(job_id=job.pk)
    job.refresh_from_db()

    assert (job.status, job.attempts, job.error) == (JobStatus.DONE, 2, "")
    assert len(_stored_files(private_files)) == 1


def test_a_kind_and_format_with_no_renderer_is_refused_and_nothing_is_written(
    plan_with_actions, officer, monkeypatch, django_capture_on_commit_callbacks
):
    plan, _ = plan_with_actions
    monkeypatch.delitem(RENDERERS, (ReportKind.ACTIONS_EXPORT, ReportFormat.CSV))

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as refused:
        report_job_create(plan=plan, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV, requested_by=officer)

    assert refused.value.message_dict == {
        "format": ["An actions export cannot be produced as CSV. Choose another format."]
    }
    assert ReportJob.objects.count() == 0
    assert callbacks == []


def test_an_unknown_format_is_refused(plan_with_actions, officer):
    plan, _ = plan_with_actions

    with pytest.raises(ValidationError, match="'rtf'"):
        report_job_create(plan=plan, kind=ReportKind.ACTIONS_EXPORT, format="rtf", requested_by=officer)

    assert ReportJob.objects.count() == 0


def test_a_renderer_that_raises_leaves_the_job_failed_with_the_error(
    plan_with_actions, officer, private_files, monkeypatch, django_capture_on_commit_callbacks
):

    plan, _ = plan_with_actions

    def broken(job):
        raise RuntimeError("The printer is on fire")

    monkeypatch.setitem(RENDERERS, (ReportKind.ACTIONS_EXPORT, ReportFormat.CSV), broken)

    # The request that queued the job is not broken by the failure: the job row records it.
    job = _export(plan, officer, django_capture_on_commit_callbacks)

    assert job.status == JobStatus.FAILED
    assert job.error == "RuntimeError: The printer is on fire"
    assert job.finished_at is not None and job.attempts == 1
    assert not job.file
    assert _stored_files(private_files) == []

    # Called directly (as the task does), the error is raised again so the task can retry.
    with pytest.raises(RuntimeError, match="on fire"):
        report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 2)


def _plan_of(n_actions, agencies, author):
    plan = PlanFactory()
    section = SectionFactory(plan=plan)
    for i in range(n_actions):
        action = ActionFactory(plan=plan, section=section, order=i)
        action.partner_agencies.add(*agencies)
        ProgressUpdateFactory(action=action, proposed_rag=RAG.AMBER, author=author)
    return plan


@pytest.mark.parametrize("requester", ["officer", "partner_officer"])
def test_csv_renderer_queries_do_not_grow_with_the_actions(requester, request, police, council):
    user = request.getfixturevalue(requester)
    agencies = [police, council, AgencyFactory()]
    counts = []
    for n in (5, 50):
        plan = _plan_of(n, agencies, user)
        job = ReportJob.objects.create(
            plan=plan, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV, requested_by=user
        )
        job = ReportJob.objects.select_related("plan", "requested_by").get(pk=job.pk)
        renderers.render_actions_csv(job)  # warm
        with CaptureQueriesContext(connection) as queries:
            rendered = renderers.render_actions_csv(job)
        assert isinstance(rendered, Rendered)
        assert rendered.content.decode("utf-8-sig").count("\r\n") == n + 1
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
