"""The page for a request that failed unexpectedly (``handler500`` in config/urls.py).

When the failure is the database being unreachable (PostgreSQL down or restarting, the
connection cut), the person gets 503 "Sorry, the service is temporarily unavailable" with
Retry-After, and the page says that nothing they sent was saved, which is true: the
request's transaction never committed. Every other failure gets Django's 500 page.

This is the handler rather than a middleware because the database is often first asked by
a middleware (the session, the signed-in person); Django turns an exception raised there
into a response through this same handler.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 120


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an exception it was raised from or while handling, is the
    database connection failing."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    if database_unavailable(sys.exc_info()[1]):
        # No context, no request: nothing here may need the database.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return django_server_error(request, template_name)
