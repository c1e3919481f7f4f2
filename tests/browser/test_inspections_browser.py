"""The plan manager records an inspection in a real browser: the details, then three
findings pasted from the letter, checked in the preview and saved; the coverage shows
"3 unanswered"; linking each finding to demo actions from the finding's side brings it to
"0 unanswered". A partner officer reads the demo inspection's coverage for their agency
only. Every page added here is checked with axe-core and photographed."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from actionplans.models import Action, Plan
from inspections.models import Finding, Inspection
from partners.models import User
from partners.workdays import add_working_days
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo password

PASTE = (
    "42. Supervision is not regular enough to challenge drift in children's plans\n"
    "para 17, 18 – Assessments do not always consider the history of the family\n"
    "Priority: 51. Return home interviews are not offered in time\n"
)


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    return {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.example")}


def test_plan_manager_records_an_inspection_pastes_findings_and_links_them(page, demo):
    manager = demo["manager"]
    plan = Plan.objects.get(managers=manager)
    sign_in(page, manager, DEMO_PASSWORD)

    # The list, from the service navigation.
    page.get_by_role("link", name="Inspections", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inspections")
    expect(page.get_by_text("working day", exact=False).first).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "inspections-list")

    # The demo inspection's page, with its findings by theme.
    demo_inspection = Inspection.objects.get(plans=plan)
    page.get_by_role("link", name=demo_inspection.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo_inspection.title)
    assert_no_axe_violations(page)
    screenshot(page, "inspections-detail-demo")

    # Record a new inspection; a first try with nothing filled in shows the errors.
    page.goto("/inspections/")
    page.get_by_role("link", name="Record an inspection").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Save and add findings").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "inspections-create-errors")
    page.get_by_label("Title", exact=True).fill("Focused visit to Oxfordshire children's services")
    page.get_by_label("Focused visit", exact=True).check()
    page.get_by_label("Ofsted", exact=True).check()
    page.get_by_label("Area inspected").fill("Oxfordshire")
    today = timezone.localdate()
    onsite = today - dt.timedelta(days=40)
    wsoa_due = add_working_days(today, 30)
    page.get_by_label("First day on site (optional)").fill(f"{onsite:%d/%m/%Y}")
    page.get_by_label("Last day on site (optional)").fill(f"{onsite + dt.timedelta(days=1):%d/%m/%Y}")
    page.get_by_label("Date the letter or report was published (optional)").fill(f"{today - dt.timedelta(days=7):%d/%m/%Y}")
    page.get_by_label("Written statement of action due (optional)").fill(f"{wsoa_due:%d/%m/%Y}")
    page.get_by_label("Link to the published letter or report (optional)").fill("https://reports.ofsted.gov.uk/example")
    page.get_by_role("button", name="Save and add findings").click()
    expect(page.get_by_text("The inspection has been recorded.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add findings")
    assert_no_axe_violations(page)
    inspection = Inspection.objects.get(title__startswith="Focused visit to Oxfordshire")

    # A paste with a problem shows it by line and offers no save.
    page.get_by_label("Findings", exact=True).fill("42. Supervision is not regular\n43.\n")
    page.get_by_role("button", name="Preview findings").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Findings: Line 2: there is no finding text")).to_be_visible()
    expect(page.get_by_role("button", name="Save 1 finding")).to_have_count(0)
    assert_no_axe_violations(page)
    screenshot(page, "inspections-paste-problems")

    # Paste three findings, preview, save.
    page.get_by_label("Findings", exact=True).fill(PASTE)
    page.get_by_role("button", name="Preview again").click()
    expect(page.get_by_role("heading", name="Preview: 3 findings read")).to_be_visible()
    preview = page.locator("table").first
    expect(preview).to_contain_text("17, 18")
    expect(preview).to_contain_text("Priority action")
    assert not Finding.objects.filter(inspection=inspection).exists()
    assert_no_axe_violations(page)
    screenshot(page, "inspections-paste-preview")
    page.get_by_role("button", name="Save 3 findings").click()
    expect(page.get_by_text("3 findings saved.")).to_be_visible()
    expect(page.get_by_text("Paragraphs 17, 18", exact=False).first).to_be_visible()
    expect(page.get_by_text("30 working days to go")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "inspections-detail-new")
    assert inspection.findings.count() == 3

    # Change one finding's theme through its own form.
    page.get_by_role("link", name="Change finding at paragraph 42").click()
    assert_no_axe_violations(page)
    page.get_by_label("Theme (optional)").fill("Supervision")
    page.get_by_role("button", name="Save finding").click()
    expect(page.get_by_text("The finding has been changed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Supervision", level=3)).to_be_visible()

    # Coverage: nothing answers them yet.
    page.get_by_role("link", name="Finding coverage").click()
    expect(page.get_by_role("heading", name="3 unanswered")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "inspections-coverage-3-unanswered")

    # Link each finding to a demo action, from the finding's side.
    actions = list(Action.objects.filter(plan=plan).order_by("order")[:3])
    for n, (finding, action) in enumerate(zip(inspection.findings.order_by("order"), actions, strict=True)):
        page.locator(f"#finding-{finding.pk}").get_by_role("link", name="Choose actions").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Actions answering this finding")
        if n == 0:
            assert_no_axe_violations(page)
            screenshot(page, "inspections-finding-actions")
        page.locator(f"#action-{action.pk}").check()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name=f"{2 - n} unanswered")).to_be_visible()
    expect(page.get_by_role("heading", name="0 unanswered")).to_be_visible()
    expect(page.locator(".app-rag").first).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "inspections-coverage-0-unanswered")
    assert inspection in plan.inspections.all()

    # The inspection's details can be changed.
    page.goto(f"/inspections/{inspection.pk}/edit/")
    assert_no_axe_violations(page)


def test_partner_officer_reads_the_demo_coverage_for_their_agency_only(page, demo):
    partner = demo["partner"]
    inspection = Inspection.objects.get(plans__slug__isnull=False)
    hidden = Action.objects.exclude(pk__in=Action.objects.for_user(partner)).filter(findings__inspection=inspection).first()
    sign_in(page, partner, DEMO_PASSWORD)
    page.goto(f"/inspections/{inspection.pk}/coverage/")
    expect(page.get_by_text("You see only the actions your agency leads or supports.")).to_be_visible()
    expect(page.locator(f'a[href="/actions/{hidden.pk}/"]')).to_have_count(0)
    expect(page.get_by_role("link", name="Choose actions")).to_have_count(0)
    assert_no_axe_violations(page)
    screenshot(page, "inspections-coverage-partner")
    response = page.goto(f"/inspections/{inspection.pk}/findings/paste/")
    assert response.status == 403
