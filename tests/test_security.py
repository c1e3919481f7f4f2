"""Security headers and the security log, as a council's security team would check them."""

import logging

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, officer):
    client.force_login(officer)
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_sign_in_failure_is_logged_without_the_password(client, officer, caplog):
    with caplog.at_level(logging.INFO, logger="security"):
        client.post(reverse("account_login"), {"login": officer.email, "password": "not-the-password-1"})
    records = [r.getMessage() for r in caplog.records if r.name == "security"]
    assert any("event=sign_in_failure" in m and officer.email in m for m in records)
    assert not any("not-the-password-1" in m for m in records)


def test_sign_in_success_is_logged_with_who_when_and_where(client, officer, caplog):
    with caplog.at_level(logging.INFO, logger="security"):
        client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    message = next(r.getMessage() for r in caplog.records if "sign_in_success" in r.getMessage())
    assert f"who={officer.email}" in message and "where=10.1.2.3" in message and "when=20" in message


def test_refused_access_is_logged(client, outsider, caplog):
    from tests.factories import ActionFactory

    action = ActionFactory()
    client.force_login(outsider)
    with caplog.at_level(logging.INFO, logger="security"):
        assert client.get(reverse("actionplans:action_detail", args=[action.pk])).status_code == 404
    assert any("event=access_refused" in r.getMessage() and "status=404" in r.getMessage() for r in caplog.records)
