"""The seam through which an app scopes its own rows by the one access rule, which lives
above it. Who sees an inspection or a finding is decided by the actions a person sees
(actionplans.access), a layer up; the inspections' pages ask :func:`visible_to` here, and
config wires in the rule (``settings.ACCESS_RULE``), as it wires the authentication
backends. One rule, defined once; no app imports a layer above its own."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string


@cache
def _rule():
    return import_string(settings.ACCESS_RULE)


def visible_to(user, queryset: QuerySet) -> QuerySet:
    """``queryset`` narrowed to what ``user`` may see, by the rule ``settings.ACCESS_RULE``
    names (which refuses a model it has no rule for)."""
    return _rule()(user, queryset)
