"""Signing in, multi-factor set-up, changing one's email address, the sign-in throttle, the
security log's client address and password reset, through the real stack as a browser
meets it: the test client enforces CSRF, every form is fetched first and its token sent
back, people sign in through the sign-in form (never force_login), and MFA is required
as it is in production."""

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.totp import totp_code

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WRONG = "not-the-password-1"
# The council's TLS proxy (or the nginx of docker-compose.scale.yml): the only peer the
# web container sees, which appends the address it saw to X-Forwarded-For.
PROXY = "10.0.0.2"
ATTACKER = "203.0.113.5"
COLLEAGUE = "198.51.100.7"
# The per-account window of ACCOUNT_RATE_LIMITS["login_failed"] (config/settings.py).
PER_ACCOUNT_WINDOW_SECONDS = 5 * 60


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.MFA_REQUIRED = True


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # The throttle counts in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def browser(client_address: str | None = None) -> Client:
    """A browser with its own cookies; with ``client_address`` it reaches the site through
    the proxy, which names that address in X-Forwarded-For."""
    if client_address is None:
        return Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.10")
    return Client(enforce_csrf_checks=True, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def csrf_token(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, f"GET {url}: {page.status_code} {page.get('Location', '')}"
    return CSRF_FIELD.search(page.content.decode()).group(1)


def submit(client: Client, url: str, data: dict, *, form_page: str | None = None):
    """Fetch the page with the form (``form_page``, by default ``url``) and post the form
    with the CSRF token the page carries."""
    return client.post(url, {**data, "csrfmiddlewaretoken": csrf_token(client, form_page or url)})


def sign_in(client: Client, email: str, password: str, *, next_url: str | None = None):
    url = reverse("account_login")
    data = {"login": email, "password": password}
    if next_url is not None:
        url += f"?next={quote(next_url, safe='')}"
        data["next"] = next_url
    return submit(client, url, data)


def signed_in_as(client: Client):
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def sign_in_with_totp(client: Client, person, secret: str) -> None:
    response = sign_in(client, person.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    submit(client, reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert signed_in_as(client) == person.pk


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


# --- Mandatory MFA cannot be switched off -------------------------------------------------


def test_a_demo_address_does_not_lift_the_mfa_requirement(officer):
    client = browser()
    sign_in(client, officer.email, PASSWORD)
    assert signed_in_as(client) == officer.pk
    setup = reverse("mfa_activate_totp")
    email_page = reverse("account_email")
    token = csrf_token(client, reverse("mfa_index"))

    # The escape in the security issue: add an address at the demo domain, make it primary.
    added = client.post(email_page, {"action_add": "", "email": "officer@demo.example", "csrfmiddlewaretoken": token})
    primary = client.post(
        email_page, {"action_primary": "", "email": "officer@demo.example", "csrfmiddlewaretoken": token}
    )

    assert (added.status_code, added["Location"]) == (302, setup)
    assert (primary.status_code, primary["Location"]) == (302, setup)
    officer.refresh_from_db()
    assert officer.email == "officer@example.test"
    assert not EmailAddress.objects.filter(email="officer@demo.example").exists()
    for url in (reverse("home"), reverse("actionplans:my_actions"), email_page):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, setup), url


def test_before_mfa_is_set_up_only_the_set_up_pages_are_reachable(officer):
    client = browser()
    sign_in(client, officer.email, PASSWORD)
    setup = reverse("mfa_activate_totp")
    token = csrf_token(client, reverse("mfa_index"))
    closed = [
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("account_set_password"),
        reverse("account_reset_password"),
        reverse("account_email_verification_sent"),
        reverse("account_confirm_email", args=["some-key"]),
        reverse("mfa_view_recovery_codes"),
        reverse("mfa_generate_recovery_codes"),
        reverse("mfa_list_webauthn"),
        reverse("mfa_deactivate_totp"),
        reverse("admin:index"),
    ]
    for url in closed:
        for response in (client.get(url), client.post(url, {"csrfmiddlewaretoken": token})):
            assert (response.status_code, response.get("Location")) == (302, setup), url
    for url in (setup, reverse("mfa_add_webauthn"), reverse("account_reauthenticate"), reverse("mfa_index")):
        response = client.get(url)
        assert response.get("Location") != setup, url
    client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert signed_in_as(client) is None


def test_a_demo_account_is_exempt_by_its_flag_not_by_its_address():
    flagged = UserFactory(email="demo.officer@example.test", is_demo=True)
    lookalike = UserFactory(email="officer@demo.example")
    for person, exempt in ((flagged, True), (lookalike, False)):
        client = browser()
        sign_in(client, person.email, PASSWORD)
        assert signed_in_as(client) == person.pk
        response = client.get(reverse("actionplans:my_actions"))
        if exempt:
            assert response.status_code == 200
        else:
            assert (response.status_code, response["Location"]) == (302, reverse("mfa_activate_totp"))


# --- Changing one's email address --------------------------------------------------------


def test_changing_ones_email_asks_for_the_password_and_waits_for_the_new_address_to_be_verified(officer):
    secret = "JBSWY3DPEHPK3PXP"
    Authenticator.objects.create(user=officer, type=Authenticator.Type.TOTP, data={"secret": secret})
    client = browser()
    sign_in_with_totp(client, officer, secret)
    email_page = reverse("account_email")
    mail.outbox.clear()

    asked = submit(client, email_page, {"action_add": "", "email": "new.address@example.test"})
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="new.address@example.test").exists()

    # The password again: allauth then carries out the change that was asked for, which
    # only sends a link to the new address.
    submit(client, asked["Location"], {"password": PASSWORD, "next": email_page})
    pending = EmailAddress.objects.get(email="new.address@example.test")
    assert (pending.user, pending.verified, pending.primary) == (officer, False, False)
    assert [m.to for m in mail.outbox] == [["new.address@example.test"]]
    verification = mail.outbox[0]

    # Unverified, it is neither the account's address nor a way to sign in.
    submit(client, email_page, {"action_primary": "", "email": "new.address@example.test"})
    officer.refresh_from_db()
    assert officer.email == "officer@example.test"
    stranger = browser()
    sign_in(stranger, "new.address@example.test", PASSWORD)
    assert signed_in_as(stranger) is None

    # The link in the mail makes it the account's address, and the old address is told.
    mail.outbox.clear()
    confirm = link_in(verification)
    submit(client, confirm, {})
    officer.refresh_from_db()
    assert officer.email == "new.address@example.test"
    assert list(EmailAddress.objects.filter(user=officer).values_list("email", "verified", "primary")) == [
        ("new.address@example.test", True, True)
    ]
    assert ["officer@example.test"] in [m.to for m in mail.outbox]


# --- The sign-in throttle behind the proxy -------------------------------------------------


def test_six_wrong_passwords_never_stop_another_person_signing_in(settings, officer, director):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker = browser(ATTACKER)
    for _ in range(6):
        refused = sign_in(attacker, director.email, WRONG)
        assert refused.status_code == 200 and signed_in_as(attacker) is None
    # The per-account limit: from the attacker's address even the right password waits.
    limited = sign_in(attacker, director.email, PASSWORD)
    assert "Too many failed login attempts" in limited.content.decode()
    assert signed_in_as(attacker) is None

    # Another person, from the same address and from another.
    for address in (ATTACKER, COLLEAGUE):
        colleague = browser(address)
        sign_in(colleague, officer.email, PASSWORD)
        assert signed_in_as(colleague) == officer.pk, address
    # The director, from their own address, is not held up by someone else's guesses.
    own = browser(COLLEAGUE)
    sign_in(own, director.email, PASSWORD)
    assert signed_in_as(own) == director.pk
    # And from the attacker's address, once the short per-account window has passed.
    with time_machine.travel(time.time() + PER_ACCOUNT_WINDOW_SECONDS + 1, tick=False):
        later = browser(ATTACKER)
        sign_in(later, director.email, PASSWORD)
        assert signed_in_as(later) == director.pk


def test_behind_a_proxy_that_is_not_declared_one_persons_mistakes_stop_nobody_else(officer, director):
    # Every request seems to come from the proxy: the per-address limit is a shared one.
    everyone = PROXY
    attacker = Client(enforce_csrf_checks=True, REMOTE_ADDR=everyone)
    for _ in range(6):
        sign_in(attacker, director.email, WRONG)
    colleague = Client(enforce_csrf_checks=True, REMOTE_ADDR=everyone)
    sign_in(colleague, officer.email, PASSWORD)
    assert signed_in_as(colleague) == officer.pk


def test_the_trusted_proxy_count_comes_from_the_environment():
    script = "import django; django.setup(); from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "TRUSTED_PROXY_COUNT": "2"}
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"):
        environment.pop(name, None)
    shown = subprocess.run(
        [sys.executable, "-c", script], env=environment, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == "2"
    environment.pop("TRUSTED_PROXY_COUNT")
    shown = subprocess.run(
        [sys.executable, "-c", script], env=environment, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == "0"


# --- Where sign-in leads ------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url, lands_on",
    [
        ("/my-actions/", "/my-actions/"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https:evil.example", "/"),
    ],
)
def test_sign_in_follows_next_only_within_the_site(officer, next_url, lands_on):
    assert reverse("actionplans:my_actions") == "/my-actions/"
    client = browser()
    response = sign_in(client, officer.email, PASSWORD, next_url=next_url)
    assert signed_in_as(client) == officer.pk
    assert (response.status_code, response["Location"]) == (302, lands_on)


# --- The security log -----------------------------------------------------------------------


def _security_log(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "security"]


def test_the_security_log_names_the_client_by_the_trusted_proxy_rule(settings, officer, caplog):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # The client forges a first hop; the proxy appends the address it really saw.
    forged = Client(enforce_csrf_checks=True, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {ATTACKER}")
    with caplog.at_level(logging.INFO, logger="security"):
        sign_in(forged, officer.email, WRONG)
        sign_in(forged, officer.email, PASSWORD)
    lines = _security_log(caplog)
    assert any("event=sign_in_failure" in line for line in lines)
    assert any("event=sign_in_success" in line for line in lines)
    assert all(f"where={ATTACKER} " in line for line in lines), lines
    assert not any("6.6.6.6" in line for line in lines)


def test_with_no_proxy_trusted_the_security_log_names_the_peer(officer, caplog):
    forged = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.44", HTTP_X_FORWARDED_FOR="6.6.6.6")
    with caplog.at_level(logging.INFO, logger="security"):
        sign_in(forged, officer.email, WRONG)
    lines = _security_log(caplog)
    assert lines and all("where=192.0.2.44 " in line for line in lines), lines


# --- Password reset -----------------------------------------------------------------------


def test_password_reset_mails_nobody_but_an_accounts_own_address(officer):
    EmailAddress.objects.create(user=officer, email="pending@example.test", verified=False, primary=False)
    reset = reverse("account_reset_password")
    unknown = submit(browser(), reset, {"email": "nobody@example.test"})
    pending = submit(browser(), reset, {"email": "pending@example.test"})
    assert mail.outbox == []
    known = submit(browser(), reset, {"email": officer.email})
    assert [m.to for m in mail.outbox] == [[officer.email]]
    # The page says the same whichever address was typed.
    assert {(r.status_code, r["Location"]) for r in (unknown, pending, known)} == {
        (302, reverse("account_reset_password_done"))
    }


# --- Accounts an administrator issues ------------------------------------------------------


def test_an_account_an_administrator_issues_signs_in_at_once_and_follows_an_address_change(admin_user, council):
    secret = "JBSWY3DPEHPK3PXP"
    Authenticator.objects.create(user=admin_user, type=Authenticator.Type.TOTP, data={"secret": secret})
    admin = browser()
    sign_in_with_totp(admin, admin_user, secret)
    add = reverse("admin:partners_user_add")
    created = submit(admin, add, {
        "email": "Issued.Person@Example.test", "full_name": "Issued Person", "role": "officer",
        "agency": council.pk, "usable_password": "true",
        "password1": "a-long-issued-password-7", "password2": "a-long-issued-password-7",
    })
    assert created.status_code == 302, created.content.decode()[:2000]
    from partners.models import User

    person = User.objects.get(email="issued.person@example.test")
    assert list(EmailAddress.objects.filter(user=person).values_list("email", "verified", "primary")) == [
        ("issued.person@example.test", True, True)
    ]
    first = browser()
    sign_in(first, "issued.person@example.test", "a-long-issued-password-7")
    assert signed_in_as(first) == person.pk

    # The administrator changes the address: the new one signs in, the old one no longer.
    change = reverse("admin:partners_user_change", args=[person.pk])
    page = admin.get(change).content.decode()
    fields = {
        "email": "moved.person@example.test", "full_name": "Issued Person", "role": "officer",
        "agency": council.pk, "is_active": "on", "phone": "",
        "last_login_0": "", "last_login_1": "",
        "date_joined_0": re.search(r'name="date_joined_0"[^>]*value="([^"]*)"', page).group(1),
        "date_joined_1": re.search(r'name="date_joined_1"[^>]*value="([^"]*)"', page).group(1),
    }
    changed = submit(admin, change, fields)
    assert changed.status_code == 302, changed.content.decode()[:3000]
    person.refresh_from_db()
    assert person.email == "moved.person@example.test"
    assert list(EmailAddress.objects.filter(user=person).values_list("email", "verified", "primary")) == [
        ("moved.person@example.test", True, True)
    ]
    old, new = browser(), browser()
    sign_in(old, "issued.person@example.test", "a-long-issued-password-7")
    sign_in(new, "moved.person@example.test", "a-long-issued-password-7")
    assert (signed_in_as(old), signed_in_as(new)) == (None, person.pk)
