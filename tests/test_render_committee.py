"""The committee progress report, as a PDF and as a Word file."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from actionplans.charts import rag_bar_chart
from actionplans.choices import RAG
from actionplans.models import Action
from actionplans.rag import RAG_ORDER, rag_counts
from partners.choices import BodyKind
from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.models import ReportJob
from reports.papers.content import build_committee_paper
from reports.papers.registry import render_job, render_paper
from reports.selectors import plan_snapshot
from tests.factories import GovernanceBodyFactory, MeetingFactory
from tests.test_render_ofsted_plan import AS_AT, LATE, LATE_WORDS, build_plan, pdf_pages, squash

NOW = dt.date(2017, 6, 30)  # after every update in build_plan: status today is status then


@pytest.fixture
def plan(db):
    return build_plan(30)


@pytest.fixture
def scrutiny(db):
    body = GovernanceBodyFactory(name="Performance Scrutiny Committee", short_name="PSC", kind=BodyKind.SCRUTINY)
    MeetingFactory(body=body, date=dt.date(2017, 7, 13))
    return body


def counts_line(label: str, text: str) -> int:
    match = re.search(rf"{re.escape(label)} (\d+) \d+%", text)
    assert match, f"no count for {label}"
    return int(match[1])


# ---------------------------------------------------------------------------- PDF


def test_the_pdf_rag_summary_equals_the_rag_rule(plan, scrutiny):
    rendered = render_paper(plan, kind="committee", fmt="pdf", as_at=NOW, options={"body": scrutiny})
    text = squash(" ".join(pdf_pages(rendered.content)))
    expected = rag_counts(Action.objects.filter(plan=plan), NOW)
    for rag in RAG_ORDER:
        assert counts_line(rag.label, text) == expected[rag.value], rag.label
    assert f"Total {sum(expected.values())} 100%" in text


def test_the_pdf_is_a_council_paper_from_title_block_to_appendix(plan, scrutiny):
    rendered = render_paper(
        plan, kind="committee", fmt="pdf", as_at=AS_AT,
        options={"body": scrutiny.name, "financial": "The MASH review is funded from the 2016/17 budget.",
                 "report_of": "Director of Children, Education and Families"},
    )
    pages = pdf_pages(rendered.content)
    text = squash(" ".join(pages))
    assert "PERFORMANCE SCRUTINY COMMITTEE – 13 JULY 2017" in text
    assert "Report of the Director of Children, Education and Families" in text
    assert "Author: Tan Lea" in text and "Contact officer: Tan Lea, 01234 567890, tan.lea@example.test" in text
    order = ["Summary", "Background", "Progress", "RAG summary", "Movement since the last report", "Exceptions",
             "Financial implications", "Equalities implications", "Risk management", "Recommendation",
             "Appendix A: progress on every action as at 31 March 2017"]
    position = text.index("Division(s)")
    for heading in order:  # each heading comes after the one before it
        position = text.index(heading, position + 1)
    assert "The MASH review is funded from the 2016/17 budget." in text
    assert "The Committee is RECOMMENDED to note the progress" in text
    appendix = squash(" ".join(pages[next(i for i, p in enumerate(pages) if "Appendix A" in p):]))
    for action in plan.actions.all():
        assert re.search(rf"(?<![\d.]){re.escape(action.reference)}(?![\d])", appendix), action.reference
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page
    # The appendix is printed landscape; the paper itself portrait.
    reader = PdfReader(io.BytesIO(rendered.content))
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height
    assert reader.pages[-1].mediabox.width > reader.pages[-1].mediabox.height


def test_the_chart_is_accessible_svg_with_a_text_label_on_every_bar():
    svg = rag_bar_chart({"red": 3, "amber": 1, "green": 5, "blue": 0, "not_rated": 1}, title="Actions by RAG")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title id=\"rag-chart-title\">Actions by RAG</title>" in svg
    assert "<desc" in svg and "Red: 3 actions (30%)" in svg
    for label in ["Red", "Amber", "Green", "Blue (complete)", "Not yet rated"]:
        assert f">{label}</text>" in svg
    assert ">3 (30%)</text>" in svg and ">0 (0%)</text>" in svg


def test_exceptions_give_the_reasons_and_the_latest_update_as_at_the_date(plan, scrutiny):
    paper = build_committee_paper(plan_snapshot(plan, as_at=AS_AT), {"body": scrutiny})
    listed = {item.action.reference: item for item in paper.exceptions}
    for action in paper.snapshot.actions:
        should = action.rag == RAG.RED or action.is_overdue_as_at or action.approved_revisions or action.pending_revisions
        assert (action.reference in listed) == bool(should), action.reference
    revised = [i for i in paper.exceptions if "revised" in i.kinds and i.action.approved_revisions]
    assert revised and all("Additional resource needed from the CCG." in " ".join(i.reasons) for i in revised)
    text = squash(" ".join(pdf_pages(render_paper(plan, kind="committee", fmt="pdf", as_at=AS_AT,
                                                   options={"body": scrutiny}).content)))
    assert "Due date revised from" in text and "Additional resource needed from the CCG." in text
    assert "awaiting decision: Waiting for the new case recording system." in text
    assert "audits of 20 cases completed" in text
    assert LATE_WORDS not in text


def test_movement_is_measured_from_the_last_paper_to_the_same_body(plan, scrutiny):
    ReportJob.objects.create(kind=ReportKind.COMMITTEE, format=ReportFormat.PDF, plan=plan, body=scrutiny,
                             as_at=dt.date(2016, 12, 31), status=JobStatus.DONE, file="reports/old.pdf")
    other = GovernanceBodyFactory(name="Cabinet Member Briefing", kind=BodyKind.OTHER)
    ReportJob.objects.create(kind=ReportKind.COMMITTEE, format=ReportFormat.PDF, plan=plan, body=other,
                             as_at=dt.date(2017, 3, 1), status=JobStatus.DONE, file="reports/other.pdf")
    paper = build_committee_paper(plan_snapshot(plan, as_at=AS_AT), {"body": scrutiny})
    assert paper.compare_date == dt.date(2016, 12, 31)
    before = plan_snapshot(plan, as_at=dt.date(2016, 12, 31)).rag_counts
    assert {row.value: row.previous for row in paper.rag_rows} == before
    assert "Since the position reported as at 31 December 2016" in paper.movement[0].text
    # compare_with overrides the archive; no body and no date means no movement yet.
    paper = build_committee_paper(plan_snapshot(plan, as_at=AS_AT), {"compare_with": "2016-10-31"})
    assert paper.compare_date == dt.date(2016, 10, 31)
    paper = build_committee_paper(plan_snapshot(plan, as_at=AS_AT), {})
    assert paper.compare_date is None and "first progress report" in paper.movement[0].text


def test_a_job_renders_through_the_adapter_and_excludes_itself(plan, scrutiny):
    job = ReportJob.objects.create(kind=ReportKind.COMMITTEE, format=ReportFormat.DOCX, plan=plan, body=scrutiny,
                                   as_at=AS_AT, parameters={"recommendation": "Cabinet is RECOMMENDED to approve."})
    rendered = render_job(job)
    assert rendered.file_name == "testshire-jtai-2016-committee-2017-03-31.docx"
    assert rendered.page_count is None
    assert rendered.content_type.endswith("wordprocessingml.document")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(rendered.content)).paragraphs)
    assert "Cabinet is RECOMMENDED to approve." in text


def test_the_same_inputs_give_identical_pdf_and_word_files(plan, scrutiny):
    for fmt in ("pdf", "docx"):
        first = render_paper(plan, kind="committee", fmt=fmt, as_at=AS_AT, options={"body": scrutiny})
        second = render_paper(plan, kind="committee", fmt=fmt, as_at=AS_AT, options={"body": scrutiny})
        assert first.content == second.content, fmt


def test_as_at_a_past_date_leaves_out_later_updates(plan):
    early = render_paper(plan, kind="committee", fmt="pdf", as_at=AS_AT)
    later = render_paper(plan, kind="committee", fmt="pdf", as_at=LATE)
    assert LATE_WORDS not in squash(" ".join(pdf_pages(early.content)))
    assert LATE_WORDS in squash(" ".join(pdf_pages(later.content)))


# --------------------------------------------------------------------------- Word


@pytest.fixture
def word(plan, scrutiny):
    rendered = render_paper(plan, kind="committee", fmt="docx", as_at=NOW, options={"body": scrutiny})
    return docx.Document(io.BytesIO(rendered.content)), rendered


def test_word_uses_real_heading_styles(word):
    document, _ = word
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Summary") in headings
    assert ("Heading 1", "Progress") in headings
    assert ("Heading 2", "RAG summary") in headings
    assert ("Heading 2", "Exceptions") in headings
    assert ("Heading 1", "Recommendation") in headings
    assert any(style == "Heading 1" and text.startswith("Appendix A") for style, text in headings)


def test_word_tables_repeat_their_header_and_shade_rag_cells_with_the_rag_name(word):
    document, _ = word
    assert len(document.tables) >= 3
    for table in document.tables:
        assert table.style.name == "Table Grid"
        header = table.rows[0]._tr
        assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None
    summary = document.tables[0]
    red = next(row for row in summary.rows if row.cells[0].text == "Red")
    shading = red.cells[0]._tc.tcPr.find(qn("w:shd"))
    assert shading is not None and shading.get(qn("w:fill")) == "D4351C"


def test_word_rag_summary_equals_the_rag_rule(plan, word):
    document, _ = word
    expected = rag_counts(Action.objects.filter(plan=plan), NOW)
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows[1:]}
    for rag in RAG_ORDER:
        assert int(rows[rag.label]) == expected[rag.value]
    assert int(rows["Total"]) == sum(expected.values())


def test_word_appendix_is_landscape_and_lists_every_action(plan, word):
    document, _ = word
    assert document.sections[-1].page_width > document.sections[-1].page_height
    assert document.sections[0].page_width < document.sections[0].page_height
    appendix = document.tables[-1]
    refs = {row.cells[0].text for row in appendix.rows[1:]}
    for action in plan.actions.all():
        assert action.reference in refs
    assert appendix.rows[0].cells[0].text == "Ref"


def test_word_file_is_a_reproducible_zip(word):
    _, rendered = word
    with zipfile.ZipFile(io.BytesIO(rendered.content)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2017, 6, 30, 0, 0, 0)}
    properties = docx.Document(io.BytesIO(rendered.content)).core_properties
    assert properties.created.date() == NOW and properties.title.endswith("progress report")


def _struct_elements(node, found):
    node = node.get_object()
    if isinstance(node, dict):
        if node.get("/S") == "/Figure":
            found.append(node)
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object"):
                    _struct_elements(kid, found)
    return found


def test_the_chart_in_the_tagged_pdf_has_the_figures_as_its_alternative_text(plan):
    rendered = render_paper(plan, kind="committee", fmt="pdf", as_at=NOW)
    root = PdfReader(io.BytesIO(rendered.content)).trailer["/Root"]
    figures = _struct_elements(root["/StructTreeRoot"], [])
    counts = rag_counts(Action.objects.filter(plan=plan), NOW)
    assert any(
        f"Red: {counts['red']} action" in str(figure.get("/Alt", "")) for figure in figures
    ), [str(f.get("/Alt")) for f in figures]


def test_a_paper_as_at_today_counts_each_actions_own_status_like_the_dashboards(db):
    from django.utils import timezone

    from actionplans.choices import ActionStatus
    from tests.factories import ActionFactory, PlanFactory

    today = timezone.localdate()
    plan = PlanFactory(slug="today-plan")
    # Imported as delivered, with no update saying so: today's paper still counts it green.
    ActionFactory(plan=plan, reference="1", status=ActionStatus.DELIVERED, due_date=today, start_date=None)
    ActionFactory(plan=plan, reference="2", status=ActionStatus.IN_PROGRESS, due_date=today - dt.timedelta(days=1),
                  start_date=None)
    paper = build_committee_paper(plan_snapshot(plan, as_at=today), {})
    assert paper.counts == rag_counts(Action.objects.filter(plan=plan), today)
    assert paper.counts["green"] == 1 and paper.counts["red"] == 1


def test_a_requested_paper_shows_only_what_the_requester_may_see(plan, partner_officer):
    visible = set(Action.objects.filter(plan=plan).for_user(partner_officer).values_list("reference", flat=True))
    assert 0 < len(visible) < plan.actions.count()
    job = ReportJob.objects.create(kind=ReportKind.COMMITTEE, format=ReportFormat.DOCX, plan=plan, as_at=AS_AT,
                                   requested_by=partner_officer)
    document = docx.Document(io.BytesIO(render_job(job).content))
    appendix = document.tables[-1]
    refs = {row.cells[0].text for row in appendix.rows[1:] if len({c._tc for c in row.cells}) > 1}
    assert refs == visible
    summary = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows[1:]}
    assert int(summary["Total"]) == len(visible)
