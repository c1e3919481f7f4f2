"""PDF papers with WeasyPrint: Django templates in ``templates/print/`` laid out by
``static/print/print.css``.

Three things hold for every PDF produced here:

* it is tagged (PDF/UA-1), with the paper's title and ``lang="en-GB"``, so a screen
  reader can follow headings and tables;
* WeasyPrint fetches nothing from the network or from the disk beyond the project's
  ``static/`` folder (:class:`StaticOnlyFetcher`): templates carry user text, and a
  stray ``<img src="file:///etc/passwd">`` or ``http://`` must never be followed;
* the same inputs give the same bytes: the creation date is the "as at" date, the file
  identifier is derived from the content, and the embedded font subsets carry the "as at"
  date too (fontTools stamps a subset with the clock unless SOURCE_DATE_EPOCH is set).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import mimetypes
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from actionplans.charts import RAG_COLOURS
from actionplans.models import Plan
from reports.choices import ReportFormat, ReportKind
from reports.papers.content import (
    Rendered,
    build_committee_paper,
    build_exceptions_paper,
    build_ofsted_plan,
    file_name,
    long_date,
    short_date,
    snapshot_for,
)


def static_root() -> Path:
    return (Path(settings.BASE_DIR) / "static").resolve()


class StaticOnlyFetcher(URLFetcher):
    """Serves ``file:`` URLs inside the project's static folder and refuses everything else."""

    def __init__(self, root: Path | None = None):
        super().__init__(allowed_protocols=["file"], allow_redirects=False)
        self.root = (root or static_root()).resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"Refused to fetch {url!r}: papers may only use the project's static files.")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError(f"Refused to fetch {url!r}: not a file in the project's static folder.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


# Rows are kept whole on a page (break-inside: avoid), except a row taller than about half
# a page: keeping that whole would leave half a page blank, and WeasyPrint drops the
# repeated table header on the pages such a row runs over. Those rows may break between
# lines instead. Heights are estimated from the text and each column's width in characters.
LINES_BEFORE_A_ROW_MAY_BREAK = 22
PLAN_COLUMNS = (36, 33, 31, 35, 12, 22)  # issues, action, different, know, date, lead
APPENDIX_COLUMNS = (50, 26, 58)  # action, lead, latest update
EXCEPTION_COLUMNS = (32, 30, 36)  # action, why listed, latest update (narrowest of the two papers)


def _lines(text: str, width: int) -> int:
    return sum(max(1, math.ceil(len(line) / width)) for line in (text or "").splitlines())


def _tall(cells: list[str], widths: tuple[int, ...]) -> bool:
    return max(_lines(text, width) for text, width in zip(cells, widths, strict=True)) > LINES_BEFORE_A_ROW_MAY_BREAK


def _update_text(action) -> str:
    update = action.latest_update
    return f"{update.author_display}\n{update.narrative}" if update else ""


def mark_tall_rows(snapshot) -> None:
    """Set ``break_in_plan``, ``break_in_appendix`` and ``break_in_exceptions`` on each action."""
    for _, blocks in snapshot.table_groups:
        for block in blocks:
            issues = block.issues_raised or "\n".join(f.text for f in block.issue_findings)
            for i, action in enumerate(block.actions):
                lead = f"{action.lead_display}\nWith {action.partner_names}"
                cells = [f"{block.heading}\n{issues}" if i == 0 else "", action.description, action.outcome,
                         action.success_measure, "", lead]
                action.break_in_plan = _tall(cells, PLAN_COLUMNS)
                update = _update_text(action)
                action.break_in_appendix = _tall([action.description, lead, update], APPENDIX_COLUMNS)
                reasons = "\n".join(r.reason for r in action.revisions_as_at) + "\n\n\n"
                action.break_in_exceptions = _tall([action.description + "\n\n", reasons, update], EXCEPTION_COLUMNS)


def _html_to_pdf(html: str, *, as_at: dt.date) -> tuple[bytes, int]:
    document = HTML(
        string=html, base_url=static_root().as_uri() + "/", url_fetcher=StaticOnlyFetcher()
    ).render(pdf_variant="pdf/ua-1")
    # An identifier from the content, not the clock: the same paper gives the same bytes.
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    with _font_timestamps(as_at):
        content = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=identifier)
    return content, len(document.pages)


_ENVIRONMENT_LOCK = threading.Lock()


@contextmanager
def _font_timestamps(as_at: dt.date):
    """Stamp the font subsets written meanwhile with midnight (UTC) of ``as_at``: fontTools
    writes the current second into each subset's ``head`` table otherwise, so two renders a
    second apart would differ. It reads the reproducible-builds variable SOURCE_DATE_EPOCH;
    the lock keeps two threads of one process from interleaving their values."""
    epoch = int(dt.datetime.combine(as_at, dt.time(), tzinfo=dt.UTC).timestamp())
    with _ENVIRONMENT_LOCK:
        previous = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        try:
            yield
        finally:
            if previous is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = previous


def _context(**extra) -> dict:
    return {
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "PARTNERSHIP_NAME": settings.PARTNERSHIP_NAME,
        "COUNCIL_COLOUR": settings.COUNCIL_COLOUR,
        "rag_colours": {k: {"fill": v[0], "ink": v[1]} for k, v in RAG_COLOURS.items()},
        "stylesheet": "print/print.css",
        **extra,
    }


def html_for(template: str, *, as_at: dt.date, **context) -> str:
    """The paper as HTML (also useful to preview it in a browser)."""
    return render_to_string(
        template,
        _context(as_at=as_at, as_at_long=long_date(as_at), as_at_iso=as_at.isoformat(), **context),
    )


def _render(template: str, plan: Plan, kind: str, as_at: dt.date, **context) -> Rendered:
    mark_tall_rows(context["snapshot"])
    html = html_for(template, as_at=as_at, **context)
    content, pages = _html_to_pdf(html, as_at=as_at)
    return Rendered(content=content, file_name=file_name(plan, kind, as_at, ReportFormat.PDF), page_count=pages)


def render_ofsted_plan_pdf(plan: Plan, *, as_at: dt.date, options: dict) -> Rendered:
    paper = build_ofsted_plan(snapshot_for(plan, as_at, options), options)
    return _render(
        "print/ofsted_plan.html", plan, ReportKind.OFSTED_PLAN, as_at, paper=paper, snapshot=paper.snapshot,
        document_title=paper.title,
    )


def render_committee_pdf(plan: Plan, *, as_at: dt.date, options: dict) -> Rendered:
    paper = build_committee_paper(snapshot_for(plan, as_at, options), options)
    return _render(
        "print/committee.html", plan, ReportKind.COMMITTEE, as_at, paper=paper, snapshot=paper.snapshot,
        document_title=paper.title,
    )


def render_exceptions_pdf(plan: Plan, *, as_at: dt.date, options: dict) -> Rendered:
    paper = build_exceptions_paper(snapshot_for(plan, as_at, options), options)
    return _render(
        "print/exceptions.html", plan, ReportKind.EXCEPTIONS, as_at, paper=paper, snapshot=paper.snapshot,
        document_title=paper.title,
    )


__all__ = [
    "StaticOnlyFetcher",
    "html_for",
    "render_committee_pdf",
    "render_exceptions_pdf",
    "render_ofsted_plan_pdf",
    "short_date",
]
