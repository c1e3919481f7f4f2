"""Reads of inspections and their findings that cross relations. Each selector applies the
scoping rule (actionplans.access, reached through foundation.scope) and has its select/prefetch beside the query, so that a page's query count
does not grow with the number of findings or actions.

Scope: the partnership-wide roles see every inspection (the letters are published). A
partner officer sees the inspections answered by a plan they can see, and within them
only the actions their agency leads or supports; anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from foundation.scope import visible_to
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
    plans: list  # the plans answering it that the person sees
    finding_count: int


def _answering_plans() -> QuerySet:
    return Inspection._meta.get_field("plans").related_model.objects.all()


def inspection_for_page(user, pk: int, today: dt.date) -> InspectionPage:
    """Everything the inspection page shows, in a fixed number of queries."""
    inspection = get_object_or_404(
        visible_to(user, Inspection.objects.all()).prefetch_related(
            "judgements",
            Prefetch("findings", queryset=Finding.objects.order_by("order", "id")),
            Prefetch(
                "plans",
                # The plans answering it (actionplans.Plan, by the relation: no import upwards).
                queryset=visible_to(user, _answering_plans()).order_by("-plan_date", "title"),
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


# --- linking findings to actions, from the finding's side ------------------------------


def finding_for_user(user, pk: int) -> Finding:
    """A finding, or a 404 when its inspection is out of the person's scope."""
    visible = visible_to(user, Inspection.objects.all())
    return get_object_or_404(Finding.objects.filter(inspection__in=visible).select_related("inspection"), pk=pk)
