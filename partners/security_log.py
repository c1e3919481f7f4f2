"""The security log: sign-in success and failure, sign-out, and refused access, each with
who, what, when (UTC) and where (client address), never a password or a session key.
Written to the "security" logger so a council can ship it to its SIEM."""

from __future__ import annotations

import logging
from datetime import UTC

from allauth.account.adapter import get_adapter
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.dispatch import receiver
from django.utils import timezone

logger = logging.getLogger("security")


def client_address(request) -> str:
    """The client's address by the rule the sign-in throttle uses (allauth's, with
    ALLAUTH_TRUSTED_PROXY_COUNT set from TRUSTED_PROXY_COUNT): the address that the
    outermost of our own proxies saw, counted from the right of X-Forwarded-For, or the
    socket's peer when no proxy is trusted. Never a hop the client wrote itself."""
    if request is None:
        return "-"
    try:
        return get_adapter(request).get_client_ip(request)
    except ImproperlyConfigured:
        # Fewer X-Forwarded-For hops than trusted proxies: the request did not come
        # through them, so the peer is who sent it.
        return request.META.get("REMOTE_ADDR") or "-"
    except PermissionDenied:
        # No valid address where the rule looks (a malformed header).
        return "-"


def _log(event: str, who: str, request, **extra) -> None:
    details = " ".join(f"{k}={v}" for k, v in extra.items())
    logger.info(
        "event=%s who=%s when=%s where=%s %s",
        event, who or "-", timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
        client_address(request), details,
    )


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    _log("sign_in_success", user.email, request)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    _log("sign_out", getattr(user, "email", ""), request)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # credentials holds the password too: only the identifier is logged.
    who = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    _log("sign_in_failure", str(who)[:254], request)


class RefusedAccessLogMiddleware:
    """Logs every 403, and every 404 for a signed-in person (out-of-scope objects are 404s)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code not in (403, 404):
            # Not even a look at request.user, which reads the session and the person from
            # the database: /healthz must still answer its JSON when the database is down.
            return response
        user = getattr(request, "user", None)
        signed_in = bool(user and user.is_authenticated)
        if response.status_code == 403 or signed_in:
            _log(
                "access_refused", user.email if signed_in else "", request,
                status=response.status_code, method=request.method, path=request.path[:300],
            )
        return response
