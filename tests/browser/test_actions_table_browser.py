"""The actions table in a real browser, as the demo users: a director filters to red, overdue
actions of one agency with the filter panel and downloads them as Excel; sorts by a heading,
chooses columns, turns pages; a bad date is explained; a partner officer sees only their
agency's actions. Every page is checked with axe."""

import csv
import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from actionplans.actions import exports
from actionplans.models import Action
from actionplans.rag import rag_of_action
from partners.models import User
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo password


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    return {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.example")}


def table_refs(page) -> list[str]:
    return [text.strip() for text in page.locator("table.govuk-table tbody tr td:first-child").all_inner_texts()]


def red_overdue_actions_of(agency_short_name: str, user) -> set[str]:
    """Worked out here action by action with the rule's Python side, not the table's SQL."""
    today = timezone.localdate()
    found = set()
    for action in Action.objects.for_user(user).select_related("plan", "lead_post__agency").prefetch_related(
        "partner_agencies", "updates"
    ):
        proposals = [u for u in action.updates.all() if u.proposed_rag]
        latest = max(proposals, key=lambda u: (u.as_of, u.created_at)).proposed_rag if proposals else None
        agencies = {a.short_name for a in action.partner_agencies.all()}
        if action.lead_post_id:
            agencies.add(action.lead_post.agency.short_name)
        if rag_of_action(action, today, latest) == "red" and action.is_overdue(today) and agency_short_name in agencies:
            found.add(action.reference)
    return found


def test_director_filters_red_overdue_actions_of_one_agency_and_downloads_excel(page, demo):
    director = demo["director"]
    expected = red_overdue_actions_of("TVP", director)
    assert expected, "the demo needs red, overdue actions of Thames Valley Police"

    sign_in(page, director, DEMO_PASSWORD)
    page.get_by_role("link", name="Actions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions")
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^\d+ actions$"))).to_be_visible()
    assert len(table_refs(page)) == Action.objects.count()
    assert_no_axe_violations(page)
    screenshot(page, "actions-table")

    page.get_by_role("group", name="RAG").get_by_label("Red", exact=True).check()
    page.get_by_role("group", name="Overdue").get_by_label("Yes", exact=True).check()
    page.get_by_label("Agency").select_option(label="Thames Valley Police")
    page.get_by_role("button", name="Apply filters").first.click()
    # Only the filters chosen are in the address.
    expect(page).to_have_url(re.compile(r"/actions/\?agency=TVP&rag=red&overdue=yes$"))
    expect(page.get_by_role("heading", level=2, name=f"{len(expected)} action")).to_be_visible()
    shown = table_refs(page)
    assert set(shown) == expected and len(shown) == len(expected)
    expect(page.get_by_role("link", name="Remove this filter: Red")).to_be_visible()
    expect(page.get_by_role("link", name="Remove this filter: Thames Valley Police")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "actions-table-red-overdue-tvp")

    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("^Download Excel")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == exports.HEADINGS
    assert [row[0] for row in values[1:]] == shown
    assert {row[exports.HEADINGS.index("RAG")] for row in values[1:]} == {"Red"}
    assert sheet.freeze_panes == "B2"

    # Sort by a heading: a link that says its order with aria-sort.
    page.get_by_role("link", name="Due", exact=True).click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("th[aria-sort]")).to_contain_text("Due")
    page.get_by_role("link", name=re.compile(r"^Due")).click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    expect(page).to_have_url(re.compile(r"sort=-due"))
    assert set(table_refs(page)) == expected  # the filters stay
    assert_no_axe_violations(page)

    # Choose columns; the choice is in the address, with the sort and the filters.
    columns = page.get_by_role("group", name="Columns")
    columns.get_by_label("Plan", exact=True).uncheck()
    columns.get_by_label("Working with", exact=True).check()
    columns.get_by_label("Issues raised by inspectors", exact=True).check()
    page.get_by_role("button", name="Apply filters").last.click()
    expect(page).to_have_url(re.compile(r"columns=partners"))
    headings = [t.strip() for t in page.locator("table.govuk-table thead th").all_inner_texts()]
    assert "Plan" not in headings and "Working with" in headings and "Issues raised by inspectors" in headings
    assert "sort=-due" in page.url and "rag=red" in page.url
    assert_no_axe_violations(page)
    screenshot(page, "actions-table-columns-chosen")

    # A bookmark brings the same page back.
    bookmarked = page.url
    page.goto("/")
    page.goto(bookmarked)
    assert set(table_refs(page)) == expected
    expect(page.get_by_role("group", name="Columns").get_by_label("Working with", exact=True)).to_be_checked()


def test_pages_a_bad_date_and_a_narrow_screen(page, demo):
    sign_in(page, demo["director"], DEMO_PASSWORD)
    page.goto("/actions/?per_page=10")
    pagination = page.get_by_role("navigation", name="Pages of results")
    expect(pagination).to_be_visible()
    first_page = table_refs(page)
    pagination.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    second_page = table_refs(page)
    assert len(first_page) == 10 and not set(first_page) & set(second_page)
    assert_no_axe_violations(page)
    screenshot(page, "actions-table-page-2")

    page.goto("/actions/?due_from=31/02/2026")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: Actions"))
    page.get_by_role("link", name=re.compile("Due on or after: Enter a real date")).click()
    expect(page.get_by_label("Due on or after")).to_be_focused()
    assert_no_axe_violations(page)
    screenshot(page, "actions-table-bad-date")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/actions/?rag=red")
    expect(page.get_by_role("button", name="Apply filters").first).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "actions-table-narrow")


def test_a_partner_officer_sees_only_their_agencys_actions(page, demo):
    partner = demo["partner"]
    visible = set(Action.objects.for_user(partner).values_list("reference", flat=True))
    assert 0 < len(visible) < Action.objects.count()
    sign_in(page, partner, DEMO_PASSWORD)
    page.goto("/actions/")
    assert set(table_refs(page)) == visible
    assert_no_axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("^Download CSV")).click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    assert records[0] == exports.HEADINGS
    assert {record[0] for record in records[1:]} == visible
