"""Reads for the plan pages: the list of plans with their RAG counts and next meeting, and
one plan with its sections and actions in order. Each read has its select/prefetch beside
the query, so that a page costs the same number of queries at 10 actions as at 500."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404

from actionplans.access import can_manage_plan, visible_to
from actionplans.actions.selectors import actions_for_list
from actionplans.choices import PlanStatus
from actionplans.models import Action, BoardSignOff, PartnerSignOff, Plan, Section
from actionplans.rag import RagCounts, rag_counts_by
from partners.models import Meeting, PostHolding


def _next_meeting_id(today: dt.date):
    """The next meeting the plan reports to: its monitoring body's, or one a paper on the
    plan has been asked for."""
    meetings = (
        Meeting.objects.filter(date__gte=today)
        .filter(Q(body=OuterRef("monitoring_body")) | Q(report_jobs__plan=OuterRef("pk")))
        .order_by("date", "id")
    )
    return Subquery(meetings.values("pk")[:1])


def _meetings(ids) -> dict[int, Meeting]:
    ids = [i for i in ids if i]
    return Meeting.objects.select_related("body").in_bulk(ids) if ids else {}


@dataclass
class PlanRow:
    plan: Plan
    counts: RagCounts
    next_meeting: Meeting | None


def plans_for_list(user, today: dt.date) -> list[PlanRow]:
    """The plans a person may see, newest first, with the inspections they answer, the RAG
    of the actions the person may see in each, and the next meeting each reports to.
    Four queries however many plans and actions there are."""
    plans = list(
        visible_to(user, Plan.objects.all())
        .select_related("monitoring_body")
        .prefetch_related("inspections")
        .annotate(next_meeting_id=_next_meeting_id(today))
        .order_by("-plan_date", "title")
    )
    counts = rag_counts_by(Action.objects.for_user(user).filter(plan__in=[p.pk for p in plans]), "plan_id", today)
    meetings = _meetings(p.next_meeting_id for p in plans)
    return [PlanRow(p, counts.get(p.pk, RagCounts()), meetings.get(p.next_meeting_id)) for p in plans]


def visible_plan(user, slug: str) -> Plan:
    """A plan by its slug if the person may see it; 404 otherwise."""
    return get_object_or_404(visible_to(user, Plan.objects.all()), slug=slug)


@dataclass
class SectionBlock:
    section: Section
    actions: list[dict] = field(default_factory=list)
    children: list[SectionBlock] = field(default_factory=list)

    @property
    def action_count(self) -> int:
        return len(self.actions) + sum(len(c.actions) for c in self.children)


@dataclass(frozen=True)
class StatusChange:
    when: dt.datetime
    who: str
    status: str


@dataclass
class PlanPage:
    plan: Plan
    sections: list[SectionBlock]
    unsectioned: list[dict]
    counts: RagCounts
    next_meeting: Meeting | None
    status_history: list[StatusChange]
    action_count: int
    managed: bool  # the person manages the plan (and so sees its empty sections too)


# What a row of the plan page reads: the action's own columns and its lead post's, never
# the whole of every joined row (the plan's introduction 500 times over).
_ROW_FIELDS = (
    "pk", "section_id", "reference", "description", "due_date", "original_due_date", "lead_post_id", "lead_text",
    "lead_post__title", "lead_post__agency__short_name", "rag", "last_update_on",
)


def _current_holders(post_ids: set[int], today: dt.date) -> dict[int, str]:
    """Post id -> the names of the people holding it on ``today``, latest first."""
    holders: dict[int, list[str]] = {}
    if post_ids:
        holdings = (
            PostHolding.objects.current(today).filter(post_id__in=post_ids)
            .order_by("post_id", "-started_on", "pk").values_list("post_id", "person__full_name")
        )
        for post_id, name in holdings:
            holders.setdefault(post_id, []).append(name)
    return {post_id: ", ".join(names) for post_id, names in holders.items()}


def _action_rows(actions: list[dict], today: dt.date) -> list[dict]:
    """The plan page's rows: each action's values with its lead post's title, agency and
    current holders (one query for all of them), as the tag ``plan_action_rows`` draws
    them. Plain dicts: a 500-action page builds no model instance per row."""
    holders = _current_holders({a["lead_post_id"] for a in actions if a["lead_post_id"]}, today)
    for a in actions:
        a["post_title"] = a.pop("lead_post__title")
        a["agency"] = a.pop("lead_post__agency__short_name")
        a["holders"] = holders.get(a["lead_post_id"], "")
    return actions


def plan_for_page(user, slug: str, today: dt.date) -> PlanPage:
    """A plan with its sections (each main section, then its sub-sections) and in each the
    actions the person may see, in order, with RAG, due date, lead post and its current
    holders, and the date of the last update (rows of :func:`_action_rows`). Sections with
    no action the person may see are left out, except for the plan's managers, who build
    them. 404 if the plan is out of the person's scope."""
    plans = visible_to(user, Plan.objects.all()).select_related("monitoring_body").prefetch_related(
        "inspections",
        "managers",
        Prefetch("partner_sign_offs", queryset=PartnerSignOff.objects.select_related("agency")),
        Prefetch("board_sign_offs", queryset=BoardSignOff.objects.select_related("body")),
    )
    plan = get_object_or_404(plans.annotate(next_meeting_id=_next_meeting_id(today)), slug=slug)
    managed = can_manage_plan(user, plan)
    actions = list(actions_for_list(user, today).filter(plan=plan).order_by("order", "id").values(*_ROW_FIELDS))
    rows = _action_rows(actions, today)
    sections = list(plan.sections.order_by("order", "id"))
    blocks = {s.pk: SectionBlock(s) for s in sections}
    top: list[SectionBlock] = []
    for section in sections:
        block = blocks[section.pk]
        if section.parent_id and section.parent_id in blocks:
            blocks[section.parent_id].children.append(block)
        else:
            top.append(block)
    unsectioned: list[dict] = []
    counts = RagCounts()
    for row in rows:
        counts.counts[row["rag"]] += 1
        if row["section_id"] in blocks:
            blocks[row["section_id"]].actions.append(row)
        else:
            unsectioned.append(row)
    if not managed:
        for block in top:
            block.children = [c for c in block.children if c.actions]
        top = [b for b in top if b.action_count]
    return PlanPage(
        plan=plan,
        sections=top,
        unsectioned=unsectioned,
        counts=counts,
        next_meeting=_meetings([plan.next_meeting_id]).get(plan.next_meeting_id),
        status_history=plan_status_history(plan),
        action_count=len(rows),
        managed=managed,
    )


def plan_status_history(plan: Plan) -> list[StatusChange]:
    """Each status the plan has had, when and by whom, from its change history."""
    records = plan.history.select_related("history_user").order_by("history_date", "history_id")
    changes: list[StatusChange] = []
    previous = None
    for record in records:
        if record.status != previous:
            who = str(record.history_user) if record.history_user_id else "System or import"
            changes.append(StatusChange(record.history_date, who, PlanStatus(record.status).label))
            previous = record.status
    return changes


def managed_actions(plan: Plan, section: Section) -> list[Action]:
    """A section's actions in order, for the page that reorders and renumbers them."""
    return list(plan.actions.filter(section=section).order_by("order", "id"))


def action_for_edit(user, plan: Plan, pk: int) -> Action:
    """An action of ``plan`` the person may see, with what its form shows; 404 otherwise."""
    queryset = (
        Action.objects.for_user(user)
        .filter(plan=plan)
        .select_related("plan", "section", "lead_post__agency")
        .prefetch_related("partner_agencies", "findings")
    )
    return get_object_or_404(queryset, pk=pk)

