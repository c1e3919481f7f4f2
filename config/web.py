"""Small pieces every app's views share: turning a service's ValidationError into form
errors, and handing out a private file after the caller's access check."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404


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
