"""The RAG rule: the one place that decides an action's red, amber, green or blue.

Every page, dashboard, export and report asks this module, either per action
(:func:`rag_for`) or in the database (:func:`annotate_rag`, the same rule as a SQL
expression so that lists can filter and count by RAG without loading every action).
A test checks the two agree on every row of the rule table.

The rule, in order (the first that applies wins):

1. Status "Complete: outcome evidenced": **blue** where the plan uses blue, else green.
2. Status "Delivered": **green** (delivered, with its outcome still to be evidenced).
3. Past its due date and not delivered: **red**. An overdue action that is not complete
   can never show green, nor amber, whatever its lead proposed.
4. Otherwise the RAG proposed by the latest progress update on or before the day
   (blue proposed for an action that is not complete counts as green).
5. No update proposing a RAG: **not yet rated**.

"As at" a past date uses what the records say of that day: completion from the sign-offs
made by then (or, where a plan's completions were imported, the latest update's status),
the due date from the revisions approved by then, and the proposal of the latest update
dated on or before it; so a paper for a past date gives the same answer every time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from actionplans.choices import RAG, ActionStatus, Decision, SignOffStage
from actionplans.rules import COMPLETE_STATUSES, is_overdue, latest_updates, overdue_q

# Order in which RAG values are listed in dashboards and papers.
RAG_ORDER = [RAG.RED, RAG.AMBER, RAG.GREEN, RAG.BLUE, RAG.NOT_RATED]


def rag_for(
    *,
    status: str,
    due_date: dt.date | None,
    latest_proposed: str | None,
    today: dt.date,
    uses_blue: bool = True,
) -> RAG:
    """The RAG of one action on ``today``."""
    if status == ActionStatus.OUTCOME_EVIDENCED:
        return RAG.BLUE if uses_blue else RAG.GREEN
    if status == ActionStatus.DELIVERED:
        return RAG.GREEN
    if is_overdue(status=status, due_date=due_date, today=today):
        return RAG.RED
    if latest_proposed == RAG.BLUE:
        return RAG.GREEN
    if latest_proposed in (RAG.RED, RAG.AMBER, RAG.GREEN):
        return RAG(latest_proposed)
    return RAG.NOT_RATED


def rag_of_action(action, today: dt.date, latest_proposed: str | None = None) -> RAG:
    """The RAG of a loaded action. Pass ``latest_proposed`` (or annotate it with
    :func:`annotate_rag`) to avoid a query per action."""
    if latest_proposed is None:
        latest_proposed = getattr(action, "latest_proposed_rag", None)
    return rag_for(
        status=action.status,
        due_date=action.due_date,
        latest_proposed=latest_proposed,
        today=today,
        uses_blue=action.plan.uses_blue,
    )


def annotate_rag(actions: QuerySet, today: dt.date, *, as_at_history: bool = False) -> QuerySet:
    """Annotate ``latest_proposed_rag`` and ``rag`` on a queryset of actions, computed in the
    database by the rule above.

    With ``as_at_history`` the action is taken as it stood at the end of ``today`` (for
    papers "as at" a past date), from the records alone: ``status_as_at`` from the
    sign-offs made by then (or, for a plan whose completions were imported rather than
    signed off, the latest update's status), and ``due_date_as_at`` from the revisions
    approved by then.
    """
    from actionplans.models import ActionSignOff, DueDateRevision

    actions = actions.annotate(
        latest_proposed_rag=Subquery(latest_updates(as_at=today).exclude(proposed_rag="").values("proposed_rag")[:1])
    )
    status, due_date = "status", "due_date"
    if as_at_history:
        end_of_day = dt.datetime.combine(today, dt.time.max, tzinfo=timezone.get_current_timezone())
        # In force at the end of the day: signed by then and not withdrawn (reopened) by then.
        signed = ActionSignOff.objects.filter(action=OuterRef("pk"), signed_at__lte=end_of_day).exclude(
            withdrawn_at__lte=end_of_day
        )
        update_status = Subquery(latest_updates(as_at=today).values("status")[:1])
        revised_to = Subquery(
            DueDateRevision.objects.filter(action=OuterRef("pk"), decision=Decision.APPROVED, decided_at__lte=end_of_day)
            .order_by("-decided_at")
            .values("new_date")[:1]
        )
        actions = actions.annotate(update_status_as_at=update_status).annotate(
            status_as_at=Case(
                When(Exists(signed.filter(stage=SignOffStage.OUTCOME_EVIDENCED)), then=Value(ActionStatus.OUTCOME_EVIDENCED)),
                When(Exists(signed.filter(stage=SignOffStage.DELIVERED)), then=Value(ActionStatus.DELIVERED)),
                # Where completion is signed off, an update only claims it: in progress until then.
                When(
                    Exists(ActionSignOff.objects.filter(action=OuterRef("pk"))),
                    then=Case(
                        When(Q(update_status_as_at__in=COMPLETE_STATUSES), then=Value(ActionStatus.IN_PROGRESS)),
                        default=Coalesce("update_status_as_at", Value(ActionStatus.NOT_STARTED)),
                        output_field=CharField(),
                    ),
                ),
                default=Coalesce("update_status_as_at", Value(ActionStatus.NOT_STARTED)),
                output_field=CharField(),
            ),
            due_date_as_at=Coalesce(revised_to, "original_due_date", "due_date"),
        )
        status, due_date = "status_as_at", "due_date_as_at"
    overdue = overdue_q(today, status=status, due_date=due_date)
    return actions.annotate(
        rag=Case(
            When(Q(**{status: ActionStatus.OUTCOME_EVIDENCED}, plan__uses_blue=True), then=Value(RAG.BLUE)),
            When(Q(**{status: ActionStatus.OUTCOME_EVIDENCED}), then=Value(RAG.GREEN)),
            When(Q(**{status: ActionStatus.DELIVERED}), then=Value(RAG.GREEN)),
            When(overdue, then=Value(RAG.RED)),
            When(latest_proposed_rag=RAG.BLUE, then=Value(RAG.GREEN)),
            When(latest_proposed_rag__in=[RAG.RED, RAG.AMBER, RAG.GREEN], then="latest_proposed_rag"),
            default=Value(RAG.NOT_RATED),
            output_field=CharField(),
        )
    )


# --- RAG counts: one shape ---------------------------------------------------------------------
#
# A RAG count is a dict of every RAG value, in RAG_ORDER, to its number of actions (zero where
# none): rag_count_dict makes it from whatever was counted, and RagCounts carries one for a
# template. rag_counts counts one queryset; rag_counts_by one queryset by a key; count_by_rag
# many querysets at once (one UNION ALL query), for the dashboards.


def rag_count_dict(found: Mapping[str, int] | Iterable[tuple[str, int]] = ()) -> dict[str, int]:
    """The one shape of a RAG count: RAG value -> number, every value in RAG_ORDER, zero where
    ``found`` (a mapping or (rag, n) pairs; a value may repeat, its numbers are added) has none."""
    counts = {rag.value: 0 for rag in RAG_ORDER}
    for rag, n in found.items() if isinstance(found, Mapping) else found:
        counts[rag] = counts.get(rag, 0) + n
    return counts


@dataclass
class RagCounts:
    """A RAG count (:func:`rag_count_dict`) for a template: each colour with its number."""

    counts: dict[str, int] = field(default_factory=rag_count_dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def nonzero(self) -> list[tuple[str, int]]:
        return [(rag, n) for rag, n in self.counts.items() if n]


def rag_counts(actions: QuerySet, today: dt.date) -> dict[str, int]:
    """RAG value -> number of actions, every value present (zero where none), in RAG_ORDER."""
    rows = annotate_rag(actions, today).order_by().values("rag").annotate(n=Count("pk"))
    return rag_count_dict((row["rag"], row["n"]) for row in rows)


def rag_counts_by(actions: QuerySet, key: str, today: dt.date) -> dict[int, RagCounts]:
    """RAG counts of ``actions`` grouped by ``key`` (e.g. "plan_id", "lead_post__agency_id"),
    counted in the database by the one RAG rule, in one query."""
    rows = annotate_rag(actions, today).order_by().values(key, "rag").annotate(n=Count("pk", distinct=True))
    grouped: dict[int, RagCounts] = defaultdict(RagCounts)
    for row in rows:
        if row[key] is not None:
            grouped[row[key]].counts[row["rag"]] += row["n"]
    return grouped


def count_by_rag(members: Sequence[QuerySet], keys: Sequence[str] = ()) -> list[dict]:
    """Count each queryset of actions by ``keys`` and RAG, in one query: a UNION ALL of
    ``SELECT keys, rag, COUNT(*) FROM (member) GROUP BY keys, rag``, one per member.

    Each member is a queryset annotated by annotate_rag (and with ``keys`` annotated).
    Counting from the member as a subquery lets the database work out each action's RAG
    once; grouping on the RAG expression itself works it out for the group and again for
    the column. Rows are dicts with ``member`` (the member's index), the keys, ``rag``, ``n``.
    """
    if not members:
        return []
    connection = connections[members[0].db]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(name) for name in (*keys, "rag"))
    parts, params = [], []
    for index, member in enumerate(members):
        sql, member_params = member.order_by().values(*keys, "rag").query.sql_with_params()
        # Only Django's own compiled SQL and quoted names go into the text; values are params.
        parts.append(
            f"SELECT {int(index)} AS {qn('member')}, {columns}, COUNT(*) AS {qn('n')} "  # noqa: S608
            f"FROM ({sql}) {qn(f'member_{index}')} GROUP BY {columns}"
        )
        params.extend(member_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
