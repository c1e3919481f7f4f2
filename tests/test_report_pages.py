"""The reports pages, per role (allowed, 403, 404): the archive, requesting a paper and
following it to "done", the JSON status the page polls, the access-checked download, and
the schedule pages that keep the beat entries in step."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from pypdf import PdfReader

from config import urls as project_urls
from partners.choices import BodyKind
from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.models import Cadence, ReportJob, ReportSchedule, ScheduleMode
from reports.papers import registry as renderers
from reports.services import schedule_create
from tests.factories import (
    ActionFactory,
    GovernanceBodyFactory,
    MeetingFactory,
    PlanFactory,
    PostFactory,
    SectionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files", "eager_tasks")]
TODAY = timezone.localdate()
ROLES = ["officer", "partner_officer", "plan_manager", "director", "clerk", "member", "outsider", "admin_user"]
REQUESTERS = {"plan_manager", "director", "clerk", "admin_user"}

# Until config/urls.py includes the reports pages, the tests serve them themselves.
_REPORTS_WIRED = any(getattr(p, "namespace", None) == "reports" for p in project_urls.urlpatterns)
urlpatterns = [
    *([] if _REPORTS_WIRED else [path("reports/", include("reports.urls"))]),
    *project_urls.urlpatterns,
]


@pytest.fixture(autouse=True)
def reports_urls(settings):
    if not _REPORTS_WIRED:
        settings.ROOT_URLCONF = __name__


@pytest.fixture(autouse=True)
def paper_renderers(monkeypatch):
    """The papers reports.rendering makes, registered where the registry lacks them."""
    from reports.papers.registry import PAPERS as SUPPORTED
    from reports.papers.registry import render_job

    for kind, fmt in SUPPORTED:
        if renderers.renderer_for(kind, fmt) is None:
            monkeypatch.setitem(renderers.RENDERERS, (str(kind), str(fmt)), render_job)


@pytest.fixture
def scrutiny(db):
    body = GovernanceBodyFactory(name="Performance Scrutiny Committee", short_name="PSC", kind=BodyKind.SCRUTINY)
    MeetingFactory(body=body, date=TODAY + dt.timedelta(days=30), title="JTAI progress")
    return body


@pytest.fixture
def plan(council, police, plan_manager, scrutiny):
    """A plan the police partner officer sees (one police-led action) and the outsider does not."""
    plan = PlanFactory(title="Testshire JTAI plan", slug="testshire-jtai", monitoring_body=scrutiny)
    plan.managers.add(plan_manager)
    section = SectionFactory(plan=plan, number="1", title="Front door", order=1)
    ActionFactory(plan=plan, section=section, reference="1.1", order=1, lead_post=PostFactory(agency=council))
    ActionFactory(plan=plan, section=section, reference="1.2", order=2, lead_post=PostFactory(agency=police))
    return plan


def _done_job(plan, *, requested_by=None, file_name="testshire-jtai-committee.pdf", **extra) -> ReportJob:
    content = b"%PDF-1.7 a committee paper"
    job = ReportJob(
        plan=plan, kind=ReportKind.COMMITTEE, format=ReportFormat.PDF, requested_by=requested_by,
        status=JobStatus.DONE, file_name=file_name, checksum_sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content), page_count=4, started_at=timezone.now(), finished_at=timezone.now(), **extra,
    )
    job.file.save("paper.pdf", ContentFile(content), save=False)
    job.save()
    return job


@pytest.fixture
def job(plan, clerk, scrutiny):
    return _done_job(plan, requested_by=clerk, body=scrutiny, meeting=scrutiny.meetings.first())


@pytest.fixture
def schedule(plan, scrutiny, clerk):
    return schedule_create(
        plan=plan, body=scrutiny, kind=ReportKind.COMMITTEE, format=ReportFormat.PDF,
        mode=ScheduleMode.BEFORE_EACH_MEETING, recipients=["clerk@example.test"], created_by=clerk,
    )


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


# --- who may open what -------------------------------------------------------------------


# A paper covers every action of its plan: partner officers, who see only their agency's
# actions, do not get papers (nor the outsider, who sees no plan at all).
WITHOUT_PAPERS = {"outsider", "partner_officer"}


@pytest.mark.parametrize("role", ROLES)
def test_everyone_but_partner_officers_reads_the_archive_of_the_plans_they_see(client, request, role, job):
    user = request.getfixturevalue(role)
    response = _get(client, user, reverse("reports:job_list"))
    assert response.status_code == 200
    listed = reverse("reports:job_detail", args=[job.pk]) in response.content.decode()
    assert listed is (role not in WITHOUT_PAPERS)
    told_why = "Papers cover every action in a plan" in response.content.decode()
    assert told_why is (role in WITHOUT_PAPERS)  # both are partner agency accounts


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["job_detail", "job_status", "job_download"])
def test_a_paper_opens_for_those_who_see_its_whole_plan_and_is_404_otherwise(client, request, role, page, job):
    user = request.getfixturevalue(role)
    response = _get(client, user, reverse(f"reports:{page}", args=[job.pk]))
    assert response.status_code == (404 if role in WITHOUT_PAPERS else 200)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["job_create", "schedule_list", "schedule_create"])
def test_only_clerks_directors_plan_managers_and_admins_request_and_schedule(client, request, role, page, plan):
    user = request.getfixturevalue(role)
    response = _get(client, user, reverse(f"reports:{page}"))
    assert response.status_code == (200 if role in REQUESTERS else 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["schedule_edit", "schedule_delete"])
def test_a_schedule_is_404_out_of_scope_and_403_to_those_who_cannot_schedule(client, request, role, page, schedule):
    user = request.getfixturevalue(role)
    response = _get(client, user, reverse(f"reports:{page}", args=[schedule.pk]))
    expected = 404 if role == "outsider" else 200 if role in REQUESTERS else 403
    assert response.status_code == expected


@pytest.mark.parametrize("role", ["officer", "partner_officer", "member", "outsider"])
def test_a_request_posted_by_someone_who_cannot_request_is_refused(client, request, role, plan):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.post(
        reverse("reports:job_create"), {"plan": plan.pk, "kind": ReportKind.COMMITTEE, "format": ReportFormat.PDF}
    )
    assert response.status_code == 403
    assert ReportJob.objects.count() == 0


@pytest.mark.parametrize(
    "name,args",
    [("job_list", []), ("job_create", []), ("job_detail", [1]), ("job_status", [1]), ("job_download", [1]),
     ("schedule_list", []), ("schedule_create", []), ("schedule_edit", [1]), ("schedule_delete", [1])],
)
def test_every_reports_page_asks_for_sign_in(client, name, args):
    response = client.get(reverse(f"reports:{name}", args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_navigation_links_to_the_reports(client, officer):
    response = _get(client, officer, reverse("home"))
    assert f'href="{reverse("reports:job_list")}"' in response.content.decode()


# --- requesting a paper and following it ---------------------------------------------------


def _committee_post(plan, body, meeting) -> dict:
    return {
        "plan": plan.pk, "kind": ReportKind.COMMITTEE, "format": ReportFormat.PDF, "as_at": "",
        "body": body.pk, "meeting": meeting.pk,
        "report_of": "Director for Children, Education and Families",
        "author": "Jo Bloggs", "contact_officer": "Sam Clerk", "contact_details": "01865 000000",
        "divisions": "All", "summary": "Progress on the JTAI plan.",
        "financial": "Met from the existing budget of the service.",
        "equalities": "No groups are disadvantaged.", "risk": "Recruitment of social workers.",
        "recommendation": "The Committee is RECOMMENDED to note the report.",
    }


def test_a_clerk_requests_a_committee_paper_which_is_done_and_downloads(
    client, clerk, plan, scrutiny, django_capture_on_commit_callbacks
):
    meeting = scrutiny.meetings.get()
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:job_create"), _committee_post(plan, scrutiny, meeting))

    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:job_detail", args=[job.pk])
    assert (job.status, job.requested_by, job.body, job.meeting) == (JobStatus.DONE, clerk, scrutiny, meeting), job.error
    assert job.parameters["report_of"] == "Director for Children, Education and Families"
    assert job.parameters["financial"] == "Met from the existing budget of the service."
    assert "background" not in job.parameters  # left blank: the paper's own wording

    page = client.get(response["Location"]).content.decode()
    assert "Done:" in page and 'role="status"' in page and 'aria-live="polite"' in page
    assert reverse("reports:job_download", args=[job.pk]) in page
    assert "job-status.mjs" not in page  # nothing left to poll for

    status = client.get(reverse("reports:job_status", args=[job.pk]))
    assert status["Content-Type"] == "application/json"
    assert status["Cache-Control"] == "private, no-store"
    payload = status.json()
    assert payload["status"] == "done" and payload["finished"] is True
    assert payload["download_url"] == reverse("reports:job_download", args=[job.pk])
    assert payload["page_count"] == job.page_count and payload["checksum_sha256"] == job.checksum_sha256

    download = client.get(reverse("reports:job_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith(f'attachment; filename="{job.file_name}"')
    assert download["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(content).hexdigest() == job.checksum_sha256
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.split())
    for typed in ("Director for Children, Education and Families", "Met from the existing budget",
                  "No groups are disadvantaged", "Recruitment of social workers", "Jo Bloggs"):
        assert typed in text, typed


def test_a_queued_paper_polls_its_status_and_offers_check_again_without_script(client, clerk, plan):
    job = ReportJob.objects.create(plan=plan, kind=ReportKind.COMMITTEE, format=ReportFormat.PDF, requested_by=clerk)
    client.force_login(clerk)

    page = client.get(reverse("reports:job_detail", args=[job.pk])).content.decode()

    assert 'data-job-status-url="{}"'.format(reverse("reports:job_status", args=[job.pk])) in page
    assert '<script type="module" src="/static/js/job-status.mjs"></script>' in page
    assert "<noscript>" in page and "Check again" in page and 'http-equiv="refresh"' not in page
    assert "Queued:" in page
    payload = client.get(reverse("reports:job_status", args=[job.pk])).json()
    assert (payload["status"], payload["finished"], payload["download_url"]) == ("queued", False, None)
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404


def test_a_failed_paper_says_why(client, clerk, plan):
    job = ReportJob.objects.create(
        plan=plan, kind=ReportKind.COMMITTEE, format=ReportFormat.PDF, requested_by=clerk,
        status=JobStatus.FAILED, error="PaperError: The comparison date must be before the as at date.",
    )
    client.force_login(clerk)
    page = client.get(reverse("reports:job_detail", args=[job.pk])).content.decode()
    assert "Failed:" in page and "The comparison date must be before" in page
    payload = client.get(reverse("reports:job_status", args=[job.pk])).json()
    assert payload["finished"] is True and payload["error"].startswith("PaperError")


def test_a_paper_in_a_format_it_does_not_come_in_is_refused_on_the_form(client, clerk, plan):
    client.force_login(clerk)
    response = client.post(
        reverse("reports:job_create"), {"plan": plan.pk, "kind": ReportKind.COMMITTEE, "format": ReportFormat.CSV}
    )
    assert response.status_code == 200
    assert "comes as PDF or Word (.docx), not CSV" in response.content.decode()
    assert ReportJob.objects.count() == 0


def test_a_meeting_of_another_body_and_a_future_date_are_refused(client, clerk, plan, scrutiny):
    cabinet = GovernanceBodyFactory(name="Cabinet", kind=BodyKind.CABINET)
    client.force_login(clerk)
    data = {"plan": plan.pk, "kind": ReportKind.COMMITTEE, "format": ReportFormat.PDF, "body": cabinet.pk,
            "meeting": scrutiny.meetings.get().pk, "as_at": (TODAY + dt.timedelta(days=3)).strftime("%d/%m/%Y")}
    page = client.post(reverse("reports:job_create"), data).content.decode()
    assert "That meeting is of the Performance Scrutiny Committee, not the Cabinet" in page
    assert "cannot be in the future" in page
    assert ReportJob.objects.count() == 0


def test_a_meeting_alone_gives_the_paper_its_body(client, clerk, plan, scrutiny, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:job_create"), {
            "plan": plan.pk, "kind": ReportKind.EXCEPTIONS, "format": ReportFormat.PDF,
            "meeting": scrutiny.meetings.get().pk, "report_of": "Ignored for this paper",
        })
    job = ReportJob.objects.get()
    assert job.body == scrutiny and job.status == JobStatus.DONE, job.error
    assert job.parameters == {}  # the committee paper's texts are not kept for other papers


def test_a_download_has_a_safe_name_and_is_never_cached(client, clerk, plan):
    job = _done_job(plan, requested_by=clerk, file_name='Évaluation "final"\r\n.pdf')
    client.force_login(clerk)
    response = client.get(reverse("reports:job_download", args=[job.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and "\r" not in disposition and "\n" not in disposition
    assert '"final"' not in disposition
    assert "filename*=UTF-8''%C3%89valuation" in disposition
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_the_archive_names_scheduled_papers_and_filters_by_plan_and_body(client, director, plan, scrutiny, schedule):
    other_plan = PlanFactory(title="Ofsted ILACS plan")
    mine = _done_job(plan, body=scrutiny)
    from reports.models import ScheduledRun

    ScheduledRun.objects.create(schedule=schedule, meeting=scrutiny.meetings.get(), due_date=TODAY, job=mine)
    theirs = _done_job(other_plan)
    client.force_login(director)

    page = client.get(reverse("reports:job_list")).content.decode()
    assert "Schedule: PSC" in page and mine.checksum_sha256[:12] in page

    filtered = client.get(reverse("reports:job_list"), {"plan": plan.slug}).content.decode()
    assert reverse("reports:job_detail", args=[mine.pk]) in filtered
    assert reverse("reports:job_detail", args=[theirs.pk]) not in filtered
    by_body = client.get(reverse("reports:job_list"), {"body": scrutiny.pk}).content.decode()
    assert reverse("reports:job_detail", args=[theirs.pk]) not in by_body


def test_the_archive_query_count_does_not_grow_with_the_papers(client, director, plan, scrutiny, clerk):
    client.force_login(director)
    counts = []
    for n in (5, 40):
        ReportJob.objects.all().delete()
        for i in range(n):
            _done_job(plan, requested_by=clerk if i % 2 else None, body=scrutiny, meeting=scrutiny.meetings.get())
        client.get(reverse("reports:job_list"))  # warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports:job_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- schedules in the browser ------------------------------------------------------------


def _schedule_post(plan, body, **changes) -> dict:
    data = {
        "plan": plan.pk, "body": body.pk, "kind": ReportKind.COMMITTEE, "format": ReportFormat.PDF,
        "mode": ScheduleMode.BEFORE_EACH_MEETING, "working_days_before": "", "cadence": "",
        "cadence_weekday": "", "cadence_day": "", "cadence_every_days": "",
        "recipients": "Clerk@Council.gov.uk\nmembers@council.gov.uk, clerk@council.gov.uk",
        "attach_file": "on", "is_active": "on", "report_of": "Director of Children's Services",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_clerk_adds_changes_and_deletes_a_schedule_and_its_beat_entry_follows(client, clerk, plan, scrutiny):
    client.force_login(clerk)

    response = client.post(reverse("reports:schedule_create"), _schedule_post(plan, scrutiny))
    assert response.status_code == 302, response.content.decode()
    schedule = ReportSchedule.objects.get()
    assert schedule.recipients == ["clerk@council.gov.uk", "members@council.gov.uk"]
    assert schedule.working_days_before is None and schedule.days_before == scrutiny.papers_due_working_days
    assert schedule.parameters == {"report_of": "Director of Children's Services"}
    assert schedule.periodic_task is None and schedule.created_by == clerk
    assert PeriodicTask.objects.filter(name="reports: run due schedules", enabled=True).exists()

    listing = client.get(reverse("reports:schedule_list")).content.decode()
    assert "10 working days before each meeting" in listing

    # Every Wednesday: the schedule gets its own crontab entry, Wednesday being 3 to cron.
    edit = reverse("reports:schedule_edit", args=[schedule.pk])
    response = client.post(edit, _schedule_post(plan, scrutiny, mode=ScheduleMode.CADENCE, cadence=Cadence.WEEKLY,
                                                cadence_weekday="2"))
    assert response.status_code == 302, response.content.decode()
    schedule.refresh_from_db()
    task = schedule.periodic_task
    assert task.task == "reports.scheduling.run_cadence_schedule" and task.enabled
    assert json.loads(task.kwargs) == {"schedule_id": schedule.pk}
    assert (task.crontab.day_of_week, task.crontab.hour, task.crontab.minute) == ("3", "7", "0")
    assert str(task.crontab.timezone) == "Europe/London"

    # Every 14 days, paused: an interval entry, disabled.
    client.post(edit, _schedule_post(plan, scrutiny, mode=ScheduleMode.CADENCE, cadence=Cadence.EVERY_N_DAYS,
                                     cadence_every_days="14", is_active=None))
    task.refresh_from_db()
    assert task.crontab is None and task.interval.every == 14 and task.interval.period == "days"
    assert task.enabled is False

    # Back to before each meeting: the schedule's own entry goes.
    client.post(edit, _schedule_post(plan, scrutiny, working_days_before="5"))
    schedule.refresh_from_db()
    assert schedule.periodic_task is None and schedule.cadence == "" and schedule.days_before == 5
    assert not PeriodicTask.objects.filter(pk=task.pk).exists()

    response = client.post(reverse("reports:schedule_delete", args=[schedule.pk]))
    assert response.status_code == 302
    assert not ReportSchedule.objects.exists()


def test_a_schedule_with_bad_addresses_or_no_cadence_is_refused(client, clerk, plan, scrutiny):
    client.force_login(clerk)
    page = client.post(
        reverse("reports:schedule_create"),
        _schedule_post(plan, scrutiny, recipients="clerk@council.gov.uk, not-an-address",
                       mode=ScheduleMode.CADENCE, cadence=""),
    ).content.decode()
    assert "Not an email address: “not-an-address”" in page
    assert "Choose how often the paper is made." in page
    assert not ReportSchedule.objects.exists()
