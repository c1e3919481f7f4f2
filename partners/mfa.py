"""Multi-factor authentication is required for every account outside the demo.

A signed-in person with no authenticator (TOTP or passkey, from allauth's MFA) is sent to
set one up before any other page; the set-up, sign-out and static pages stay reachable.
Demo accounts (the DEMO_EMAIL_DOMAIN that only load_demo creates) are exempt so the demo
can be tried with a password alone.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect

_ALWAYS_ALLOWED = ("/accounts/", "/static/", "/healthz", "/theme.css", "/accessibility/", "/privacy/")


def needs_mfa_setup(user) -> bool:
    if not (settings.MFA_REQUIRED and user.is_authenticated):
        return False
    if user.email.endswith("@" + settings.DEMO_EMAIL_DOMAIN):
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).exists()


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_ALWAYS_ALLOWED) and needs_mfa_setup(request.user):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
