"""What each paper says, worked out once for PDF and Word.

A paper is built in three steps:

1. :func:`reports.selectors.plan_snapshot` reads the plan as it stood at the end of the
   "as at" date (RAG by ``actionplans.rag``, nothing dated later);
2. a builder here (:func:`build_committee_paper`, :func:`build_exceptions_paper`,
   :func:`build_ofsted_plan`) turns the snapshot and the clerk's options into the
   paper's content: numbered paragraphs, the RAG summary, the exceptions and why each is
   one, so that the PDF and the Word file say exactly the same thing;
3. :mod:`reports.papers.pdf` (WeasyPrint) or :mod:`reports.papers.docx`
   (python-docx) lays it out.

Which paper can be made in which format, and the one entry point that makes it
(``render_paper``), are in :mod:`reports.papers.registry`.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from actionplans.charts import RAG_COLOURS, rag_bar_chart, rag_description
from actionplans.choices import RAG, ActionStatus, ReviewCadence
from actionplans.models import Action, Plan
from actionplans.rag import RAG_ORDER, rag_count_dict
from partners.choices import BodyKind
from partners.models import GovernanceBody, Meeting
from reports.choices import CONTENT_TYPES
from reports.selectors import (
    PlanSnapshot,
    SectionBlock,
    plan_snapshot,
    previous_report_date,
    rags_as_at,
)


class PaperError(ValueError):
    """The paper cannot be produced as asked (an unknown body, a bad date, a missing format)."""


@dataclass(frozen=True)
class Rendered:
    """A finished file (a paper or an export): the bytes, the name to download it as, and
    its page count (PDF)."""

    content: bytes
    file_name: str
    page_count: int | None = None

    @property
    def content_type(self) -> str:
        extension = self.file_name.rsplit(".", 1)[-1]
        return CONTENT_TYPES.get(extension) or mimetypes.guess_type(self.file_name)[0] or "application/octet-stream"


# ----------------------------------------------------------------------------- wording


def long_date(value: dt.date | None) -> str:
    """30 June 2017."""
    return f"{value.day} {value:%B %Y}" if value else ""


def short_date(value: dt.date | None) -> str:
    """30/06/2017, the British way round."""
    return f"{value:%d/%m/%Y}" if value else ""


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def and_join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _lower_first(text: str) -> str:
    # "Focused visit" -> "focused visit"; "ILACS full inspection" keeps its capitals.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def paragraphs(text: str | None) -> list[str]:
    """Split a clerk's text into paragraphs at blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


@dataclass
class Para:
    """One paragraph of a paper, numbered where the paper numbers its paragraphs."""

    text: str
    number: int | None = None
    bullets: list[str] = field(default_factory=list)

    def runs(self) -> list[tuple[str, bool]]:
        """The text as (text, bold) pieces: "RECOMMENDED" is set in bold, as councils do."""
        pieces = re.split(r"(RECOMMENDED)", self.text)
        return [(p, p == "RECOMMENDED") for p in pieces if p]


class _Numberer:
    def __init__(self):
        self.n = 0

    def __call__(self, texts: list[str] | str, bullets: list[str] | None = None) -> list[Para]:
        texts = [texts] if isinstance(texts, str) else texts
        out = []
        for i, text in enumerate(texts):
            self.n += 1
            out.append(Para(text, self.n, list(bullets or []) if i == len(texts) - 1 else []))
        return out


# --------------------------------------------------------------------------- options


def resolve_date(value: Any, what: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise PaperError(f"{what} must be a date written YYYY-MM-DD, not {value!r}.") from exc


def resolve_body(value: Any) -> GovernanceBody | None:
    """A governance body from an instance, an id, or its name or short name."""
    if value in (None, ""):
        return None
    if isinstance(value, GovernanceBody):
        return value
    text = str(value).strip()
    body = None
    if text.isdigit():
        body = GovernanceBody.objects.filter(pk=int(text)).first()
    body = body or GovernanceBody.objects.filter(name__iexact=text).first()
    body = body or GovernanceBody.objects.filter(short_name__iexact=text).first()
    if body is None:
        raise PaperError(f"No governance body has the id or name {text!r}.")
    return body


def resolve_meeting(value: Any) -> Meeting | None:
    if value in (None, ""):
        return None
    if isinstance(value, Meeting):
        return value
    meeting = Meeting.objects.select_related("body").filter(pk=int(value)).first() if str(value).isdigit() else None
    if meeting is None:
        raise PaperError(f"No meeting has the id {value!r}.")
    return meeting


def _text(options: dict, key: str, default: str = "") -> str:
    value = options.get(key)
    return str(value).strip() if value not in (None, "") else default


# -------------------------------------------------------------------------- RAG rows


@dataclass
class RagRow:
    value: str
    label: str
    count: int
    percent: int
    previous: int | None = None

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.count - self.previous

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        if change == 0:
            return "No change"
        return f"+{change}" if change > 0 else f"\u2212{-change}"

    @property
    def fill(self) -> str:
        return RAG_COLOURS[self.value][0]

    @property
    def ink(self) -> str:
        return RAG_COLOURS[self.value][1]


def rag_rows(counts: dict[str, int], previous: dict[str, int] | None = None) -> list[RagRow]:
    total = sum(counts.values())
    return [
        RagRow(
            value=rag.value,
            label=rag.label,
            count=counts.get(rag.value, 0),
            percent=round(100 * counts.get(rag.value, 0) / total) if total else 0,
            previous=None if previous is None else previous.get(rag.value, 0),
        )
        for rag in RAG_ORDER
    ]


# ------------------------------------------------------------------------ exceptions

EXCEPTION_KINDS = {
    "red": "Red",
    "overdue": "Overdue",
    "revised": "Due date revised",
    "awaiting_sign_off": "Awaiting sign-off",
}


@dataclass
class ExceptionItem:
    """An action a director should challenge, and every reason it is listed."""

    action: Action
    kinds: list[str]
    reasons: list[str]


def exception_for(action: Action, *, include_sign_off: bool) -> ExceptionItem | None:
    kinds, reasons = [], []
    if action.rag == RAG.RED:
        kinds.append("red")
        if not action.is_overdue_as_at:
            reasons.append("Rated red by its lead.")
    if action.is_overdue_as_at:
        kinds.append("overdue")
        reasons.append(
            f"Overdue by {plural(action.days_overdue, 'day')}: due {short_date(action.due_as_at)} "
            f"and {_lower_first(action.status_as_at_label)}."
        )
    if action.approved_revisions:
        kinds.append("revised")
        for revision in action.approved_revisions:
            reasons.append(
                f"Due date revised from {short_date(revision.old_date) or 'none'} to {short_date(revision.new_date)}"
                f"{' on ' + short_date(timezone.localtime(revision.decided_at).date()) if revision.decided_at else ''}"
                f": {revision.reason}"
            )
    if include_sign_off and action.awaiting_sign_off:
        kinds.append("awaiting_sign_off")
        if action.awaiting_outcome_sign_off:
            claimed = action.latest_update.status if action.latest_update else ""
            if ActionStatus.OUTCOME_EVIDENCED in (action.status_as_at, claimed):
                reasons.append("Recorded as complete with the outcome evidenced, but not yet signed off.")
            elif action.status_as_at == ActionStatus.DELIVERED:
                reasons.append("Delivered: awaiting sign-off that the outcome is evidenced.")
            else:
                reasons.append("Its lead says it is delivered, but delivery is not yet signed off.")
    for revision in action.pending_revisions:
        if "revised" not in kinds and not include_sign_off:
            kinds.append("revised")
        reasons.append(f"Date change to {short_date(revision.new_date)} awaiting decision: {revision.reason}")
    if not kinds:
        return None
    return ExceptionItem(action=action, kinds=kinds, reasons=reasons)


@dataclass
class ExceptionGroup:
    heading: str
    items: list[ExceptionItem]


def exception_groups(snapshot: PlanSnapshot, *, include_sign_off: bool) -> list[ExceptionGroup]:
    groups = []
    for block in snapshot.blocks_with_actions:
        items = [e for a in block.actions if (e := exception_for(a, include_sign_off=include_sign_off))]
        if items:
            groups.append(ExceptionGroup(heading=_block_heading(block), items=items))
    return groups


def _block_heading(block: SectionBlock) -> str:
    section = block.section
    if section and section.parent_id:
        return f"{section.parent.number} {section.parent.title} \u2013 {block.heading}"
    return block.heading


def exception_counts(groups: list[ExceptionGroup]) -> dict[str, int]:
    counts = dict.fromkeys(EXCEPTION_KINDS, 0)
    for group in groups:
        for item in group.items:
            for kind in item.kinds:
                counts[kind] += 1
    return counts


# ---------------------------------------------------------------- the Ofsted-ready plan


@dataclass
class OfstedPlan:
    snapshot: PlanSnapshot
    title: str
    subtitle: str
    council_name: str
    partnership_name: str
    headings: dict[str, str]

    @property
    def plan(self) -> Plan:
        return self.snapshot.plan


def build_ofsted_plan(snapshot: PlanSnapshot, options: dict) -> OfstedPlan:
    plan = snapshot.plan
    default = plan.title
    if len(snapshot.inspections) == 1:
        inspection = snapshot.inspections[0]
        kind = "Written Statement of Action and Action Plan" if inspection.wsoa_due_on else "Action Plan"
        default = f"{inspection.title}: {kind}"
    parts = [
        ("introduction", "Introduction", bool(plan.introduction)),
        ("strengths", "Key strengths", True),
        ("areas", "Areas for improvement", True),
        ("monitoring", "Monitoring arrangements for the action plan", bool(plan.monitoring_body)),
        ("sign_up", "Sign up by partners", True),
    ]
    headings = {key: f"{n}. {label}" for n, (key, label, _) in enumerate((p for p in parts if p[2]), start=1)}
    return OfstedPlan(
        snapshot=snapshot,
        title=_text(options, "title", default),
        subtitle=plan.title if plan.title != default else "",
        council_name=settings.COUNCIL_NAME,
        partnership_name=settings.PARTNERSHIP_NAME,
        headings=headings,
    )


# ----------------------------------------------------------- the committee progress paper


@dataclass
class CommitteePaper:
    snapshot: PlanSnapshot
    council_name: str
    partnership_name: str
    committee: str
    meeting_date: dt.date | None
    title: str
    report_of: str
    author: str
    contact_officer: str
    contact_details: str
    divisions: str
    summary: list[Para]
    background: list[Para]
    progress: list[Para]
    rag_rows: list[RagRow]
    compare_date: dt.date | None
    movement: list[Para]
    exceptions_intro: list[Para]
    exceptions: list[ExceptionItem]
    financial: list[Para]
    equalities: list[Para]
    risk: list[Para]
    recommendation: list[Para]
    chart_svg: str
    chart_title: str
    chart_description: str
    appendix_title: str

    @property
    def as_at(self) -> dt.date:
        return self.snapshot.as_at

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rag_rows)

    @property
    def counts(self) -> dict[str, int]:
        return {row.value: row.count for row in self.rag_rows}

    @property
    def committee_line(self) -> str:
        date = f" \u2013 {long_date(self.meeting_date)}" if self.meeting_date else ""
        return f"{self.committee}{date}".upper()


def _background(snapshot: PlanSnapshot) -> list[str]:
    plan = snapshot.plan
    out = []
    for inspection in snapshot.inspections:
        who = and_join(inspection.get_inspectorates_display().split(", ")) or "The inspectorates"
        onsite = ""
        if inspection.onsite_from and inspection.onsite_to:
            onsite = f", on site from {long_date(inspection.onsite_from)} to {long_date(inspection.onsite_to)}"
        elif inspection.onsite_from:
            onsite = f", on site from {long_date(inspection.onsite_from)}"
        text = (
            f"{who} carried out the {_lower_first(inspection.get_kind_display())} "
            f"\u201c{inspection.title}\u201d in {inspection.area}{onsite}."
        )
        if inspection.published_on:
            text += f" Their findings were published on {long_date(inspection.published_on)}."
        if inspection.overall_grade:
            text += f" The overall judgement was \u201c{inspection.get_overall_grade_display()}\u201d."
        if inspection.wsoa_due_on:
            text += f" A written statement of action was due to Ofsted by {long_date(inspection.wsoa_due_on)}."
        out.append(text)
    sections = len([b for b in snapshot.sections if b.section])
    text = (
        f"The action plan, \u201c{plan.title}\u201d, dated {long_date(plan.plan_date)}, has "
        f"{plural(len(snapshot.actions), 'action')} in {plural(sections, 'section')}."
    )
    if plan.monitoring_body:
        cadence = _lower_first(ReviewCadence(plan.review_cadence_days).label)
        text += f" Its delivery is monitored by the {plan.monitoring_body.name}; leads update their actions {cadence}."
    out.append(text)
    return out


def _progress(snapshot: PlanSnapshot) -> list[str]:
    actions = snapshot.actions
    total = len(actions)
    evidenced = sum(a.status_as_at == ActionStatus.OUTCOME_EVIDENCED for a in actions)
    delivered = sum(a.status_as_at == ActionStatus.DELIVERED for a in actions)
    overdue = sum(a.is_overdue_as_at for a in actions)
    revised = sum(a.is_revised_as_at for a in actions)
    complete_word = "blue" if snapshot.plan.uses_blue else "green"
    return [
        f"As at {long_date(snapshot.as_at)}, {evidenced} of the {plural(total, 'action')} are complete with "
        f"their outcome evidenced and a further {delivered} have been delivered with their outcome still to be "
        f"evidenced. {plural(overdue, 'action')} {'is' if overdue == 1 else 'are'} past {'its' if overdue == 1 else 'their'} "
        f"due date and not delivered; {plural(revised, 'action')} {'has' if revised == 1 else 'have'} had "
        f"{'its' if revised == 1 else 'their'} due date revised.",
        f"Ratings follow the partnership's RAG rule: {complete_word} is complete with the outcome evidenced; "
        "green is delivered or on track; amber is at risk; red is off track, or past its due date and not "
        "delivered, whatever its lead proposed.",
    ]


_RAG_RANK = {RAG.RED: 0, RAG.AMBER: 1, RAG.GREEN: 2, RAG.BLUE: 3}


def _movement(
    snapshot: PlanSnapshot, committee: str, compare_date: dt.date | None, then: dict[int, str], rows: list[RagRow]
) -> list[str]:
    if compare_date is None:
        return [
            f"This is the first progress report on this plan to the {committee}; movement in ratings will be "
            "shown from the next report."
        ]
    improved, worsened, newly_red = 0, 0, []
    for action in snapshot.actions:
        before, now = then.get(action.pk), action.rag
        if before in _RAG_RANK and now in _RAG_RANK and before != now:
            if _RAG_RANK[now] > _RAG_RANK[before]:
                improved += 1
            else:
                worsened += 1
        if now == RAG.RED and before != RAG.RED:
            newly_red.append(action.reference)
    changes = [
        f"{row.label.lower()} from {row.previous} to {row.count}" for row in rows if row.change not in (None, 0)
    ]
    text = f"Since the position reported as at {long_date(compare_date)}, "
    if changes:
        first, *rest = changes
        text += f"the number of {first.replace(' from ', ' actions has gone from ', 1)}"
        text += (", " + and_join(rest) if rest else "") + "."
    else:
        text += "the number of actions at each rating is unchanged."
    text += (
        f" {plural(improved, 'action')} {'has' if improved == 1 else 'have'} improved {'its' if improved == 1 else 'their'} "
        f"rating and {plural(worsened, 'action')} {'has' if worsened == 1 else 'have'} worsened."
    )
    if newly_red:
        text += f" Newly red: {', '.join(newly_red)}."
    return [text]


def _contact(plan: Plan) -> tuple[str, str]:
    manager = next(iter(sorted(plan.managers.all(), key=lambda u: (u.full_name, u.pk))), None)
    if manager is None:
        return "", ""
    details = ", ".join(x for x in (manager.phone, manager.email) if x)
    return manager.full_name, details


def build_committee_paper(snapshot: PlanSnapshot, options: dict) -> CommitteePaper:
    plan, as_at = snapshot.plan, snapshot.as_at
    meeting = resolve_meeting(options.get("meeting"))
    body = resolve_body(options.get("body")) or (meeting.body if meeting else None)
    committee = _text(options, "committee", body.name if body else (plan.monitoring_body.name if plan.monitoring_body else "Committee"))
    meeting_date = resolve_date(options.get("meeting_date"), "The meeting date") or (meeting.date if meeting else None)
    if meeting_date is None and body is not None:
        upcoming = body.meetings.filter(date__gte=as_at).order_by("date").first()
        meeting_date = upcoming.date if upcoming else None

    compare_date = resolve_date(options.get("compare_with"), "The comparison date")
    if compare_date is None:
        compare_date = previous_report_date(plan, body=body, before=as_at, exclude_job_id=options.get("job_id"))
    if compare_date is not None and compare_date >= as_at:
        raise PaperError("The comparison date must be before the \u201cas at\u201d date.")
    previous, then = None, {}
    if compare_date is not None:
        then = rags_as_at(plan, compare_date, user=options.get("user"))
        previous = rag_count_dict(Counter(then.values()))
    rows = rag_rows(snapshot.rag_counts, previous)

    number = _Numberer()
    inspections = and_join([f"\u201c{i.title}\u201d" for i in snapshot.inspections])
    total = len(snapshot.actions)
    counts = snapshot.rag_counts
    summary = paragraphs(options.get("summary")) or [
        f"This report sets out progress, as at {long_date(as_at)}, on \u201c{plan.title}\u201d"
        + (f", the action plan responding to {inspections}" if inspections else "")
        + f". Of its {plural(total, 'action')}, "
        + and_join([f"{counts[r.value]} {'are' if counts[r.value] != 1 else 'is'} {r.label.lower()}" for r in RAG_ORDER if counts[r.value]])
        + "."
    ]
    background = number(paragraphs(options.get("background")) or _background(snapshot))
    progress = number(_progress(snapshot))
    movement = number(_movement(snapshot, committee, compare_date, then, rows))

    groups = exception_groups(snapshot, include_sign_off=False)
    exceptions = [item for g in groups for item in g.items]
    ex = exception_counts(groups)
    if exceptions:
        intro = (
            f"{plural(len(exceptions), 'action')} {'needs' if len(exceptions) == 1 else 'need'} the {committee}'s "
            f"attention: {ex['red']} red, {ex['overdue']} overdue and {ex['revised']} with a revised or requested "
            "change of due date. Each is listed below with the reasons and its latest update."
        )
    else:
        intro = "No action is red or overdue, and no due date has been revised."
    exceptions_intro = number(intro)

    overdue = ex["overdue"]
    financial = number(paragraphs(options.get("financial")) or ["There are no financial implications arising directly from this report."])
    equalities = number(paragraphs(options.get("equalities")) or ["There are no equalities implications arising directly from this report."])
    risk = number(
        paragraphs(options.get("risk"))
        or [
            "The main risk is that actions are not delivered by their due dates, or are delivered without evidence "
            f"of their impact by the time of the next inspection. As at {long_date(as_at)}, "
            f"{plural(counts[RAG.RED], 'action')} {'is' if counts[RAG.RED] == 1 else 'are'} red and {overdue} "
            f"{'is' if overdue == 1 else 'are'} overdue; the exceptions above set out what is being done."
        ]
    )
    recommendation = number(
        paragraphs(options.get("recommendation"))
        or [
            f"The {'Cabinet' if body and body.kind == BodyKind.CABINET else 'Committee'} is RECOMMENDED to note the "
            "progress made on the action plan and the exceptions set out in this report."
        ]
    )
    contact_name, contact_details = _contact(plan)
    chart_title = f"Actions by RAG rating as at {long_date(as_at)}"
    return CommitteePaper(
        snapshot=snapshot,
        council_name=settings.COUNCIL_NAME,
        partnership_name=settings.PARTNERSHIP_NAME,
        committee=committee,
        meeting_date=meeting_date,
        title=_text(options, "title", f"{plan.title}: progress report"),
        report_of=_text(options, "report_of", "Director of Children's Services"),
        author=_text(options, "author", contact_name),
        contact_officer=_text(options, "contact_officer", contact_name),
        contact_details=_text(options, "contact_details", contact_details),
        divisions=_text(options, "divisions", "N/A"),
        summary=[Para(t) for t in summary],
        background=background,
        progress=progress,
        rag_rows=rows,
        compare_date=compare_date,
        movement=movement,
        exceptions_intro=exceptions_intro,
        exceptions=exceptions,
        financial=financial,
        equalities=equalities,
        risk=risk,
        recommendation=recommendation,
        # The figures go in the title: it becomes the chart's alternative text in the tagged PDF.
        chart_svg=rag_bar_chart(
            counts,
            title=f"{chart_title}. {rag_description(counts)}",
            description="Horizontal bar chart. The same figures are in the RAG summary table.",
            chart_id="rag-summary-chart",
        ),
        chart_title=chart_title,
        chart_description=rag_description(counts),
        appendix_title=f"Appendix A: progress on every action as at {long_date(as_at)}",
    )


# ------------------------------------------------------------------ the exceptions paper


@dataclass
class ExceptionsPaper:
    snapshot: PlanSnapshot
    council_name: str
    partnership_name: str
    title: str
    groups: list[ExceptionGroup]
    counts: dict[str, int]
    rag_rows: list[RagRow]
    summary: list[Para]

    @property
    def as_at(self) -> dt.date:
        return self.snapshot.as_at

    @property
    def count_rows(self) -> list[tuple[str, int]]:
        return [(label, self.counts[key]) for key, label in EXCEPTION_KINDS.items()]

    @property
    def total(self) -> int:
        return sum(len(g.items) for g in self.groups)


def build_exceptions_paper(snapshot: PlanSnapshot, options: dict) -> ExceptionsPaper:
    groups = exception_groups(snapshot, include_sign_off=True)
    counts = exception_counts(groups)
    total = sum(len(g.items) for g in groups)
    summary = (
        f"{plural(total, 'action')} of {len(snapshot.actions)} {'needs' if total == 1 else 'need'} challenge as at "
        f"{long_date(snapshot.as_at)}: {counts['red']} red, {counts['overdue']} overdue, {counts['revised']} with a "
        f"revised due date and {counts['awaiting_sign_off']} awaiting sign-off or a decision on a date change."
        if total
        else f"No action is red, overdue, revised or awaiting sign-off as at {long_date(snapshot.as_at)}."
    )
    return ExceptionsPaper(
        snapshot=snapshot,
        council_name=settings.COUNCIL_NAME,
        partnership_name=settings.PARTNERSHIP_NAME,
        title=_text(options, "title", f"{snapshot.plan.title}: exceptions"),
        groups=groups,
        counts=counts,
        rag_rows=rag_rows(snapshot.rag_counts),
        summary=[Para(summary)],
    )


# ------------------------------------------------------------- what the layouts share


def file_name(plan: Plan, kind: str, as_at: dt.date, fmt: str) -> str:
    return f"{plan.slug}-{kind}-{as_at:%Y-%m-%d}.{fmt}"


def snapshot_for(plan: Plan, as_at: dt.date, options: dict | None = None) -> PlanSnapshot:
    return plan_snapshot(plan, as_at=as_at, user=(options or {}).get("user"))
