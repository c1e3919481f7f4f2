"""Setting up multi-factor authentication in a real browser: a person outside the demo, with
MFA required as in production, signs in, is taken to set up an authenticator app, types
the code their app would show for the secret on the page, and reaches the home page. The
set-up page is checked with axe-core for WCAG 2.2 AA."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in
from tests.factories import PASSWORD, UserFactory
from tests.totp import totp_code


@pytest.fixture
def mfa_required(settings):
    # tests/conftest.py turns the requirement off for factory people; here it is on.
    settings.MFA_REQUIRED = True


def test_a_person_without_mfa_sets_up_an_authenticator_app_and_reaches_home(page, live_server, mfa_required):
    person = UserFactory(email="grace.hopper@example.test", full_name="Grace Hopper")

    sign_in(page, person, PASSWORD)

    # Sent towards the set-up page; allauth first asks for the password again, as it does
    # before any authenticator is added.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F$"))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Any other page sends the person back here until an authenticator is set up, the
    # email address page too (a new address there once lifted the requirement).
    for elsewhere in ("/my-actions/", "/accounts/email/"):
        page.goto(elsewhere)
        expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    screenshot(page, "mfa-totp-set-up")
    assert_no_axe_violations(page)

    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Activate").click()

    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    screenshot(page, "mfa-totp-activated")
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page).to_have_title(f"Home – {settings.PARTNERSHIP_NAME}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Action plans")
    screenshot(page, "mfa-home-after-set-up")
