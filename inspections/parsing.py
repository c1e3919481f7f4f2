"""Reading findings pasted from an inspection letter, one finding a line.

Plan managers copy the strengths and areas for improvement out of the letter (a PDF or
a Word file) and paste them in. Lines arrive in many shapes, so the reader is forgiving:

    42. Supervision is not regular enough               -> paragraph 42
    para 17, 18 – Assessments do not consider history   -> paragraphs 17, 18
    Paragraphs 17-19: Plans are not specific            -> paragraphs 17, 18, 19
    AFI: 42. Supervision is not regular                 -> area for improvement, paragraph 42
    Strength – The MASH responds quickly                -> a strength, no paragraphs
    Return interviews are not timely (paragraph 51).    -> paragraph 51
    • [Front door] 12. Thresholds are not understood    -> theme "Front door", paragraph 12

A line holding only a heading from the letter ("Areas for improvement", "Strengths:",
"Areas for priority action") sets the kind of the lines below it; "Theme: Supervision"
sets their theme. A kind or theme chosen for the whole paste applies where a line says
nothing. Bullets are ignored, and so are blank lines.

Nothing here touches the database: :func:`parse_findings` returns what it read and the
problems by line, and the caller saves all or nothing (inspections.services).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from inspections.choices import FindingKind

MAX_RANGE = 30  # "17-19" is a range; "17-1900" is a mistake, not 1,884 paragraphs.
MAX_PARAGRAPHS_CHARS = 100  # Finding.paragraphs
MAX_THEME_CHARS = 120  # Finding.theme

# What letters and plans call each kind, lower case, most specific first.
KIND_WORDS: list[tuple[str, str]] = [
    ("areas for priority action", FindingKind.PRIORITY_ACTION),
    ("area for priority action", FindingKind.PRIORITY_ACTION),
    ("priority actions", FindingKind.PRIORITY_ACTION),
    ("priority action", FindingKind.PRIORITY_ACTION),
    ("priority", FindingKind.PRIORITY_ACTION),
    ("areas for improvement", FindingKind.AREA_FOR_IMPROVEMENT),
    ("area for improvement", FindingKind.AREA_FOR_IMPROVEMENT),
    ("areas for development", FindingKind.AREA_FOR_IMPROVEMENT),
    ("area for development", FindingKind.AREA_FOR_IMPROVEMENT),
    ("what needs to improve", FindingKind.AREA_FOR_IMPROVEMENT),
    ("afi", FindingKind.AREA_FOR_IMPROVEMENT),
    ("improvement", FindingKind.AREA_FOR_IMPROVEMENT),
    ("key strengths", FindingKind.STRENGTH),
    ("key strength", FindingKind.STRENGTH),
    ("strengths", FindingKind.STRENGTH),
    ("strength", FindingKind.STRENGTH),
    ("recommendations", FindingKind.RECOMMENDATION),
    ("recommendation", FindingKind.RECOMMENDATION),
    ("rec", FindingKind.RECOMMENDATION),
]
_KIND_BY_WORD = dict(KIND_WORDS)

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # hyphens, en and em dashes, minus
_NUMBER = r"\d{1,4}[a-z]?"
_SEPARATOR = r"\s*(?:,|;|&|\band\b|\bto\b|-)\s*"
_LIST = rf"{_NUMBER}(?:{_SEPARATOR}{_NUMBER})*"
_PARA_WORD = r"(?:paragraphs?|paras?\.?|¶)"

_BULLET = re.compile(r"^(?:[•·▪◦●*]|-(?=\s))\s*")
_THEME_PREFIX = re.compile(r"^\[(?P<theme>[^\]]{1,200})\]\s*")
_PARAS_WORDED = re.compile(rf"^{_PARA_WORD}\s*(?P<list>{_LIST})(?:\s*[.:)-]\s*|\s+|$)", re.IGNORECASE)
_PARAS_BARE = re.compile(rf"^\(?(?P<list>{_LIST})\s*(?:[.:)](?!\d)|\s-)\s*", re.IGNORECASE)
_PARAS_TRAILING = re.compile(
    rf"\s*(?:\(\s*{_PARA_WORD}\s*(?P<worded>{_LIST})\s*\)|\[\s*(?:{_PARA_WORD}\s*)?(?P<bracketed>{_LIST})\s*\])\s*\.?$",
    re.IGNORECASE,
)
_KIND_PREFIX = re.compile(
    r"^(?P<word>" + "|".join(re.escape(w) for w, _ in KIND_WORDS) + r")\s*(?::|-|\))\s*",
    re.IGNORECASE,
)
_HEADING = re.compile(
    r"^(?P<word>" + "|".join(re.escape(w) for w, _ in KIND_WORDS) + r")\s*:?$", re.IGNORECASE
)
_THEME_LINE = re.compile(r"^theme\s*:\s*(?P<theme>.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedFinding:
    line: int
    kind: str
    paragraphs: str
    theme: str
    text: str

    @property
    def kind_label(self) -> str:
        return FindingKind(self.kind).label


@dataclass(frozen=True)
class LineProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass
class PasteResult:
    findings: list[ParsedFinding] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.findings) and not self.problems


class _BadParagraphs(ValueError):
    pass


def normalise_text(text: str) -> str:
    """The form used to spot a finding pasted twice: case and spacing ignored."""
    return " ".join(text.casefold().split()).rstrip(".")


def _tidy(line: str) -> str:
    line = unicodedata.normalize("NFKC", line)
    for dash in _DASHES:
        line = line.replace(dash, "-")
    return line.replace("\u00a0", " ").strip()


def paragraph_list(text: str) -> list[str]:
    """ "17, 18", "17 and 18", "17-19", "17 to 19", "42a" -> ["17", "18", ...]."""
    tokens = re.findall(rf"{_NUMBER}|-|\bto\b", text, re.IGNORECASE)
    numbers: list[str] = []
    pending_range = False
    for token in tokens:
        token = token.lower()
        if token in ("-", "to"):
            pending_range = True
            continue
        if pending_range and numbers:
            first, last = numbers[-1], token
            if not (first.isdigit() and last.isdigit()):
                raise _BadParagraphs(f'the range "{first} to {last}" mixes numbers and letters')
            low, high = int(first), int(last)
            if high <= low or high - low > MAX_RANGE:
                raise _BadParagraphs(
                    f'the paragraph range "{first} to {last}" does not look right '
                    f"(give a range of up to {MAX_RANGE} paragraphs, lowest first)"
                )
            numbers.extend(str(n) for n in range(low + 1, high + 1))
        else:
            numbers.append(token)
        pending_range = False
    seen: dict[str, None] = {}
    for number in numbers:
        seen.setdefault(str(int(number)) if number.isdigit() else number, None)
    return list(seen)


def paragraphs_from(text: str) -> str:
    """Typed paragraph numbers ("17-19, 42a") in the stored form ("17, 18, 19, 42a")."""
    cleaned = _tidy(text)
    if not cleaned:
        return ""
    if not re.fullmatch(_LIST, cleaned, re.IGNORECASE):
        raise ValueError('give numbers separated by commas, for example "17, 42" or "17-19"')
    return ", ".join(paragraph_list(cleaned))


def kind_for(word: str) -> str | None:
    return _KIND_BY_WORD.get(" ".join(word.lower().split()))


@dataclass
class _Line:
    kind: str = ""
    theme: str = ""
    paragraphs: list[str] = field(default_factory=list)
    text: str = ""


def _read_line(line: str) -> _Line:
    """Peel a line's prefixes (bullet, theme, kind and paragraphs, in any order)."""
    found = _Line()
    rest = _BULLET.sub("", line)
    for _ in range(4):  # each prefix at most once, in any order
        if not found.theme and (match := _THEME_PREFIX.match(rest)):
            found.theme = match["theme"].strip()
        elif not found.kind and (match := _KIND_PREFIX.match(rest)):
            found.kind = kind_for(match["word"]) or ""
        elif not found.paragraphs and (
            (match := _PARAS_WORDED.match(rest)) or (match := _PARAS_BARE.match(rest))
        ):
            found.paragraphs = paragraph_list(match["list"])
        else:
            break
        rest = rest[match.end():]
    if match := _PARAS_TRAILING.search(rest):
        for number in paragraph_list(match["worded"] or match["bracketed"]):
            if number not in found.paragraphs:
                found.paragraphs.append(number)
        rest = rest[: match.start()]
    found.text = rest.strip(" -:;").strip()
    return found


def parse_findings(
    text: str,
    *,
    default_kind: str = "",
    default_theme: str = "",
    existing_texts: Iterable[str] = (),
) -> PasteResult:
    """Read pasted findings, one a line, and list every problem with its line number.

    ``existing_texts`` are the findings already recorded for the inspection: pasting one
    again is a problem, so that a paste repeated by mistake saves nothing twice.
    """
    result = PasteResult()
    kind, theme = default_kind, default_theme.strip()
    already = {normalise_text(t) for t in existing_texts}
    first_line_of: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _tidy(raw)
        if not _BULLET.sub("", line):
            continue
        if heading := _HEADING.match(_BULLET.sub("", line)):
            kind = kind_for(heading["word"]) or kind
            continue
        if theme_line := _THEME_LINE.match(line):
            theme = theme_line["theme"].strip()
            if len(theme) > MAX_THEME_CHARS:
                result.problems.append(LineProblem(number, f"the theme is longer than {MAX_THEME_CHARS} characters."))
            continue
        try:
            found = _read_line(line)
        except _BadParagraphs as exc:
            result.problems.append(LineProblem(number, f"{exc}."))
            continue
        problems = []
        if not found.text:
            problems.append("there is no finding text after the paragraph numbers or kind.")
        line_kind = found.kind or kind
        if not line_kind:
            problems.append(
                "say what kind of finding this is: choose a kind for the whole paste, start the line "
                'with "AFI:", "Strength:", "Priority:" or "Recommendation:", or put a heading such '
                'as "Areas for improvement" on a line above it.'
            )
        paragraphs = ", ".join(found.paragraphs)
        if len(paragraphs) > MAX_PARAGRAPHS_CHARS:
            problems.append(f"the paragraph numbers are longer than {MAX_PARAGRAPHS_CHARS} characters.")
        line_theme = found.theme or theme
        if len(line_theme) > MAX_THEME_CHARS:
            problems.append(f"the theme is longer than {MAX_THEME_CHARS} characters.")
        key = normalise_text(found.text)
        if found.text and key in already:
            problems.append("this finding is already recorded for this inspection.")
        elif found.text and key in first_line_of:
            problems.append(f"this repeats line {first_line_of[key]}.")
        first_line_of.setdefault(key, number)
        if problems:
            result.problems.extend(LineProblem(number, p) for p in problems)
            continue
        result.findings.append(
            ParsedFinding(line=number, kind=line_kind, paragraphs=paragraphs, theme=line_theme, text=found.text)
        )
    if not result.findings and not result.problems:
        result.problems.append(LineProblem(1, "there are no findings to read. Paste one finding a line."))
    return result
