"""The one date parser: every free-text deadline and progress-note date goes through here.

Councils write deadlines in many ways ("08/2017", "From 09/2016", "Immediately", "18-Feb",
"18-Feb (Revised to Nov 12 due to need for additional resource)", "end of March 2018",
"Q3 2017", "6 months", "Ongoing", a real Excel date...). :func:`parse_due` turns any of them
into a due date where it can, always keeps the text as written, and turns "Revised to..."
into due-date revisions with their reasons. :func:`parse_progress` splits a progress cell
("12.1.17 Audit of 40 cases completed... 3.2.17 Findings taken to the board...") into dated
notes and reads a trailing "COMPLETE".

Rules, so that everyone reads a date the same way:

* Dates are British: day before month ("03/02/2017" is 3 February).
* A month, quarter, season, term or year means its last day ("08/2017" is 31 August 2017);
  "From ..." means its first day and gives a start date, not a due date.
* "m/yy" with a first number up to 12 is month and year ("09/16" is September 2016).
* A date without a year ("18-Feb", "March") takes the year that puts it nearest the
  reference date (the plan date, else the inspection's publication date, else today).
* "Immediately" is the reference date; "6 months" is six months after it.
* "Q3 2017" is a calendar quarter (ends 30 September 2017); "Q3 2017/18" is a financial
  quarter (ends 31 December 2017); "2017/18" is a financial year (ends 31 March 2018).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

__all__ = ["ParsedDue", "ParsedProgress", "ProgressNote", "parse_due", "parse_progress", "format_date"]

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "febuary": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8,
    "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH = r"(?P<mon>jan(?:uary)?|feb(?:ruary|uary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty four": 24,
}  # fmt: skip


@dataclass(frozen=True)
class ParsedDue:
    """What a deadline cell says. ``due_date`` is the first due date written; each revision is
    (new due date, reason), in the order written; ``current_due_date`` is the latest."""

    due_date: dt.date | None
    original_text: str
    revisions: list[tuple[dt.date, str]] = field(default_factory=list)
    problem: str = ""
    start_date: dt.date | None = None
    revision_notes: list[str] = field(default_factory=list)
    year_assumed: bool = False  # the due date had no year ("18-Feb"): the nearest was taken

    @property
    def current_due_date(self) -> dt.date | None:
        return self.revisions[-1][0] if self.revisions else self.due_date


@dataclass(frozen=True)
class ProgressNote:
    date: dt.date
    text: str
    dated: bool = True


@dataclass(frozen=True)
class ParsedProgress:
    notes: list[ProgressNote]
    complete: bool = False


# The earliest date a progress update or a measure's period may have: the plans this
# service holds answer inspections from this century, and a typo such as 01/01/0001 or
# 1066 is then a message, not a record dated a thousand years ago.
EARLIEST_RECORD_DATE = dt.date(2000, 1, 1)


def record_date_problem(day: dt.date, *, what: str, today: dt.date) -> str | None:
    """Why ``day`` cannot be the date of ``what`` ("the date of an update", "the period"),
    or None: not in the future, not before EARLIEST_RECORD_DATE."""
    if day > today:
        return f"{what[0].upper()}{what[1:]} cannot be in the future."
    if day < EARLIEST_RECORD_DATE:
        return f"{what[0].upper()}{what[1:]} cannot be before {EARLIEST_RECORD_DATE.day} {EARLIEST_RECORD_DATE:%B %Y}."
    return None


def format_date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


# --- periods ---------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _year(text: str) -> int:
    value = int(text)
    if value < 100:
        value += 2000 if value < 70 else 1900
    return value


def _nearest(reference: dt.date, make) -> tuple[dt.date, dt.date] | None:
    """The (start, end) of a year-less period in the year nearest the reference date."""
    best = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            start, end = make(year)
        except ValueError:
            continue
        distance = abs((end - reference).days)
        if best is None or distance < best[0] or (distance == best[0] and end > best[1][1]):
            best = (distance, (start, end))
    return best[1] if best else None


@dataclass(frozen=True)
class _Hit:
    start: dt.date  # first day of the period written
    end: dt.date  # last day
    begin: int  # character positions in the text
    finish: int
    precise: bool  # a day, not a month, quarter or year
    yearless: bool = False  # "18-Feb", "March": the year was chosen, not written


def _day(year: int, month: int, day: int) -> tuple[dt.date, dt.date]:
    value = dt.date(year, month, day)
    return value, value


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), _month_end(year, month)


SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}
TERMS = {"autumn": (9, 12), "spring": (1, 4), "summer": (4, 7)}

# Each pattern gives a period; they are tried in this order at every position of the text.
_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"), "iso"),
    (re.compile(r"\b(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>\d{4}|\d{2})\b"), "dmy"),
    (re.compile(r"\b(?:fy\s*)?(?P<y1>(?:19|20)\d{2})\s*[/\-]\s*(?P<y2>\d{2}|\d{4})\b(?!\s*[/.\-]\s*\d)", re.I), "fy"),
    (re.compile(r"\b(?:q|qtr|quarter)\s*(?P<q>[1-4])\s*(?:of\s*)?(?:fy\s*)?(?P<y1>\d{4}|\d{2})(?:\s*/\s*(?P<y2>\d{2}|\d{4}))?\b", re.I), "quarter"),
    (re.compile(r"\b(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>\d{4})\b"), "my4"),
    (re.compile(r"\b(?P<d>\d{1,2})\s*(?:st|nd|rd|th)?\s*(?:of\s+)?[\s\-]?" + _MONTH + r"(?:[\s\-,']*(?P<y>\d{4}|\d{2}(?!\d)(?!\s*[/.:])))?\b", re.I), "dmony"),
    (re.compile(r"\b" + _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,\s*(?P<y>\d{4})\b", re.I), "mondy"),
    (re.compile(r"\b" + _MONTH + r"[\s\-,']*(?P<y>\d{4}|\d{2})\b(?!\s*(?:st|nd|rd|th)\b)", re.I), "mony"),
    (re.compile(r"\b(?P<season>spring|summer|autumn|fall|winter)(?P<term>\s+term)?(?:\s+(?:of\s+)?(?P<y>\d{4}|\d{2}))?\b", re.I), "season"),
    (re.compile(r"\b(?P<m>\d{1,2})\s*/\s*(?P<y>\d{2})\b(?!\s*/)"), "myy"),
    (re.compile(r"\b(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\b(?!\s*/)"), "dm"),
]  # fmt: skip
_MONTH_ALONE = re.compile(r"\b" + _MONTH + r"\b", re.I)
_YEAR_ALONE = re.compile(r"\b(?P<y>(?:19|20)\d{2})\b")


def _period(kind: str, m: re.Match, reference: dt.date) -> tuple[dt.date, dt.date] | None:
    g = m.groupdict()
    try:
        if kind == "iso":
            return _day(int(g["y"]), int(g["m"]), int(g["d"]))
        if kind == "dmy":
            return _day(_year(g["y"]), int(g["m"]), int(g["d"]))
        if kind == "fy":
            first = int(g["y1"])
            second = first // 100 * 100 + int(g["y2"]) if len(g["y2"]) == 2 else int(g["y2"])
            if second != first + 1:
                return None
            return dt.date(first, 4, 1), dt.date(second, 3, 31)
        if kind == "quarter":
            quarter, first = int(g["q"]), _year(g["y1"])
            if g["y2"]:  # financial quarter: Q1 is April to June
                start_month = 4 + 3 * (quarter - 1)
                year = first + (start_month - 1) // 12
                start_month = (start_month - 1) % 12 + 1
            else:
                start_month, year = 1 + 3 * (quarter - 1), first
            return dt.date(year, start_month, 1), _month_end(year, start_month + 2)
        if kind == "my4":
            return _month(int(g["y"]), int(g["m"]))
        if kind in ("dmony", "mondy"):
            month, day = MONTHS[g["mon"].lower().rstrip(".")], int(g["d"])
            if g.get("y"):
                return _day(_year(g["y"]), month, day)
            return _nearest(reference, lambda year: _day(year, month, day))
        if kind == "mony":
            return _month(_year(g["y"]), MONTHS[g["mon"].lower().rstrip(".")])
        if kind == "season":
            name = g["season"].lower()
            if name == "winter":
                make = lambda year: (dt.date(year, 12, 1), _month_end(year + 1, 2))  # noqa: E731
            else:
                first_month, last_month = (TERMS if g["term"] else SEASONS)[name]
                make = lambda year: (dt.date(year, first_month, 1), _month_end(year, last_month))  # noqa: E731
            return make(_year(g["y"])) if g["y"] else _nearest(reference, make)
        if kind == "myy":
            month = int(g["m"])
            if not 1 <= month <= 12:
                return None
            return _month(_year(g["y"]), month)
        if kind == "dm":
            day, month = int(g["d"]), int(g["m"])
            return _nearest(reference, lambda year: _day(year, month, day))
    except (ValueError, KeyError):
        return None
    return None


def _scan(text: str, reference: dt.date) -> list[_Hit]:
    """Every date, month, quarter or season written in the text, left to right."""
    hits: list[_Hit] = []
    position = 0
    while position < len(text):
        best = None
        for pattern, kind in _PATTERNS:
            m = pattern.search(text, position)
            if not m:
                continue
            period = _period(kind, m, reference)
            if period is None:
                continue
            if best is None or m.start() < best[0].start():
                best = (m, period, kind)
        if best is None:
            break
        m, (start, end), kind = best
        yearless = kind == "dm" or (kind in ("dmony", "season") and not m.groupdict().get("y"))
        hits.append(_Hit(start, end, m.start(), m.end(), start == end, yearless))
        position = max(m.end(), position + 1)
    return hits


# --- whole-cell forms ------------------------------------------------------------------------

_IMMEDIATE = re.compile(
    r"^(?:immediate(?:ly)?|with immediate effect|now|asap|as soon as possible|urgent(?:ly)?|forthwith|straight away|"
    r"immediately and ongoing|immediate and ongoing)\b", re.I)
_ONGOING = re.compile(
    r"^(?:on[\s-]?going|continuous(?:ly)?|continual|throughout|rolling|as (?:and when )?(?:required|needed|necessary)|"
    r"business as usual|bau|regular(?:ly)?|(?:bi-?|six |6 )?(?:monthly|weekly|quarterly|termly|annual(?:ly)?|yearly)|"
    r"every (?:month|quarter|term|year|week)|in place|already in place|embedded|permanent)\b", re.I)
_UNKNOWN = re.compile(r"^(?:tbc|tba|tbd|to be (?:confirmed|agreed|decided|determined)|n/?a|none|unknown|not known|\?+|-+|–)\W*$", re.I)
_DONE = re.compile(r"^(?:complete[d]?|done|achieved|closed|delivered|finished)\W*$", re.I)
_RELATIVE = re.compile(
    r"^(?:by|within|in|over|after|next|the next|in the next)?\s*(?:the\s+)?(?:next\s+)?"
    r"(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty four)\s*"
    r"(?P<unit>day|week|month|year)s?\b(?!\s*ly)(?P<rest>.*)$", re.I)
_YEAR_END = re.compile(r"^(?:by\s+)?(?:the\s+)?(?:end of (?:the )?)?(?P<which>financial|calendar)?\s*year[\s-]?end|^(?:by\s+)?(?:the\s+)?end of (?:the )?(?P<which2>financial |calendar )?year$", re.I)
_FROM = re.compile(r"^(?:from|starting|start(?:ing)? from|commencing|beginning)\b\s*", re.I)
_RANGE_SPLIT = re.compile(r"\s+(?:to|until|till|through|-|–|—)\s+|\s*[–—]\s*", re.I)
_QUALIFIER_START = re.compile(r"\b(?:start|beginning|begin)\s+of\b", re.I)
_QUALIFIER_EARLY = re.compile(r"\bearly\b", re.I)
_QUALIFIER_MID = re.compile(r"\bmid(?:dle)?\b[\s-]*(?:of\s+)?", re.I)
_REVISION_WORD = re.compile(
    r"\b(?:revised|revision|re-?profiled|extended|extension|moved|changed|deferred|delayed|slipped|"
    r"rescheduled|re-scheduled|amended|postponed|new (?:due |target )?date|now due)\b", re.I)
_REVISION_TO = re.compile(
    r"\b(?:revised|re-?profiled|extended|moved|changed|deferred|delayed|slipped|rescheduled|amended|postponed)"
    r"(?:\s+(?:date|deadline|timescale|due date|target date))?\s*(?:to|until|till)\s+|\bnew (?:due |target )?date:?\s+|\bnow due\s+(?:by\s+)?", re.I)
_REASON_LEAD = re.compile(r"^[\s,;:.\-–]*(?:(?:due to|because of|because|owing to|as a result of|following|as|reason:?)\s+)?", re.I)


def _apply_qualifier(prefix: str, hit: _Hit) -> dt.date:
    """The deadline a qualified period means: "end of" and plain periods mean the last day."""
    if hit.precise:
        return hit.end
    if _QUALIFIER_START.search(prefix):
        return hit.start
    if _QUALIFIER_EARLY.search(prefix):
        return min(hit.start + dt.timedelta(days=9), hit.end)
    if _QUALIFIER_MID.search(prefix) and hit.start.month == hit.end.month:
        return hit.start.replace(day=15)
    return hit.end


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text.lower()]


def _first_date(text: str, reference: dt.date, *, whole: bool = False) -> tuple[dt.date, int, bool] | None:
    """The deadline written at the start of ``text``, where it ends, and whether its year was
    chosen rather than written; ``None`` if the text does not start with one. With ``whole``,
    a month or a year alone counts too."""
    text = text.strip()
    rel = _RELATIVE.match(text)
    if rel:
        n, unit = _number(rel["n"]), rel["unit"].lower()
        anchor, rest = reference, rel["rest"] or ""
        tail = re.match(r"^\s*(?:from|after|of)\s+", rest, re.I)
        if tail:
            found = _first_date(rest[tail.end() :], reference, whole=True)
            if found:
                anchor = found[0]
        months = {"month": n, "year": 12 * n}.get(unit)
        if months is not None:
            day = _add_months(anchor, months)
        else:
            day = anchor + dt.timedelta(days=n if unit == "day" else 7 * n)
        return day, len(text), False
    hits = _scan(text, reference)
    if hits:
        first = hits[0]
        prefix = text[: first.begin]
        if re.fullmatch(r"[\s(]*(?:(?:by|before|no later than|not later than|on|in|at|during|for|deadline:?|target:?|due:?|approx\.?|c\.|around|circa|"
                        r"the|end|end of|by end of|start of|beginning of|early|late|mid|middle of|w/c|week commencing|completion:?)[\s\-]*)*", prefix, re.I):
            return _apply_qualifier(prefix, first), first.finish, first.yearless
        return None
    m = _MONTH_ALONE.search(text)
    if m and re.fullmatch(r"[\s(]*(?:(?:by|before|in|end|end of|by end of|start of|beginning of|early|late|mid|middle of|the)[\s\-]*)*", text[: m.start()], re.I):
        month = MONTHS[m["mon"].lower().rstrip(".")]
        span = _nearest(reference, lambda year: _month(year, month))
        hit = _Hit(span[0], span[1], m.start(), m.end(), False, True)
        return _apply_qualifier(text[: m.start()], hit), m.end(), True
    if whole:
        y = _YEAR_ALONE.search(text)
        if y and re.fullmatch(r"[\s(]*(?:(?:by|before|in|end|end of|by end of|during|the)[\s\-]*)*", text[: y.start()], re.I):
            year = int(y["y"])
            return dt.date(year, 12, 31), y.end(), False
    return None


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _excel_serial(value: float) -> dt.date | None:
    if 20000 <= value <= 80000:  # 1954 to 2119: a deadline, not a count
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    return None


def parse_due(value, *, reference_date: dt.date | None = None) -> ParsedDue:
    """Read a deadline cell: a date, an Excel serial number or free text."""
    reference = reference_date or dt.date.today()
    if value is None:
        return ParsedDue(None, "")
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return ParsedDue(value, format_date(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        day = _excel_serial(float(value))
        if day:
            return ParsedDue(day, format_date(day))
        if float(value).is_integer() and 1900 <= value <= 2200:
            return ParsedDue(dt.date(int(value), 12, 31), str(int(value)))
        return ParsedDue(None, str(value), problem=f'"{value}" is not a date I can read; kept as text.')
    original = str(value).strip()
    text = _clean(original)
    if not text:
        return ParsedDue(None, "")
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text) and _excel_serial(float(text)):
        day = _excel_serial(float(text))
        return ParsedDue(day, original)
    return _parse_text(text, original, reference)


def _split_revisions(text: str) -> tuple[str, list[str]]:
    """The deadline as first written, and the clauses that revise it."""
    clauses: list[str] = []

    def keep(m: re.Match) -> str:
        inner = m.group(1).strip()
        if _REVISION_WORD.search(inner):
            clauses.append(inner)
            return " "
        return m.group(0)

    main = re.sub(r"\(([^()]*)\)", keep, text)
    m = _REVISION_WORD.search(main)
    if m:  # "31/03/2017 revised to 30/06/2017 because..." without brackets
        clauses.insert(0, main[m.start() :].strip(" ,;-–"))
        main = main[: m.start()]
    return _clean(main.strip(" ,;-–")), clauses


def _parse_revision(clause: str, reference: dt.date) -> tuple[dt.date | None, str]:
    """(new due date, reason) from "Revised to Nov 12 due to need for additional resource";
    no date where the clause gives none ("extended timescale to ensure fully met")."""
    m = _REVISION_TO.search(clause)
    if m:
        found = _first_date(clause[m.end() :], reference, whole=True)
        if found:
            new_date, end, _ = found
            reason = _REASON_LEAD.sub("", clause[m.end() :][end:].strip(), count=1).strip(" .;,-–)")
            return new_date, reason
    return None, clause


def _parse_text(text: str, original: str, reference: dt.date) -> ParsedDue:
    main, clauses = _split_revisions(text)
    revisions: list[tuple[dt.date, str]] = []
    notes: list[str] = []
    problems: list[str] = []
    start = due = None
    yearless = False

    if _IMMEDIATE.match(main):
        due = reference
    elif _UNKNOWN.match(main) or not main:
        if main:
            problems.append(f'"{original}" gives no due date; kept as text.')
    elif _DONE.match(main):
        problems.append(f'"{original}" says the action is done but gives no date; kept as text.')
    elif _ONGOING.match(main) and not _scan(main, reference):
        problems.append(f'"{original}" is ongoing, with no due date; kept as text.')
    elif (ye := _YEAR_END.match(main)) is not None:
        financial = "financial" in (ye.group(0) or "").lower()
        if financial:
            due = dt.date(reference.year if reference.month <= 3 else reference.year + 1, 3, 31)
        else:
            due = dt.date(reference.year, 12, 31)
    else:
        from_match = _FROM.match(main)
        body = main[from_match.end() :] if from_match else main
        parts = _RANGE_SPLIT.split(body, maxsplit=1)
        first = _first_date(parts[0], reference, whole=True)
        if from_match and first and len(parts) == 1:
            hits = _scan(parts[0], reference)
            start = hits[0].start if hits else first[0]
            problems.append(f'"{original}" gives a start but no end; no due date set.')
        elif len(parts) == 2 and first and (second := _first_date(parts[1], reference, whole=True)):
            hits = _scan(parts[0], reference)
            start = hits[0].start if hits else first[0]
            due = second[0]
        else:
            hits = _scan(main, reference)
            if first:
                due, yearless = first[0], first[2]
                later = [h for h in hits if h.begin >= first[1]]
            elif hits:
                due = hits[0].end
                later = hits[1:]
                problems.append(f'Read "{original}" as {format_date(due)}: check it.')
            else:
                later = []
                if not clauses:
                    problems.append(f'"{original}" is not a date I can read; kept as text.')
            # "18-Feb Dec 12": a second date written after the first is a revision.
            for hit in later:
                revisions.append((hit.end, ""))

    for clause in clauses:
        new_date, reason = _parse_revision(clause, reference)
        if new_date:
            revisions.append((new_date, reason))
        elif revisions and not revisions[-1][1]:
            revisions[-1] = (revisions[-1][0], _clean(clause))
        elif due is None and not revisions and (found := _first_date(clause, reference, whole=True)):
            due = found[0]
        else:
            notes.append(clause)
            problems.append(f'The revision "{clause}" gives no new date I can read; kept as text.')
    revisions = [(day, reason or "Revised date written in the plan.") for day, reason in revisions]
    if yearless and due and revisions and revisions[0][0] < due:
        # "18-Feb (Revised to Nov 12...)": the first date came before its revision.
        while due > revisions[0][0]:
            due = _same_day_year_before(due)
    yearless = yearless and due is not None
    if due is None and revisions:
        due = revisions.pop(0)[0]
    return ParsedDue(
        due_date=due, original_text=original, revisions=revisions, problem=" ".join(problems),
        start_date=start, revision_notes=notes, year_assumed=yearless,
    )


def _same_day_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


# --- progress notes --------------------------------------------------------------------------

_NOTE_DATE = re.compile(
    r"(?:^|(?<=[.…!?;:\n•\u2022\-–)])\s*|\n\s*)(?:\(?\s*(?:update[d]?|as at|as of)?\s*:?\s*)"
    r"(?P<date>\d{1,2}\s*[./\-]\s*\d{1,2}\s*[./\-]\s*\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH.replace("?P<mon>", "?:")
    + r"(?:\s+\d{4}|\s+\d{2}(?!\d))?|" + _MONTH.replace("?P<mon>", "?:") + r"\s+\d{4}(?=\s*[:\-–)]))"
    r"\s*\)?\s*[:\-–]?\s+(?=\S)", re.I)
_COMPLETE_TAIL = re.compile(
    r"(?:(?<=[\s.;,])|^)(?P<word>COMPLETE[D]?|CLOSED|ACHIEVED|DONE)[\s.!]*$|(?:^|[.!\n]\s*)(?P<word2>[Cc]omplete[d]?|[Cc]losed|[Aa]chieved)[\s.!]*$",
)


def parse_progress(value, *, reference_date: dt.date | None = None) -> ParsedProgress:
    """Split a progress cell into dated notes; undated text is one note dated at the reference
    date. A trailing "COMPLETE" (or "Completed." on its own) marks the action complete."""
    reference = reference_date or dt.date.today()
    if value is None:
        return ParsedProgress([])
    text = str(value).replace("\r\n", "\n").replace("\u00a0", " ").strip()
    complete = False
    m = _COMPLETE_TAIL.search(text)
    if m:
        complete = True
        text = text[: m.start("word") if m.group("word") else m.start("word2")].rstrip(" \n;,-–•")
    if not text:
        return ParsedProgress([], complete)
    notes: list[ProgressNote] = []
    matches = list(_NOTE_DATE.finditer(text))
    dated = []
    for m in matches:
        hits = _scan(m["date"], reference)
        if hits:
            dated.append((m, hits[0].end))
    if not dated:
        return ParsedProgress([ProgressNote(reference, _tidy(text), dated=False)], complete)
    head = _tidy(text[: dated[0][0].start()])
    if head:
        notes.append(ProgressNote(reference, head, dated=False))
    for index, (m, day) in enumerate(dated):
        end = dated[index + 1][0].start() if index + 1 < len(dated) else len(text)
        body = _tidy(text[m.end() : end])
        if body:
            notes.append(ProgressNote(day, body))
    return ParsedProgress(notes, complete)


def _tidy(text: str) -> str:
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.strip().splitlines()]
    return re.sub(r"^[\s•\-–]+|[\s•\-–]+$", "", "\n".join(line for line in lines if line))
