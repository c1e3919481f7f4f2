"""Turning the rows of a plan into a preview: sections, actions, the findings they answer,
links between actions, progress updates, and every problem by row and column.

Nothing here writes to the database: the preview is what the person checks (and corrects
the column mapping of) before :func:`actionplans.importing.commit.plan_import_commit`
saves it. How rows are read:

* A row with one filled cell ("1. Front Door...", "OPERATIONAL DELIVERY IMPROVEMENTS", a
  bold or merged row) is a section; its leading number is the section number ("2.1" is a
  sub-section of "2"), unnumbered sections are numbered in turn.
* A finding cell that starts with a two-level number ("2.1 Assessments General requests...")
  opens sub-section 2.1 titled "Assessments"; the rest is the finding.
* A blank finding cell means "same as above".
* Findings cells numbered 1, 2, 3... in turn are numbered items (Medway's "outcomes"): the
  number becomes the action's reference. Any other number ("42. Supervision is not...",
  "para 17") is the report paragraph the finding cites.
* "(OFSTED and CQC, 2011)" at the end of a finding names the inspectorates that raised it.
* An action that only points elsewhere ("See 2.3 for audit work") is a link from the action
  above to the action it names, not an action.
* Without a reference column, actions are numbered within their section ("2.1.1").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from string import ascii_uppercase

from actionplans.choices import RAG, ActionStatus
from actionplans.importing.columns import EXTRA, FIELDS, find_header, suggest_mapping
from actionplans.importing.leads import LeadParse, candidate_agencies, parse_lead, split_partners
from actionplans.importing.readers import Grid, GridRow, ImportRejected
from foundation import limits
from foundation.dates import ParsedDue, format_date, parse_due, parse_progress
from inspections.choices import FindingKind, Inspectorate

# The most a cell may hold, by the field its column fills; any other column, NARRATIVE_MAX.
_CELL_LIMITS = {
    "action": limits.ACTION_TEXT_MAX,
    "outcome": limits.ACTION_TEXT_MAX,
    "measure": limits.ACTION_TEXT_MAX,
    "finding": limits.ACTION_TEXT_MAX,
    "section": limits.ACTION_TEXT_MAX,
    "progress": limits.NARRATIVE_MAX,
}


@dataclass
class Problem:
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class FindingPreview:
    text: str
    paragraphs: str = ""
    inspectorates: list[str] = field(default_factory=list)
    kind: str = FindingKind.AREA_FOR_IMPROVEMENT
    theme: str = ""
    row: int | None = None

    @property
    def key(self) -> str:
        return _key(self.text)

    def as_dict(self) -> dict:
        return {"text": self.text, "paragraphs": self.paragraphs}


@dataclass
class SectionPreview:
    number: str
    title: str
    parent: str | None = None
    issues_raised: str = ""
    row: int | None = None

    def as_dict(self) -> dict:
        return {"number": self.number, "title": self.title, "parent": self.parent}


@dataclass
class UpdatePreview:
    date: dt.date
    text: str
    dated: bool = True

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "text": self.text}


@dataclass
class LinkPreview:
    to: str  # the reference of the action linked to
    note: str = ""
    row: int | None = None


@dataclass
class ActionPreview:
    row: int
    reference: str
    section: str | None
    action: str
    outcome: str = ""
    measure: str = ""
    lead: LeadParse = field(default_factory=lambda: LeadParse(text=""))
    partners: list[str] = field(default_factory=list)
    due: ParsedDue = field(default_factory=lambda: ParsedDue(None, ""))
    start_date: dt.date | None = None
    findings: list[FindingPreview] = field(default_factory=list)
    updates: list[UpdatePreview] = field(default_factory=list)
    status: str = ActionStatus.NOT_STARTED
    proposed_rag: str = ""
    links: list[LinkPreview] = field(default_factory=list)
    extra_columns: dict[str, str] = field(default_factory=dict)

    @property
    def lead_display(self) -> str:
        if not self.lead.post:
            return ""
        return f"{self.lead.post} ({self.lead.agency})" if self.lead.agency else self.lead.post

    def as_dict(self) -> dict:
        return {
            "reference": self.reference,
            "section": self.section,
            "action": self.action,
            "outcome": self.outcome,
            "measure": self.measure,
            "lead": self.lead_display,
            "partners": list(self.partners),
            "due_date": _iso(self.due.due_date),
            "due_text": self.due.original_text,
            "revisions": [{"due_date": _iso(day), "reason": reason} for day, reason in self.due.revisions],
            "findings": [f.as_dict() for f in self.findings],
            "updates": [u.as_dict() for u in self.updates],
            "status": str(self.status),
            "links": [link.to for link in self.links],
        }


@dataclass
class Preview:
    filename: str
    source: str
    sheet: str | None
    sheets: list[str]
    header_row: int
    headings: list[str]
    mapping: dict[int, str]
    reference_date: dt.date
    explicit_references: bool
    sections: list[SectionPreview] = field(default_factory=list)
    actions: list[ActionPreview] = field(default_factory=list)
    findings: list[FindingPreview] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def links(self) -> list[tuple[str, LinkPreview]]:
        return [(a.reference, link) for a in self.actions for link in a.links]

    def to_dict(self) -> dict:
        """The stable JSON contract (dates ISO 8601, null where unknown)."""
        return {
            "sections": [s.as_dict() for s in self.sections],
            "actions": [a.as_dict() for a in self.actions],
            "problems": [p.as_dict() for p in self.problems],
        }

    def summary(self) -> dict[str, int]:
        return {
            "sections": sum(1 for s in self.sections if not s.parent),
            "sub_sections": sum(1 for s in self.sections if s.parent),
            "actions": len(self.actions),
            "links": len(self.links),
            "findings": len(self.findings),
            "updates": sum(len(a.updates) for a in self.actions),
            "problems": len(self.problems),
        }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).strip()


def _column_name(index: int) -> str:
    name, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = ascii_uppercase[rest] + name
    return name


# --- patterns --------------------------------------------------------------------------------

_SECTION_NUMBER = re.compile(r"^\s*(?:section|priority|theme|part|area)?\s*(\d{1,2}(?:\.\d{1,2})*)\s*[.):\-–]?\s+(?=\S)", re.I)
_SUB_SECTION = re.compile(r"^\s*(\d{1,2}\.\d{1,2})\.?\s+(?=\S)")
_ITEM_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.):]\s*(?=\S)")
_LEADING_PARAGRAPHS = re.compile(r"^\s*(\d{1,3}[a-z]?(?:\s*(?:,|and|&)\s*\d{1,3}[a-z]?)*)\s*[.):\-–]\s*(?=\S)")
_PARA_REF = re.compile(
    r"\(?\b(?:para(?:graph)?s?|§)\.?\s*(\d{1,3}[a-z]?(?:\s*(?:,|and|&|-|–)\s*\d{1,3}[a-z]?)*)\)?", re.I
)
_INSPECTORATE_TAG = re.compile(r"\(([^()]*)\)\W*$")
_INSPECTORATES = [
    (re.compile(r"\bofsted\b", re.I), Inspectorate.OFSTED),
    (re.compile(r"\bcqc\b|care quality commission", re.I), Inspectorate.CQC),
    (re.compile(r"\bhmi\s*cfrs\b|\bhmic\b|\bhmicfrs\b|constabulary", re.I), Inspectorate.HMICFRS),
    (re.compile(r"\bhmi\s*probation\b|\bhmip\b|\bprobation\b", re.I), Inspectorate.HMI_PROBATION),
]
_POINTER = re.compile(
    r"^\s*(?:please\s+)?(?:see(?:\s+also)?|refer\s+to|as\s+per|cross[\s-]?ref(?:erence)?d?(?:\s+(?:to|with))?|"
    r"covered\s+(?:in|by|under)|linked\s+(?:to|with)|included\s+in|addressed\s+(?:in|by|under)|as\s+(?:in|at)|"
    r"duplicate\s+of|same\s+as|picked\s+up\s+(?:in|by|under))\s+"
    r"(?:(?:action|actions|section|outcome|point|item|rec(?:ommendation)?|para(?:graph)?|no)\.?\s*)?"
    r"(\d{1,2}(?:\.\d{1,2}){0,3}[a-z]?)\b(.*)$",
    re.I | re.S,
)
_SAME_AS_ABOVE = re.compile(r"^\s*(?:as above|same as above|ditto|\"|〃|as per above)\s*\.?\s*$", re.I)

STATUS_WORDS = [
    (re.compile(r"outcome\s+evidenced|impact\s+evidenced|evidenced", re.I), ActionStatus.OUTCOME_EVIDENCED),
    (re.compile(r"^\s*(?:not\s+(?:yet\s+)?started|not\s+begun|open|planned|to\s+do)\b", re.I), ActionStatus.NOT_STARTED),
    (re.compile(r"\b(?:complete[d]?|closed|done|achieved|delivered|finished|yes|y)\b", re.I), ActionStatus.DELIVERED),
    (re.compile(r"\b(?:in\s+progress|on\s+track|ongoing|on-going|started|underway|under\s+way|progressing|partially|behind|delayed|off\s+track|at\s+risk|no)\b", re.I), ActionStatus.IN_PROGRESS),
]  # fmt: skip
RAG_WORDS = [
    (re.compile(r"^\s*(?:b|blue|complete[d]?)\b", re.I), RAG.BLUE),
    (re.compile(r"^\s*(?:g|green)\b", re.I), RAG.GREEN),
    (re.compile(r"^\s*(?:a|amber|yellow|orange|a/g|amber/green)\b", re.I), RAG.AMBER),
    (re.compile(r"^\s*(?:r|red|r/a|red/amber)\b", re.I), RAG.RED),
]


def split_title(text: str) -> tuple[str, str]:
    """("Assessments", "General requests for ...") from "Assessments General requests for ...":
    the title is the run of capitalised words before the sentence that follows it."""
    text = text.strip()
    tokens = text.split()
    first_lower = next(
        (i for i, t in enumerate(tokens) if t[:1].islower() and t.lower() not in ("and", "of", "&", "for", "the", "in", "to")),
        None,
    )
    if first_lower is not None:
        for start in range(first_lower - 1, 0, -1):
            word = tokens[start].strip("'\"(,")
            if word[:1].isupper() and not word.isupper():
                title = " ".join(tokens[:start]).strip(" :-–,")
                if title and len(title) <= 120:
                    return title, " ".join(tokens[start:])
                break
    if len(text) <= 120:
        return text.rstrip(" :-–."), ""
    first = re.split(r"(?<=[.:;])\s", text, maxsplit=1)[0]
    return first[:120].rstrip(" :-–."), text


# Inspectors' recommendations tell: "Ensure that...", "Improve the quality of...", "... must ensure".
_RECOMMENDATION = re.compile(
    r"^\W*(?:ensure|improve|develop|review|strengthen|establish|increase|reduce|introduce|implement|make sure)\b"
    r"|\b(?:must|should)\b|\bto ensure\b",
    re.I,
)


def _inspectorates(tag: str) -> list[str]:
    return [value for pattern, value in _INSPECTORATES if pattern.search(tag)]


def _finding_kind(heading: str, text: str) -> str:
    heading = heading.lower()
    if "strength" in heading:
        return FindingKind.STRENGTH
    if "priority" in heading:
        return FindingKind.PRIORITY_ACTION
    if "recommend" in heading or _RECOMMENDATION.search(text):
        return FindingKind.RECOMMENDATION
    return FindingKind.AREA_FOR_IMPROVEMENT


def _paragraph_list(text: str) -> str:
    numbers = re.findall(r"\d{1,3}[a-z]?", text)
    if "-" in text or "–" in text:
        parts = re.split(r"\s*[-–]\s*", text)
        if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit() and 0 < int(parts[1]) - int(parts[0]) < 30:
            numbers = [str(n) for n in range(int(parts[0]), int(parts[1]) + 1)]
    return ", ".join(dict.fromkeys(numbers))


# --- the preview -----------------------------------------------------------------------------


class _Builder:
    def __init__(self, grid: Grid, mapping: dict[int, str], header_index: int, reference_date: dt.date):
        self.grid = grid
        self.mapping = mapping
        self.header_index = header_index
        self.reference = reference_date
        header = grid.rows[header_index]
        self.headings = [header.text(i) for i in range(grid.width)]
        self.columns = {f: i for i, f in sorted(mapping.items(), reverse=True) if f != EXTRA}
        self.problems: list[Problem] = [Problem(row, None, message) for row, message in grid.warnings]
        self.sections: dict[str, SectionPreview] = {}
        self.actions: list[ActionPreview] = []
        self.findings: dict[str, FindingPreview] = {}
        self.pending_links: list[tuple[ActionPreview, str, str, int]] = []
        self.top: SectionPreview | None = None
        self.current: SectionPreview | None = None
        self.finding: FindingPreview | None = None
        self.counters: dict[str, int] = {}
        self.known_agencies: list[str] = []

    # helpers
    def heading(self, field_name: str) -> str | None:
        index = self.columns.get(field_name)
        if index is None:
            return None
        return self.headings[index] or f"Column {_column_name(index)}"

    def text(self, row: GridRow, field_name: str) -> str:
        index = self.columns.get(field_name)
        return row.text(index) if index is not None else ""

    def value(self, row: GridRow, field_name: str):
        index = self.columns.get(field_name)
        return row.cell(index).value if index is not None else None

    def problem(self, row: GridRow | None, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(row.number if row else None, self.heading(field_name) if field_name else None, message))

    # sections
    def section(self, number: str, title: str, row: GridRow | None, issues: str = "") -> SectionPreview:
        parts = number.split(".")
        parent = None
        if len(parts) > 1:
            parent_number = parts[0]
            if parent_number not in self.sections:
                self.sections[parent_number] = SectionPreview(parent_number, f"Section {parent_number}", None, row=row.number if row else None)
                self.problem(row, None, f'Sub-section {number} has no section {parent_number} above it; one was added: give it a title.')
            parent = parent_number
            if len(parts) > 2:
                self.problem(row, None, f"Sections nest one level only: {number} was placed under {parent_number}.")
        if number in self.sections and (self.sections[number].title != f"Section {number}" or not title):
            existing = self.sections[number]
            if title and existing.title != title:
                self.problem(row, None, f'Section {number} appears twice ("{existing.title}" and "{title}"); the rows were joined.')
        else:
            self.sections[number] = SectionPreview(number, title[:300] or f"Section {number}", parent, issues, row.number if row else None)
        section = self.sections[number]
        if parent:
            self.top, self.current = self.sections[parent], section
        else:
            self.top = self.current = section
        self.finding = None
        return section

    def next_top_number(self) -> str:
        numbers = [int(n) for n in self.sections if n.isdigit()]
        return str(max(numbers, default=0) + 1)

    def section_row(self, row: GridRow, text: str) -> None:
        m = _SECTION_NUMBER.match(text)
        if m:
            number, rest = m.group(1), text[m.end() :]
        else:
            number, rest = self.next_top_number(), text
        title, issues = split_title(rest) if "." in number or len(rest) > 120 else (rest.strip().rstrip(":"), "")
        if not title:
            title = rest.strip()
        self.section(number, title, row, issues)
        if issues:
            self.set_finding(row, issues)

    # findings
    def set_finding(self, row: GridRow, text: str, *, items: bool = False) -> FindingPreview:
        inspectorates: list[str] = []
        tag = _INSPECTORATE_TAG.search(text)
        if tag and (found := _inspectorates(tag.group(1))):
            inspectorates = found
            text = text[: tag.start()].rstrip(" .,;") + ("." if text[: tag.start()].rstrip().endswith(".") else "")
            text = text.strip()
        paragraphs = ""
        if items:
            text = _ITEM_NUMBER.sub("", text, count=1)
        else:
            lead = _LEADING_PARAGRAPHS.match(text)
            if lead:
                paragraphs = _paragraph_list(lead.group(1))
                text = text[lead.end() :]
            refs = list(_PARA_REF.finditer(text))
            if refs:
                cited = ", ".join(_paragraph_list(m.group(1)) for m in refs)
                paragraphs = ", ".join(dict.fromkeys(p for p in (paragraphs + ", " + cited).split(", ") if p))
                if refs[0].start() == 0:
                    text = text[refs[0].end() :].lstrip(" :.-–)")
        text = text.strip()
        key = _key(text)
        if key in self.findings:
            finding = self.findings[key]
        else:
            theme = self.current.title if self.current else ""
            finding = FindingPreview(
                text=text, paragraphs=paragraphs[:100], inspectorates=inspectorates,
                kind=_finding_kind(self.heading("finding") or "", text), theme=theme[:120], row=row.number,
            )
            self.findings[key] = finding
            if self.current is not None:
                joined = self.current.issues_raised
                if text not in joined:
                    self.current.issues_raised = f"{joined}\n\n{text}".strip() if joined else text
        self.finding = finding
        return finding

    # rows
    def is_section_row(self, row: GridRow) -> str | None:
        filled = row.filled
        if len(filled) != 1:
            return None
        index = filled[0]
        text = row.text(index)
        marked = row.spans_all or row.bold or (text.isupper() and len(text) < 150)
        if index == self.columns.get("action"):
            return text if marked and not _POINTER.match(text) else None
        if index == self.columns.get("finding") and _ITEM_NUMBER.match(text) and not _SECTION_NUMBER.match(text):
            return None
        if index in (self.columns.get("reference"),) and not marked:
            return None
        if marked or (_SECTION_NUMBER.match(text) and len(text) <= 200) or len(text) <= 100:
            return text
        return None

    def reference_for(self, row: GridRow, item: str | None) -> str:
        explicit = self.text(row, "reference").strip().rstrip(".")
        if explicit:
            return explicit[:20]
        if item:
            return item
        key = self.current.number if self.current else ""
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{key}.{self.counters[key]}" if key else str(self.counters[key])

    def add_action(self, row: GridRow, item: str | None) -> None:
        description = self.text(row, "action")
        reference = self.reference_for(row, item)
        action = ActionPreview(row=row.number, reference=reference, section=self.current.number if self.current else None, action=description)
        action.outcome = self.text(row, "outcome")
        action.measure = self.text(row, "measure")
        if self.finding is not None:
            action.findings.append(self.finding)

        lead_text = self.text(row, "lead")
        action.lead = parse_lead(lead_text, known=self.known_agencies)
        partners = list(action.lead.partners)
        partners.extend(split_partners(self.text(row, "partners"), self.known_agencies))
        action.partners = [p for p in dict.fromkeys(partners) if p.lower() != action.lead.agency.lower()]
        if lead_text and len(lead_text) > 300:
            self.problem(row, "lead", "The lead is over 300 characters; it was shortened.")
        if action.lead.others:
            self.problem(row, "lead", f'Also named as lead: {", ".join(action.lead.others)}; kept in the lead text only.')

        due_value = self.value(row, "due")
        action.due = parse_due(due_value, reference_date=self.reference)
        if self.columns.get("revised_due") is not None and self.text(row, "revised_due"):
            revised = parse_due(self.value(row, "revised_due"), reference_date=self.reference)
            day = revised.current_due_date
            if day:
                action.due = ParsedDue(
                    action.due.due_date or day, action.due.original_text, [*action.due.revisions, (day, f'Revised date in the plan: "{revised.original_text}".')],
                    action.due.problem, action.due.start_date, action.due.revision_notes,
                )
            else:
                self.problem(row, "revised_due", f'"{revised.original_text}" is not a date I can read; kept in the extra columns.')
                action.extra_columns[self.heading("revised_due")] = revised.original_text
        if action.due.problem:
            self.problem(row, "due", action.due.problem)
        if len(action.due.original_text) > 300:
            self.problem(row, "due", "The date text is over 300 characters; it was shortened.")
        start = action.due.start_date
        if self.columns.get("start") is not None and self.text(row, "start"):
            parsed = parse_due(self.value(row, "start"), reference_date=self.reference)
            start = parsed.start_date or parsed.due_date
            if not start:
                self.problem(row, "start", f'"{parsed.original_text}" is not a start date I can read.')
        current_due = action.due.current_due_date
        if start and action.due.due_date and (start > action.due.due_date or (current_due and start > current_due)):
            self.problem(row, "start", f"The start date {format_date(start)} is after the due date; it was left out.")
            start = None
        action.start_date = start

        progress = parse_progress(self.value(row, "progress"), reference_date=self.reference)
        action.updates = [UpdatePreview(n.date, n.text, n.dated) for n in progress.notes]
        status = ActionStatus.DELIVERED if progress.complete else None
        status_text = self.text(row, "status")
        if status_text:
            matched = next((s for pattern, s in STATUS_WORDS if pattern.search(status_text)), None)
            if matched is None:
                self.problem(row, "status", f'"{status_text}" is not a status I know; kept as text.')
                action.extra_columns[self.heading("status")] = status_text
            else:
                status = matched
        rag_text = self.text(row, "rag")
        if rag_text:
            rag = next((r for pattern, r in RAG_WORDS if pattern.search(rag_text)), None)
            if rag is None:
                self.problem(row, "rag", f'"{rag_text}" is not a RAG rating I know; kept as text.')
                action.extra_columns[self.heading("rag")] = rag_text
            else:
                action.proposed_rag = rag
                if rag == RAG.BLUE and status is None:
                    status = ActionStatus.DELIVERED
                if not action.updates:
                    action.updates.append(UpdatePreview(self.reference, f"RAG rating in the imported plan: {rag.label}.", False))
        if status is None:
            status = ActionStatus.IN_PROGRESS if action.updates else ActionStatus.NOT_STARTED
        action.status = status

        for index, field_name in self.mapping.items():
            if field_name == EXTRA and row.text(index):
                action.extra_columns[self.headings[index] or f"Column {_column_name(index)}"] = row.text(index)
        if len(description) < 3:
            self.problem(row, "action", "The action is very short; check the row.")
        self.actions.append(action)

    def continue_action(self, row: GridRow) -> None:
        """A row with no action of its own carries on the action above (a row split in two)."""
        action = self.actions[-1]
        for field_name, attribute in (("outcome", "outcome"), ("measure", "measure")):
            extra = self.text(row, field_name)
            if extra and extra not in getattr(action, attribute):
                setattr(action, attribute, f"{getattr(action, attribute)}\n{extra}".strip())
        progress = parse_progress(self.value(row, "progress"), reference_date=self.reference)
        action.updates.extend(UpdatePreview(n.date, n.text, n.dated) for n in progress.notes)
        if progress.complete:
            action.status = ActionStatus.DELIVERED
        for index, field_name in self.mapping.items():
            if field_name == EXTRA and row.text(index):
                name = self.headings[index] or f"Column {_column_name(index)}"
                action.extra_columns[name] = f"{action.extra_columns.get(name, '')}\n{row.text(index)}".strip()
        self.problem(row, None, f"This row has no action of its own; its text was added to action {action.reference}.")

    def link_row(self, row: GridRow, target: str, text: str) -> bool:
        if not self.actions:
            return False
        self.pending_links.append((self.actions[-1], target, text, row.number))
        return True

    def resolve_links(self) -> None:
        by_reference = {a.reference: a for a in self.actions}
        for source, target, note, row_number in self.pending_links:
            to = by_reference.get(target)
            if to is None and target in self.sections:
                in_section = [a for a in self.actions if a.section == target or (a.section or "").split(".")[0] == target and "." not in target]
                if in_section:
                    words = set(re.findall(r"[a-z]{4,}", note.lower())) - {"see", "also", "work", "section", "action"}

                    def overlap(action: ActionPreview, words: set[str] = words) -> int:
                        stems = {w[:5] for w in re.findall(r"[a-z]{4,}", action.action.lower())}
                        return sum(1 for w in words if w[:5] in stems)

                    to = max(in_section, key=lambda a: (overlap(a), -in_section.index(a)))
            if to is None or to is source:
                self.problems.append(Problem(row_number, self.heading("action"), f'"{note}" points to {target}, which I could not find; no link was made.'))
                continue
            source.links.append(LinkPreview(to.reference, note[:300], row_number))

    def item_numbers(self, rows: list[GridRow]) -> bool:
        """Do the finding cells number the rows 1, 2, 3... in turn (Medway's outcomes)?"""
        index = self.columns.get("finding")
        if index is None:
            return False
        numbers = []
        for row in rows:
            text = row.text(index)
            if not text or self.is_section_row(row) or _SUB_SECTION.match(text):
                continue
            m = _ITEM_NUMBER.match(text)
            if not m:
                return False
            numbers.append(int(m.group(1)))
        return len(numbers) >= 3 and numbers == list(range(1, len(numbers) + 1))

    def cut_long_cells(self, rows: list[GridRow]) -> None:
        """A cell longer than the field it fills may hold (foundation.limits) is a problem
        naming its row and column, and only its first part is kept: the plan manager sees it
        in the preview, and nothing too long reaches the models' checks at save."""
        for row in rows:
            for index, cell in enumerate(row.cells):
                if not isinstance(cell.value, str):
                    continue
                field_name = self.mapping.get(index, EXTRA)
                limit = _CELL_LIMITS.get(field_name, limits.NARRATIVE_MAX)
                if len(cell.value) <= limit:
                    continue
                length = len(cell.value)
                cell.value = cell.value[:limit]
                if cell.merged:
                    continue
                column = self.headings[index] if index < len(self.headings) and self.headings[index] else f"Column {_column_name(index)}"
                self.problems.append(Problem(row.number, column, (
                    f"The text in {row.label}, column \u201c{column}\u201d, is {length:,} characters, more than the "
                    f"{limit:,} characters it may have: only the first {limit:,} will be imported. Shorten it in the "
                    "file and import it again, or accept it cut short."
                )))

    def build(self) -> None:
        rows = [r for r in self.grid.rows[self.header_index + 1 :] if not r.is_blank]
        header_texts = list(self.headings)
        rows = [r for r in rows if [r.text(i) for i in range(len(header_texts))] != header_texts]
        self.cut_long_cells(rows)
        lead_index = self.columns.get("lead")
        partner_index = self.columns.get("partners")
        found: list[str] = list(self.known_agencies)
        for row in rows:
            for index in (lead_index, partner_index):
                if index is not None:
                    found.extend(candidate_agencies(row.text(index)))
        unique = list(dict.fromkeys(found))
        self.known_agencies = [n for n in unique if not any(o != n and o.lower() in n.lower() for o in unique)]

        items = self.item_numbers(rows)
        action_index = self.columns["action"]
        finding_index = self.columns.get("finding")
        section_index = self.columns.get("section")
        for row in rows:
            if section_index is not None and row.text(section_index) and len(row.filled) > 1:
                text = row.text(section_index)
                if self.top is None or _key(text) != _key(self.top.title) and _key(text) != _key(self.top.number):
                    self.section_row(row, text)
            section_text = self.is_section_row(row)
            if section_text is not None:
                self.section_row(row, section_text)
                continue
            item = None
            if finding_index is not None:
                cell = row.cell(finding_index)
                text = cell.text
                if text and cell.merged != "down" and not _SAME_AS_ABOVE.match(text):
                    sub = _SUB_SECTION.match(text)
                    if sub and row.text(action_index):
                        title, rest = split_title(text[sub.end() :])
                        self.section(sub.group(1), title, row)
                        text = rest
                    if items and (m := _ITEM_NUMBER.match(text)):
                        item = m.group(1)
                    if text:
                        self.set_finding(row, text, items=items)
            description = row.text(action_index)
            if not description:
                if row.text(finding_index) if finding_index is not None else False:
                    if set(row.filled) - {finding_index}:
                        if self.actions:
                            self.continue_action(row)
                    else:
                        self.problem(row, "action", "A finding with no action: it is kept and answered by no action yet.")
                    continue
                if self.actions:
                    self.continue_action(row)
                else:
                    self.problem(row, "action", "This row has no action; it was skipped.")
                continue
            if row.cell(action_index).merged == "down" and self.actions and self.actions[-1].action == description:
                self.continue_action(row)
                continue
            pointer = _POINTER.match(description)
            others = [self.text(row, f) for f in ("outcome", "measure", "due", "lead")]
            if pointer and not any(others) and len(pointer.group(2)) <= 150 and self.link_row(row, pointer.group(1).rstrip("."), description):
                continue
            self.add_action(row, item)
        if not self.actions:
            raise ImportRejected("I found the headings but no actions below them. Check the sheet or the column mapping.")
        self.resolve_links()
        seen: dict[str, int] = {}
        for action in self.actions:
            if action.reference in seen:
                seen[action.reference] += 1
                new = f"{action.reference}-{seen[action.reference]}"
                self.problems.append(Problem(action.row, self.heading("reference"), f'Reference {action.reference} is used twice; this one was renumbered {new}.'))
                action.reference = new
            else:
                seen[action.reference] = 1


def build_preview(
    grid: Grid,
    *,
    mapping: dict[int, str] | None = None,
    header_row: int | None = None,
    reference_date: dt.date | None = None,
) -> Preview:
    """Read the rows of ``grid`` into a :class:`Preview`. ``mapping`` ({column index: field},
    fields as in ``columns.FIELDS``) overrides the suggested mapping for the columns it names;
    ``header_row`` (the row number as the person sees it) overrides the heading row found."""
    reference = reference_date or dt.date.today()
    if header_row is not None:
        header_index = next((i for i, r in enumerate(grid.rows) if r.number == header_row), None)
        if header_index is None:
            raise ImportRejected(f"There is no row {header_row} in the file.")
    else:
        found = find_header(grid)
        if found is None:
            if not mapping:
                raise ImportRejected(
                    "I could not find the heading row: none of the first rows has headings I recognise "
                    '(such as "Action", "Lead", "Completion date"). Check this is the plan, or choose the columns.'
                )
            header_index = next(i for i, r in enumerate(grid.rows) if not r.is_blank)
        else:
            header_index = found[0]
    header = grid.rows[header_index]
    headings = [header.text(i) for i in range(grid.width)]
    body = grid.rows[header_index + 1 :]
    columns = [[r.text(i) for r in body[:200]] for i in range(grid.width)]
    suggested = suggest_mapping(headings, columns=columns)
    # Columns with no heading and nothing in them are not columns.
    suggested = {i: f for i, f in suggested.items() if headings[i] or any(columns[i])}
    if mapping:
        unknown = {f for f in mapping.values() if f not in FIELDS}
        if unknown:
            raise ImportRejected(f"Unknown field(s) in the column mapping: {', '.join(sorted(unknown))}.")
        for index, field_name in mapping.items():
            if field_name != EXTRA:
                for other, current in list(suggested.items()):
                    if current == field_name and other != index:
                        suggested[other] = EXTRA
            suggested[int(index)] = field_name
    duplicated = [f for f in set(suggested.values()) if f != EXTRA and list(suggested.values()).count(f) > 1]
    if duplicated:
        raise ImportRejected(f"More than one column is mapped to {', '.join(FIELDS[f] for f in duplicated)}; choose one.")
    if "action" not in suggested.values():
        raise ImportRejected(
            'No column holds the actions: I recognised none of the headings as "Action". Choose the action column.'
        )
    builder = _Builder(grid, suggested, header_index, reference)
    builder.build()
    assumed = [a for a in builder.actions if a.due.year_assumed]
    if assumed and reference_date is None:
        example = assumed[0].due.original_text
        builder.problems.insert(0, Problem(None, builder.heading("due"), (
            f'{len(assumed)} due date(s) have no year (such as "{example[:40]}"); each was given the year nearest '
            f"today. Import into the plan, or for the inspection, to count from its date."
        )))
    explicit = "reference" in suggested.values() or bool(builder.actions and builder.item_numbers(
        [r for r in grid.rows[header_index + 1 :] if not r.is_blank]
    ))
    return Preview(
        filename=grid.filename, source=grid.source, sheet=grid.sheet, sheets=grid.sheets, header_row=header.number,
        headings=headings, mapping=suggested, reference_date=reference, explicit_references=explicit,
        sections=list(builder.sections.values()), actions=builder.actions, findings=list(builder.findings.values()),
        problems=builder.problems,
    )
