"""Reads for the papers: a plan as it stood on a date, in the order it is printed.

:func:`plan_snapshot` loads everything a paper needs in a fixed number of queries,
whatever the number of actions: the plan and its inspections, findings and sign-offs;
the sections as a tree; the actions in print order, annotated with their RAG by
``actionplans.rag.annotate_rag(..., as_at_history=True)``; each action's latest progress
update, due-date revisions and sign-offs on or before the date; and the glossary terms
the plan uses. Nothing dated after ``as_at`` is shown, so a paper for a past date reads
the same every time it is produced.

For the schedule pages: :func:`describe_when` a schedule makes its paper, and
:func:`next_paper`, the meeting it is working towards and its paper day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet, Subquery
from django.utils import timezone

from actionplans import rules
from actionplans.choices import RAG, ActionStatus, Decision, SignOffStage
from actionplans.models import (
    Action,
    ActionSignOff,
    BoardSignOff,
    DueDateRevision,
    GlossaryTerm,
    PartnerSignOff,
    Plan,
    ProgressUpdate,
    Section,
)
from actionplans.rag import annotate_rag, rag_count_dict
from inspections.choices import FindingKind
from inspections.models import Finding, Inspection, Judgement
from partners.models import GovernanceBody, Meeting, PostHolding
from partners.workdays import add_working_days
from reports.choices import JobStatus, ReportKind
from reports.models import Cadence, ReportJob, ReportSchedule, ScheduleMode


def _on_or_before(moment: dt.datetime | None, as_at: dt.date) -> bool:
    """Whether a timestamp fell on or before the day ``as_at`` (in the council's time zone)."""
    return moment is not None and timezone.localtime(moment).date() <= as_at


@dataclass(eq=False)
class SectionBlock:
    """A section with its actions and (for a top-level section) its sub-sections."""

    section: Section | None
    actions: list[Action] = field(default_factory=list)
    children: list[SectionBlock] = field(default_factory=list)

    @property
    def heading(self) -> str:
        if self.section is None:
            return "Other actions"
        number = self.section.number
        # "1. Front Door", "2.1 Assessments": as councils number them.
        if number and "." not in number:
            number += "."
        return f"{number} {self.section.title}".strip()

    @property
    def issues_raised(self) -> str:
        return self.section.issues_raised if self.section else ""

    @property
    def issue_findings(self) -> list[Finding]:
        """The findings this section's actions answer, used where the plan quotes none."""
        seen: dict[int, Finding] = {}
        for action in self.actions:
            for finding in action.findings.all():
                seen.setdefault(finding.pk, finding)
        return list(seen.values())

    def all_actions(self) -> list[Action]:
        actions = list(self.actions)
        for child in self.children:
            actions.extend(child.all_actions())
        return actions


@dataclass
class PlanSnapshot:
    """A plan as it stood at the end of ``as_at``."""

    plan: Plan
    as_at: dt.date
    inspections: list[Inspection]
    sections: list[SectionBlock]
    actions: list[Action]
    partner_sign_offs: list[PartnerSignOff]
    board_sign_offs: list[BoardSignOff]
    glossary: list[GlossaryTerm]

    @property
    def rag_counts(self) -> dict[str, int]:
        """RAG value -> number of actions, in RAG_ORDER, from the annotated actions."""
        return rag_count_dict(Counter(action.rag for action in self.actions))

    def findings(self, *kinds: str) -> list[Finding]:
        return [f for inspection in self.inspections for f in inspection.findings.all() if f.kind in kinds]

    @property
    def strengths(self) -> list[Finding]:
        return self.findings(FindingKind.STRENGTH)

    @property
    def areas_for_improvement(self) -> list[Finding]:
        return self.findings(FindingKind.PRIORITY_ACTION, FindingKind.AREA_FOR_IMPROVEMENT, FindingKind.RECOMMENDATION)

    @property
    def table_groups(self) -> list[tuple[SectionBlock, list[SectionBlock]]]:
        """(top-level section, [it and its sub-sections]) for a plan table grouped by section."""
        return [(block, [block, *block.children]) for block in self.sections]

    @property
    def blocks_with_actions(self) -> list[SectionBlock]:
        """Every section (top level and sub-section) that has actions, in print order."""
        blocks = []
        for block in self.sections:
            if block.actions:
                blocks.append(block)
            blocks.extend(child for child in block.children if child.actions)
        return blocks


def _latest_update_queryset(as_at: dt.date) -> QuerySet:
    latest = rules.latest_updates("action", as_at=as_at).values("pk")[:1]
    return ProgressUpdate.objects.filter(pk=Subquery(latest)).select_related("author")


def _plan_actions(plan: Plan, user=None) -> QuerySet:
    actions = Action.objects.filter(plan=plan)
    return actions.for_user(user) if user is not None else actions


def actions_as_at(plan: Plan, as_at: dt.date, *, user=None) -> QuerySet:
    """The plan's actions with RAG as at the date and everything a paper prints about them;
    with ``user``, only the actions that person may see."""
    return (
        annotate_rag(_plan_actions(plan, user), as_at, as_at_history=rules.reads_history(as_at))
        .select_related("section", "lead_post__agency")
        .prefetch_related(
            "partner_agencies",
            Prefetch("findings", queryset=Finding.objects.order_by("order", "id")),
            Prefetch(
                "revisions",
                queryset=DueDateRevision.objects.select_related("requested_by", "decided_by").order_by(
                    "requested_at", "id"
                ),
                to_attr="all_revisions",
            ),
            Prefetch(
                "sign_offs",
                queryset=ActionSignOff.objects.select_related("signed_by").order_by("signed_at", "id"),
                to_attr="all_sign_offs",
            ),
            Prefetch("updates", queryset=_latest_update_queryset(as_at), to_attr="latest_updates"),
            Prefetch(
                "lead_post__holdings",
                queryset=PostHolding.objects.current(as_at).select_related("person").order_by("-started_on", "id"),
                to_attr="holders_as_at",
            ),
        )
        .order_by("order", "id")
    )


def _decorate(action: Action, as_at: dt.date) -> None:
    """Work out, from the prefetched rows, what a paper says about one action as at the date."""
    action.rag_label = RAG(action.rag).label
    action.latest_update = action.latest_updates[0] if action.latest_updates else None

    revisions = [r for r in action.all_revisions if _on_or_before(r.requested_at, as_at)]
    for revision in revisions:
        decided = _on_or_before(revision.decided_at, as_at)
        revision.decision_as_at = revision.decision if decided else Decision.PENDING
        revision.decision_as_at_label = Decision(revision.decision_as_at).label
    action.revisions_as_at = revisions
    action.approved_revisions = [r for r in revisions if r.decision_as_at == Decision.APPROVED]
    action.pending_revisions = [r for r in revisions if r.decision_as_at == Decision.PENDING]

    # The due date in force on the day: undo any revision approved after it.
    later = [
        r for r in action.all_revisions
        if r.decision == Decision.APPROVED and r.decided_at and not _on_or_before(r.decided_at, as_at)
    ]
    if later:
        first_later = min(later, key=lambda r: (r.decided_at, r.pk))
        action.due_as_at = first_later.old_date or action.original_due_date
    else:
        action.due_as_at = action.due_date
    action.is_revised_as_at = bool(action.approved_revisions)

    # In force on the day: signed by then and not withdrawn (the action reopened) by then.
    sign_offs = [
        s for s in action.all_sign_offs
        if _on_or_before(s.signed_at, as_at) and not (s.withdrawn_at and _on_or_before(s.withdrawn_at, as_at))
    ]
    action.sign_offs_as_at = sign_offs
    stages = {s.stage for s in sign_offs}
    if not hasattr(action, "status_as_at"):  # as at today: the action's own status
        action.status_as_at = action.status
    status = action.status_as_at
    action.status_as_at_label = ActionStatus(status).label
    action.is_complete_as_at = rules.is_complete(status)
    action.is_overdue_as_at = rules.is_overdue(status=status, due_date=action.due_as_at, today=as_at)
    action.days_overdue = (as_at - action.due_as_at).days if action.is_overdue_as_at else 0
    # Delivered, or said to be complete by the latest update, without the outcome signed off.
    claims_complete = bool(action.latest_update and rules.is_complete(action.latest_update.status))
    action.awaiting_outcome_sign_off = (
        (action.is_complete_as_at or claims_complete) and SignOffStage.OUTCOME_EVIDENCED not in stages
    )
    action.awaiting_sign_off = action.awaiting_outcome_sign_off or bool(action.pending_revisions)

    post = action.lead_post
    action.lead_display = action.lead_text or (post.title if post else "")
    action.lead_agency = post.agency.short_name if post else ""
    holders = getattr(post, "holders_as_at", []) if post else []
    action.lead_holder = holders[0].person.full_name if holders else ""
    action.partner_names = ", ".join(a.short_name for a in action.partner_agencies.all())


def _section_tree(plan: Plan, actions: list[Action]) -> list[SectionBlock]:
    sections = list(Section.objects.filter(plan=plan).order_by("order", "id"))
    blocks = {s.pk: SectionBlock(section=s) for s in sections}
    top: list[SectionBlock] = []
    for section in sections:
        parent = blocks.get(section.parent_id) if section.parent_id else None
        if parent:
            section.parent = parent.section  # cached, so headings never query for it
        (parent.children if parent else top).append(blocks[section.pk])
    orphans = SectionBlock(section=None)
    for action in actions:
        blocks.get(action.section_id, orphans).actions.append(action)
    if orphans.actions:
        top.append(orphans)
    return top


def _plan_text(plan: Plan, inspections: list[Inspection], sections: list[SectionBlock], actions: list[Action]) -> str:
    parts = [plan.title, plan.introduction]
    for block in sections:
        for b in [block, *block.children]:
            if b.section:
                parts += [b.section.title, b.section.issues_raised]
    for inspection in inspections:
        parts += [f.text for f in inspection.findings.all()]
    for a in actions:
        parts += [a.description, a.outcome, a.success_measure, a.lead_display, a.partner_names]
        if a.latest_update:
            parts.append(a.latest_update.narrative)
    return "\n".join(p for p in parts if p)


def glossary_terms_used(text: str, terms: list[GlossaryTerm] | None = None) -> list[GlossaryTerm]:
    """The glossary terms that appear in ``text`` as whole words (acronyms are case-sensitive)."""
    terms = list(GlossaryTerm.objects.order_by("term")) if terms is None else terms
    used = []
    for term in terms:
        if re.search(rf"(?<![\w]){re.escape(term.term)}(?![\w])", text):
            used.append(term)
    return used


def plan_snapshot(plan: Plan | int, *, as_at: dt.date, user=None) -> PlanSnapshot:
    """Everything a paper prints about ``plan``, as it stood at the end of ``as_at``; with
    ``user``, only the actions that person may see (``Action.objects.for_user``)."""
    plan_id = plan.pk if isinstance(plan, Plan) else plan
    plan = (
        Plan.objects.select_related("monitoring_body")
        .prefetch_related(
            Prefetch(
                "inspections",
                queryset=Inspection.objects.order_by("published_on", "id").prefetch_related(
                    Prefetch("findings", queryset=Finding.objects.order_by("order", "id")),
                    Prefetch("judgements", queryset=Judgement.objects.order_by("id")),
                ),
            ),
            Prefetch(
                "partner_sign_offs",
                queryset=PartnerSignOff.objects.filter(signed_on__lte=as_at)
                .select_related("agency")
                .order_by("signed_on", "agency__name"),
            ),
            Prefetch(
                "board_sign_offs",
                queryset=BoardSignOff.objects.filter(signed_on__lte=as_at).select_related("body").order_by("signed_on", "id"),
            ),
            "managers",
        )
        .get(pk=plan_id)
    )
    actions = list(actions_as_at(plan, as_at, user=user))
    for action in actions:
        action.plan = plan  # one plan object, so nothing re-queries it
        _decorate(action, as_at)
    sections = _section_tree(plan, actions)
    in_print_order = [a for block in sections for a in block.all_actions()]
    inspections = list(plan.inspections.all())
    text = _plan_text(plan, inspections, sections, in_print_order)
    return PlanSnapshot(
        plan=plan,
        as_at=as_at,
        inspections=inspections,
        sections=sections,
        actions=in_print_order,
        partner_sign_offs=list(plan.partner_sign_offs.all()),
        board_sign_offs=list(plan.board_sign_offs.all()),
        glossary=glossary_terms_used(text),
    )


def rags_as_at(plan: Plan, as_at: dt.date, *, user=None) -> dict[int, str]:
    """Action id -> RAG as at a date, for the movement between two papers."""
    actions = annotate_rag(_plan_actions(plan, user), as_at, as_at_history=rules.reads_history(as_at))
    return dict(actions.values_list("pk", "rag"))


def previous_report_date(
    plan: Plan, *, body: GovernanceBody | None, before: dt.date, exclude_job_id: int | None = None
) -> dt.date | None:
    """The "as at" date of the last committee paper produced for this plan and body before
    ``before``: the point the movement in RAG is measured from."""
    if body is None:
        return None
    jobs = ReportJob.objects.filter(
        plan=plan, body=body, kind=ReportKind.COMMITTEE, status=JobStatus.DONE
    ).only("as_at", "requested_at")
    if exclude_job_id:
        jobs = jobs.exclude(pk=exclude_job_id)
    dates = [job.as_at or timezone.localtime(job.requested_at).date() for job in jobs]
    earlier = [d for d in dates if d < before]
    return max(earlier) if earlier else None


# --- Schedules ---------------------------------------------------------------------------

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CADENCE_HOUR = 7  # cadence papers are made at 07:00, London time, like the daily run


@dataclass(frozen=True)
class NextPaper:
    meeting: Meeting | None
    paper_day: dt.date | None


def describe_when(schedule: ReportSchedule) -> str:
    """When the schedule makes its paper, in words."""
    if schedule.mode == ScheduleMode.BEFORE_EACH_MEETING:
        days = schedule.days_before
        own = "" if schedule.working_days_before is not None else " (the body's deadline)"
        return f"{days} working day{'s' if days != 1 else ''} before each meeting{own}"
    if schedule.cadence == Cadence.WEEKLY and schedule.cadence_weekday is not None:
        return f"Every {WEEKDAYS[schedule.cadence_weekday]} at {CADENCE_HOUR:02d}:00"
    if schedule.cadence == Cadence.MONTHLY and schedule.cadence_day:
        return f"On day {schedule.cadence_day} of every month at {CADENCE_HOUR:02d}:00"
    if schedule.cadence == Cadence.EVERY_N_DAYS and schedule.cadence_every_days:
        n = schedule.cadence_every_days
        return f"Every {n} day{'s' if n != 1 else ''} at {CADENCE_HOUR:02d}:00"
    return "Not set"


def upcoming_meetings_by_body(body_ids, today: dt.date) -> dict[int, Meeting]:
    """The nearest meeting on or after ``today`` of each body, in one query."""
    nearest: dict[int, Meeting] = {}
    for meeting in Meeting.objects.filter(body_id__in=set(body_ids), date__gte=today).order_by("body_id", "date"):
        nearest.setdefault(meeting.body_id, meeting)
    return nearest


def next_paper(schedule: ReportSchedule, nearest: dict[int, Meeting]) -> NextPaper:
    """The meeting a before-each-meeting schedule is working towards, and its paper day."""
    meeting = nearest.get(schedule.body_id)
    if schedule.mode != ScheduleMode.BEFORE_EACH_MEETING or meeting is None:
        return NextPaper(None, None)
    return NextPaper(meeting, add_working_days(meeting.date, -schedule.days_before))
