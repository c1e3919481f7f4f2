"""Multi-factor authentication: required outside the demo, with TOTP and recovery codes."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED = True


def test_a_person_without_an_authenticator_must_set_one_up_first(client, officer, mfa_required):
    from tests.factories import PASSWORD

    client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    response = client.get(reverse("actionplans:my_actions"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # allauth may first ask for the password again; the set-up page is reached, not a loop.
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    assert page.status_code == 200
    assert page.redirect_chain == [] or "reauthenticate" in page.redirect_chain[-1][0]


def test_signing_out_is_never_blocked(client, officer, mfa_required):
    client.force_login(officer)
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_with_an_authenticator_pages_open(client, officer, mfa_required):
    Authenticator.objects.create(user=officer, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    client.force_login(officer)
    assert client.get(reverse("actionplans:my_actions")).status_code == 200


def test_recovery_codes_alone_do_not_count(client, officer, mfa_required):
    Authenticator.objects.create(user=officer, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00" * 20})
    client.force_login(officer)
    assert client.get(reverse("actionplans:my_actions")).status_code == 302


def test_demo_accounts_are_exempt(client, mfa_required):
    from tests.factories import UserFactory

    demo = UserFactory(email="officer@demo.example", is_demo=True)
    client.force_login(demo)
    assert client.get(reverse("actionplans:my_actions")).status_code == 200


def test_an_address_at_the_demo_domain_is_not_a_demo_account(client, mfa_required):
    from tests.factories import UserFactory

    lookalike = UserFactory(email="someone@demo.example")
    client.force_login(lookalike)
    assert client.get(reverse("actionplans:my_actions"))["Location"] == reverse("mfa_activate_totp")
