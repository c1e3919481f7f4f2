"""Recognising a plan's columns by their headings, whatever the council called them.

:func:`suggest_mapping` proposes a field for every column; the person can correct it before
anything is saved (pass the corrected mapping to ``build_preview``). A column no field
claims is kept as text on each action (``Action.extra_columns``), never dropped.
"""

from __future__ import annotations

import re

# The fields a column can feed, with the label a person sees when correcting the mapping.
FIELDS: dict[str, str] = {
    "reference": "Reference number",
    "section": "Section or theme",
    "finding": "Issue raised by inspectors (finding)",
    "action": "Action",
    "outcome": "What will be different (outcome)",
    "measure": "How will we know (success measure)",
    "lead": "Lead",
    "partners": "Partners (working with)",
    "start": "Start date",
    "due": "Due date",
    "revised_due": "Revised due date",
    "progress": "Progress",
    "rag": "RAG rating",
    "status": "Status",
    "extra": "Keep as text on the action",
}
EXTRA = "extra"

# Headings as councils write them, after normalising (lower case, no punctuation, brackets
# removed). An exact match here is certain; the keyword rules below catch the rest.
SYNONYMS: dict[str, list[str]] = {
    "reference": [
        "ref", "ref no", "ref number", "reference", "reference number", "reference no", "no", "number", "num",
        "action no", "action number", "action ref", "action reference", "action id", "id", "item", "item no",
        "rec no", "recommendation no", "recommendation number", "outcome no", "outcome number", "para ref",
        "priority no", "objective no", "line", "line no", "index", "code",
    ],
    "section": [
        "section", "theme", "themes", "priority", "priority area", "priorities", "strategic priority", "area",
        "area of focus", "focus area", "workstream", "work stream", "strand", "heading", "category", "key area",
        "domain", "key theme", "improvement area", "area of practice", "key line of enquiry", "kloe", "objective",
        "objectives", "aim", "key priority", "service area",
    ],
    "finding": [
        "issues raised by inspectors", "issue raised by inspectors", "issues raised", "issue raised", "issue",
        "issues", "the issue", "issue identified", "issues identified", "identified issue", "area for improvement",
        "areas for improvement", "area for development", "areas for development", "areas of development",
        "recommendation", "recommendations", "inspection recommendation", "inspection recommendations",
        "ofsted recommendation", "ofsted recommendations", "recommendation from report", "finding", "findings",
        "inspection finding", "inspection findings", "report finding", "what the inspectors said",
        "what ofsted said", "what inspectors said", "what inspectors found", "what the inspectors found",
        "ofsted finding", "ofsted feedback", "inspection feedback", "weakness", "weaknesses", "concern",
        "concerns", "area of concern", "areas of concern", "priority action", "priority actions",
        "improvement required", "improvements required", "what needs to improve", "what needs to be improved",
        "what needs to change", "key issue", "key issues", "key finding", "key findings", "gap", "gaps",
        "problem", "shortfall", "ofsted judgement", "inspection judgement", "paragraph", "para",
        "what we need to do better", "what we need to improve", "area requiring improvement", "requirement",
        "requirements", "jtai finding", "jtai findings", "inspectors comments", "inspectorate finding",
        "what did the inspectors say", "issue from inspection", "inspection issue", "why",
    ],
    "action": [
        "action", "actions", "action required", "actions required", "action to be taken", "actions to be taken",
        "action taken", "actions planned", "planned action", "planned actions", "what we will do",
        "what will we do", "what are we going to do", "what we are going to do", "what will be done",
        "what needs to be done", "how will we do it", "how we will do it", "how", "activity", "activities",
        "task", "tasks", "key actions", "key action", "specific action", "specific actions", "proposed action",
        "proposed actions", "improvement action", "improvement actions", "intervention", "interventions",
        "steps", "steps to be taken", "action step", "action steps", "actions to address", "response",
        "our response", "agreed action", "agreed actions", "action plan", "what", "detail", "description",
        "action description", "milestone", "milestones", "actions and milestones",
    ],
    "outcome": [
        "what will be different", "what will be different for children", "what will change", "what difference will it make",
        "what difference will this make", "outcome", "outcomes", "expected outcome", "expected outcomes",
        "intended outcome", "intended outcomes", "desired outcome", "desired outcomes", "outcome sought",
        "outcomes for children", "outcome for children", "difference for children", "impact",
        "expected impact", "intended impact", "desired impact", "impact for children", "impact on children",
        "result", "results", "expected result", "expected results", "benefit", "benefits",
        "what good looks like", "what will good look like", "end state", "aim of action", "purpose",
    ],
    "measure": [
        "how will we know", "how we will know", "how will we know it has worked", "how will we know we have succeeded",
        "how will we know we have been successful", "how do we know", "how will we measure", "how will we measure success",
        "how will success be measured", "how will impact be measured", "how will we evidence impact",
        "success measure", "success measures", "measure of success", "measures of success", "success criteria",
        "success criterion", "success indicator", "success indicators", "what will success look like",
        "measure", "measures", "measurable outcome", "measurable outcomes", "evidence of impact",
        "evidence of success", "evidence of completion", "evidence of progress", "key performance indicator",
        "key performance indicators", "kpi", "kpis", "performance indicator", "performance indicators",
        "performance measure", "performance measures", "indicator", "indicators", "target", "targets",
        "target measure", "monitoring", "monitoring arrangements", "how will progress be monitored",
        "impact measure", "impact measures", "outcome measure", "outcome measures", "quality assurance",
    ],
    "lead": [
        "lead", "leads", "lead person", "lead persons", "lead officer", "lead officers", "lead manager", "lead agency",
        "lead role", "lead post", "lead responsibility", "lead person working with", "lead officer working with",
        "named lead", "lead and partners", "responsible", "responsible officer", "responsible person",
        "responsible manager", "responsible lead", "responsible agency", "responsibility", "person responsible",
        "officer responsible", "owner", "owners", "action owner", "action lead", "accountable",
        "accountable officer", "accountable lead", "accountable person", "who", "by whom", "who will do it",
        "who will lead", "who is responsible", "who is accountable", "led by", "lead by", "senior responsible officer",
        "sro", "responsible service", "lead service", "lead director", "director responsible", "champion",
    ],
    "partners": [
        "partners", "partner", "partner agencies", "partner agency", "working with", "supported by", "support",
        "support from", "supporting agencies", "supporting partners", "key partners", "contributors",
        "contributing agencies", "other agencies", "agencies involved", "in partnership with", "with",
        "partner involvement", "others involved", "other partners", "partnership", "who else", "involving",
        "key stakeholders", "stakeholders", "delivery partners",
    ],
    "start": ["start date", "start", "date started", "commencement", "commencement date", "from", "start by", "begin"],
    "due": [
        "completion date", "date to be completed", "date to be completed by", "to be completed by", "timescale",
        "timescales", "time scale", "time scales", "timeframe", "timeframes", "time frame", "timeline", "deadline",
        "deadlines", "by when", "when", "when by", "target date", "target completion date", "target dates",
        "due date", "due", "date due", "due by", "date", "completion", "completion by", "end date",
        "delivery date", "implementation date", "expected completion", "expected completion date",
        "planned completion date", "planned completion", "date for completion", "by", "to be achieved by",
        "achieve by", "original completion date", "original due date", "original timescale", "original deadline",
        "complete by", "target timescale", "when will it be done", "timescale for completion", "by date",
    ],
    "revised_due": [
        "revised date", "revised completion date", "revised due date", "revised timescale", "revised timescales",
        "revised deadline", "revised target date", "new date", "new due date", "new completion date",
        "new timescale", "amended date", "amended timescale", "extended date", "revised by",
    ],
    "progress": [
        "progress", "progress update", "progress updates", "progress to date", "progress made", "progress so far",
        "progress notes", "progress note", "progress report", "progress and evidence", "progress commentary",
        "update", "updates", "latest update", "update on progress", "update to date", "current update",
        "commentary", "comments", "comment", "current position", "position", "position statement",
        "current status and progress", "status update", "narrative", "what has been done", "what we have done",
        "what has happened", "evidence of progress to date", "notes", "update and evidence", "rag commentary",
        "exception report", "monitoring update", "progress since last report",
    ],
    "rag": [
        "rag", "rag rating", "rag status", "rag rating status", "r a g", "rag red amber green", "red amber green",
        "brag", "brag rating", "brag status", "bragg", "traffic light", "traffic light rating", "rating",
        "current rag", "current rag rating", "rag rated", "overall rag", "rag position",
    ],
    "status": [
        "status", "action status", "current status", "state", "complete", "completed", "complete y n",
        "completed y n", "done", "open closed", "open or closed", "achieved", "delivered", "status of action",
    ],
}  # fmt: skip

# Keyword rules for headings that are not in the table, most specific first.
_KEYWORDS: list[tuple[str, str]] = [
    (r"\b(?:b?rag|traffic light)\b", "rag"),
    (r"\brevised\b.*\b(?:date|deadline|timescale)s?\b|\bnew (?:date|deadline|timescale)", "revised_due"),
    (r"\b(?:ref|reference|no|number|id)\b", "reference"),
    (r"\bprogress\b|\bupdate", "progress"),
    (r"\bstart\b", "start"),
    (r"\b(?:dates?|timescales?|deadlines?|timeframes?|when|completion|due)\b", "due"),
    (r"\bworking with\b|\bpartner|\bsupport(?:ed|ing)?\b|\bstakeholder", "partners"),
    (r"\blead|\bresponsib|\bowner|\baccountab|\bwho\b", "lead"),
    (r"\bhow (?:will|do|would) (?:we|you) know\b|\bmeasur|\bsuccess|\bkpi|\bindicator|\bevidence|\btarget", "measure"),
    (r"\bdifferen|\boutcome|\bimpact|\bresult|\bchange\b", "outcome"),
    (r"\bissue|\bfinding|\brecommend|\binspect|\bofsted|\bconcern|\bweakness|\bimprovement|\bjtai|\bpara", "finding"),
    (r"\baction|\btask|\bactivit|\bwhat (?:will|we)\b|\bsteps?\b", "action"),
    (r"\bstatus\b|\bcomplete", "status"),
    (r"\btheme|\bpriorit|\bsection|\bworkstream|\bstrand|\bobjective", "section"),
]

_INSPECTORATE_TAG = re.compile(
    r"\(([^()]*\b(?:ofsted|cqc|hmi\s*cfrs|hmicfrs|hmic|hmi\s*probation|hmip|hmi|care quality commission)\b[^()]*)\)\W*$",
    re.I,
)


def normalise(heading: str) -> str:
    text = re.sub(r"\([^)]*\)", " ", heading or "")
    text = text.replace("&", " and ").replace("/", " ").lower()
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_LOOKUP = {phrase: field for field, phrases in SYNONYMS.items() for phrase in phrases}


def heading_field(heading: str) -> tuple[str, int]:
    """The field a heading names and how sure we are (100 certain, 60 a keyword, 0 none)."""
    norm = normalise(heading)
    if not norm:
        return EXTRA, 0
    if norm in _LOOKUP:
        return _LOOKUP[norm], 100
    full = re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]+", " ", (heading or "").lower())).strip()
    if full in _LOOKUP:
        return _LOOKUP[full], 100
    if len(norm) > 80:  # a sentence, not a heading
        return EXTRA, 0
    for pattern, field in _KEYWORDS:
        if re.search(pattern, norm):
            return field, 60
    return EXTRA, 0


def has_inspectorate_tag(text: str) -> bool:
    return bool(_INSPECTORATE_TAG.search(text or ""))


def suggest_mapping(headings: list[str], *, columns: list[list[str]] | None = None) -> dict[int, str]:
    """Propose a field for every column: ``{column_index: field}``; unknown columns are "extra".

    Each field goes to the one column that names it most surely. ``columns`` (each column's
    cell texts) lets the content settle what a heading leaves open: a column headed "Outcome"
    whose cells end with "(OFSTED and CQC, 2011)" holds what the inspectors said."""
    scored = []
    for index, heading in enumerate(headings):
        field, score = heading_field(heading)
        scored.append((score, -index, index, field))
    mapping = dict.fromkeys(range(len(headings)), EXTRA)
    taken: set[str] = set()
    for score, _, index, field in sorted(scored, reverse=True):
        if field == EXTRA or score == 0 or field in taken:
            continue
        mapping[index] = field
        taken.add(field)
    if columns and "finding" not in taken:
        for index, cells in enumerate(columns):
            if mapping.get(index) not in ("outcome", EXTRA, "measure"):
                continue
            filled = [c for c in cells if c and len(c) > 40]
            if filled and sum(has_inspectorate_tag(c) for c in filled) >= max(2, len(filled) // 2):
                mapping[index] = "finding"
                break
    if "lead" not in set(mapping.values()) and "partners" in set(mapping.values()):
        # A single "Working with" column with no lead column holds the leads.
        index = next(i for i, f in mapping.items() if f == "partners")
        mapping[index] = "lead"
    return mapping


def header_score(grid, *, limit: int = 30) -> int:
    """How surely the best heading row in the first rows of a grid names plan columns."""
    found = find_header(grid, limit=limit)
    return found[1] if found else 0


def find_header(grid, *, limit: int = 30) -> tuple[int, int] | None:
    """(index into grid.rows, score) of the heading row: the first row, among the first
    ``limit`` non-blank ones, that names at least two plan fields including the action, the
    finding or the outcome. Title rows above it ("Written Statement of Action") are skipped."""
    best = None
    seen = 0
    for index, row in enumerate(grid.rows):
        if row.is_blank:
            continue
        seen += 1
        if seen > limit:
            break
        fields = {}
        for cell_index in row.filled:
            text = row.text(cell_index)
            if len(text) > 120:
                continue
            field, score = heading_field(text)
            if field != EXTRA and score:
                fields[field] = max(fields.get(field, 0), score)
        if len(fields) >= 2 and fields.keys() & {"action", "finding", "outcome"}:
            score = sum(fields.values())
            if best is None or score > best[1]:
                best = (index, score)
    return best
