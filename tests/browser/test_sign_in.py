"""Signing in and out in a real browser: with the mouse, with the keyboard alone, with a
wrong password; each page checked with axe-core for WCAG 2.2 AA."""

import re

from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.factories import PASSWORD, UserFactory

LOGIN_PATH = "/accounts/login/"
# The line under the header (not the "Successfully signed in" banner or the home page text).
SIGNED_IN_AS = re.compile(r"Signed in as Ada Lovelace,")


def _person():
    return UserFactory(email="ada.lovelace@example.test", full_name="Ada Lovelace")


def _focused(page):
    """A short description of what has keyboard focus, for failure messages."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            const box = e.getBoundingClientRect();
            return {
                tag: e.tagName.toLowerCase(), id: e.id,
                text: (e.innerText || e.value || "").trim().slice(0, 40),
                visible: box.width > 1 && box.height > 1,
            };
        }"""
    )


def test_person_signs_in_and_lands_on_home_page(page, live_server):
    person = _person()
    page.goto(LOGIN_PATH)
    expect(page).to_have_title(f"Sign in – {settings.PARTNERSHIP_NAME}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    screenshot(page, "sign-in")
    assert_no_axe_violations(page)

    sign_in(page, person, PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page).to_have_title(f"Home – {settings.PARTNERSHIP_NAME}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Action plans")
    expect(page.get_by_text(SIGNED_IN_AS)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Ada Lovelace")
    screenshot(page, "home-signed-in")
    assert_no_axe_violations(page)


def test_wrong_password_shows_the_error_summary_and_does_not_sign_in(page, live_server):
    person = _person()
    page.goto(LOGIN_PATH)
    page.get_by_label("Email", exact=True).fill(person.email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_contain_text("not correct")
    # GOV.UK Frontend moves focus to the summary so screen readers announce it.
    expect(summary).to_be_focused()
    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH) + "$"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    screenshot(page, "sign-in-wrong-password")
    assert_no_axe_violations(page)

    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH)))


def test_sign_in_with_the_keyboard_alone(page, live_server):
    person = _person()
    page.goto(LOGIN_PATH)
    skip_link = page.get_by_role("link", name="Skip to main content")
    email = page.get_by_label("Email", exact=True)
    password = page.get_by_label("Password", exact=True)
    expect(skip_link).not_to_be_in_viewport()  # hidden until focused

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    screenshot(page, "sign-in-skip-link-focused")

    # Tab on to the Email field; every stop on the way must be visible.
    stops = []
    for _ in range(10):
        page.keyboard.press("Tab")
        stop = _focused(page)
        stops.append(stop)
        assert stop["visible"], f"focus went to something invisible: {stops}"
        if stop["id"] == "id_login":
            break
    expect(email).to_be_focused()
    page.keyboard.type(person.email)

    page.keyboard.press("Tab")
    after_email = _focused(page)
    assert after_email["id"] == "id_password", (
        f"Tab from Email should reach Password, but went to {after_email}"
    )
    expect(password).to_be_focused()
    page.keyboard.type(PASSWORD)
    screenshot(page, "sign-in-keyboard-filled")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text(SIGNED_IN_AS)).to_be_visible()


def test_skip_link_moves_focus_to_the_main_content(page, live_server):
    page.goto(LOGIN_PATH)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email", exact=True)).to_be_focused()


def test_sign_out_returns_to_the_sign_in_page(page, live_server):
    person = _person()
    sign_in(page, person, PASSWORD)
    expect(page.get_by_text(SIGNED_IN_AS)).to_be_visible()

    sign_out = page.get_by_role("button", name="Sign out", exact=True)
    sign_out.focus()
    screenshot(page, "sign-out-focused")
    sign_out.click()

    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    screenshot(page, "signed-out")
    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH)))
