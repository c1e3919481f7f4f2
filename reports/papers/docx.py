"""Word papers with python-docx, for clerks who finish a paper in Word.

The Word file says what the PDF says (both come from the builders in
:mod:`reports.papers.content`) and is built the way Word users expect: real heading styles
(Heading 1, Heading 2) so the navigation pane and a screen reader see the structure;
real tables in the "Table Grid" style whose header row repeats on every page
(``w:tblHeader``) and whose rows never split across pages (``w:cantSplit``); RAG cells
shaded in the RAG colour *and* carrying the RAG name; a landscape section for the wide
appendix; "Page n of N" in the footer. Word cannot show SVG, so the RAG chart is given
as the RAG summary table.

Files are reproducible: the document properties carry the "as at" date and the zip
entries a fixed timestamp, so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from django.conf import settings
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from actionplans.charts import RAG_COLOURS
from actionplans.models import Plan
from reports.choices import ReportFormat, ReportKind
from reports.papers.content import (
    CommitteePaper,
    ExceptionsPaper,
    Para,
    Rendered,
    build_committee_paper,
    build_exceptions_paper,
    file_name,
    long_date,
    short_date,
    snapshot_for,
)

FONT = "Arial"
INK = RGBColor(0x0B, 0x0C, 0x0C)
GREY = RGBColor(0x50, 0x5A, 0x5F)
HEADER_FILL = "F3F2F1"
SECTION_FILL = "E8F1F8"
DASH = "\u2013"


# ------------------------------------------------------------------ low-level helpers


def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(_hex(colour))


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), _hex(fill))
    cell._tc.get_or_add_tcPr().append(shd)


def _row_property(row, name: str) -> None:
    element = OxmlElement(name)
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _set_font(style, size: float | None = None, bold: bool | None = None, colour: RGBColor | None = INK) -> None:
    style.font.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if colour is not None:
        style.font.color.rgb = colour


def _new_document(title: str, as_at: dt.date, *, landscape: bool = False) -> Document:
    doc = Document()
    styles = doc.styles
    _set_font(styles["Normal"], 11)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    _set_font(styles["Title"], 18, True)
    _set_font(styles["Heading 1"], 14, True)
    _set_font(styles["Heading 2"], 12, True)
    _set_font(styles["Heading 3"], 11, True)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        styles[name].paragraph_format.space_before = Pt(12)
        styles[name].paragraph_format.space_after = Pt(4)
        styles[name].paragraph_format.keep_with_next = True
    # The Title style's bottom border is in the theme colour; the council colour replaces it.
    title_ppr = styles["Title"].element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(border)

    section = doc.sections[0]
    _page_setup(section, landscape=landscape)

    props = doc.core_properties
    moment = dt.datetime(as_at.year, as_at.month, as_at.day, tzinfo=dt.UTC)
    props.title = title
    props.author = settings.COUNCIL_NAME
    props.last_modified_by = settings.COUNCIL_NAME
    props.created = moment
    props.modified = moment
    props.last_printed = moment
    props.revision = 1
    props.language = "en-GB"
    props.subject = f"As at {long_date(as_at)}"
    return doc


def _page_setup(section, *, landscape: bool) -> None:
    a4_short, a4_long = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = a4_long, a4_short
        section.left_margin = section.right_margin = Cm(1.5)
        section.top_margin = section.bottom_margin = Cm(1.5)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = a4_short, a4_long
        section.left_margin = section.right_margin = Cm(2.0)
        section.top_margin = section.bottom_margin = Cm(2.0)


def _field(paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _footer(section, text: str) -> None:
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.text = ""
    width = section.page_width - section.left_margin - section.right_margin
    paragraph.paragraph_format.tab_stops.add_tab_stop(width, alignment=2)  # right-aligned tab
    run = paragraph.add_run(f"{text}\tPage ")
    run.font.size = Pt(8)
    _field(paragraph, "PAGE")
    paragraph.add_run(" of ").font.size = Pt(8)
    _field(paragraph, "NUMPAGES")
    for run in paragraph.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = GREY


def _landscape_section(doc):
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(section, landscape=True)
    return section


def _reproducible(doc: Document, as_at: dt.date) -> bytes:
    """The .docx with every zip entry stamped with the "as at" date, not the clock."""
    raw = io.BytesIO()
    doc.save(raw)
    stamp = (max(as_at.year, 1980), as_at.month, as_at.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


# ------------------------------------------------------------------ building blocks


def _para(doc, text: str = "", *, bold: bool = False, size: float | None = None, colour: RGBColor | None = None,
          align=None, space_after: float | None = None):
    paragraph = doc.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if colour is not None:
            run.font.color.rgb = colour
    if align is not None:
        paragraph.alignment = align
    if space_after is not None:
        paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _numbered(doc, paras: list[Para]) -> None:
    for p in paras:
        paragraph = doc.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.left_indent = Cm(1.0)
        fmt.first_line_indent = Cm(-1.0)
        fmt.tab_stops.add_tab_stop(Cm(1.0))
        if p.number is not None:
            paragraph.add_run(f"{p.number}.\t")
        for text, bold in p.runs():
            paragraph.add_run(text).bold = bold
        for bullet in p.bullets:
            doc.add_paragraph(bullet, style="List Bullet")


def _cell(cell, text: str, *, bold: bool = False, size: float = 9, colour: RGBColor | None = None) -> None:
    """Put text in a cell, one Word paragraph per line."""
    lines = (text or "").splitlines() or [""]
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        paragraph = first if i == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        run = paragraph.add_run(line)
        run.bold = bold
        run.font.size = Pt(size)
        if colour is not None:
            run.font.color.rgb = colour


def _cell_note(cell, text: str, size: float = 8) -> None:
    if text:
        paragraph = cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.font.color.rgb = GREY


def _rag_cell(cell, value: str, label: str, size: float = 9) -> None:
    fill, ink = RAG_COLOURS[value]
    _shade(cell, fill)
    _cell(cell, label, bold=True, size=size, colour=_rgb(ink))


def _table(doc, headers: list[str], widths: list[float], *, size: float = 9):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    header = table.rows[0]
    _row_property(header, "w:tblHeader")
    _row_property(header, "w:cantSplit")
    for cell, text in zip(header.cells, headers, strict=True):
        _shade(cell, HEADER_FILL)
        _cell(cell, text, bold=True, size=size)
    _widths(table, widths)
    return table


def _widths(table, widths: list[float]) -> None:
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _row(table, widths: list[float]):
    row = table.add_row()
    _row_property(row, "w:cantSplit")
    cells = row.cells
    for cell, width in zip(cells, widths, strict=True):
        cell.width = Cm(width)
    return cells


def _section_row(table, heading: str, widths: list[float]) -> None:
    cells = _row(table, widths)
    merged = cells[0].merge(cells[-1])
    _shade(merged, SECTION_FILL)
    _cell(merged, heading, bold=True, size=10)


def _update_cell(cell, action, size: float = 9) -> None:
    """The latest update on or before the date: who and when in bold, then the narrative."""
    update = action.latest_update
    if update is None:
        _cell(cell, "No update recorded.", size=size)
        return
    _cell(cell, f"{short_date(update.as_of)}, {update.author_display}", bold=True, size=size)
    for line in update.narrative.splitlines():
        paragraph = cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        paragraph.add_run(line).font.size = Pt(size)


# --------------------------------------------------------------------- the papers


def committee_document(paper: CommitteePaper) -> Document:
    as_at = paper.as_at
    doc = _new_document(paper.title, as_at)
    _footer(doc.sections[0], f"{paper.council_name} \u00b7 {paper.committee} \u00b7 as at {long_date(as_at)}")

    _para(doc, f"Division(s): {paper.divisions}", size=9, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, paper.committee_line, bold=True, size=12)
    doc.add_heading(paper.title, level=0)
    _para(doc, f"Report of the {paper.report_of}", size=11)
    if paper.author:
        p = _para(doc, space_after=0)
        p.add_run("Author: ").bold = True
        p.add_run(paper.author)
    p = _para(doc)
    p.add_run("Progress as at: ").bold = True
    p.add_run(long_date(as_at))

    doc.add_heading("Summary", level=1)
    for p in paper.summary:
        _para(doc, p.text)

    doc.add_heading("Background", level=1)
    _numbered(doc, paper.background)

    doc.add_heading("Progress", level=1)
    _numbered(doc, paper.progress)

    doc.add_heading("RAG summary", level=2)
    headers = ["RAG rating", "Actions", "Share"]
    widths = [4.5, 2.5, 2.5]
    if paper.compare_date:
        headers += [f"As at {short_date(paper.compare_date)}", "Change"]
        widths += [3.0, 2.5]
    table = _table(doc, headers, widths, size=10)
    for row in paper.rag_rows:
        cells = _row(table, widths)
        _rag_cell(cells[0], row.value, row.label, size=10)
        _cell(cells[1], str(row.count), size=10)
        _cell(cells[2], f"{row.percent}%", size=10)
        if paper.compare_date:
            _cell(cells[3], str(row.previous), size=10)
            _cell(cells[4], row.change_text, size=10)
    cells = _row(table, widths)
    _cell(cells[0], "Total", bold=True, size=10)
    _cell(cells[1], str(paper.total), bold=True, size=10)
    _cell(cells[2], "100%", bold=True, size=10)
    _para(doc, paper.chart_description, size=9, colour=GREY)

    doc.add_heading("Movement since the last report", level=2)
    _numbered(doc, paper.movement)

    doc.add_heading("Exceptions", level=2)
    _numbered(doc, paper.exceptions_intro)
    if paper.exceptions:
        widths = [5.0, 1.8, 4.5, 5.7]
        table = _table(doc, ["Action", "RAG", "Why it is listed", "Latest update"], widths)
        for item in paper.exceptions:
            action = item.action
            cells = _row(table, widths)
            _cell(cells[0], f"{action.reference} {action.description}")
            lead = action.lead_display or DASH
            if action.lead_holder:
                lead += f" ({action.lead_holder})"
            _cell_note(cells[0], f"Lead: {lead}. Due {short_date(action.due_as_at) or DASH}.")
            _rag_cell(cells[1], action.rag, action.rag_label)
            _cell(cells[2], "\n".join(item.reasons))
            _update_cell(cells[3], action)

    for heading, paras in (
        ("Financial implications", paper.financial),
        ("Equalities implications", paper.equalities),
        ("Risk management", paper.risk),
        ("Recommendation", paper.recommendation),
    ):
        doc.add_heading(heading, level=1)
        _numbered(doc, paras)

    _para(doc, paper.report_of, bold=True)
    if paper.contact_officer:
        details = f", {paper.contact_details}" if paper.contact_details else ""
        _para(doc, f"Contact officer: {paper.contact_officer}{details}", space_after=2)
    _para(doc, "Background papers: none.", space_after=2)
    _para(doc, f"{as_at:%B %Y}")

    section = _landscape_section(doc)
    _footer(section, f"{paper.council_name} \u00b7 {paper.appendix_title}")
    doc.add_heading(paper.appendix_title, level=1)
    widths = [1.6, 8.0, 4.0, 2.2, 2.4, 8.5]
    table = _table(doc, ["Ref", "Action", "Lead", "Due", "RAG", "Latest update"], widths)
    for top, blocks in paper.snapshot.table_groups:
        _section_row(table, top.heading, widths)
        for block in blocks:
            for action in block.actions:
                cells = _row(table, widths)
                _cell(cells[0], action.reference, bold=True)
                _cell(cells[1], action.description)
                _cell(cells[2], action.lead_display or DASH)
                _cell_note(cells[2], action.lead_holder)
                _cell(cells[3], short_date(action.due_as_at) or DASH)
                if action.is_revised_as_at and action.original_due_date:
                    _cell_note(cells[3], f"was {short_date(action.original_due_date)}")
                _rag_cell(cells[4], action.rag, action.rag_label)
                _update_cell(cells[5], action)
    return doc


def exceptions_document(paper: ExceptionsPaper) -> Document:
    as_at = paper.as_at
    doc = _new_document(paper.title, as_at, landscape=True)
    _footer(doc.sections[0], f"{paper.council_name} \u00b7 {paper.title} \u00b7 as at {long_date(as_at)}")
    _para(doc, f"{paper.council_name} \u00b7 {paper.partnership_name}", bold=True)
    doc.add_heading(paper.title, level=0)
    _para(doc, f"As at {long_date(as_at)}")
    for p in paper.summary:
        _para(doc, p.text)

    widths = [4.5, 2.5, 2.5]
    table = _table(doc, ["RAG rating", "Actions", "Share"], widths, size=10)
    for row in paper.rag_rows:
        cells = _row(table, widths)
        _rag_cell(cells[0], row.value, row.label, size=10)
        _cell(cells[1], str(row.count), size=10)
        _cell(cells[2], f"{row.percent}%", size=10)

    widths = [1.5, 6.5, 3.5, 2.2, 2.2, 4.9, 5.9]
    for group in paper.groups:
        doc.add_heading(group.heading, level=1)
        table = _table(doc, ["Ref", "Action", "Lead", "Due", "RAG", "Why it is listed", "Latest update"], widths)
        for item in group.items:
            action = item.action
            cells = _row(table, widths)
            _cell(cells[0], action.reference, bold=True)
            _cell(cells[1], action.description)
            _cell(cells[2], action.lead_display or DASH)
            _cell_note(cells[2], action.lead_holder)
            _cell(cells[3], short_date(action.due_as_at) or DASH)
            _rag_cell(cells[4], action.rag, action.rag_label)
            _cell(cells[5], "\n".join(item.reasons))
            _update_cell(cells[6], action)
    if not paper.groups:
        _para(doc, "There are no exceptions to report.")
    return doc


def render_committee_docx(plan: Plan, *, as_at: dt.date, options: dict) -> Rendered:
    paper = build_committee_paper(snapshot_for(plan, as_at, options), options)
    content = _reproducible(committee_document(paper), as_at)
    return Rendered(content=content, file_name=file_name(plan, ReportKind.COMMITTEE, as_at, ReportFormat.DOCX), page_count=None)


def render_exceptions_docx(plan: Plan, *, as_at: dt.date, options: dict) -> Rendered:
    paper = build_exceptions_paper(snapshot_for(plan, as_at, options), options)
    content = _reproducible(exceptions_document(paper), as_at)
    return Rendered(content=content, file_name=file_name(plan, ReportKind.EXCEPTIONS, as_at, ReportFormat.DOCX), page_count=None)
