"""Multi-factor authentication is required for every account outside the demo.

A signed-in person with no authenticator (TOTP or passkey, from allauth's MFA) is sent to
set one up before any other page. Only what setting one up needs stays reachable: the
choice of authenticator, the authenticator-app and passkey set-up pages, giving the
password again (which those ask for), signing out, and the static and public pages.
Nothing else under /accounts/ (the email address, the password) can be changed until an
authenticator is set up.

Demo accounts are exempt so the demo can be tried with a password alone: those whose
``is_demo`` flag ``load_demo`` set, never an address at the demo domain, which anyone
could type.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

_ALWAYS_ALLOWED = ("/static/", "/healthz", "/theme.css", "/accessibility/", "/privacy/")
_SET_UP_PAGES = ("mfa_index", "mfa_activate_totp", "mfa_add_webauthn", "account_reauthenticate", "account_logout")


@cache
def _set_up_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in _SET_UP_PAGES)


def needs_mfa_setup(user) -> bool:
    if not (settings.MFA_REQUIRED and user.is_authenticated):
        return False
    if user.is_demo:
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).exists()


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed = request.path.startswith(_ALWAYS_ALLOWED) or request.path in _set_up_paths()
        if not allowed and needs_mfa_setup(request.user):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
