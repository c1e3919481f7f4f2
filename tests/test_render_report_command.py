"""``manage.py render_report``: the same papers from the command line."""

from __future__ import annotations

import io

import docx
import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from tests.factories import GovernanceBodyFactory
from tests.test_render_ofsted_plan import build_plan, pdf_pages, squash


@pytest.fixture
def plan(db):
    return build_plan(8, slug="command-plan")


def run(*args) -> str:
    out = io.StringIO()
    call_command("render_report", *args, stdout=out)
    return out.getvalue()


def test_it_writes_an_ofsted_plan_pdf_by_slug(plan, tmp_path):
    target = tmp_path / "plan.pdf"
    message = run("--plan", "command-plan", "--kind", "ofsted-plan", "--format", "pdf", "--as-at", "2017-03-31",
                  "--out", str(target))
    assert f"Wrote {target}" in message and "pages" in message
    reader = PdfReader(target)
    assert len(reader.pages) >= 3
    assert "Action plan" in squash(" ".join(pdf_pages(target.read_bytes())))


def test_it_writes_a_committee_paper_in_word_by_id_with_a_body_and_options(plan, tmp_path):
    body = GovernanceBodyFactory(name="Performance Scrutiny Committee", short_name="PSC")
    target = tmp_path / "paper.docx"
    run("--plan", str(plan.pk), "--kind", "committee", "--format", "docx", "--as-at", "2017-03-31",
        "--body", "psc", "--option", "recommendation=The Committee is RECOMMENDED to note this.",
        "--out", str(target))
    document = docx.Document(target)
    text = "\n".join(p.text for p in document.paragraphs)
    assert body.name.upper() in text
    assert "The Committee is RECOMMENDED to note this." in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "no-such-plan"], "No plan has the id or slug 'no-such-plan'"),
        (["--plan", "command-plan", "--as-at", "31/03/2017"], "--as-at must be a date written YYYY-MM-DD"),
        (["--plan", "command-plan", "--body", "Nobody"], "No governance body has the id or name 'Nobody'"),
        (["--plan", "command-plan", "--option", "oops"], "--option must look like KEY=VALUE"),
        (["--plan", "command-plan", "--option", "compare_with=soon"], "The comparison date must be a date"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(plan, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run("--kind", "committee", "--format", "pdf", "--out", str(tmp_path / "x.pdf"), *args)
    assert not (tmp_path / "x.pdf").exists()


def test_a_paper_not_made_in_that_format_is_refused(plan, tmp_path):
    with pytest.raises(CommandError, match="not available as docx; choose --format pdf"):
        run("--plan", "command-plan", "--kind", "ofsted-plan", "--format", "docx", "--out", str(tmp_path / "x.docx"))


def test_an_unwritable_destination_is_refused(plan, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run("--plan", "command-plan", "--kind", "exceptions", "--format", "pdf",
            "--out", str(tmp_path / "missing" / "x.pdf"))
