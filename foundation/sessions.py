"""Django's SessionMiddleware, minus one database read on error responses.

With SESSION_SAVE_EVERY_REQUEST, Django's middleware reads the session's expiry (from the
database) on every response that carries a session cookie, and only then skips saving
because the response is a 5xx. When the database is what failed, that read fails again:
/healthz's JSON "down" answer (and every 503 page) would be replaced by a second error.
On a 5xx this middleware does only what Django's would have done without the database:
vary on the cookie when the session was used; nothing is saved either way.
"""

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.utils.cache import patch_vary_headers


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request, response):
        if response.status_code >= 500:
            session = getattr(request, "session", None)
            if session is not None and session.accessed:
                patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)
