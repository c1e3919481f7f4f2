from django.apps import AppConfig


class FoundationConfig(AppConfig):
    """What every app builds on and that knows nothing of the domain: strict environment
    parsing, storage, the cache, sessions, the web helpers and the 503 handler, uploads,
    dates, text limits, form fields, chart primitives, the task decorator and durable
    dispatch, backup and restore (with their commands). It imports no other app of the
    project; partners, inspections, actionplans and reports import it."""

    name = "foundation"
    verbose_name = "Foundation"
