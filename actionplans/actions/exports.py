"""Actions as CSV and Excel, in the column shape the plan import reads back.

The headings are ones actionplans.importing.columns maps to its fields with certainty
("Issues raised by inspectors", "What will be different", "How will we know", "Due date",
"Progress"...), and the cells are written the way the importer reads them:

* dates are real dates in Excel (shown dd/mm/yyyy) and ISO 8601 (YYYY-MM-DD) in CSV;
* status and RAG are their text labels (the RAG of actionplans.rag, never a colour alone);
* the lead is "Post, Agency" (or the lead as the plan wrote it), partners are agency short
  names separated by "; ";
* a finding starts with the report paragraphs it cites ("42. ...") and ends with the
  inspectorates that raised it ("(Ofsted, CQC)"), as plans write them;
* progress is every update, oldest first, one "dd/mm/yyyy text" per line, which the
  importer splits back into dated updates.

"Original due date", "Due date as written" and "Last update" are for the reader; the
importer keeps them as text. The writers take any queryset of actions (the filtered table,
a plan, a report job's selection), add what they need to it, and read it in chunks with a
fixed number of queries per chunk, so 5,000 actions stream without loading at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, Subquery
from django.utils import timezone

from actionplans.choices import RAG, ActionStatus, ReviewState
from actionplans.models import ProgressUpdate
from actionplans.rag import annotate_rag
from actionplans.rules import latest_updates
from inspections.choices import Inspectorate

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 1000


@dataclass(frozen=True)
class ExportColumn:
    heading: str
    width: int  # Excel column width, in characters
    kind: str = "text"  # "text", "date" or "short" (no wrapping needed)


COLUMNS = [
    ExportColumn("Reference", 11, "short"),
    ExportColumn("Section", 28),
    ExportColumn("Issues raised by inspectors", 50),
    ExportColumn("Action", 50),
    ExportColumn("What will be different", 40),
    ExportColumn("How will we know", 40),
    ExportColumn("Lead", 30),
    ExportColumn("Partners", 20),
    ExportColumn("Start date", 12, "date"),
    ExportColumn("Due date", 12, "date"),
    ExportColumn("Original due date", 12, "date"),
    ExportColumn("Due date as written", 24),
    ExportColumn("Status", 16, "short"),
    ExportColumn("RAG", 14, "short"),
    ExportColumn("Last update", 12, "date"),
    ExportColumn("Progress", 80),
]
HEADINGS = [c.heading for c in COLUMNS]

_INSPECTORATE_LABELS = dict(Inspectorate.choices)


def prepare(queryset: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """``queryset`` with the RAG (unless annotated already, e.g. "as at" a past date by a
    report), the last update date and every relation a row prints."""
    today = today or timezone.localdate()
    annotations = queryset.query.annotations
    if "rag" not in annotations:
        queryset = annotate_rag(queryset, today)
    if "last_update_on" not in annotations:
        queryset = queryset.annotate(last_update_on=Subquery(latest_updates().values("as_of")[:1]))
    progress = (
        ProgressUpdate.objects.exclude(review_state=ReviewState.RETURNED)
        .only("id", "action_id", "as_of", "narrative", "created_at")
        .order_by("as_of", "created_at", "id")
    )
    return queryset.select_related("plan", "section", "lead_post__agency").prefetch_related(
        "partner_agencies",
        "findings",
        Prefetch("updates", queryset=progress, to_attr="export_updates"),
    )


def _lead(action) -> str:
    if action.lead_text:
        return action.lead_text
    if action.lead_post_id:
        return f"{action.lead_post.title}, {action.lead_post.agency.name}"
    return ""


def _finding(finding) -> str:
    text = finding.text.strip()
    if finding.paragraphs:
        text = f"{finding.paragraphs}. {text}"
    if finding.inspectorates:
        text += " (" + ", ".join(_INSPECTORATE_LABELS.get(i, i) for i in finding.inspectorates) + ")"
    return text


def _progress(action) -> str:
    return "\n".join(f"{u.as_of:%d/%m/%Y} {u.narrative.strip()}" for u in action.export_updates)


def _status(action) -> str:
    # A report "as at" a past date annotates the status then.
    return ActionStatus(getattr(action, "status_as_at", None) or action.status).label


def row_values(action) -> list:
    """One action as Python values in COLUMNS order (dates as dates, None where empty)."""
    return [
        action.reference,
        str(action.section) if action.section_id else "",
        "\n\n".join(_finding(f) for f in action.findings.all()),
        action.description,
        action.outcome,
        action.success_measure,
        _lead(action),
        "; ".join(sorted(a.short_name for a in action.partner_agencies.all())),
        action.start_date,
        action.due_date,
        action.original_due_date,
        action.due_text,
        _status(action),
        RAG(action.rag).label,
        action.last_update_on,
        _progress(action),
    ]


def rows(queryset: QuerySet, *, today: dt.date | None = None) -> Iterator[list]:
    """Every action of ``queryset``, in its order, as :func:`row_values`."""
    for action in prepare(queryset, today=today).iterator(chunk_size=CHUNK_SIZE):
        yield row_values(action)


# --- CSV -----------------------------------------------------------------------------------

# Excel runs a cell that starts with one of these as a formula; a plan typed by hand may hold
# "=SUM(...)" or "@risk", which must stay text. "-" is left alone before a space, because
# "- bullet" lists are common in plans and harmless.
_FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_STARTS) or (text.startswith("-") and not text.startswith("- ")):
        return "'" + text
    return text


class _Line:
    """A file-like sink for csv.writer that hands back what was written."""

    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def take(self) -> str:
        text, self.text = self.text, ""
        return text


def actions_csv_chunks(queryset: QuerySet, *, today: dt.date | None = None) -> Iterator[bytes]:
    """The CSV in pieces, for a streaming response: UTF-8 with a byte-order mark (so Excel
    shows "£" and accented names), CRLF line ends."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    yield ("\ufeff" + line.take()).encode("utf-8")
    batch: list[str] = []
    for values in rows(queryset, today=today):
        writer.writerow([csv_cell(v) for v in values])
        batch.append(line.take())
        if len(batch) >= 200:
            yield "".join(batch).encode("utf-8")
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8")


def actions_csv(queryset: QuerySet, *, today: dt.date | None = None) -> bytes:
    return b"".join(actions_csv_chunks(queryset, today=today))


# --- Excel ---------------------------------------------------------------------------------


# Excel holds at most this many characters in a cell, and "repairs" a file that has more.
XLSX_CELL_LIMIT = 32_767
PROGRESS_CUT = "(Earlier updates are on the action page: an Excel cell holds 32,767 characters at most.)"


def _xlsx_text(value: str, heading: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(text) <= XLSX_CELL_LIMIT:
        return text
    if heading == "Progress":
        # Keep the latest updates, whole, and say that older ones were left out.
        lines = text.split("\n")
        while lines and len(PROGRESS_CUT) + 1 + len("\n".join(lines)) > XLSX_CELL_LIMIT:
            lines.pop(0)
        return "\n".join([PROGRESS_CUT, *lines])[:XLSX_CELL_LIMIT]
    return text[: XLSX_CELL_LIMIT - 1] + "…"


def write_xlsx(values: Iterable[list], target, *, title: str = "Actions") -> None:
    """Write rows of :func:`row_values` to ``target`` (a path or a binary file) as one
    sheet: a bold header row, panes frozen below it and right of the reference, text
    wrapped, dates as dates shown dd/mm/yyyy, a filter on every column, landscape print
    with the header repeated. The workbook is written as it goes (openpyxl write-only)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    workbook.properties.title = title
    workbook.properties.creator = "Action plans"
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "B2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    header_border = Border(bottom=Side(style="thin"))
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    def header(text: str):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill, cell.border, cell.alignment = header_font, header_fill, header_border, wrap
        return cell

    sheet.append([header(c.heading) for c in COLUMNS])
    count = 0
    for row in values:
        cells = []
        for column, value in zip(COLUMNS, row, strict=True):
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "dd/mm/yyyy"
                cell.alignment = top
            elif value is None or value == "":
                cell = WriteOnlyCell(sheet, value=None)
            else:
                cell = WriteOnlyCell(sheet, value=_xlsx_text(str(value), column.heading))
                # Text is text: never let "=..." become a formula.
                cell.data_type = "s"
                cell.alignment = wrap if column.kind == "text" else top
            cells.append(cell)
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    workbook.save(target)


def actions_xlsx(queryset: QuerySet, *, today: dt.date | None = None, title: str = "Actions") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(rows(queryset, today=today), buffer, title=title)
    return buffer.getvalue()


__all__ = [
    "COLUMNS",
    "HEADINGS",
    "XLSX_CONTENT_TYPE",
    "actions_csv",
    "actions_csv_chunks",
    "actions_xlsx",
    "prepare",
    "row_values",
    "rows",
]
