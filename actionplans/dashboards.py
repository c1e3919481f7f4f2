"""Reads for the directors' RAG dashboards: one plan's, and the partnership's across its live
plans.

Every number is counted in the database, over the actions the person may see
(``Action.objects.for_user``), with the RAG the one rule gives (``actionplans.rag.annotate_rag``):
conditional ``Count(..., filter=Q(...))`` and grouped counts, in a fixed handful of queries
whatever the number of actions. Each number carries the actions-table filter
(``actionplans.actions.filtersets.ActionFilterSet``) that lists exactly the actions it counts
(:class:`Figure`); overdue and revised are the filterset's own conditions. Where the table
has no filter for a number yet, the number is shown without a link rather than with one that
lists other actions; it becomes a link as soon as the filterset declares the parameter.

The trend is the RAG count at the end of each month since the plan went live, from the
recorded history (``annotate_rag(..., as_at_history=True)``: status and proposed RAG from the
latest progress update on or before the month end). An action counts in a month if it was
in the plan by then: added on or before the month end, or brought in with its plan (an
import or the demo, created within a day of the plan's own record). So the answer for a
past month does not change when updates dated today, or new actions, are recorded.

A month, once closed, is counted once and kept (:class:`~actionplans.models.RagSnapshot`,
per plan and per audience: every action, or one agency's share for its partner officers):
by the beat task shortly after each month end (:func:`rag_snapshots_record`), or by the
first view that needs a month not stored yet (a fresh install, a plan that went live with
its history). Only today is counted live, and it is the headline count. Past months are
therefore "as recorded at the month end", the way a committee read them: a record entered
later but dated into a closed month (a back-dated update or sign-off), an action deleted,
or a lead agency changed, does not rewrite the trend (the page says so under it). :func:`rag_as_at`
counts a past day afresh from the records, and :func:`rag_snapshots_forget` drops a plan's
stored months where its history has been corrected and must be counted again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from actionplans import rules
from actionplans.access import Audience, audience_of, visible_to
from actionplans.actions.filtersets import ActionFilterSet, revised_q
from actionplans.choices import RAG, ActionStatus, Decision, PlanStatus
from actionplans.models import Action, DueDateRevision, Plan, RagSnapshot
from actionplans.rag import RAG_ORDER, annotate_rag, count_by_rag, rag_count_dict, rag_counts
from actionplans.rules import OPEN_STATUSES, latest_updates, open_q, overdue_q
from inspections.choices import FindingKind
from inspections.models import Finding
from partners.models import PostHolding

ACTIONS_TABLE = "actionplans:action_list"
# The dashboards' due-date figures, in days from today (inclusive): "due soon" (the one window,
# actionplans.rules) and a longer look ahead, each shown with its own label.
DUE_WINDOWS = ((rules.DUE_SOON_DAYS, "Due soon: open actions due from today"), (rules.DUE_AHEAD_DAYS, "Looking ahead: open actions due from today"))
# Rows shown in each part of the attention list; the rest are a link to the table away.
ATTENTION_LIMIT = 50
# A plan running longer than this shows its most recent months.
TREND_MAX_MONTHS = 60
# The section numbers the table's section filter reads as numbers (its filter_section).
SECTION_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2})?")
YES = "yes"

Params = tuple[tuple[str, str], ...]


def table_filters() -> set[str]:
    """The query parameters the actions table understands (its FilterSet's filters)."""
    return set(ActionFilterSet.base_filters)


def actions_table_url(params: Iterable[tuple[str, str]]) -> str:
    """The actions table filtered by ``params`` (the table's own query parameters)."""
    query = urlencode(list(params))
    base = reverse(ACTIONS_TABLE)
    return f"{base}?{query}" if query else base


@dataclass(frozen=True)
class Figure:
    """A number on a dashboard and the actions-table filter that lists exactly the actions
    it counts. There is no link where the table has no such filter: ``params`` is None (a
    group such as "no lead post recorded"), or names a filter the table does not have yet;
    a link that listed other actions would be worse than none."""

    count: int
    params: Params | None = ()

    @property
    def url(self) -> str | None:
        if self.params is None:
            return None
        known = ActionFilterSet.base_filters  # a dict: no set built for each of ~2,000 numbers
        if any(name not in known for name, _ in self.params):
            return None
        return actions_table_url(self.params)


# --- The conditions, once ----------------------------------------------------------------


def _open_params() -> Params:
    return tuple(("status", status) for status in OPEN_STATUSES)


def conditions(today: dt.date) -> dict[str, Q]:
    """What each headline number counts, as conditions on actions annotated by
    :func:`annotate_for_dashboard`. Overdue and revised are the table's own tests."""
    return {
        # Past its due date and not complete (actionplans.rules).
        "overdue": overdue_q(today),
        **{f"due_{days}": rules.due_within_q(days, today) for days, _ in DUE_WINDOWS},
        # The due date in force is not the one first given (Action.is_revised).
        "revised": revised_q(),
        # Open, and no progress update dated within the plan's review cadence.
        "no_recent_update": rules.update_needed_q(),
        # The latest update claims delivery or an evidenced outcome that the action's
        # status (set only by a sign-off) does not have yet.
        "awaiting_sign_off": (
            (Q(latest_update_status=ActionStatus.DELIVERED) & open_q())
            | (Q(latest_update_status=ActionStatus.OUTCOME_EVIDENCED) & ~Q(status=ActionStatus.OUTCOME_EVIDENCED))
        ),
    }


def annotate_for_dashboard(actions: QuerySet, today: dt.date) -> QuerySet:
    """Actions with ``rag`` (the one rule) and what the dashboard's conditions read:
    the latest update's status, and whether there is an update within the review cadence."""
    return rules.annotate_update_needed(annotate_rag(actions, today), today).annotate(
        latest_update_status=Subquery(latest_updates().values("status")[:1]),
    )


_GROUP_KEYS = (
    "group_id", "group_name", "group_detail", "group_order", "parent_id", "parent_name", "parent_detail", "parent_order",
)


# --- Scope: one plan, or every live plan ------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose dashboard, of what, on which day. ``params`` is the table filter for "every
    action on this dashboard", or None where the table cannot express it."""

    user: object
    today: dt.date
    plan: Plan | None = None
    params: Params | None = ()

    @property
    def is_partnership(self) -> bool:
        return self.plan is None

    def actions(self) -> QuerySet:
        actions = Action.objects.for_user(self.user)
        if self.plan is not None:
            return actions.filter(plan=self.plan)
        return actions.filter(plan__status=PlanStatus.LIVE)

    def figure(self, count: int, *extra: tuple[str, str]) -> Figure:
        return Figure(count, None if self.params is None else self.params + tuple(extra))


def plan_scope(user, plan: Plan, today: dt.date) -> Scope:
    return Scope(user=user, today=today, plan=plan, params=(("plan", plan.slug),))


@dataclass(frozen=True)
class PartnershipPlans:
    live: list[Plan]
    others_have_actions: bool  # a plan that is not live has actions the person can see


def partnership_plans(user) -> PartnershipPlans:
    """The plans a person may see (one query): the live ones, and whether any other has
    actions they can see (then "all actions" in the table is more than the live plans')."""
    visible = Action.objects.for_user(user).filter(plan=OuterRef("pk"))
    plans = visible_to(user, Plan.objects.all()).annotate(has_actions=Exists(visible)).order_by("title")
    live, others = [], False
    for plan in plans:
        if plan.status == PlanStatus.LIVE:
            live.append(plan)
        elif plan.has_actions:
            others = True
    return PartnershipPlans(live=live, others_have_actions=others)


def partnership_scope(user, plans: PartnershipPlans, today: dt.date) -> Scope:
    if "plan_status" in table_filters():
        params: Params | None = (("plan_status", PlanStatus.LIVE.value),)
    else:
        # Without a filter for live plans, the unfiltered table is exact only when every
        # action the person can see is in a live plan.
        params = None if plans.others_have_actions else ()
    return Scope(user=user, today=today, plan=None, params=params)


def plan_for_dashboard(user, slug: str) -> Plan:
    """The plan, if the person may see it; otherwise a 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(visible_to(user, Plan.objects.all()), slug=slug)


# --- Headline numbers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    total: Figure
    rag: list[tuple[RAG, Figure]]
    overdue: Figure
    due_soon: list[tuple[int, Figure]]
    revised: Figure
    revisions_approved: int
    days_moved: int
    no_recent_update: Figure
    awaiting_sign_off: Figure

    @property
    def rag_counts(self) -> dict[str, int]:
        return {rag.value: figure.count for rag, figure in self.rag}

    @property
    def average_days_moved(self) -> int:
        return round(self.days_moved / self.revised.count) if self.revised.count else 0

    @property
    def headlines(self) -> list[Headline]:
        return [
            Headline("overdue", "Past their due date and not delivered", self.overdue),
            *[
                Headline(f"due in the next {days} days", dict(DUE_WINDOWS)[days], figure)
                for days, figure in self.due_soon
            ],
            Headline("with revised dates", "Due date no longer the one first given", self.revised),
            Headline("with no recent update", "Open, with no update within the plan's review cycle", self.no_recent_update),
            Headline("awaiting sign-off", "The latest update says delivered or complete; not signed off yet", self.awaiting_sign_off),
        ]


@dataclass(frozen=True)
class Headline:
    label: str
    hint: str
    figure: Figure


def _totals(actions: QuerySet, flags: list[str]) -> dict:
    """The summary's sums over ``actions`` (annotated with ``rag``, the boolean ``flags``,
    ``approved_revisions`` and ``days_moved``), in one query. Summed over the annotated
    actions as a subquery, as :func:`count_by_rag` counts: Django's own aggregate() over
    annotations rewrites every expression first, which cost more than the query itself."""
    connection = connections[actions.db]
    qn = connection.ops.quote_name
    sql, params = actions.order_by().values("rag", "approved_revisions", "days_moved", *flags).query.sql_with_params()
    rags = [rag.value for rag in RAG_ORDER]
    sums = [
        f"COUNT(*) AS {qn('total')}",
        *(f"SUM(CASE WHEN {qn('rag')} = %s THEN 1 ELSE 0 END) AS {qn(f'rag_{rag}')}" for rag in rags),
        *(f"SUM(CASE WHEN {qn(flag)} THEN 1 ELSE 0 END) AS {qn(flag)}" for flag in flags),
        f"SUM({qn('approved_revisions')}) AS {qn('revisions_approved')}",
        f"SUM({qn('days_moved')}) AS {qn('days_moved')}",
    ]
    with connection.cursor() as cursor:
        # Only Django's own compiled SQL and quoted names go into the text; values are params.
        cursor.execute(f"SELECT {', '.join(sums)} FROM ({sql}) {qn('summary')}", [*rags, *params])  # noqa: S608
        names = [column[0] for column in cursor.description]
        row = dict(zip(names, cursor.fetchone(), strict=True))
    row = {name: value or 0 for name, value in row.items()}
    if row["days_moved"] and not connection.features.has_native_duration_field:
        row["days_moved"] = dt.timedelta(microseconds=row["days_moved"])  # stored as microseconds
    return row


def summary(scope: Scope) -> Summary:
    """Every headline number in one query."""
    today = scope.today
    cond = conditions(today)
    approved = (
        DueDateRevision.objects.filter(action=OuterRef("pk"), decision=Decision.APPROVED)
        .order_by()
        .values("action")
        .annotate(n=Count("pk"))
        .values("n")
    )
    moved = ExpressionWrapper(F("due_date") - F("original_due_date"), output_field=DurationField())
    flags = {name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in cond.items()}
    actions = annotate_for_dashboard(scope.actions(), today).annotate(
        approved_revisions=Coalesce(Subquery(approved, output_field=IntegerField()), 0),
        days_moved=Case(
            When(cond["revised"] & Q(due_date__isnull=False), then=moved), default=None, output_field=DurationField()
        ),
        **{f"flag_{name}": flag for name, flag in flags.items()},
    )
    row = _totals(actions, [f"flag_{name}" for name in cond])
    row = {name.removeprefix("flag_"): value for name, value in row.items()}
    days_moved = row["days_moved"].days if row["days_moved"] else 0
    return Summary(
        total=scope.figure(row["total"]),
        rag=[(rag, scope.figure(row[f"rag_{rag.value}"], ("rag", rag.value))) for rag in RAG_ORDER],
        overdue=scope.figure(row["overdue"], ("overdue", YES)),
        due_soon=[
            (
                days,
                scope.figure(
                    row[f"due_{days}"],
                    ("due_from", today.isoformat()),
                    ("due_to", rules.due_by(today, days).isoformat()),
                    *_open_params(),
                ),
            )
            for days, _ in DUE_WINDOWS
        ],
        revised=scope.figure(row["revised"], ("revised", YES)),
        revisions_approved=row["revisions_approved"] or 0,
        days_moved=days_moved,
        no_recent_update=scope.figure(row["no_recent_update"], ("no_recent_update", YES)),
        awaiting_sign_off=scope.figure(row["awaiting_sign_off"], ("awaiting_sign_off", YES)),
    )


# --- RAG by section, lead agency, lead post (and plan) --------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    total: Figure
    rag: list[tuple[RAG, Figure]]
    is_part: bool = False  # a sub-section, counted in the section above it too


@dataclass(frozen=True)
class Breakdown:
    key: str
    title: str
    heading: str
    rows: list[BreakdownRow]
    note: str = ""


@dataclass(frozen=True)
class _Grouping:
    title: str
    heading: str
    key: str  # the field grouped on
    name: str  # label field
    detail: str  # second label field
    none_label: str


# Every label field is a text column and every key an id, so that the groupings can be
# counted together in one UNION query.
_GROUPINGS = {
    "plan": _Grouping("RAG by plan", "Plan", "plan_id", "plan__title", "plan__slug", "No plan"),
    "section": _Grouping(
        "RAG by section", "Section", "section_id", "section__number", "section__title", "Not in a section"
    ),
    "agency": _Grouping(
        "RAG by lead agency", "Lead agency", "lead_post__agency_id", "lead_post__agency__name",
        "lead_post__agency__short_name", "No lead post recorded",
    ),
    "lead_post": _Grouping(
        "RAG by lead post", "Lead post", "lead_post_id", "lead_post__title", "lead_post__agency__short_name",
        "No lead post recorded",
    ),
}


def _group_params(key: str, row: dict) -> tuple[str, str] | None:
    """The table filter for one group, or None where the table has none that is exact."""
    if row["group_id"] is None:
        return None
    if key == "plan":
        return ("plan", row["group_detail"])
    if key == "section":
        # The table's section filter takes a number and includes its sub-sections, so a
        # top-level row counts its sub-sections' actions too (see _section_rows).
        return ("section", row["group_name"]) if SECTION_NUMBER.fullmatch(row["group_name"] or "") else None
    if key == "agency":
        return ("lead_agency", row["group_detail"])
    return ("lead_post", str(row["group_id"]))


def _group_label(key: str, name: str | None, detail: str | None) -> str:
    if key == "section":
        return f"{name} {detail}"
    if key == "lead_post":
        return f"{name} ({detail})"
    return name or ""


def _counts(row: dict) -> dict[str, int]:
    return {"total": row["total"], **{rag.value: row[f"rag_{rag.value}"] for rag in RAG_ORDER}}


def _row(
    scope: Scope, label: str, counts: dict[str, int], extra: tuple[str, str] | None, *, is_part=False,
    standalone=False,
) -> BreakdownRow:
    """``standalone``: the group's filter alone picks its actions (a plan), whatever the scope."""

    def fig(count: int, *more: tuple[str, str]) -> Figure:
        if extra is None:
            return Figure(count, None)
        return Figure(count, (extra, *more)) if standalone else scope.figure(count, extra, *more)

    return BreakdownRow(
        label=label,
        total=fig(counts["total"]),
        rag=[(rag, fig(counts[rag.value], ("rag", rag.value))) for rag in RAG_ORDER],
        is_part=is_part,
    )


def _section_rows(scope: Scope, rows: list[dict]) -> list[BreakdownRow]:
    """Top-level sections with their sub-sections' actions included (as the plan reads,
    and as the table's section filter counts), each followed by its sub-sections."""
    tops: dict[int | None, dict] = {}
    for row in rows:
        top_id = row["parent_id"] or row["group_id"]
        top = tops.setdefault(
            top_id,
            {
                "group_id": top_id,
                "group_name": row["parent_name"] if row["parent_id"] else row["group_name"],
                "group_detail": row["parent_detail"] if row["parent_id"] else row["group_detail"],
                "order": row["parent_order"] if row["parent_id"] else row["group_order"],
                "counts": dict.fromkeys(["total", *(r.value for r in RAG_ORDER)], 0),
                "parts": [],
            },
        )
        for name, n in _counts(row).items():
            top["counts"][name] += n
        if row["parent_id"]:
            top["parts"].append(row)
    result = []
    for top in sorted(tops.values(), key=lambda t: (t["group_id"] is None, t["order"] or 0, t["group_name"] or "")):
        if top["group_id"] is None:
            result.append(_row(scope, _GROUPINGS["section"].none_label, top["counts"], None))
            continue
        label = _group_label("section", top["group_name"], top["group_detail"])
        result.append(_row(scope, label, top["counts"], _group_params("section", top)))
        for part in sorted(top["parts"], key=lambda r: (r["group_order"] or 0, r["group_name"] or "")):
            label = _group_label("section", part["group_name"], part["group_detail"])
            result.append(_row(scope, label, _counts(part), _group_params("section", part), is_part=True))
    return result


def _grouped_counts(scope: Scope, keys: list[str]) -> list[dict]:
    """The actions counted by RAG within each grouping in ``keys``, in one query: the actions
    with their RAG and every column the groupings read are selected once (a CTE, which
    PostgreSQL materialises because it is read once per grouping, so each action's RAG is
    worked out once and compiled once), then a UNION ALL of one GROUP BY per grouping.
    Rows are dicts with ``member`` (the grouping's index in ``keys``), _GROUP_KEYS, ``rag``
    and ``n``, as :func:`count_by_rag` gives them."""
    columns: dict[str, F] = {}
    for key in keys:
        grouping = _GROUPINGS[key]
        columns |= {f"by_{key}_id": F(grouping.key), f"by_{key}_name": F(grouping.name), f"by_{key}_detail": F(grouping.detail)}
    if "section" in keys:
        columns |= {
            "by_section_order": F("section__order"),
            "by_section_parent_id": F("section__parent_id"),
            "by_section_parent_name": F("section__parent__number"),
            "by_section_parent_detail": F("section__parent__title"),
            "by_section_parent_order": F("section__parent__order"),
        }
    actions = annotate_rag(scope.actions(), scope.today).annotate(**columns).order_by().values(*columns, "rag")
    connection = connections[actions.db]
    qn = connection.ops.quote_name
    sql, params = actions.query.sql_with_params()
    parts = []
    for index, key in enumerate(keys):
        own = {name: qn(f"by_{key}_{name}") for name in ("id", "name", "detail")}
        if key == "section":
            extra = {name: qn(f"by_section_{name}") for name in ("order", "parent_id", "parent_name", "parent_detail", "parent_order")}
            select = dict(zip(_GROUP_KEYS, [own["id"], own["name"], own["detail"], *extra.values()], strict=True))
            grouped = [*own.values(), *extra.values()]
        else:
            # A typed NULL: PostgreSQL reads a bare NULL as text, which cannot be UNIONed with
            # the sections' bigint ids.
            select = dict(
                zip(_GROUP_KEYS, [own["id"], own["name"], own["detail"], "0", "CAST(NULL AS BIGINT)", own["name"], own["detail"], "0"], strict=True)
            )
            grouped = list(own.values())
        # Only quoted names and constants go into the text; values are the queryset's params.
        parts.append(
            f"SELECT {int(index)} AS {qn('member')}, "  # noqa: S608
            + ", ".join(f"{expr} AS {qn(name)}" for name, expr in select.items())
            + f", {qn('rag')}, COUNT(*) AS {qn('n')} FROM {qn('counted')} GROUP BY {', '.join([*grouped, qn('rag')])}"
        )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {qn('counted')} AS ({sql}) " + " UNION ALL ".join(parts), params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def breakdowns(scope: Scope, keys: list[str]) -> list[Breakdown]:
    """RAG counts per section, lead agency, lead post or plan, all in one query (see
    :func:`_grouped_counts`). Actions without a group (no section, no lead post) are a row
    of their own, without links: the table has no filter for "none"."""
    # One row per group, with its count of each RAG.
    groups: dict[tuple, dict] = {}
    for found in _grouped_counts(scope, keys):
        key = (found["member"], found["group_id"])
        row = groups.setdefault(
            key,
            {name: found[name] for name in ("member", *_GROUP_KEYS)}
            | {"total": 0} | {f"rag_{rag.value}": 0 for rag in RAG_ORDER},
        )
        row[f"rag_{found['rag']}"] += found["n"]
        row["total"] += found["n"]
    rows_by_grouping: dict[int, list[dict]] = {index: [] for index in range(len(keys))}
    for row in groups.values():
        rows_by_grouping[row["member"]].append(row)

    result = []
    for index, key in enumerate(keys):
        grouping = _GROUPINGS[key]
        found = rows_by_grouping[index]
        if key == "section":
            rows = _section_rows(scope, found)
        else:
            if key == "lead_post":
                order = lambda r: (r["group_id"] is None, r["group_detail"] or "", r["group_name"] or "")  # noqa: E731
            else:
                order = lambda r: (r["group_id"] is None, (r["group_name"] or "").lower())  # noqa: E731
            rows = [
                _row(
                    scope,
                    grouping.none_label if row["group_id"] is None else _group_label(key, row["group_name"], row["group_detail"]),
                    _counts(row),
                    _group_params(key, row),
                    standalone=key == "plan",
                )
                for row in sorted(found, key=order)
            ]
        note = "Each section includes its sub-sections, which are listed under it." if key == "section" else ""
        result.append(Breakdown(key=key, title=grouping.title, heading=grouping.heading, rows=rows, note=note))
    return result


# --- The director's attention list -------------------------------------------------------------


@dataclass(frozen=True)
class Attention:
    red: list[Action]
    red_count: Figure
    awaiting_sign_off: list[Action]
    awaiting_count: Figure


def attention(scope: Scope, totals: Summary) -> Attention:
    """Red actions (overdue first, the longest overdue first) with their latest narrative,
    lead and days overdue; and actions whose completion awaits sign-off."""
    today = scope.today
    latest = latest_updates()
    holder = (
        PostHolding.objects.current(today)
        .filter(post=OuterRef("lead_post"))
        .order_by("-started_on", "pk")
        .values("person__full_name")[:1]
    )
    actions = (
        annotate_for_dashboard(scope.actions(), today)
        .select_related("plan", "section", "lead_post__agency")
        .annotate(
            latest_narrative=Subquery(latest.values("narrative")[:1]),
            latest_update_on=Subquery(latest.values("as_of")[:1]),
            latest_update_author=Subquery(latest.values("author__full_name")[:1]),
            latest_update_author_name=Subquery(latest.values("author_name")[:1]),
            lead_holder=Subquery(holder),
        )
    )
    red = list(
        actions.filter(rag=RAG.RED).order_by(F("due_date").asc(nulls_last=True), "plan__title", "order", "pk")[
            :ATTENTION_LIMIT
        ]
    )
    awaiting = list(
        actions.filter(conditions(today)["awaiting_sign_off"]).order_by("latest_update_on", "plan__title", "order")[
            :ATTENTION_LIMIT
        ]
    )
    for action in red + awaiting:
        action.days_overdue = (today - action.due_date).days if action.is_overdue(today) else 0
        action.latest_update_by = action.latest_update_author or action.latest_update_author_name or ""
    rag_red = dict(totals.rag)[RAG.RED]
    return Attention(red=red, red_count=rag_red, awaiting_sign_off=awaiting, awaiting_count=totals.awaiting_sign_off)


# --- Findings with no action, or only red actions -------------------------------------------------


@dataclass(frozen=True)
class FindingsAtRisk:
    no_action: list[Finding]
    only_red: list[Finding]


def findings_at_risk(scope: Scope) -> FindingsAtRisk:
    """The areas for improvement, priority actions and recommendations the plan answers
    that have no action, or only red ones, among the actions the person may see."""
    findings = Finding.objects.exclude(kind=FindingKind.STRENGTH).select_related("inspection")
    if scope.plan is not None:
        findings = findings.filter(inspection__plans=scope.plan)
    else:
        # The live plans the person may see: another plan's findings are out of their scope.
        live = visible_to(scope.user, Plan.objects.filter(status=PlanStatus.LIVE))
        findings = findings.filter(inspection__plans__in=live)
    answering = scope.actions().filter(findings=OuterRef("pk"))
    rows = (
        findings.annotate(
            has_action=Exists(answering),
            has_other_than_red=Exists(annotate_rag(answering, scope.today).exclude(rag=RAG.RED)),
            red_actions=Count("actions", filter=Q(actions__in=scope.actions()), distinct=True),
        )
        .filter(Q(has_action=False) | Q(has_other_than_red=False))
        .distinct()
        .order_by("inspection__published_on", "order", "pk")
    )
    no_action, only_red = [], []
    for finding in rows:
        if finding.has_action:
            finding.actions_figure = scope.figure(finding.red_actions, ("finding_id", str(finding.pk)), ("rag", RAG.RED))
            only_red.append(finding)
        else:
            no_action.append(finding)
    return FindingsAtRisk(no_action=no_action, only_red=only_red)


# --- Trend ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    day: dt.date
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    is_today: bool = False
    stored: bool = False  # a past day, as its snapshot recorded it (RagSnapshot)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def ordered_counts(self) -> list[int]:
        """The counts in RAG_ORDER, for the table under the chart."""
        return [self.counts.get(rag.value, 0) for rag in RAG_ORDER]


def _month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """Last days of the months from ``start``'s month, strictly before ``end``."""
    days = []
    year, month = start.year, start.month
    while True:
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        month_end = dt.date(next_year, next_month, 1) - dt.timedelta(days=1)
        if month_end >= end:
            return days[-TREND_MAX_MONTHS:]
        days.append(month_end)
        year, month = next_year, next_month


def trend_start(scope: Scope, live_plans: list[Plan] = ()) -> dt.date | None:
    """When the trend starts: the plan went live, or the first of the live plans did."""
    if scope.plan is not None:
        return scope.plan.live_from
    return min((p.live_from for p in live_plans if p.live_from), default=None)


def in_plan_by(day: dt.date, plans: Iterable[Plan]) -> Q:
    """Actions of ``plans`` that were in their plan by the end of ``day`` (see the module
    docstring); a plan counts only once it has gone live. The cut-off is worked out here
    per plan, so the database compares a column with a constant."""
    end_of_day = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    q = Q(pk__in=[])
    for plan in plans:
        if not _counts_on(plan, day):
            continue
        cut_off = max(end_of_day, plan.created_at + dt.timedelta(days=1))
        q |= Q(plan_id=plan.pk, created_at__lt=cut_off)
    return q


def _counts_on(plan: Plan, day: dt.date) -> bool:
    """Whether the plan is in the trend on ``day``: it had gone live by then."""
    return plan.live_from is not None and plan.live_from <= day


def _trend_plans(scope: Scope, live_plans: Iterable[Plan]) -> list[Plan]:
    return [scope.plan] if scope.plan is not None else list(live_plans)


def _as_at(actions: QuerySet, day: dt.date, plans: Iterable[Plan]) -> QuerySet:
    return annotate_rag(actions.filter(in_plan_by(day, plans)), day, as_at_history=True)


def trend_actions(scope: Scope, day: dt.date, live_plans: Iterable[Plan] = ()) -> QuerySet:
    """The actions counted in the trend on ``day``, with their RAG as at the end of that day
    from the recorded history."""
    return _as_at(scope.actions(), day, _trend_plans(scope, live_plans))


def rag_as_at(scope: Scope, day: dt.date, live_plans: Iterable[Plan] = ()) -> dict[str, int]:
    """The trend's rule for one past day, counted now from the records (not the snapshots):
    what a month end would read if it were counted today."""
    rows = trend_actions(scope, day, live_plans).order_by().values("rag").annotate(n=Count("pk"))
    return rag_count_dict((row["rag"], row["n"]) for row in rows)


# --- Month-end snapshots: whose share of the actions, and the stored counts ------------------


Counts = dict[str, int]


def _zero() -> Counts:
    return rag_count_dict()


def snapshot_counts(audience: Audience, wanted: dict[dt.date, list[Plan]]) -> dict[tuple[int, dt.date], Counts]:
    """Each plan's RAG counts as at the end of each past day in ``wanted`` (day -> plans),
    for ``audience``: read from the stored snapshots (one query), and any that are missing
    counted by the as-at rule (one query, a UNION of one grouped count per day) and stored
    (one insert), so that a day is counted once and reads the same ever after.

    Only days before today belong here: today is counted live."""
    return _snapshots(audience, wanted)[0]


def _snapshots(
    audience: Audience, wanted: dict[dt.date, list[Plan]]
) -> tuple[dict[tuple[int, dt.date], Counts], int]:
    """:func:`snapshot_counts`, and how many of them were counted now."""
    pairs = {(plan.pk, day) for day, plans in wanted.items() for plan in plans}
    if not pairs:
        return {}, 0
    rags = [rag.value for rag in RAG_ORDER]
    stored = RagSnapshot.objects.filter(
        plan_id__in={plan_id for plan_id, _ in pairs}, day__in=list(wanted), agency_id=audience.agency_id
    )
    found: dict[tuple[int, dt.date], Counts] = {}
    for plan_id, day, *counts in stored.order_by().values_list("plan_id", "day", *rags):
        if (plan_id, day) in pairs:
            found[(plan_id, day)] = dict(zip(rags, counts, strict=True))
    missing = pairs - found.keys()
    if missing:
        found.update(_record_snapshots(audience, wanted, missing))
    return found, len(missing)


def _record_snapshots(
    audience: Audience, wanted: dict[dt.date, list[Plan]], missing: set[tuple[int, dt.date]]
) -> dict[tuple[int, dt.date], Counts]:
    """Count the ``missing`` (plan, day) pairs by the as-at rule and store them."""
    days = sorted({day for _, day in missing})
    members = [
        _as_at(audience.actions(), day, [plan for plan in wanted[day] if (plan.pk, day) in missing]) for day in days
    ]
    counted = {pair: _zero() for pair in missing}
    for row in count_by_rag(members, ("plan_id",)):
        counted[(row["plan_id"], days[row["member"]])][row["rag"]] = row["n"]
    now, today = timezone.now(), timezone.localdate()
    RagSnapshot.objects.bulk_create(
        [
            RagSnapshot(plan_id=plan_id, agency_id=audience.agency_id, day=day, computed_at=now, **counts)
            for (plan_id, day), counts in sorted(counted.items(), key=lambda item: (item[0][1], item[0][0]))
            # A day not over yet (a dashboard asked "as at" a later date) is counted, not kept.
            if day < today
        ],
        # Two first views at once count the same day alike; the first stored stands.
        ignore_conflicts=True,
    )
    return counted


def _trend_days(start: dt.date, today: dt.date, closed_on: dt.date | None = None) -> list[tuple[dt.date, str]]:
    """The past days a trend counts, with their labels: the month ends from ``start``'s
    month (the most recent TREND_MAX_MONTHS), and the day a plan closed where that was
    before today."""
    closed = closed_on if closed_on and closed_on < today else None
    days = [(day, f"{day:%b %Y}") for day in _month_ends(start, closed or today)]
    if closed:
        days.append((closed, f"{closed:%-d %b %Y}"))
    return days


def _wanted(days: Iterable[dt.date], plans: list[Plan]) -> dict[dt.date, list[Plan]]:
    return {day: [plan for plan in plans if _counts_on(plan, day)] for day in days}


def rag_trend(scope: Scope, live_plans: list[Plan] = (), today_counts: Counts | None = None) -> list[TrendPoint]:
    """RAG counts at each month end since the plan went live, as stored when each month
    closed (:func:`snapshot_counts`), then today, counted live (``today_counts`` where the
    caller has them already: the summary's). One query once the past months are stored.

    A plan closed before today ends on its closing day, stored like a month end."""
    start = trend_start(scope, live_plans)
    if start is None:
        return []
    today = scope.today
    plans = _trend_plans(scope, live_plans)
    closed_on = scope.plan.closed_on if scope.plan is not None else None
    days = _trend_days(start, today, closed_on)
    wanted = _wanted((day for day, _ in days), plans)
    audience = audience_of(scope.user)
    stored = snapshot_counts(audience, wanted) if audience is not None else {}
    points = []
    for day, label in days:
        counts = _zero()
        for plan in wanted[day]:
            for rag, n in stored.get((plan.pk, day), {}).items():
                counts[rag] += n
        points.append(TrendPoint(day=day, label=label, counts=counts, stored=True))
    if not (closed_on and closed_on < today):
        if today_counts is None:
            today_counts = rag_counts(scope.actions(), today)
        points.append(TrendPoint(day=today, label=f"{today:%-d %b %Y}", counts=dict(today_counts), is_today=True))
    return points


def rag_snapshots_record(today: dt.date | None = None) -> int:
    """Store the month-end counts of every plan whose trend includes the month just ended,
    for every audience that can see its actions (the partnership-wide roles, and each
    agency leading or supporting one), and any earlier month still missing. Idempotent: a
    stored day is never counted again. Returns how many snapshots were stored. The beat
    runs it shortly after each month end (actionplans.tasks.record_rag_snapshots)."""
    today = today or timezone.localdate()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    plans = Plan.objects.filter(live_from__lte=last_month_end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=last_month_end)
    )
    created = 0
    for plan in plans.order_by("pk"):
        wanted = _wanted((day for day, _ in _trend_days(plan.live_from, today, plan.closed_on)), [plan])
        agencies = {
            *Action.objects.filter(plan=plan, lead_post__isnull=False).values_list("lead_post__agency_id", flat=True),
            *Action.partner_agencies.through.objects.filter(action__plan=plan).values_list("agency_id", flat=True),
        }
        for audience in [Audience(None), *(Audience(agency_id) for agency_id in sorted(agencies))]:
            created += _snapshots(audience, wanted)[1]
    return created


def rag_snapshots_forget(plan: Plan) -> int:
    """Forget a plan's stored months, so that the next view counts them again from the
    records as they stand (after a correction to a plan's history). Returns how many."""
    deleted, _ = RagSnapshot.objects.filter(plan=plan).delete()
    return deleted


# --- The whole page ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    scope: Scope
    summary: Summary
    breakdowns: list[Breakdown]
    attention: Attention
    findings: FindingsAtRisk
    trend: list[TrendPoint]
    live_plans: list[Plan] = field(default_factory=list)

    @property
    def trend_is_live(self) -> bool:
        """Whether the trend ends today (counted live) rather than on a closed plan's last day."""
        return bool(self.trend) and self.trend[-1].is_today


def dashboard(user, *, plan: Plan | None = None, today: dt.date | None = None) -> Dashboard:
    """Everything a dashboard shows, in a fixed number of queries whatever the number of
    actions: summary 1, breakdowns 1, attention 2, findings 1, trend 1 (the stored month
    ends; today's column is the summary's), and the plans 1. The first view after a month
    closes counts and stores that month (two more queries, once)."""
    today = today or timezone.localdate()
    if plan is not None:
        scope, live, keys = plan_scope(user, plan, today), [], ["section", "agency", "lead_post"]
    else:
        plans = partnership_plans(user)
        scope, live, keys = partnership_scope(user, plans, today), plans.live, ["plan", "agency", "lead_post"]
    totals = summary(scope)
    return Dashboard(
        scope=scope,
        summary=totals,
        breakdowns=breakdowns(scope, keys),
        attention=attention(scope, totals),
        findings=findings_at_risk(scope),
        trend=rag_trend(scope, live, today_counts=totals.rag_counts),
        live_plans=live,
    )
