"""The daily job, in a real browser, as the demo users: an officer records progress with a
PDF and a link and asks for more time, with the keyboard alone; the manager approves the
date and signs off the delivered action; a partner officer cannot open an action outside
their agency; a director reads the change history. Every page is checked with axe."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from actionplans.actions.selectors import my_actions
from actionplans.choices import Decision, SignOffStage
from actionplans.models import Action, Evidence
from partners.models import User
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo password


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    return {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.example")}


def _is_focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, limit: int = 120):
    """Press Tab until ``locator`` has focus, as a keyboard user would."""
    for _ in range(limit):
        if _is_focused(locator):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Could not reach {locator} with the Tab key")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def _pdf(tmp_path):
    from weasyprint import HTML

    path = tmp_path / "mash-audit-q3.pdf"
    HTML(string="<h1>MASH audit</h1><p>50 cases audited.</p>").write_pdf(path)
    return path


def test_officer_manager_partner_and_director_journeys(page, demo, tmp_path):
    officer = demo["officer"]
    today = timezone.localdate()
    groups = my_actions(officer, today)
    open_actions = groups.overdue + groups.due_soon + groups.update_needed + groups.other
    assert len(open_actions) >= 2, "the demo officer needs two open actions"
    to_deliver, to_revise = open_actions[0], open_actions[1]

    # --- The officer, with the keyboard alone -------------------------------------------
    page.goto("/accounts/login/")
    tab_to(page, page.get_by_label("Email", exact=True))
    page.keyboard.type(officer.email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_no_axe_violations(page)

    tab_to(page, page.get_by_role("link", name="My actions", exact=True))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    assert_no_axe_violations(page)
    screenshot(page, "officer-my-actions")

    tab_to(page, page.get_by_role("link", name=to_deliver.description[:40], exact=False).first)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(to_deliver.description)
    assert_no_axe_violations(page)

    tab_to(page, page.get_by_role("link", name="Record progress"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_no_axe_violations(page)
    tab_to(page, page.get_by_label("What has happened since the last update?"))
    page.keyboard.type("Training delivered to all MASH staff; audit of 50 referrals attached.")
    tab_to(page, page.get_by_label("Red", exact=True))  # no RAG chosen yet: Tab lands on the first
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Green", exact=True)).to_be_checked()
    tab_to(page, page.locator("input[name=status]:checked"))
    while not page.get_by_label("Delivered", exact=True).is_checked():
        page.keyboard.press("ArrowDown")
    tab_to(page, page.get_by_label("Evidence files (optional)"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(_pdf(tmp_path))
    tab_to(page, page.get_by_label("Evidence links (optional)"))
    page.keyboard.type("https://www.oscb.org.uk/minutes/mash-steering-group")
    tab_to(page, page.get_by_role("button", name="Save update"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Your update has been recorded.")).to_be_visible()
    expect(page.get_by_role("link", name="mash-audit-q3.pdf").first).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "officer-action-after-update")
    assert Evidence.objects.filter(action=to_deliver, original_name="mash-audit-q3.pdf").exists()
    assert Evidence.objects.filter(action=to_deliver, url__contains="oscb.org.uk").exists()

    page.goto(f"/actions/{to_revise.pk}/")
    tab_to(page, page.get_by_role("link", name="Ask for a revised date"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_no_axe_violations(page)
    new_date = today + dt.timedelta(days=120)
    tab_to(page, page.get_by_label("New due date"))
    page.keyboard.type(new_date.strftime("%d/%m/%Y"))
    page.keyboard.press("Tab")
    page.keyboard.type("Revised due to need for additional resource in the MASH.")
    tab_to(page, page.get_by_role("button", name="Send request"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("A revised due date of")).to_be_visible()
    sign_out(page)

    # --- The plan manager approves the date and signs off the delivered action -----------
    sign_in(page, demo["manager"], DEMO_PASSWORD)
    assert_no_axe_violations(page)
    page.get_by_role("link", name=f"Decide a revised date for {to_revise.reference}").click()
    assert_no_axe_violations(page)
    page.get_by_label("Approve the new date").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("The decision has been recorded")).to_be_visible()
    to_revise.refresh_from_db()
    assert to_revise.due_date == new_date and to_revise.original_due_date != new_date
    assert to_revise.revisions.filter(decision=Decision.APPROVED, new_date=new_date).exists()

    page.goto("/")
    page.get_by_role("link", name=f"Sign off {to_deliver.reference}").first.click()
    assert_no_axe_violations(page)
    page.get_by_label("Delivered", exact=True).check()
    page.get_by_label("Evidence of impact and any comment").fill("Register of attendance seen.")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("The action has been signed off.")).to_be_visible()
    assert to_deliver.sign_offs.filter(stage=SignOffStage.DELIVERED, signed_by=demo["manager"]).exists()
    sign_out(page)

    # --- A partner officer cannot open an action outside their agency -------------------
    partner = demo["partner"]
    outside = Action.objects.exclude(pk__in=Action.objects.for_user(partner)).first()
    sign_in(page, partner, DEMO_PASSWORD)
    response = page.goto(f"/actions/{outside.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_no_axe_violations(page)
    sign_out(page)

    # --- The director reads the change history --------------------------------------------
    sign_in(page, demo["director"], DEMO_PASSWORD)
    page.goto(f"/actions/{to_deliver.pk}/")
    page.get_by_text("Show every change").click()
    history = page.locator("#history + details")
    expect(history).to_contain_text("Sign-off created")
    expect(history).to_contain_text("Evidence created")
    expect(history).to_contain_text(demo["manager"].full_name)
    assert_no_axe_violations(page)
    screenshot(page, "director-change-history")
