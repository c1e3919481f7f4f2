"""Reads for the directors' RAG dashboards: one plan's, and the partnership's across its live
plans.

Every number is counted in the database, over the actions the person may see
(``Action.objects.for_user``), with the RAG the one rule gives (``actionplans.rag.annotate_rag``):
conditional ``Count(..., filter=Q(...))`` and grouped counts, in a fixed handful of queries
whatever the number of actions. Each number carries the actions-table filter
(``actionplans.filtersets.ActionFilterSet``) that lists exactly the actions it counts
(:class:`Figure`); overdue and revised are the filterset's own conditions. Where the table
has no filter for a number yet, the number is shown without a link rather than with one that
lists other actions; it becomes a link as soon as the filterset declares the parameter.

The trend is the RAG count at the end of each month since the plan went live, from the
recorded history (``annotate_rag(..., as_at_history=True)``: status and proposed RAG from the
latest progress update on or before the month end). An action counts in a month if it was
in the plan by then: added on or before the month end, or brought in with its plan (an
import or the demo, created within a day of the plan's own record). So the answer for a
past month does not change when updates dated today, or new actions, are recorded. Two
limits come from the as-at rule in rag.py: it reads today's due date (a due date revised
later moves past months), and an update back-dated into a past month changes that month.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connections
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone

from actionplans.choices import RAG, ActionStatus, Decision, PlanStatus, ReviewCadence
from actionplans.filtersets import ActionFilterSet, overdue_q, revised_q
from actionplans.models import Action, DueDateRevision, Plan, ProgressUpdate
from actionplans.rag import COMPLETE_STATUSES, RAG_ORDER, annotate_rag
from inspections.choices import FindingKind
from inspections.models import Finding
from partners.models import PostHolding
from partners.permissions import plans_visible_to

ACTIONS_TABLE = "actionplans:action_list"
# Windows for "due soon", in days from today (inclusive).
DUE_SOON_DAYS = (30, 90)
# Rows shown in each part of the attention list; the rest are a link to the table away.
ATTENTION_LIMIT = 50
# A plan running longer than this shows its most recent months.
TREND_MAX_MONTHS = 60
# The section numbers the table's section filter reads as numbers (its filter_section).
SECTION_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2})?")
OPEN_STATUSES = [s for s in ActionStatus.values if s not in COMPLETE_STATUSES]
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
        known = table_filters()
        if any(name not in known for name, _ in self.params):
            return None
        return actions_table_url(self.params)


# --- The conditions, once ----------------------------------------------------------------


def _open() -> Q:
    return Q(status__in=OPEN_STATUSES)


def _open_params() -> Params:
    return tuple(("status", status) for status in OPEN_STATUSES)


def conditions(today: dt.date) -> dict[str, Q]:
    """What each headline number counts, as conditions on actions annotated by
    :func:`annotate_for_dashboard`. Overdue and revised are the table's own tests."""
    return {
        # Past its due date and not delivered (Action.is_overdue).
        "overdue": overdue_q(today),
        "due_30": Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS[0])) & _open(),
        "due_90": Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS[1])) & _open(),
        # The due date in force is not the one first given (Action.is_revised).
        "revised": revised_q(),
        # Open, and no progress update dated within the plan's review cadence.
        "no_recent_update": _open() & Q(has_recent_update=False),
        # The latest update claims delivery or an evidenced outcome that the action's
        # status (set only by a sign-off) does not have yet.
        "awaiting_sign_off": (
            (Q(latest_update_status=ActionStatus.DELIVERED) & _open())
            | (Q(latest_update_status=ActionStatus.OUTCOME_EVIDENCED) & ~Q(status=ActionStatus.OUTCOME_EVIDENCED))
        ),
    }


def _latest_updates() -> QuerySet:
    return ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-as_of", "-created_at")


def annotate_for_dashboard(actions: QuerySet, today: dt.date) -> QuerySet:
    """Actions with ``rag`` (the one rule) and what the dashboard's conditions read:
    the latest update's status, and whether there is an update within the review cadence."""
    cutoff = Case(
        *[When(plan__review_cadence_days=days, then=Value(today - dt.timedelta(days=days))) for days in ReviewCadence.values],
        default=Value(today - dt.timedelta(days=ReviewCadence.MONTHLY)),
        output_field=DateField(),
    )
    recent = ProgressUpdate.objects.filter(action=OuterRef("pk"), as_of__gte=OuterRef("update_cutoff"))
    return annotate_rag(actions, today).annotate(
        latest_update_status=Subquery(_latest_updates().values("status")[:1]),
        update_cutoff=cutoff,
        has_recent_update=Exists(recent),
    )


_GROUP_KEYS = (
    "group_id", "group_name", "group_detail", "group_order", "parent_id", "parent_name", "parent_detail", "parent_order",
)


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
    plans = plans_visible_to(user, Plan.objects.all()).annotate(has_actions=Exists(visible)).order_by("title")
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

    return get_object_or_404(plans_visible_to(user, Plan.objects.all()), slug=slug)


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
                Headline(f"due in the next {days} days", "Open actions due from today", figure)
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
    actions = annotate_for_dashboard(scope.actions(), today).annotate(
        approved_revisions=Coalesce(Subquery(approved, output_field=IntegerField()), 0)
    )
    aggregates = {
        "total": Count("pk"),
        **{f"rag_{rag.value}": Count("pk", filter=Q(rag=rag.value)) for rag in RAG_ORDER},
        **{name: Count("pk", filter=q) for name, q in cond.items()},
        "revisions_approved": Sum("approved_revisions"),
        "moved": Sum(moved, filter=cond["revised"] & Q(due_date__isnull=False)),
    }
    row = actions.order_by().aggregate(**aggregates)
    days_moved = row["moved"].days if row["moved"] else 0
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
                    ("due_to", (today + dt.timedelta(days=days)).isoformat()),
                    *_open_params(),
                ),
            )
            for days in DUE_SOON_DAYS
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


def breakdowns(scope: Scope, keys: list[str]) -> list[Breakdown]:
    """RAG counts per section, lead agency, lead post or plan, all in one query (a UNION of
    one grouped count per grouping). Actions without a group (no section, no lead post) are
    a row of their own, without links: the table has no filter for "none"."""
    members = []
    for key in keys:
        grouping = _GROUPINGS[key]
        sections = key == "section"
        members.append(
            annotate_rag(scope.actions(), scope.today).annotate(
                group_id=F(grouping.key),
                group_name=F(grouping.name),
                group_detail=F(grouping.detail),
                group_order=F("section__order") if sections else Value(0),
                # A typed NULL: PostgreSQL reads a bare NULL in a subquery as text, which then
                # cannot be UNIONed with the sections' bigint ids.
                parent_id=F("section__parent_id") if sections else Cast(Value(None), output_field=BigIntegerField()),
                parent_name=F("section__parent__number") if sections else F(grouping.name),
                parent_detail=F("section__parent__title") if sections else F(grouping.detail),
                parent_order=F("section__parent__order") if sections else Value(0),
            )
        )
    # One row per group, with its count of each RAG.
    groups: dict[tuple, dict] = {}
    for found in count_by_rag(members, _GROUP_KEYS):
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
    latest = _latest_updates()
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
        findings = findings.filter(inspection__plans__status=PlanStatus.LIVE)
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

    @property
    def total(self) -> int:
        return sum(self.counts.values())


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
        if plan.live_from is None or plan.live_from > day:
            continue
        cut_off = max(end_of_day, plan.created_at + dt.timedelta(days=1))
        q |= Q(plan_id=plan.pk, created_at__lt=cut_off)
    return q


def _trend_plans(scope: Scope, live_plans: Iterable[Plan]) -> list[Plan]:
    return [scope.plan] if scope.plan is not None else list(live_plans)


def trend_actions(scope: Scope, day: dt.date, live_plans: Iterable[Plan] = ()) -> QuerySet:
    """The actions counted in the trend on ``day``, with their RAG as at the end of that day
    from the recorded history."""
    actions = scope.actions().filter(in_plan_by(day, _trend_plans(scope, live_plans)))
    return annotate_rag(actions, day, as_at_history=True)


def rag_trend(scope: Scope, live_plans: list[Plan] = ()) -> list[TrendPoint]:
    """RAG counts at each month end since the plan went live, then today, in one query.

    Month ends come from the recorded history, so they read the same every time."""
    start = trend_start(scope, live_plans)
    if start is None:
        return []
    end = scope.today
    if scope.plan is not None and scope.plan.closed_on and scope.plan.closed_on < end:
        end = scope.plan.closed_on
    days = _month_ends(start, end)
    members = [trend_actions(scope, day, live_plans) for day in days]
    # Today, the live rule (equal to the headline numbers); a plan closed in the past ends
    # on its closing day, read from the history like every month end.
    members.append(annotate_rag(scope.actions(), end) if end == scope.today else trend_actions(scope, end, live_plans))
    counts: list[dict[str, int]] = [dict.fromkeys((r.value for r in RAG_ORDER), 0) for _ in members]
    for row in count_by_rag(members):
        counts[row["member"]][row["rag"]] = row["n"]
    points = [TrendPoint(day=day, label=f"{day:%b %Y}", counts=counts[i]) for i, day in enumerate(days)]
    points.append(TrendPoint(day=end, label=f"{end:%-d %b %Y}", counts=counts[-1], is_today=end == scope.today))
    return points


def rag_as_at(scope: Scope, day: dt.date, live_plans: Iterable[Plan] = ()) -> dict[str, int]:
    """The trend's count for one past day (the same rule as each month end)."""
    rows = trend_actions(scope, day, live_plans).order_by().values("rag").annotate(n=Count("pk"))
    found = {row["rag"]: row["n"] for row in rows}
    return {rag.value: found.get(rag.value, 0) for rag in RAG_ORDER}


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


def dashboard(user, *, plan: Plan | None = None, today: dt.date | None = None) -> Dashboard:
    """Everything a dashboard shows, in a fixed number of queries whatever the number of
    actions: summary 1, breakdowns 1, attention 2, findings 1, trend 1 (and the plans 1)."""
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
        trend=rag_trend(scope, live),
        live_plans=live,
    )
