"""Reading a lead cell: who leads (a post, or a named person standing for one), in which
agency, and which partner agencies work with them.

Plans write leads in many shapes: "Principal Social Worker", "Chair of MASH Steering Group",
"Deputy Director CSC (working with Thames Valley Police, OUH)", "Helen Gulvin Medway
Council", "Gray Smith-Laing Medway Foundation Trust Lorraine Goodsell NHS Kent and Medway".
The first person or post named leads; every other agency named is a partner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

AGENCY_LAST_WORDS = {
    "council", "trust", "police", "constabulary", "ccg", "icb", "nhs", "probation", "crc", "nps",
    "hospital", "hospitals", "university", "college", "academy", "partnership", "cafcass", "yot", "yos",
}  # fmt: skip
AGENCY_WORDS = AGENCY_LAST_WORDS | {
    "county", "city", "borough", "district", "foundation", "clinical", "commissioning", "group", "integrated",
    "care", "board", "health", "healthcare", "community", "service", "services", "national", "fire", "rescue",
    "valley", "metropolitan", "constabulary", "children's", "childrens", "safeguarding", "primary", "mental",
}  # fmt: skip
ROLE_WORDS = {
    "head", "heads", "director", "directors", "deputy", "assistant", "manager", "managers", "chair", "vice",
    "lead", "leads", "officer", "officers", "principal", "service", "services", "team", "teams", "designated",
    "named", "chief", "executive", "nurse", "nurses", "doctor", "practitioner", "practitioners", "worker",
    "workers", "coordinator", "co-ordinator", "consultant", "commissioner", "superintendent", "inspector",
    "detective", "sergeant", "governor", "governors", "constable", "advisor", "adviser", "educators", "educator",
    "group", "steering", "sub-group", "subgroup", "panel", "committee", "members", "member", "safeguarding",
    "social", "area", "strategic", "operational", "senior", "business", "partnerships", "improvement",
}  # fmt: skip
CONNECTORS = {"and", "of", "&", "for", "the"}
_WORKING_WITH = re.compile(
    r"\(\s*(?:working\s+with|with|supported\s+by|support\s+from|with\s+support\s+from|in\s+partnership\s+with|"
    r"partners?:?|and)\s+([^)]*)\)",
    re.I,
)
_PARTNER_SPLIT = re.compile(r"\s*(?:[,;/\n]|&|\band\b)\s*", re.I)


@dataclass
class LeadParse:
    text: str  # as written
    post: str = ""  # the post (or named person) who leads
    agency: str = ""  # the lead's agency, where the cell names one
    partners: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # co-leads named without an agency


def _word(token: str) -> str:
    return token.strip(".,;:()[]").lower()


def _is_cap(token: str) -> bool:
    t = token.strip(".,;:()[]")
    return bool(t) and (t[0].isupper() or t[0].isdigit()) or _word(token) in CONNECTORS


def _name_like(token: str) -> bool:
    t = token.strip(".,;:()[]")
    return bool(re.fullmatch(r"[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?", t)) and t.lower() not in AGENCY_WORDS | ROLE_WORDS


def _pattern_agencies(text: str, offset: int) -> list[tuple[int, int, str]]:
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    spans: list[tuple[int, int, str]] = []
    floor = 0  # first token an agency may start at
    j = 0
    while j < len(tokens):
        word = _word(tokens[j][2])
        if word == "nhs":
            k = j + 1
            while k < len(tokens) and _is_cap(tokens[k][2]):
                k += 1
            suffix = [i for i in range(j + 1, k) if _word(tokens[i][2]) in AGENCY_LAST_WORDS - {"nhs"}]
            if not suffix:
                end = k - 1
                while end > j and _word(tokens[end][2]) in CONNECTORS:
                    end -= 1
                start = j
                # "Medway Foundation NHS Trust" is handled by its suffix; "NHS England" here.
                spans.append((start, end))
                floor = j = end + 1
                continue
        if word in AGENCY_LAST_WORDS and word != "nhs":
            start = j
            while start - 1 >= floor and _is_cap(tokens[start - 1][2]) and _word(tokens[start - 1][2]) not in ROLE_WORDS:
                start -= 1
            while start < j and _word(tokens[start][2]) in CONNECTORS:
                start += 1
            if start == floor and j - start >= 3 and _name_like(tokens[start][2]) and _name_like(tokens[start + 1][2]):
                start += 2  # "Helen Gulvin Medway Council": a person, then the agency
            end = j
            # "Medway Foundation NHS Trust", "NHS Kent and Medway Trust": carry on to the last suffix
            while end + 1 < len(tokens) and _word(tokens[end + 1][2]) in AGENCY_LAST_WORDS:
                end += 1
            spans.append((start, end))
            floor = j = end + 1
            continue
        j += 1
    out = []
    for start, end in spans:
        name = text[tokens[start][0] : tokens[end][1]].strip(" .,;:")
        out.append((offset + tokens[start][0], offset + tokens[end][1], name))
    return out


def find_agencies(segment: str, known: list[str]) -> list[tuple[int, int, str]]:
    """Agencies named in a piece of a lead cell: (start, end, name), left to right. Known names
    (agencies in the database and those already found in the file) win over patterns."""
    spans: list[tuple[int, int, str]] = []
    for name in sorted(known, key=len, reverse=True):
        for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", segment, re.I):
            if not any(m.start() < e and s < m.end() for s, e, _ in spans):
                spans.append((m.start(), m.end(), name))
    spans.sort()
    gaps, cursor = [], 0
    for start, end, _ in spans:
        gaps.append((cursor, start))
        cursor = end
    gaps.append((cursor, len(segment)))
    for start, end in gaps:
        spans.extend(_pattern_agencies(segment[start:end], start))
    return sorted(spans)


def _pairs(segment: str, known: list[str]) -> list[tuple[str, str]]:
    spans = find_agencies(segment, known)
    pairs, cursor = [], 0
    for start, end, name in spans:
        who = re.sub(r"(?:\s+(?:of|for|and|at|in|the|&))+$", "", segment[cursor:start].strip(" ,;:-–."), flags=re.I)
        pairs.append((who, name))
        cursor = end
    rest = segment[cursor:].strip(" ,;:-–.")
    if rest:
        pairs.append((rest, ""))
    return pairs


def candidate_agencies(text: str) -> list[str]:
    """Agency names a lead cell names clearly by pattern (first pass over a file)."""
    names = []
    for segment in re.split(r"[\n/;]", _WORKING_WITH.sub(" ", text or "")):
        names.extend(name for _, _, name in _pattern_agencies(segment.strip(), 0))
    return names


def split_partners(text: str, known: list[str]) -> list[str]:
    """Agency names in a partners cell: known names first, then the rest split on commas,
    slashes, "&" and "and"."""
    text = (text or "").strip()
    if not text:
        return []
    found = find_agencies(text, known)
    names = [name for _, _, name in found]
    rest = text
    for start, end, _ in sorted(found, reverse=True):
        rest = rest[:start] + "," + rest[end:]
    names.extend(p.strip(" .") for p in _PARTNER_SPLIT.split(rest) if p and p.strip(" .") and len(p.strip(" .")) > 1)
    seen, out = set(), []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def parse_lead(text: str, *, known: list[str] | None = None) -> LeadParse:
    known = known or []
    raw = (text or "").strip()
    result = LeadParse(text=raw)
    if not raw:
        return result
    partners: list[str] = []
    for m in _WORKING_WITH.finditer(raw):
        partners.extend(split_partners(m.group(1), known))
    body = _WORKING_WITH.sub(" ", raw)
    m = re.search(r"\b(?:working with|supported by|with support from|in partnership with)\b:?\s*(.+)$", body, re.I | re.S)
    if m:
        partners.extend(split_partners(m.group(1), known))
        body = body[: m.start()]
    pairs: list[tuple[str, str]] = []
    for segment in re.split(r"\n|/|;", body):
        segment = re.sub(r"\s+", " ", segment).strip(" ,.-–")
        if segment:
            pairs.extend(_pairs(segment, known))
    if not pairs:
        result.partners = _unique(partners)
        return result
    lead_who, lead_agency = pairs[0]
    result.post = lead_who.strip(" .") or ("Lead officer" if lead_agency else "")
    result.agency = lead_agency
    for who, agency in pairs[1:]:
        if agency:
            partners.append(agency)
        elif who:
            result.others.append(who)
    result.partners = [p for p in _unique(partners) if p.lower() != lead_agency.lower()]
    return result


def _unique(names: list[str]) -> list[str]:
    seen, out = set(), []
    for name in names:
        key = name.lower()
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out
