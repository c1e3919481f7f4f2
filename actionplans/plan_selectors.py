"""Reads for the plan pages: the list of plans with their RAG counts and next meeting, and
one plan with its sections and actions in order. Each read has its select/prefetch beside
the query, so that a page costs the same number of queries at 10 actions as at 500."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404

from actionplans.choices import PlanStatus
from actionplans.models import Action, BoardSignOff, PartnerSignOff, Plan, Section
from actionplans.selectors import actions_for_list
from partners.models import Meeting, PostHolding
from partners.permissions import plans_visible_to
from partners.selectors import RagCounts, rag_counts_by


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
        plans_visible_to(user, Plan.objects.all())
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
    return get_object_or_404(plans_visible_to(user, Plan.objects.all()), slug=slug)


@dataclass
class SectionBlock:
    section: Section
    actions: list[Action] = field(default_factory=list)
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
    unsectioned: list[Action]
    counts: RagCounts
    next_meeting: Meeting | None
    status_history: list[StatusChange]
    action_count: int


def plan_for_page(user, slug: str, today: dt.date, *, all_sections: bool = False) -> PlanPage:
    """A plan with its sections (each main section, then its sub-sections) and in each the
    actions the person may see, in order, with RAG, due date, lead post and its current
    holders, and the date of the last update. Sections with no action the person may see
    are left out unless ``all_sections`` (for the plan's managers, who build them)."""
    plans = plans_visible_to(user, Plan.objects.all()).select_related("monitoring_body").prefetch_related(
        "inspections",
        "managers",
        Prefetch("partner_sign_offs", queryset=PartnerSignOff.objects.select_related("agency")),
        Prefetch("board_sign_offs", queryset=BoardSignOff.objects.select_related("body")),
    )
    plan = get_object_or_404(plans.annotate(next_meeting_id=_next_meeting_id(today)), slug=slug)
    actions = list(
        actions_for_list(user, today)
        .filter(plan=plan)
        .prefetch_related(
            Prefetch(
                "lead_post__holdings",
                queryset=PostHolding.objects.current(today).select_related("person"),
                to_attr="current_holdings",
            )
        )
        .order_by("order", "id")
    )
    sections = list(plan.sections.order_by("order", "id"))
    blocks = {s.pk: SectionBlock(s) for s in sections}
    top: list[SectionBlock] = []
    for section in sections:
        block = blocks[section.pk]
        if section.parent_id and section.parent_id in blocks:
            blocks[section.parent_id].children.append(block)
        else:
            top.append(block)
    unsectioned: list[Action] = []
    counts = RagCounts()
    for action in actions:
        counts.counts[action.rag] += 1
        if action.section_id in blocks:
            blocks[action.section_id].actions.append(action)
        else:
            unsectioned.append(action)
    if not all_sections:
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
        action_count=len(actions),
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

