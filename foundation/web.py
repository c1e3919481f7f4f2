"""Small pieces every app's views share: turning a service's ValidationError into form
errors, handing out a private file after the caller's access check, and keeping what a
signed-in person is shown out of every cache but their own browser's memory."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control


def add_service_errors(form, error: ValidationError, *, field_names: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: each message on its field where the form
    has one (``field_names`` maps a model field to the form field showing it), else at the top."""
    field_names = field_names or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            name = field_names.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def private_file_response(field_file, *, content_type: str, disposition: str) -> FileResponse:
    """A stored evidence, report or letter file as a download, streamed from whichever
    storage holds it (the local folder or the object store: nothing here needs a path on
    disk). Never rendered in the site's origin (sandboxed, no sniffing) and never cached by
    a shared cache. The caller has already checked that the person may see it."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in person: pages,
    downloads and papers hold children's and staff's personal data, which no proxy, shared
    computer's disk cache or back button should keep (security finding 12).

    "Signed in" is read from the request's session cookie, not ``request.user``, so that no
    response (the 503 page while the database is down among them) costs a session read; a
    stale cookie only makes a page uncacheable. A response that already says ``no-store``
    keeps its own, stricter, header (the health check, the 503 page), and one that a view
    marked ``public`` holds nothing personal by that view's word (the theme's CSS). Static
    files never get here: WhiteNoise answers them before the session is looked at."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return response
        directives = {d.strip().split("=")[0].lower() for d in response.get("Cache-Control", "").split(",")}
        if not directives & {"no-store", "public"}:
            patch_cache_control(response, private=True, no_store=True)
        return response
