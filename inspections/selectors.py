"""Reads of inspections and their findings that cross relations. Each selector applies the
scoping rule and has its select/prefetch beside the query, so that a page's query count
does not grow with the number of findings or actions.

Scope: the partnership-wide roles see every inspection (the letters are published). A
partner officer sees the inspections answered by a plan they can see, and within them
only the actions their agency leads or supports; anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404

from actionplans.access import is_agency_scoped, managed_plans, visible_to
from actionplans.models import Action, Plan
from actionplans.rag import annotate_rag
from inspections.choices import FindingKind
from inspections.models import Finding, Inspection
from partners.workdays import working_days_between


@dataclass(frozen=True)
class WsoaCountdown:
    """How long is left to send the Written Statement of Action, in working days."""

    due_on: dt.date
    working_days: int  # negative once the date has passed

    @property
    def text(self) -> str:
        n = self.working_days
        if n == 0:
            return "Due today"
        if n > 0:
            return f"{n} working day{'s' if n != 1 else ''} to go"
        return f"Passed {-n} working day{'s' if n != -1 else ''} ago"

    @property
    def is_close(self) -> bool:
        return 0 <= self.working_days <= 10


def wsoa_countdown(inspection: Inspection, today: dt.date) -> WsoaCountdown | None:
    if not inspection.wsoa_due_on:
        return None
    return WsoaCountdown(inspection.wsoa_due_on, working_days_between(today, inspection.wsoa_due_on))


def inspections_for_list(user, today: dt.date) -> list[Inspection]:
    """Inspections a person may see, newest first, with counts and the WSoA countdown."""
    rows = list(
        visible_to(user, Inspection.objects.all())
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("-published_on", "-onsite_from", "title")
    )
    for inspection in rows:
        inspection.countdown = wsoa_countdown(inspection, today)
    return rows


def inspection_for_user(user, pk: int) -> Inspection:
    """One inspection, or a 404 when it is out of the person's scope."""
    return get_object_or_404(visible_to(user, Inspection.objects.all()), pk=pk)


@dataclass(frozen=True)
class ThemeGroup:
    theme: str
    findings: list[Finding]


def group_by_theme(findings: list[Finding]) -> list[ThemeGroup]:
    """Findings by theme, in the order each theme first appears; no theme comes last."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.theme, []).append(finding)
    themed = [ThemeGroup(theme, items) for theme, items in groups.items() if theme]
    if "" in groups:
        themed.append(ThemeGroup("", groups[""]))
    return themed


@dataclass
class InspectionPage:
    inspection: Inspection
    countdown: WsoaCountdown | None
    themes: list[ThemeGroup]
    plans: list[Plan]
    finding_count: int


def inspection_for_page(user, pk: int, today: dt.date) -> InspectionPage:
    """Everything the inspection page shows, in a fixed number of queries."""
    inspection = get_object_or_404(
        visible_to(user, Inspection.objects.all()).prefetch_related(
            "judgements",
            Prefetch("findings", queryset=Finding.objects.order_by("order", "id")),
            Prefetch(
                "plans",
                queryset=visible_to(user, Plan.objects.all()).order_by("-plan_date", "title"),
                to_attr="visible_plans",
            ),
        ),
        pk=pk,
    )
    findings = list(inspection.findings.all())
    return InspectionPage(
        inspection=inspection,
        countdown=wsoa_countdown(inspection, today),
        themes=group_by_theme(findings),
        plans=inspection.visible_plans,
        finding_count=len(findings),
    )


@dataclass
class FindingCoverage:
    finding: Finding
    # Each answering action as a dict: pk, reference, description, rag, plan_id, plan__title
    # (a matrix runs to hundreds of them; the tag coverage_action_items draws them).
    actions: list[dict] = field(default_factory=list)

    @property
    def needs_answer(self) -> bool:
        """Strengths need no action; every other finding does."""
        return self.finding.kind != FindingKind.STRENGTH

    @property
    def is_unanswered(self) -> bool:
        return self.needs_answer and not self.actions


@dataclass
class Coverage:
    inspection: Inspection
    rows: list[FindingCoverage]
    scoped: bool  # true when the person sees only their agency's actions

    # Worked out once: the page asks some of these once per finding or per action.

    @cached_property
    def multiple_plans(self) -> bool:
        return len({a["plan_id"] for row in self.rows for a in row.actions}) > 1

    @cached_property
    def unanswered(self) -> list[FindingCoverage]:
        return [row for row in self.rows if row.is_unanswered]

    @cached_property
    def to_answer(self) -> list[FindingCoverage]:
        return [row for row in self.rows if row.needs_answer]

    @cached_property
    def strengths(self) -> list[FindingCoverage]:
        return [row for row in self.rows if not row.needs_answer]

    @cached_property
    def themes(self) -> list[tuple[str, list[FindingCoverage]]]:
        groups = group_by_theme([row.finding for row in self.to_answer])
        by_finding = {row.finding.pk: row for row in self.rows}
        return [(group.theme, [by_finding[f.pk] for f in group.findings]) for group in groups]


# What the matrix shows of an answering action (and the order it lists them in).
_COVERAGE_ACTION_FIELDS = ("pk", "reference", "description", "rag", "plan_id", "plan__title")


def finding_coverage(user, inspection: Inspection, today: dt.date) -> Coverage:
    """Each finding of the inspection with the actions that answer it and their RAG, each
    finding's actions in plan order (oldest plan first, then the plan's own order).

    Only actions in the person's scope count, for a partner officer too: "unanswered"
    then means "no action your agency leads or supports answers it". Three queries,
    whatever the number of findings and actions.
    """
    findings = list(inspection.findings.order_by("order", "id"))
    visible = Action.objects.for_user(user)
    links = Action.findings.through.objects.filter(
        finding__inspection=inspection, action__in=visible.values("pk")
    ).values_list("finding_id", "action_id")
    actions_of: dict[int, list[int]] = defaultdict(list)
    for finding_id, action_id in links:
        actions_of[finding_id].append(action_id)
    answering = {pk for ids in actions_of.values() for pk in ids}
    # In plan order: an action's place in this list is its place under every finding.
    in_order = list(
        annotate_rag(Action.objects.filter(pk__in=answering), today)
        .order_by("plan__plan_date", "plan_id", "order", "id")
        .values(*_COVERAGE_ACTION_FIELDS)
    ) if answering else []
    place = {action["pk"]: n for n, action in enumerate(in_order)}
    rows = []
    for finding in findings:
        ids = sorted((pk for pk in actions_of.get(finding.pk, []) if pk in place), key=place.__getitem__)
        rows.append(FindingCoverage(finding=finding, actions=[in_order[place[pk]] for pk in ids]))
    return Coverage(inspection=inspection, rows=rows, scoped=is_agency_scoped(user))


# --- linking findings to actions, from the finding's side ------------------------------


def finding_for_user(user, pk: int) -> Finding:
    """A finding, or a 404 when its inspection is out of the person's scope."""
    visible = visible_to(user, Inspection.objects.all())
    return get_object_or_404(Finding.objects.filter(inspection__in=visible).select_related("inspection"), pk=pk)


def plans_for_linking(user, inspection: Inspection) -> list[Plan]:
    """Plans whose actions the person may link to findings (the plans they manage,
    actionplans.access.managed_plans), the plans answering this inspection first; the
    service checks it again."""
    answering = Plan.objects.filter(pk=OuterRef("pk"), inspections=inspection)
    return list(
        managed_plans(user)
        .annotate(answers_inspection=Exists(answering))
        .order_by("-answers_inspection", "-plan_date", "title")
    )


def actions_to_link(user, plan: Plan, today: dt.date) -> list[Action]:
    """A plan's actions, in plan order with their section and RAG, for ticking."""
    return list(
        annotate_rag(Action.objects.for_user(user).filter(plan=plan), today)
        .select_related("section", "plan")
        .order_by("section__order", "order", "id")
    )


def linked_action_ids(finding: Finding, plan: Plan) -> set[int]:
    return set(
        Action.findings.through.objects.filter(finding=finding, action__plan=plan).values_list("action_id", flat=True)
    )
