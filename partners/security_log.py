"""The security log: sign-in success and failure, sign-out, and refused access, each with
who, what, when (UTC) and where (client address), never a password or a session key.
Written to the "security" logger so a council can ship it to its SIEM."""

from __future__ import annotations

import logging
from datetime import UTC

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

logger = logging.getLogger("security")


def client_address(request) -> str:
    if request is None:
        return "-"
    # Behind the council's proxy the first X-Forwarded-For hop is the client (SECURE_PROXY_SSL_HEADER
    # says we trust that proxy); otherwise the socket's address.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "-")


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
