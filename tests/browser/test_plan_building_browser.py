"""A plan manager builds a small plan in a real browser, as the demo plan manager: creates
the plan, adds a section and two actions with lead posts (one post found by typing, one
chosen among the matches), then gives the post to someone else on the post's page and sees
its actions move; the new holder finds them under My actions. Every page is checked with
axe-core, and the manager's other pages (status, sign-offs, sections, agencies) too."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from actionplans.models import Action, Plan
from partners.models import PostHolding, User
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo password


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    return {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.example")}


def _check(page, name=None):
    assert_no_axe_violations(page)
    if name:
        screenshot(page, name)


def _click_through(page, link_or_button):
    with page.expect_navigation():
        link_or_button.click()


def test_a_plan_manager_builds_a_plan_and_reassigns_a_post(page, demo):
    today = timezone.localdate()
    sign_in(page, demo["manager"], DEMO_PASSWORD)

    # --- The plan ------------------------------------------------------------------------
    _click_through(page, page.get_by_role("link", name="Plans", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Plans")
    _check(page, "manager-plan-list")
    _click_through(page, page.get_by_role("link", name="Create a plan"))
    _check(page)
    page.get_by_label("Title", exact=True).fill("Focused visit action plan")
    page.get_by_label("Quarterly", exact=True).check()
    _click_through(page, page.get_by_role("button", name="Create the plan"))
    expect(page.get_by_text("The plan has been created as a draft.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Focused visit action plan")
    _check(page)
    plan = Plan.objects.get(title="Focused visit action plan")
    assert list(plan.managers.all()) == [demo["manager"]]

    # --- A section ------------------------------------------------------------------------
    _click_through(page, page.get_by_role("link", name="Add a section"))
    _check(page)
    page.get_by_label("Number", exact=True).fill("1")
    page.get_by_label("Title", exact=True).fill("Front door and MASH")
    _click_through(page, page.get_by_role("button", name="Add the section"))
    expect(page.get_by_role("heading", name="1 Front door and MASH")).to_be_visible()
    _check(page)

    # --- Two actions, each led by a post found by typing ----------------------------------------
    _click_through(page, page.get_by_role("link", name="Add an action to section 1"))
    _check(page, "manager-action-form")
    expect(page.get_by_label("Section", exact=True)).to_have_value(str(plan.sections.get().pk))
    page.get_by_label("Action", exact=True).fill("Agree a joint protocol for probation checks in the MASH")
    page.get_by_label("Lead post (optional)").fill("Senior Probation Officer (CRC)")
    page.get_by_label("Due date (optional)").fill((today + dt.timedelta(days=90)).strftime("%d/%m/%Y"))
    _click_through(page, page.get_by_role("button", name="Add it and add another"))
    expect(page.get_by_text("Action 1.1 has been added.")).to_be_visible()

    page.get_by_label("Action", exact=True).fill("Audit probation information shared at strategy meetings")
    page.get_by_label("Lead post (optional)").fill("probation")
    page.get_by_label("Thames Valley Police").check()
    page.get_by_label("Related actions (optional)").fill("1.1")
    _click_through(page, page.get_by_role("button", name="Add the action"))
    # Two posts match: the form asks which, as radio buttons, not a dropdown of every post.
    expect(page.get_by_text("2 posts match “probation”: choose one.").first).to_be_visible()
    _check(page, "manager-action-choose-post")
    page.get_by_label("Senior Probation Officer, Thames Valley Community Rehabilitation Company", exact=True).check()
    _click_through(page, page.get_by_role("button", name="Add the action"))
    expect(page.get_by_text("Action 1.2 has been added.")).to_be_visible()
    _check(page, "manager-plan-built")

    actions = list(Action.objects.filter(plan=plan).order_by("reference"))
    assert [a.reference for a in actions] == ["1.1", "1.2"]
    crc_post = actions[0].lead_post
    assert crc_post.title == "Senior Probation Officer" and crc_post.agency.short_name == "CRC"
    assert actions[1].lead_post == crc_post
    assert list(actions[1].related_actions.all()) == [actions[0]]
    table = page.locator("#section-" + str(plan.sections.get().pk) + " ~ .app-table-wrap").first
    expect(table).to_contain_text("Not yet rated")
    expect(table).to_contain_text("Naomi Fisher")

    # --- The manager's other pages pass axe too -------------------------------------------------
    section = plan.sections.get()
    for path, name in [
        (f"/plans/{plan.slug}/edit/", None),
        (f"/plans/{plan.slug}/sections/{section.pk}/edit/", None),
        (f"/plans/{plan.slug}/sections/{section.pk}/order/", "manager-section-order"),
        (f"/plans/{plan.slug}/actions/{actions[0].pk}/edit/", None),
        (f"/plans/{plan.slug}/sign-offs/partner/", None),
        (f"/plans/{plan.slug}/sign-offs/board/", None),
        ("/partnership/agencies/", "manager-agency-list"),
        (f"/partnership/agencies/{crc_post.agency_id}/", "manager-agency-detail"),
        ("/plans/oxfordshire-jtai-2016/", "manager-demo-plan"),
    ]:
        assert page.goto(path).status == 200, path
        _check(page, name)
    page.goto(f"/plans/{plan.slug}/status/")
    _check(page, "manager-plan-status")
    _click_through(page, page.get_by_role("button", name="Move to approved"))
    expect(page.get_by_text("The plan is now approved.")).to_be_visible()

    # --- The post changes hands, and its actions move with it ---------------------------------
    page.goto(f"/plans/{plan.slug}/")
    _click_through(page, page.get_by_role("link", name="Senior Probation Officer", exact=True).first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Senior Probation Officer")
    expect(page.locator("#current-holders")).to_contain_text("Naomi Fisher")
    _check(page, "manager-post-before")
    _click_through(page, page.get_by_role("link", name="Change who holds this post"))
    _check(page)
    page.get_by_label("New holder", exact=True).fill("Priya Raman")
    expect(page.get_by_label("Date they take over")).to_have_value(today.strftime("%d/%m/%Y"))
    _click_through(page, page.get_by_role("button", name="Save the change"))
    expect(page.get_by_text("Priya Raman holds this post from")).to_be_visible()
    expect(page.locator("#current-holders")).to_contain_text("Priya Raman")
    expect(page.locator("#current-holders")).not_to_contain_text("Naomi Fisher")
    yesterday = today - dt.timedelta(days=1)
    old_row = page.get_by_role("row").filter(has_text="Naomi Fisher")
    expect(old_row).to_contain_text(f"{yesterday.day} {yesterday:%B %Y}")
    _check(page, "manager-post-after")
    old = PostHolding.objects.get(post=crc_post, person__full_name="Naomi Fisher")
    assert old.ended_on == yesterday

    page.goto(f"/plans/{plan.slug}/")
    expect(page.locator(f"#action-{actions[0].pk}")).to_contain_text("Priya Raman")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # --- The new holder finds the actions under My actions --------------------------------------
    sign_in(page, demo["officer"], DEMO_PASSWORD)
    _click_through(page, page.get_by_role("link", name="My actions", exact=True))
    for action in actions:
        expect(page.get_by_role("link", name=action.description)).to_be_visible()
    _check(page, "officer-my-actions-after-reassign")
