"""A clerk's papers, in a real browser, as the demo clerk: request a committee paper (PDF)
for the demo plan with a body and the title-block and implications texts, follow it to
"Done" and download it, watch a queued paper's status change without reloading the page,
open the archive and add a schedule. Every page is checked with axe."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from actionplans.demo_data import PLAN_SLUG
from actionplans.models import Plan
from partners.models import GovernanceBody, User
from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.models import ReportJob, ReportSchedule
from reports.papers import registry as renderers
from reports.services import report_job_run
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo password
RENDER_TIMEOUT_MS = 60_000  # the paper is made while the request waits (tasks run in-process)


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


@pytest.fixture(autouse=True)
def in_process_tasks(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": "/no-public-url/"},
        },
    }


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    return {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.example")}


TEXTS = {
    "Report of (optional)": "Director for Children, Education and Families",
    "Author (optional)": "Lucy Butler",
    "Contact officer (optional)": "Sam Clerk, Committee Officer",
    "Division(s) affected (optional)": "All",
    "Summary (optional)": "This report updates the Committee on the JTAI action plan.",
    "Financial implications (optional)": "The actions are funded from existing budgets.",
    "Equalities implications (optional)": "The plan improves services for all children at risk.",
    "Risk implications (optional)": "Recruitment and retention of social workers remains the main risk.",
    "Recommendation (optional)": "The Committee is RECOMMENDED to note the progress made.",
}


def test_a_clerk_requests_a_committee_paper_follows_it_and_finds_it_in_the_archive(page, demo, tmp_path):
    clerk = demo["clerk"]
    plan = Plan.objects.get(slug=PLAN_SLUG)
    scrutiny = GovernanceBody.objects.get(name="Performance Scrutiny Committee")
    sign_in(page, clerk, DEMO_PASSWORD)

    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports and papers")
    page.get_by_role("link", name="Request a paper").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a paper")
    assert_no_axe_violations(page)

    page.get_by_label("Plan", exact=True).select_option(str(plan.pk))
    page.get_by_label("Committee progress report", exact=True).check()
    page.get_by_label("PDF", exact=True).check()
    page.get_by_label("Governance body (optional)").select_option(str(scrutiny.pk))
    for label, text in TEXTS.items():
        page.get_by_label(label, exact=True).fill(text)
    screenshot(page, "reports-request-a-paper")
    with page.expect_navigation(timeout=RENDER_TIMEOUT_MS):
        page.get_by_role("button", name="Request the paper").click()

    job = ReportJob.objects.get(requested_by=clerk)
    assert job.status == JobStatus.DONE, job.error
    assert (job.kind, job.format, job.plan, job.body) == (ReportKind.COMMITTEE, ReportFormat.PDF, plan, scrutiny)
    assert job.parameters["financial"] == TEXTS["Financial implications (optional)"]
    expect(page).to_have_url(re.compile(rf"/reports/{job.pk}/$"))
    status = page.get_by_role("status")
    expect(status).to_contain_text("Done:")
    expect(status).to_contain_text(job.file_name)
    expect(page.locator("[data-job-status-tag]")).to_have_text("Done")
    assert_no_axe_violations(page)
    screenshot(page, "reports-paper-done")

    with page.expect_download() as download_info:
        page.locator("[data-job-download-link]").click()
    download = download_info.value
    assert download.suggested_filename == job.file_name
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.get_by_role("link", name="Back to the archive").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports and papers")
    row = page.locator("tbody tr").filter(has=page.locator(f'a[href="/reports/{job.pk}/"]'))
    expect(row).to_contain_text("Performance Scrutiny Committee")
    expect(row).to_contain_text(clerk.full_name)
    expect(row).to_contain_text(job.checksum_sha256[:12])
    expect(row).to_contain_text("Done")
    assert_no_axe_violations(page)
    screenshot(page, "reports-archive")


def test_a_queued_papers_status_turns_to_done_without_reloading(page, demo):
    clerk = demo["clerk"]
    plan = Plan.objects.get(slug=PLAN_SLUG)
    job = ReportJob.objects.create(plan=plan, kind=ReportKind.EXCEPTIONS, format=ReportFormat.PDF, requested_by=clerk)
    sign_in(page, clerk, DEMO_PASSWORD)

    page.goto(f"/reports/{job.pk}/")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Queued:")
    expect(page.locator("[data-job-download]")).to_be_hidden()
    assert_no_axe_violations(page)
    screenshot(page, "reports-paper-queued")
    page.evaluate("window.notReloaded = true")

    report_job_run(job_id=job.pk)  # what the worker does, while the page waits

    expect(status).to_contain_text("Done:", timeout=20_000)
    expect(page.locator("[data-job-status-tag]")).to_have_text("Done")
    expect(page.locator("[data-job-download-link]")).to_be_visible()
    expect(page.locator("[data-job-download-link]")).to_have_attribute("href", f"/reports/{job.pk}/download/")
    assert page.evaluate("window.notReloaded") is True, "the page was reloaded"
    assert_no_axe_violations(page)
    screenshot(page, "reports-paper-done-without-reload")


def test_a_clerk_schedules_papers_before_each_meeting(page, demo):
    clerk = demo["clerk"]
    plan = Plan.objects.get(slug=PLAN_SLUG)
    scrutiny = GovernanceBody.objects.get(name="Performance Scrutiny Committee")
    sign_in(page, clerk, DEMO_PASSWORD)

    page.goto("/reports/")
    page.get_by_role("link", name="Schedules", exact=True).click()
    expect(page.get_by_role("heading", level=2, name="Schedules")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Add a schedule").click()
    assert_no_axe_violations(page)

    page.get_by_label("Plan", exact=True).select_option(str(plan.pk))
    page.get_by_label("Governance body", exact=True).select_option(str(scrutiny.pk))
    page.get_by_label("Committee progress report", exact=True).check()
    page.get_by_label("Word (.docx)", exact=True).check()
    page.get_by_label("Before each meeting of the body", exact=True).check()
    page.get_by_label("Send the paper to").fill("psc-members@demo.example, clerk@demo.example")
    page.get_by_role("button", name="Save the schedule").click()

    expect(page.get_by_text("The schedule has been saved.")).to_be_visible()
    schedule = ReportSchedule.objects.get()
    assert schedule.recipients == ["psc-members@demo.example", "clerk@demo.example"]
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Performance Scrutiny Committee")
    expect(row).to_contain_text("10 working days before each meeting")
    assert_no_axe_violations(page)
    screenshot(page, "reports-schedules")


def test_a_partner_officer_is_told_why_the_archive_has_no_papers_for_them(page, demo):
    # A paper covers every action of its plan, other agencies' too: partner agency accounts
    # get none, and the archive says where their own actions are instead.
    plan = Plan.objects.get(slug=PLAN_SLUG)
    job = ReportJob.objects.create(plan=plan, kind=ReportKind.EXCEPTIONS, format=ReportFormat.PDF,
                                   requested_by=demo["clerk"])
    sign_in(page, demo["partner"], DEMO_PASSWORD)

    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports and papers")
    expect(page.get_by_text("Papers cover every action in a plan")).to_be_visible()
    expect(page.locator(f'a[href="/reports/{job.pk}/"]')).to_have_count(0)
    assert_no_axe_violations(page)
    screenshot(page, "reports-archive-partner-officer")

    page.get_by_role("link", name="My actions").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("My actions"))
    response = page.goto(f"/reports/{job.pk}/download/")
    assert response.status == 404
