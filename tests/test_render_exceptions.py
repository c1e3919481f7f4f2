"""The exceptions report: only what a director needs to challenge, grouped by section."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest

from actionplans.choices import RAG, ActionStatus, Decision, SignOffStage
from actionplans.models import ActionSignOff, DueDateRevision
from reports.papers.content import build_exceptions_paper
from reports.papers.registry import render_paper
from reports.selectors import plan_snapshot
from tests.factories import (
    ActionFactory,
    PlanFactory,
    ProgressUpdateFactory,
    SectionFactory,
    UserFactory,
)
from tests.test_render_ofsted_plan import AS_AT, LATE_WORDS, _at, build_plan, pdf_pages, squash


@pytest.fixture
def small_plan(db):
    """One action of each kind of exception, and one that is fine."""
    plan = PlanFactory(slug="small", title="Small plan")
    front = SectionFactory(plan=plan, number="1", title="Front door", order=1)
    practice = SectionFactory(plan=plan, number="2", title="Practice", order=2)
    director = UserFactory(full_name="Dee Director")

    def action(ref, section, due, status, rag, **extra):
        a = ActionFactory(plan=plan, section=section, reference=ref, due_date=due, status=status, start_date=None,
                          description=f"Action {ref}", **extra)
        ProgressUpdateFactory(action=a, as_of=dt.date(2017, 3, 1), proposed_rag=rag, status=status,
                              narrative=f"Narrative for {ref}.")
        return a

    action("1.1", front, dt.date(2017, 6, 30), ActionStatus.IN_PROGRESS, RAG.GREEN)  # fine
    action("1.2", front, dt.date(2017, 6, 30), ActionStatus.IN_PROGRESS, RAG.RED)  # red by its lead
    action("1.3", front, dt.date(2017, 1, 31), ActionStatus.IN_PROGRESS, RAG.GREEN)  # overdue, so red
    revised = action("2.1", practice, dt.date(2017, 2, 28), ActionStatus.IN_PROGRESS, RAG.AMBER)
    DueDateRevision.objects.create(action=revised, old_date=dt.date(2017, 2, 28), new_date=dt.date(2017, 8, 31),
                                   reason="Recruitment to the MASH delayed.", requested_at=_at(dt.date(2017, 2, 1)),
                                   decision=Decision.APPROVED, decided_by=director, decided_at=_at(dt.date(2017, 2, 3)))
    revised.due_date = dt.date(2017, 8, 31)
    revised.save()
    action("2.2", practice, dt.date(2017, 6, 30), ActionStatus.DELIVERED, RAG.GREEN)  # awaiting outcome sign-off
    done = action("2.3", practice, dt.date(2017, 6, 30), ActionStatus.OUTCOME_EVIDENCED, RAG.BLUE)
    ActionSignOff.objects.create(action=done, stage=SignOffStage.OUTCOME_EVIDENCED, signed_by=director,
                                 signed_at=_at(dt.date(2017, 3, 2)))
    pending = action("2.4", practice, dt.date(2017, 6, 30), ActionStatus.IN_PROGRESS, RAG.AMBER)
    DueDateRevision.objects.create(action=pending, old_date=dt.date(2017, 6, 30), new_date=dt.date(2017, 12, 31),
                                   reason="Waiting for the new system.", requested_at=_at(dt.date(2017, 3, 10)))
    # A sign-off after the paper's date does not count.
    late_sign_off = action("2.5", practice, dt.date(2017, 6, 30), ActionStatus.OUTCOME_EVIDENCED, RAG.BLUE)
    ActionSignOff.objects.create(action=late_sign_off, stage=SignOffStage.OUTCOME_EVIDENCED, signed_by=director,
                                 signed_at=_at(dt.date(2017, 5, 1)))
    return plan


def test_only_actions_to_challenge_are_listed_with_why(small_plan):
    paper = build_exceptions_paper(plan_snapshot(small_plan, as_at=AS_AT), {})
    listed = {item.action.reference: item for group in paper.groups for item in group.items}
    assert set(listed) == {"1.2", "1.3", "2.1", "2.2", "2.4", "2.5"}
    assert listed["1.2"].kinds == ["red"]
    assert listed["1.3"].kinds == ["red", "overdue"] and "Overdue by 59 days" in listed["1.3"].reasons[0]
    assert listed["2.1"].kinds == ["revised"] and "Recruitment to the MASH delayed." in listed["2.1"].reasons[0]
    assert listed["2.2"].kinds == ["awaiting_sign_off"]
    assert listed["2.4"].kinds == ["awaiting_sign_off"] and "awaiting decision" in listed["2.4"].reasons[0]
    assert listed["2.5"].kinds == ["awaiting_sign_off"] and "not yet signed off" in listed["2.5"].reasons[0]
    assert paper.counts == {"red": 2, "overdue": 1, "revised": 1, "awaiting_sign_off": 3}
    assert [g.heading for g in paper.groups] == ["1. Front door", "2. Practice"]


def test_the_pdf_is_grouped_by_section_and_concise(small_plan):
    rendered = render_paper(small_plan, kind="exceptions", fmt="pdf", as_at=AS_AT)
    pages = pdf_pages(rendered.content)
    text = squash(" ".join(pages))
    assert text.index("1. Front door") < text.index("Action 1.2") < text.index("2. Practice") < text.index("Action 2.1")
    assert "Action 1.1" not in text and "Action 2.3" not in text
    assert "6 actions of 8 need challenge as at 31 March 2017" in text
    assert "Narrative for 1.2." in text
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page
    assert rendered.file_name == "small-exceptions-2017-03-31.pdf"


def test_the_word_version_says_the_same(small_plan):
    rendered = render_paper(small_plan, kind="exceptions", fmt="docx", as_at=AS_AT)
    document = docx.Document(io.BytesIO(rendered.content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["1. Front door", "2. Practice"]
    refs = [row.cells[0].text for table in document.tables[1:] for row in table.rows[1:]]
    assert refs == ["1.2", "1.3", "2.1", "2.2", "2.4", "2.5"]


def test_an_exceptions_paper_for_a_full_plan_leaves_out_later_updates_and_is_reproducible(db):
    plan = build_plan(30)
    first = render_paper(plan, kind="exceptions", fmt="pdf", as_at=AS_AT)
    second = render_paper(plan, kind="exceptions", fmt="pdf", as_at=AS_AT)
    assert first.content == second.content
    assert LATE_WORDS not in squash(" ".join(pdf_pages(first.content)))
