"""The Ofsted-ready action plan (Written Statement of Action) as a PDF, and the reads behind
every paper. ``build_plan`` makes a realistic plan (after the Oxfordshire JTAI plan of
2016) that the other paper tests use too."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from actionplans.choices import RAG, ActionStatus, Decision, PlanStatus, SignOffStage
from actionplans.models import (
    ActionSignOff,
    BoardSignOff,
    DueDateRevision,
    GlossaryTerm,
    PartnerSignOff,
)
from actionplans.rag import rag_counts
from inspections.choices import FindingKind, Grade, InspectionKind
from partners.choices import BodyKind
from partners.models import GovernanceBody, Post
from reports.papers.pdf import StaticOnlyFetcher, static_root
from reports.papers.registry import render_paper
from reports.selectors import plan_snapshot
from tests.factories import (
    ActionFactory,
    AgencyFactory,
    FindingFactory,
    GovernanceBodyFactory,
    InspectionFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    ProgressUpdateFactory,
    SectionFactory,
    UserFactory,
)

AS_AT = dt.date(2017, 3, 31)  # the date most papers are produced "as at"
LATE = dt.date(2017, 5, 2)  # an update after it, which those papers must not show
LATE_WORDS = "Written after the paper's date"

SECTIONS = [
    # number, title, parent number, issues raised
    ("1", "Front Door of Services and Multi-Agency Safeguarding Hub (MASH)", None,
     "Not all children receive a high quality and timely response at the point of referral to children's "
     "services. Thresholds for interventions are not generally well understood. 75% of referrals lead to NFA "
     "or are stepped down to early help. Some schools do not know who their MASH representative is."),
    ("2", "Standards of Practice", None, ""),
    ("2.1", "Assessments", "2",
     "The quality of analysis and information gathering within assessments in CSC assessment teams is "
     "variable, leading to poor decision making and drift."),
    ("2.2", "Recording and Timeliness", "2",
     "Recording of discussions and actions at some multi-agency strategy meetings are not sufficiently robust "
     "and are not held in a timely way."),
    ("2.3", "Supervision", "2",
     "Supervision and management sign off of assessments do not sufficiently challenge poor practice including "
     "gaps, missing information, poor recording, drift and delay."),
    ("3", "Resources and Performance Management", None,
     "Some very high caseloads for children's social workers adversely affecting quality. The LSCB does not set "
     "baselines and targets to measure against."),
]
LEAF_SECTIONS = ["1", "2.1", "2.2", "2.3", "3"]

ACTIONS = [
    ("Children's Social Care, Police, Health to lead on the remodelling of the MASH and improved interface with "
     "new CSC Assessment Duty Teams.", "Referral routes into CSC are clear. Published response times to referrals "
     "will be met.", "Incremental rise each quarter in timeliness of response over next year.",
     "Chair of MASH Steering Group"),
    ("6 monthly audits take place of pathway into CSC, including the MASH to assess quality of referral.",
     "High quality referrals with timely response.", "Audits of 50 cases demonstrate that cases meet required "
     "standards in relation to quality of referral, response and feedback to referrers.",
     "Chair of MASH Steering Group"),
    ("Termly reminders to be sent to schools about the TON Matrix and how to refer to CSC.",
     "Thresholds are understood and referrals meet required standards.",
     "100% of schools receive termly reminders.", "Deputy Director CSC"),
    ("CSC to revise training on 'Analysis into Assessment' and develop Action Learning Sets for seniors and "
     "managers.", "High quality holistic assessments; improved decision making; realistic planning; the child is "
     "involved in the planning.", "Lunchtime training and Action Learning arrangements in place across social "
     "work teams. 100% newly qualified social workers completed the training during their ASYE.",
     "Principal Social Worker"),
    ("CSC to provide external training for all managers who chair strategy meetings.",
     "Strategy meetings lead to SMART action plans and hold agencies to account for their contributions.",
     "Training delivered to 100% managers who undertake strategy meetings.", "Principal Social Worker"),
    ("Audit of strategy meetings focusing on recording, action planning, interventions and timeliness.",
     "Improved quality, recording, timeliness of strategy meetings.", "Audit work of strategy meetings evidences "
     "improved recording, action planning, interventions and timeliness in 90% of cases.",
     "Independent Reviewing Officers"),
    ("Supervision observations and audits undertaken to ensure high standards of practice and minimise drift.",
     "Supervision practice and management oversight meet required standards.",
     "Supervision taking place every 4-6 weeks for 100% practitioners.\nRequired standards met in 100% of "
     "bi-annual supervision observations and audits.", "CSC Area Managers"),
    ("OSCB to review its multi-agency dataset and set targets against key priority measures.",
     "OSCB identifies key concerns across the safeguarding system early and is able to instigate action.",
     "New dataset in place and targets monitored, escalated and benchmarked against statistical neighbours.",
     "Chair of Performance, Audit and Quality Assurance Sub-Group of OSCB"),
]

GLOSSARY = [
    ("ASYE", "Assessed and Supported Year of Employment for newly qualified social workers"),
    ("CSC", "Children's Social Care"),
    ("LSCB", "Local Safeguarding Children Board"),
    ("MASH", "Multi-Agency Safeguarding Hub"),
    ("NFA", "No Further Action"),
    ("OSCB", "Oxfordshire Safeguarding Children Board"),
    ("SMART", "Specific, Measurable, Attainable, Relevant, Time-bound"),
    ("TON Matrix", "Threshold of Needs Matrix"),
    ("ZZQ", "A term this plan never uses"),
]


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 12, 0))


def build_plan(n_actions: int = 30, *, slug: str = "testshire-jtai-2016", history: bool = True):
    """A live plan with sections, actions, dated updates (one after AS_AT), revisions and
    sign-offs. Deterministic: the same call gives the same plan."""
    council = AgencyFactory(name="Testshire County Council", short_name="TCC")
    police = AgencyFactory(name="Testshire Police", short_name="TP")
    health = AgencyFactory(name="Testshire Clinical Commissioning Group", short_name="CCG", sector="health")
    board = GovernanceBody.objects.filter(name="Testshire Safeguarding Children Board").first() or GovernanceBodyFactory(
        name="Testshire Safeguarding Children Board", short_name="TSCB", kind=BodyKind.BOARD
    )
    cabinet = GovernanceBody.objects.filter(name="Cabinet").first() or GovernanceBodyFactory(
        name="Cabinet", kind=BodyKind.CABINET
    )
    inspection = InspectionFactory(
        title="Joint Targeted Area Inspection of the multi-agency response to abuse and neglect in Testshire",
        kind=InspectionKind.JTAI,
        inspectorates=["ofsted", "cqc", "hmicfrs", "hmi_probation"],
        onsite_from=dt.date(2016, 3, 7),
        onsite_to=dt.date(2016, 3, 11),
        published_on=dt.date(2016, 5, 10),
        wsoa_due_on=dt.date(2016, 8, 15),
        overall_grade=Grade.GOOD,
    )
    FindingFactory(inspection=inspection, kind=FindingKind.STRENGTH, order=1, paragraphs="6",
                   text="Strategic leadership from individuals, agencies and the safeguarding board.")
    FindingFactory(inspection=inspection, kind=FindingKind.STRENGTH, order=2, paragraphs="7",
                   text="A high standard of inter-agency working with sexually exploited children.")
    findings = [
        FindingFactory(inspection=inspection, kind=FindingKind.AREA_FOR_IMPROVEMENT, order=10 + i, paragraphs=str(40 + i),
                       text=text)
        for i, text in enumerate([
            "The front door of services and the MASH.",
            "Standards of practice: assessments, recording, timeliness and supervision.",
            "Resources: caseloads are too high in some teams.",
        ])
    ]
    plan = PlanFactory(
        title="Testshire JTAI 2016 action plan",
        slug=slug,
        status=PlanStatus.LIVE,
        plan_date=dt.date(2016, 7, 1),
        introduction="Partners in Testshire welcome the outcome of the Joint Targeted Area Inspection.\n\n"
        "This statement sets out what we will do about the areas for improvement, and how we will know.",
        monitoring_body=board,
    )
    plan.inspections.add(inspection)
    manager = UserFactory(email="tan.lea@example.test", full_name="Tan Lea", agency=council, phone="01234 567890")
    plan.managers.add(manager)
    PartnerSignOff.objects.create(plan=plan, agency=council, person_name="Jim Leivers",
                                  post_title="Director of Children's Services", signed_on=dt.date(2016, 7, 5))
    PartnerSignOff.objects.create(plan=plan, agency=police, person_name="Jason Hogg",
                                  post_title="Assistant Chief Constable", signed_on=dt.date(2016, 7, 6))
    BoardSignOff.objects.create(plan=plan, body=board, signed_on=dt.date(2016, 7, 12), minute_reference="OSCB/16/42")
    BoardSignOff.objects.create(plan=plan, body=cabinet, signed_on=dt.date(2016, 7, 19))
    for term, meaning in GLOSSARY:
        GlossaryTerm.objects.get_or_create(term=term, defaults={"meaning": meaning})

    sections = {}
    for order, (number, title, parent, issues) in enumerate(SECTIONS):
        sections[number] = SectionFactory(plan=plan, number=number, title=title, order=order,
                                          parent=sections.get(parent), issues_raised=issues)
    posts = {}
    for _, _, _, lead in ACTIONS:
        if lead not in posts:
            posts[lead] = Post.objects.filter(agency=council, title=lead).first()
            if posts[lead] is None:
                posts[lead] = PostFactory(agency=council, title=lead)
                PostHoldingFactory(post=posts[lead], person=UserFactory(full_name=f"Holder of {lead}"[:150]),
                                   started_on=dt.date(2015, 1, 1))
    author = UserFactory(email="officer@example.test", full_name="Olu Officer", agency=council)
    approver = UserFactory(email="director@example.test", full_name="Dee Director", agency=council)

    per_section = [n_actions // len(LEAF_SECTIONS) + (1 if i < n_actions % len(LEAF_SECTIONS) else 0)
                   for i in range(len(LEAF_SECTIONS))]
    index = 0
    for number, count in zip(LEAF_SECTIONS, per_section, strict=True):
        for k in range(count):
            description, outcome, measure, lead = ACTIONS[index % len(ACTIONS)]
            due = dt.date(2016, 8, 31) + dt.timedelta(days=30 * (index % 15))
            action = ActionFactory(
                plan=plan, section=sections[number], reference=f"{number}.{k + 1}" if "." not in number else f"{number}.{k + 1}",
                order=index, description=description, outcome=outcome, success_measure=measure,
                lead_post=posts[lead], due_date=due, start_date=None, status=ActionStatus.NOT_STARTED,
            )
            if index % 4 == 1:
                action.partner_agencies.add(police, health)
            action.findings.add(findings[min(LEAF_SECTIONS.index(number), 2)])
            if history:
                _history(action, index, author, approver)
            index += 1
    return plan


def _history(action, i, author, approver):
    """Updates, revisions and sign-offs in a pattern that gives every RAG and exception."""
    kind = i % 6
    plan_rag = [RAG.GREEN, RAG.AMBER, RAG.RED, RAG.GREEN, RAG.GREEN, RAG.AMBER][kind]
    ProgressUpdateFactory(action=action, as_of=dt.date(2016, 9, 30), author=author, proposed_rag=RAG.GREEN,
                          status=ActionStatus.IN_PROGRESS, narrative=f"Work on {action.reference} has started.")
    status = ActionStatus.IN_PROGRESS
    if kind == 3:
        status = ActionStatus.DELIVERED
    elif kind == 4:
        status = ActionStatus.OUTCOME_EVIDENCED
    ProgressUpdateFactory(action=action, as_of=dt.date(2017, 2, 28), author=author, proposed_rag=plan_rag,
                          status=status, created_at=_at(dt.date(2017, 2, 28)),
                          narrative=f"Update on {action.reference}: audits of 20 cases completed; findings reported "
                          "to the MASH Steering Group.")
    if status == ActionStatus.OUTCOME_EVIDENCED and i % 12 == 4:
        ActionSignOff.objects.create(action=action, stage=SignOffStage.OUTCOME_EVIDENCED, signed_by=approver,
                                     signed_at=_at(dt.date(2017, 3, 1)), note="Audit shows the impact.")
    if kind == 5:
        # Revised in January, before the paper's date.
        old = action.due_date
        new = old + dt.timedelta(days=120)
        DueDateRevision.objects.create(action=action, old_date=old, new_date=new,
                                       reason="Additional resource needed from the CCG.", requested_by=author,
                                       requested_at=_at(dt.date(2017, 1, 10)), decision=Decision.APPROVED,
                                       decided_by=approver, decided_at=_at(dt.date(2017, 1, 17)))
        action.due_date = new
        action.save()
    if kind == 1 and i % 12 == 1:
        DueDateRevision.objects.create(action=action, old_date=action.due_date,
                                       new_date=action.due_date + dt.timedelta(days=60),
                                       reason="Waiting for the new case recording system.", requested_by=author,
                                       requested_at=_at(dt.date(2017, 3, 20)))
    # A later update that papers as at AS_AT must not show.
    final_status = ActionStatus.DELIVERED if kind in (0, 3) else status
    ProgressUpdateFactory(action=action, as_of=LATE, author=author, proposed_rag=RAG.GREEN, status=final_status,
                          created_at=_at(LATE), narrative=f"{LATE_WORDS}: {action.reference} delivered.")
    action.status = final_status
    action.save()


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# ---------------------------------------------------------------------------- tests


@pytest.fixture
def plan(db):
    return build_plan(30)


@pytest.fixture
def ofsted_pdf(plan):
    return render_paper(plan, kind="ofsted-plan", fmt="pdf", as_at=AS_AT)


def test_every_page_is_numbered_page_n_of_n(ofsted_pdf):
    pages = pdf_pages(ofsted_pdf.content)
    assert ofsted_pdf.page_count == len(pages) > 2
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text


def test_the_cover_carries_the_inspection_and_the_sign_offs(ofsted_pdf):
    cover = squash(" ".join(pdf_pages(ofsted_pdf.content)[:3]))
    assert "Demo County Council" in cover or "Council" in cover
    for expected in [
        "Joint Targeted Area Inspection of the multi-agency response",
        "Written Statement of Action",
        "Ofsted, CQC, HMICFRS, HMI Probation",
        "7 March 2016 to 11 March 2016",
        "10 May 2016",
        "15 August 2016",
        "Partners in Testshire welcome",
        "Strategic leadership from individuals",  # a strength
        "The front door of services and the MASH",  # an area for improvement
        "Jim Leivers", "Director of Children's Services", "Testshire Police", "05/07/2016",
        "Testshire Safeguarding Children Board", "12/07/2016", "Cabinet", "19/07/2016",
    ]:
        assert expected in cover, expected


def test_the_plan_table_has_the_councils_columns_sections_and_every_action(plan, ofsted_pdf):
    text = squash(" ".join(pdf_pages(ofsted_pdf.content)))
    header = "Issues raised by inspectors Action What will be different How will we know Completion date Lead"
    assert header in text
    for number, title, _, _ in SECTIONS:
        assert f"{number}{'' if '.' in number else '.'} {title}" in text
    for action in plan.actions.all():
        assert re.search(rf"(?<![\d.]){re.escape(action.reference)}(?![\d])", text), action.reference
    # Issues raised are printed once per section, not on every row.
    assert text.count("Some schools do not know who their MASH representative is") == 1


def test_the_table_header_repeats_on_every_page_of_the_table(ofsted_pdf):
    pages = [squash(p) for p in pdf_pages(ofsted_pdf.content)]
    header = "Issues raised by inspectors Action What will be different How will we know Completion date Lead"
    first = next(i for i, p in enumerate(pages) if header in p)
    last = max(i for i, p in enumerate(pages) if re.search(r"\b3\.\d+ ", p))
    assert last > first  # the table runs over several pages
    for page in pages[first : last + 1]:
        assert header in page


def test_the_glossary_lists_only_the_acronyms_the_plan_uses(ofsted_pdf):
    pages = pdf_pages(ofsted_pdf.content)
    glossary = squash(pages[-1])
    assert "Glossary" in glossary
    for term, meaning in GLOSSARY[:-1]:
        assert f"{term} – {meaning}" in glossary, term
    assert "ZZQ" not in squash(" ".join(pages))


def test_the_pdf_is_tagged_landscape_a4_with_title_and_language(ofsted_pdf):
    reader = PdfReader(io.BytesIO(ofsted_pdf.content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title.startswith("Joint Targeted Area Inspection")
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 842 and round(float(box.height)) == 595  # A4 landscape, in points
    assert ofsted_pdf.file_name == "testshire-jtai-2016-ofsted-plan-2017-03-31.pdf"


def test_the_same_inputs_give_the_same_bytes(plan):
    first = render_paper(plan, kind="ofsted-plan", fmt="pdf", as_at=AS_AT)
    second = render_paper(plan, kind="ofsted-plan", fmt="pdf", as_at=AS_AT)
    assert first.content == second.content
    assert PdfReader(io.BytesIO(first.content)).metadata["/CreationDate"].startswith("D:20170331")


def test_as_at_a_past_date_leaves_out_later_updates_revisions_and_sign_offs(plan):
    PartnerSignOff.objects.create(plan=plan, agency=AgencyFactory(name="Late Agency", short_name="LATE"),
                                  person_name="Lottie Late", post_title="Chief Executive", signed_on=LATE)
    early = squash(" ".join(pdf_pages(render_paper(plan, kind="ofsted-plan", fmt="pdf", as_at=AS_AT).content)))
    later = squash(" ".join(pdf_pages(render_paper(plan, kind="ofsted-plan", fmt="pdf", as_at=LATE).content)))
    assert "Lottie Late" not in early and "Lottie Late" in later


def test_the_snapshot_takes_updates_and_revisions_on_or_before_the_date(plan):
    snapshot = plan_snapshot(plan, as_at=AS_AT)
    for action in snapshot.actions:
        assert action.latest_update is None or action.latest_update.as_of <= AS_AT
        assert all(timezone.localtime(r.requested_at).date() <= AS_AT for r in action.revisions_as_at)
    later = plan_snapshot(plan, as_at=LATE)
    assert all(a.latest_update.as_of == LATE for a in later.actions)
    assert snapshot.rag_counts != later.rag_counts


def test_the_snapshot_counts_agree_with_the_rag_rule(plan):
    snapshot = plan_snapshot(plan, as_at=LATE)
    assert snapshot.rag_counts == rag_counts(plan.actions.all(), LATE)


def _queries(n_actions: int, slug: str) -> int:
    plan = build_plan(n_actions, slug=slug)
    plan_snapshot(plan, as_at=AS_AT)  # warm caches (content types and the like)
    with CaptureQueriesContext(connection) as queries:
        snapshot = plan_snapshot(plan, as_at=AS_AT)
        for action in snapshot.actions:  # everything the templates touch
            _ = (action.lead_display, action.lead_holder, action.partner_names, action.latest_update,
                 action.section, [f.text for f in action.findings.all()])
            if action.latest_update:
                _ = action.latest_update.author_display
        for block in snapshot.blocks_with_actions:
            _ = block.issue_findings
    assert len(snapshot.actions) == n_actions
    return len(queries)


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_number_of_actions():
    assert _queries(5, "small-plan") == _queries(50, "larger-plan")


def test_weasyprint_may_only_fetch_files_in_the_static_folder(tmp_path):
    fetcher = StaticOnlyFetcher()
    css = static_root() / "print" / "print.css"
    response = fetcher.fetch(css.as_uri())
    assert b"@page" in response.read()
    secret = tmp_path / "secret.txt"
    secret.write_text("personal data")
    for url in [
        secret.as_uri(),
        "file:///etc/passwd",
        (static_root() / ".." / "manage.py").as_uri(),
        "http://example.org/logo.png",
        "https://169.254.169.254/latest/meta-data/",
        "data:text/plain,hello",
    ]:
        with pytest.raises(ValueError, match="Refused"):
            fetcher.fetch(url)


def test_a_paper_with_a_remote_image_renders_without_fetching_it(plan, monkeypatch):
    fetched = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    action = plan.actions.first()
    action.description = 'See <img src="http://example.org/track.png"> and file:///etc/passwd'
    action.save()
    rendered = render_paper(plan, kind="ofsted-plan", fmt="pdf", as_at=AS_AT)
    assert rendered.content.startswith(b"%PDF")
    # User text is escaped, so the only thing WeasyPrint asked for was the stylesheet.
    assert all(url.startswith(static_root().as_uri()) for url in fetched)
    assert "<img" in squash(" ".join(pdf_pages(rendered.content)))


def test_a_row_taller_than_a_page_breaks_readably_under_a_repeated_header(db):
    plan = build_plan(4, slug="long-row-plan")
    action = plan.actions.order_by("order")[1]
    action.success_measure = " ".join(f"measure{i}" for i in range(600)) + " lastwords"
    action.save()
    pages = [squash(p) for p in pdf_pages(render_paper(plan, kind="ofsted-plan", fmt="pdf", as_at=AS_AT).content)]
    header = "Issues raised by inspectors Action What will be different How will we know Completion date Lead"
    running = [i for i, p in enumerate(pages) if "measure" in p]
    assert len(running) >= 3  # the row runs over several pages...
    for i in running:
        assert header in pages[i]  # ...each with the column headings
    text = " ".join(pages)
    assert re.search(r"\bmeasure0\b", text) and re.search(r"measure599\s+lastwords", text)  # and nothing is cut off
