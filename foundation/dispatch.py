"""Durable dispatch: work recorded as a row first, handed to the broker after.

A row that needs a task (a report job, an email of the outbox) is written in the caller's
transaction; once it commits, its task is published and the row's ``dispatched_at`` set. A
broker that is down leaves the row pending with no ``dispatched_at``, and a sweep (a beat
task, every minute) hands over later what never reached the broker, or reached it long ago
and is still pending (the broker may have lost it). Running a task twice must be safe: it is
how the pattern survives a lost message.

Each app keeps its own publish function (what it catches, what it logs) and its own grace
periods; the sweep and the note of a hand-over are here, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

DISPATCH_BATCH = 500


def dispatched_note(model: type[Model], pk: int) -> None:
    """Note that the row's task has just been handed to the broker."""
    model.objects.filter(pk=pk).update(dispatched_at=timezone.now())


def stalled_dispatch(
    pending: QuerySet,
    *,
    created_field: str,
    grace: dt.timedelta,
    redispatch_after: dt.timedelta,
    publish: Callable[[int], bool],
    now: dt.datetime | None = None,
    batch: int = DISPATCH_BATCH,
) -> list[int]:
    """Hand over, oldest first, the ``pending`` rows whose task never reached the broker
    (no ``dispatched_at``, and ``created_field`` older than ``grace``: younger, the request
    that wrote the row may still be publishing it) or reached it more than
    ``redispatch_after`` ago, at most ``batch`` of them. ``publish(pk)`` hands one over and
    says whether it could; the sweep stops at the first it could not (the broker is still
    down: the next sweep tries again). Returns the ids handed over."""
    now = now or timezone.now()
    stalled = list(
        pending.filter(
            Q(dispatched_at__isnull=True, **{f"{created_field}__lte": now - grace})
            | Q(dispatched_at__lte=now - redispatch_after)
        )
        .order_by(created_field, "pk")
        .values_list("pk", flat=True)[:batch]
    )
    dispatched = []
    for pk in stalled:
        if not publish(pk):
            break
        dispatched.append(pk)
    return dispatched
