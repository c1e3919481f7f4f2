"""Reads of the coverage matrix (which actions answer each finding, with their RAG) and of
linking findings to actions from the finding's side. They read actions and plans, so they
live above them; the inspection and the finding are found (and scoped) by
inspections.selectors.

Only actions in a person's scope count, for a partner officer too; a query count that does
not grow with the number of findings or actions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Exists, OuterRef

from actionplans.access import is_agency_scoped, managed_plans
from actionplans.models import Action, Plan
from actionplans.rag import annotate_rag
from inspections.choices import FindingKind
from inspections.models import Finding, Inspection
from inspections.selectors import group_by_theme


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
