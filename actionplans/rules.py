"""The date and status rules: the one place that says what "complete", "open", "overdue",
"due soon", "needs an update", "the latest progress update" and "as at" mean.

Every page, dashboard, reminder, export and paper asks this module (the RAG rule itself is
in :mod:`actionplans.rag`, which reads these rules too). Where a rule is needed both for
one loaded action and in the database, it is here twice, side by side: a Python predicate
(``is_...``) and a query condition (``..._q``); tests/test_rules.py checks the two agree
on every row of each rule's table.

- **Complete**: delivered, or complete with its outcome evidenced. **Open**: any other status.
- **Overdue**: past its due date (due before today) and not complete.
- **Due within N days**: open, and due from today to today + N days (both inclusive).
  **Due soon** is due within :data:`DUE_SOON_DAYS` (30) days, on My actions, in the weekly
  reminders and on the dashboards alike. The dashboards also show a longer horizon, due
  within :data:`DUE_AHEAD_DAYS` (90) days, as its own labelled figure: it is not "due soon".
- **Needs an update**: open, with no progress update dated within the plan's review cycle
  (none dated on or after today minus the cycle's days).
- **The latest progress update**: the update with the latest "as of" date, the latest
  recorded among those of one day (then the highest id); "as at" a date, only those dated
  on or before it.
- **As at**: a read for a date before today is historical (from the records of that day:
  :func:`reads_history`); a read for today, or with no date, is live (the actions as they
  are now), so a paper, an export and a page for today say the same.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, DateField, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from actionplans.choices import ActionStatus, ReviewCadence

# --- Complete and open ---------------------------------------------------------------------

COMPLETE_STATUSES: tuple[str, ...] = (ActionStatus.DELIVERED, ActionStatus.OUTCOME_EVIDENCED)
OPEN_STATUSES: tuple[str, ...] = tuple(s for s in ActionStatus.values if s not in COMPLETE_STATUSES)


def is_complete(status: str | None) -> bool:
    """Delivered or outcome evidenced."""
    return status in COMPLETE_STATUSES


def open_q(status: str = "status") -> Q:
    """Actions that are not complete (``status`` names the status field or annotation)."""
    return Q(**{f"{status}__in": OPEN_STATUSES})


# --- Overdue ---------------------------------------------------------------------------------


def is_overdue(*, status: str | None, due_date: dt.date | None, today: dt.date) -> bool:
    """Past its due date and not complete."""
    return bool(due_date and due_date < today and not is_complete(status))


def overdue_q(today: dt.date, *, status: str = "status", due_date: str = "due_date") -> Q:
    """:func:`is_overdue` as a query condition."""
    return Q(**{f"{due_date}__lt": today}) & open_q(status)


# --- Due within a window; "due soon" --------------------------------------------------------

# The one "due soon" window, in days from today (inclusive): My actions, reminders, dashboards.
DUE_SOON_DAYS = 30
# The dashboards' longer look ahead, shown as its own figure ("due in the next 90 days").
DUE_AHEAD_DAYS = 90


def due_by(today: dt.date, days: int) -> dt.date:
    """The last day of a window of ``days`` days from ``today``."""
    return today + dt.timedelta(days=days)


def is_due_within(days: int, *, status: str | None, due_date: dt.date | None, today: dt.date) -> bool:
    """Open, and due from today to ``days`` days from today, both inclusive."""
    return bool(due_date and today <= due_date <= due_by(today, days) and not is_complete(status))


def due_within_q(days: int, today: dt.date) -> Q:
    """:func:`is_due_within` as a query condition."""
    return Q(due_date__gte=today, due_date__lte=due_by(today, days)) & open_q()


def is_due_soon(*, status: str | None, due_date: dt.date | None, today: dt.date) -> bool:
    """Due within :data:`DUE_SOON_DAYS` days."""
    return is_due_within(DUE_SOON_DAYS, status=status, due_date=due_date, today=today)


def due_soon_q(today: dt.date) -> Q:
    return due_within_q(DUE_SOON_DAYS, today)


# --- The latest progress update --------------------------------------------------------------


def latest_updates(outer: str = "pk", *, as_at: dt.date | None = None) -> QuerySet:
    """An action's progress updates, latest first, for a subquery: ``outer`` names the
    action in the outer query (``"pk"`` for actions, ``"action"`` for updates). ``as_at``
    keeps only updates dated on or before that day. Take ``.values(field)[:1]``."""
    from actionplans.models import ProgressUpdate

    updates = ProgressUpdate.objects.filter(action=OuterRef(outer))
    if as_at is not None:
        updates = updates.filter(as_of__lte=as_at)
    return updates.order_by("-as_of", "-created_at", "-pk")


# --- Needs an update -------------------------------------------------------------------------


def update_cutoff(today: dt.date, cadence_days: int) -> dt.date:
    """The earliest date of an update that still counts as recent for a review cycle."""
    return today - dt.timedelta(days=cadence_days)


def needs_update(
    *, status: str | None, last_update_on: dt.date | None, cadence_days: int, today: dt.date
) -> bool:
    """Open, with no update dated within the plan's review cycle."""
    if is_complete(status):
        return False
    return last_update_on is None or last_update_on < update_cutoff(today, cadence_days)


def annotate_update_needed(actions: QuerySet, today: dt.date) -> QuerySet:
    """Annotate ``update_cutoff`` (from each action's plan's review cycle) and
    ``has_recent_update`` (an update dated on or after it), which :func:`update_needed_q`
    reads. The cut-off is one constant per cycle, so the database compares a date column
    with a date rather than doing date arithmetic (which each database spells its own way)."""
    from actionplans.models import ProgressUpdate

    cutoff = Case(
        *[When(plan__review_cadence_days=days, then=Value(update_cutoff(today, days))) for days in ReviewCadence.values],
        default=Value(update_cutoff(today, ReviewCadence.MONTHLY)),
        output_field=DateField(),
    )
    recent = ProgressUpdate.objects.filter(action=OuterRef("pk"), as_of__gte=OuterRef("update_cutoff"))
    return actions.annotate(update_cutoff=cutoff, has_recent_update=Exists(recent))


def update_needed_q() -> Q:
    """:func:`needs_update` as a query condition, on actions annotated by
    :func:`annotate_update_needed`."""
    return open_q() & Q(has_recent_update=False)


# --- As at -----------------------------------------------------------------------------------


def reads_history(as_at: dt.date | None, today: dt.date | None = None) -> bool:
    """Whether a read "as at" a date is historical (True) or live (False).

    A date before today reads the records of that day: status from the sign-offs and
    updates made by then, the due date from the revisions approved by then
    (``annotate_rag(..., as_at_history=True)``). Today, a later date, or no date reads the
    actions as they are now, as every page and dashboard shows them; so a CSV export and a
    paper as at today agree with each other and with the pages."""
    if as_at is None:
        return False
    return as_at < (today or timezone.localdate())
