"""The director's dashboard in a real browser, on the demo partnership: the numbers link to
the actions table filtered to exactly the actions they count, the RAG trend and a measure's
chart are drawn on the server as accessible SVG with their data tables beside them, and a
plan manager uploads measure values from a CSV file. Every page is checked with axe."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from actionplans.models import Action, Measure, MeasureValue, Plan
from partners.models import User
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo password


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    return {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.example")}


def test_director_follows_overdue_to_the_table_and_reads_a_measure(page, demo, tmp_path):
    director = demo["director"]
    today = timezone.localdate()
    overdue = [a for a in Action.objects.for_user(director).select_related("plan") if a.is_overdue(today)]
    assert overdue, "the demo needs overdue actions"

    sign_in(page, director, DEMO_PASSWORD)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Live action plans")
    assert_no_axe_violations(page)
    screenshot(page, "director-partnership-dashboard")

    plan = Plan.objects.get()
    page.get_by_role("link", name=f"Dashboard for {plan.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)
    page.get_by_text("Show the RAG trend as a table").click()
    trend = page.locator("#rag-trend")
    expect(trend).to_have_attribute("role", "img")
    expect(page.locator("#rag-trend-title")).to_contain_text("each month end")
    expect(page.get_by_role("table").filter(has_text="at each month end")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "director-plan-dashboard")

    link = page.get_by_role("link", name=re.compile(rf"^{len(overdue)}\s+overdue$"))
    href = link.get_attribute("href")
    assert href.startswith("/actions/?") and "overdue=yes" in href and f"plan={plan.slug}" in href
    link.click()
    expect(page.get_by_role("heading", name=f"{len(overdue)} action{'s' if len(overdue) != 1 else ''} match your filters")).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(overdue))
    for action in overdue:
        expect(page.locator("table tbody")).to_contain_text(action.description[:40])
    screenshot(page, "director-overdue-actions-table")

    page.go_back()
    measure = Measure.objects.filter(plan=plan, baseline_value__isnull=False, target_value__isnull=False).order_by("name").first()
    page.get_by_role("link", name=measure.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(measure.name)
    chart = page.locator("svg#measure-chart")
    expect(chart).to_have_attribute("role", "img")
    expect(chart).to_contain_text("Baseline")
    expect(chart).to_contain_text("Target")
    expect(page.get_by_role("img", name=re.compile(f"^{re.escape(measure.name)}"))).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="Values by period")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "director-measure")


def test_plan_manager_uploads_measure_values_from_a_csv(page, demo, tmp_path):
    manager = demo["manager"]
    measure = Measure.objects.filter(action__isnull=True).first() or Measure.objects.first()
    latest = MeasureValue.objects.filter(measure=measure).order_by("-period_start").first()
    csv_file = tmp_path / "values.csv"
    csv_file.write_text(f"Period start date,Value,Note\n{latest.period_start:%d/%m/%Y},{latest.value + 1},Recounted\n")

    sign_in(page, manager, DEMO_PASSWORD)
    page.goto(f"/measures/{measure.pk}/")
    page.get_by_role("link", name="Upload values from a CSV file").click()
    assert_no_axe_violations(page)
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the values before saving")
    expect(page.get_by_text(f"Corrects {latest.value.normalize():f}%")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "manager-measure-csv-preview")
    page.get_by_role("button", name="Save 1 value").click()
    expect(page.get_by_text("1 value saved (0 new, 1 corrected).")).to_be_visible()
    latest.refresh_from_db()
    assert latest.note == "Recounted"

    page.get_by_role("link", name="Add or correct a value").click()
    page.get_by_role("button", name="Save value").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_no_axe_violations(page)
