"""The two sample plans import from CSV, XLSX and DOCX into the same records."""

import datetime as dt
import io
import time
from pathlib import Path

import docx as docx_module
import openpyxl
import pytest
from django.db import transaction

from actionplans.choices import ActionStatus
from actionplans.importing import build_preview, plan_import_commit, read_file
from actionplans.importing import commit as commit_module
from actionplans.importing.columns import suggest_mapping
from actionplans.models import Action, ActionLink, DueDateRevision, Plan, ProgressUpdate, Section
from inspections.choices import InspectionKind
from inspections.models import Finding
from partners.models import Agency, Post
from tests.factories import AgencyFactory, InspectionFactory, PostFactory

SAMPLES = Path(__file__).parent / "data" / "samples"
OXFORDSHIRE = "oxfordshire-jtai-2016-action-plan"
MEDWAY = "medway-2012-progress-report"
FORMATS = ["csv", "xlsx", "docx"]


@pytest.fixture
def oxfordshire(db):
    return InspectionFactory(
        title="Oxfordshire JTAI 2016", kind=InspectionKind.JTAI, area="Oxfordshire",
        inspectorates=["ofsted", "cqc", "hmicfrs", "hmi_probation"], published_on=dt.date(2016, 5, 10),
    )


@pytest.fixture
def medway(db):
    return InspectionFactory(
        title="Medway safeguarding and looked after children 2011", kind=InspectionKind.SAFEGUARDING_LAC,
        area="Medway", inspectorates=["ofsted", "cqc"], published_on=dt.date(2011, 11, 25),
    )


def _import(name: str, ext: str, inspection, plan=None) -> Plan:
    grid = read_file(SAMPLES / f"{name}.{ext}")
    preview = build_preview(grid, reference_date=(plan.plan_date if plan else inspection.published_on))
    return plan_import_commit(preview=preview, plan=plan, inspection=inspection)


def snapshot(plan: Plan) -> dict:
    """Everything the import wrote for a plan, without ids, to compare formats field by field."""
    sections = [
        (s.number, s.title, s.parent.number if s.parent else None, s.issues_raised, s.order)
        for s in plan.sections.select_related("parent")
    ]
    actions = []
    for a in plan.actions.select_related("section", "lead_post__agency").prefetch_related(
        "partner_agencies", "findings", "revisions", "updates", "links_out__to_action"
    ):
        actions.append({
            "reference": a.reference, "order": a.order, "section": a.section.number if a.section else None,
            "description": a.description, "outcome": a.outcome, "measure": a.success_measure,
            "lead_post": (a.lead_post.title, a.lead_post.agency.name) if a.lead_post else None,
            "lead_text": a.lead_text, "partners": sorted(p.name for p in a.partner_agencies.all()),
            "start": a.start_date, "due": a.due_date, "original_due": a.original_due_date, "due_text": a.due_text,
            "status": a.status, "extra": a.extra_columns,
            "findings": sorted((f.text, f.paragraphs, tuple(f.inspectorates), f.kind, f.theme) for f in a.findings.all()),
            "revisions": [(r.old_date, r.new_date, r.reason, r.decision) for r in a.revisions.all()],
            "updates": sorted((u.as_of, u.narrative, u.status, u.proposed_rag) for u in a.updates.all()),
            "links": sorted((link.to_action.reference, link.note) for link in a.links_out.all()),
        })  # fmt: skip
    return {"sections": sections, "actions": actions}


# --- counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", FORMATS)
def test_oxfordshire_counts(oxfordshire, ext):
    plan = _import(OXFORDSHIRE, ext, oxfordshire)
    top = plan.sections.filter(parent__isnull=True)
    assert [s.number for s in top] == ["1", "2", "3"]
    assert sorted(plan.sections.filter(parent__isnull=False).values_list("number", flat=True)) == [
        "2.1", "2.2", "2.3", "3.1", "3.2",
    ]
    assert plan.actions.count() == 24
    assert ActionLink.objects.filter(from_action__plan=plan).count() == 2
    sub = plan.sections.get(number="2.1")
    assert sub.title == "Assessments" and sub.parent.number == "2"
    assert sub.issues_raised.startswith("General requests for information from the police")
    assert plan.sections.get(number="3.2").title == "Performance Management"


def test_oxfordshire_details(oxfordshire):
    plan = _import(OXFORDSHIRE, "xlsx", oxfordshire)
    first = plan.actions.get(reference="1.1")
    assert first.due_date == dt.date(2017, 8, 31) and first.due_text == "08/2017"
    assert first.lead_post.title == "Chair of MASH Steering Group"
    assert first.lead_post.agency.name == "Oxfordshire (unassigned)"
    # "From 09/2016": a start, no due date, the text kept.
    termly = plan.actions.get(description__startswith="Termly reminders")
    assert termly.start_date == dt.date(2016, 9, 1) and termly.due_date is None and termly.due_text == "From 09/2016"
    # A blank "issues raised" cell is the same finding as above: one finding, nine actions.
    finding = Finding.objects.get(text__startswith="Not all children receive")
    assert finding.actions.count() == 9 and finding.inspection == oxfordshire
    assert finding.theme.startswith("Front Door")
    # "See 2.3 for audit work and observations." links the action above to an action in 2.3.
    links = ActionLink.objects.filter(from_action__plan=plan).select_related("from_action", "to_action")
    assert {link.from_action.reference for link in links} == {"2.1.2", "2.2.5"}
    assert {link.to_action.section.number for link in links} == {"2.3"}
    assert not plan.actions.filter(description__startswith="See 2.3").exists()
    # "Principal Social Worker/ Best Practice Educators." leads as the Principal Social Worker.
    psw = plan.actions.get(reference="2.1.2")
    assert psw.lead_post.title == "Principal Social Worker"
    assert psw.lead_text == "Principal Social Worker/ Best Practice Educators."
    assert Post.objects.filter(title="Principal Social Worker").count() == 1


@pytest.mark.parametrize("ext", FORMATS)
def test_medway_counts_and_revisions(medway, ext):
    plan = _import(MEDWAY, ext, medway)
    assert list(plan.sections.values_list("title", flat=True)) == [
        "OPERATIONAL DELIVERY IMPROVEMENTS", "PROCESS IMPROVEMENTS", "STRATEGY IMPROVEMENTS",
    ]
    assert plan.actions.count() == 21
    actions = {a.reference: a for a in plan.actions.all()}
    assert sorted(actions, key=int) == [str(n) for n in range(1, 22)]
    for action in actions.values():
        findings = list(action.findings.all())
        assert len(findings) == 1
        assert findings[0].inspectorates
    assert actions["1"].findings.get().inspectorates == ["ofsted", "cqc"]
    assert actions["2"].findings.get().inspectorates == ["ofsted"]
    assert actions["9"].findings.get().inspectorates == ["cqc"]
    assert not actions["1"].findings.get().text.endswith("2011)")

    expected = {
        "7": (dt.date(2012, 11, 30), "need for additional resource"),
        "10": (dt.date(2012, 12, 31), "revised to ensure fully implemented"),
        "11": (dt.date(2012, 12, 31), "Revised to ensure fully implemented"),
    }
    for reference, (new_date, reason) in expected.items():
        action = actions[reference]
        revision = action.revisions.get()
        assert (revision.old_date, revision.new_date, revision.reason) == (dt.date(2012, 2, 18), new_date, reason)
        assert action.original_due_date == dt.date(2012, 2, 18) and action.due_date == new_date
        assert action.is_revised
    for reference, text in (("15", "Revised to pilot activity for 6 months from Oct 12"), ("18", "extended timescale")):
        action = actions[reference]
        assert not action.revisions.exists()
        assert text in action.due_text
        assert action.due_date == dt.date(2012, 2, 18)
    assert DueDateRevision.objects.filter(action__plan=plan).count() == 3

    complete = {"1", "2", "3", "4", "5", "6", "8", "9", "12", "13", "14", "16", "17", "19", "21"}
    assert {r for r, a in actions.items() if a.is_complete} == complete
    assert all(actions[r].status == ActionStatus.IN_PROGRESS for r in {"7", "10", "11", "15", "18", "20"})
    assert actions["1"].due_date == dt.date(2011, 11, 25)  # "Immediately": the inspection's date
    assert actions["20"].due_date == dt.date(2012, 5, 18)


def test_medway_leads_and_partners(medway):
    plan = _import(MEDWAY, "csv", medway)
    first = plan.actions.get(reference="1")
    assert (first.lead_post.title, first.lead_post.agency.name) == ("Gray Smith-Laing", "Medway Foundation Trust")
    assert [a.name for a in first.partner_agencies.all()] == ["NHS Kent and Medway"]
    seventh = plan.actions.get(reference="7")
    assert seventh.lead_post.agency.name == "Medway Council"
    assert sorted(a.name for a in seventh.partner_agencies.all()) == ["Medway Foundation Trust", "NHS Kent and Medway"]
    assert plan.import_summary.review  # new posts and agencies are listed for review


def test_existing_posts_and_agencies_are_matched(medway):
    council = AgencyFactory(name="Medway Council", short_name="MC")
    post = PostFactory(agency=council, title="Helen Gulvin")
    plan = _import(MEDWAY, "csv", medway)
    assert plan.actions.get(reference="2").lead_post == post
    assert Agency.objects.filter(name="Medway Council").count() == 1


def test_progress_updates_and_complete_status(medway):
    plan = _import(MEDWAY, "docx", medway)
    update = ProgressUpdate.objects.get(action__plan=plan, action__reference="2")
    assert update.narrative == "No unallocated cases in system for longer than 24 hours as evidenced in the Performance Digest"
    assert update.as_of == plan.plan_date == dt.date(2011, 11, 25)
    assert update.status == ActionStatus.DELIVERED and update.author_name


# --- the same records whichever the format ---------------------------------------------------


@pytest.mark.parametrize("name,fixture", [(OXFORDSHIRE, "oxfordshire"), (MEDWAY, "medway")])
def test_formats_give_the_same_records(name, fixture, request):
    inspection = request.getfixturevalue(fixture)
    snapshots = {}
    for ext in FORMATS:
        sid = transaction.savepoint()
        plan = _import(name, ext, inspection)
        snapshots[ext] = snapshot(plan)
        transaction.savepoint_rollback(sid)
    assert snapshots["csv"]["sections"] == snapshots["xlsx"]["sections"] == snapshots["docx"]["sections"]
    for csv_action, xlsx_action, docx_action in zip(
        snapshots["csv"]["actions"], snapshots["xlsx"]["actions"], snapshots["docx"]["actions"], strict=True
    ):
        for key in csv_action:
            assert csv_action[key] == xlsx_action[key] == docx_action[key], (csv_action["reference"], key)


@pytest.mark.parametrize("name", [OXFORDSHIRE, MEDWAY])
def test_preview_json_is_the_same_for_every_format(name):
    previews = [build_preview(read_file(SAMPLES / f"{name}.{ext}"), reference_date=dt.date(2016, 7, 1)).to_dict() for ext in FORMATS]
    assert previews[0] == previews[1] == previews[2]


# --- re-import, all or nothing ---------------------------------------------------------------


@pytest.mark.parametrize("name,fixture", [(OXFORDSHIRE, "oxfordshire"), (MEDWAY, "medway")])
def test_reimport_updates_rather_than_duplicates(name, fixture, request):
    inspection = request.getfixturevalue(fixture)
    plan = _import(name, "xlsx", inspection)
    before = snapshot(plan)
    counts = (Action.objects.count(), ProgressUpdate.objects.count(), DueDateRevision.objects.count(),
              ActionLink.objects.count(), Finding.objects.count(), Section.objects.count(), Post.objects.count(),
              Agency.objects.count())  # fmt: skip
    again = _import(name, "docx", inspection, plan=plan)
    assert again.pk == plan.pk
    assert again.import_summary.actions_created == 0
    assert (Action.objects.count(), ProgressUpdate.objects.count(), DueDateRevision.objects.count(),
            ActionLink.objects.count(), Finding.objects.count(), Section.objects.count(), Post.objects.count(),
            Agency.objects.count()) == counts  # fmt: skip
    assert snapshot(plan) == before


def test_reimport_matches_changed_actions_by_text(oxfordshire):
    plan = _import(OXFORDSHIRE, "csv", oxfordshire)
    action = plan.actions.get(reference="1.2")
    grid = read_file(SAMPLES / f"{OXFORDSHIRE}.csv")
    for row in grid.rows:
        if row.text(1).startswith("6 monthly audits take place"):
            row.cells[4].value = "03/2017"
    preview = build_preview(grid, reference_date=plan.plan_date)
    plan_import_commit(preview=preview, plan=plan, inspection=oxfordshire)
    action.refresh_from_db()
    assert action.due_text == "03/2017" and action.due_date == dt.date(2017, 3, 31)
    assert plan.actions.count() == 24


def test_commit_is_all_or_nothing(medway, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(commit_module, "_new_updates", fail)
    preview = build_preview(read_file(SAMPLES / f"{MEDWAY}.csv"), reference_date=medway.published_on)
    with pytest.raises(RuntimeError):
        plan_import_commit(preview=preview, inspection=medway)
    assert not Plan.objects.exists()
    assert not Action.objects.exists() and not Section.objects.exists() and not Finding.objects.exists()
    assert not Agency.objects.exists() and not Post.objects.exists()


def test_commit_without_inspection_keeps_the_findings(db):
    preview = build_preview(read_file(SAMPLES / f"{MEDWAY}.csv"), reference_date=dt.date(2011, 11, 25))
    plan = plan_import_commit(preview=preview)
    inspection = plan.inspections.get()
    assert inspection.findings.count() == 21
    assert plan.import_summary.inspection_created
    assert Agency.objects.filter(name="Unassigned agency").exists() is False  # Medway names every agency


# --- mapping ---------------------------------------------------------------------------------


def test_person_can_correct_the_mapping(oxfordshire):
    grid = read_file(SAMPLES / f"{OXFORDSHIRE}.csv")
    preview = build_preview(grid, mapping={3: "extra"}, reference_date=oxfordshire.published_on)
    assert preview.mapping[3] == "extra"
    first = preview.actions[0]
    assert first.measure == ""
    assert first.extra_columns == {"How will we know": "Incremental rise each quarter in timeliness of response over next year."}


@pytest.mark.parametrize(
    "heading,field",
    [
        ("Issues Raised by Inspectors", "finding"), ("Area for improvement", "finding"), ("Ofsted recommendation", "finding"),
        ("What the inspectors said", "finding"), ("Actions", "action"), ("What we will do", "action"),
        ("Action required", "action"), ("What will be different", "outcome"), ("Expected impact", "outcome"),
        ("Intended outcome for children", "outcome"), ("How will we know", "measure"), ("Success measures", "measure"),
        ("KPI / target", "measure"), ("Evidence of impact", "measure"), ("Lead", "lead"),
        ("Lead person (working with)", "lead"), ("Responsible officer", "lead"), ("Action owner", "lead"),
        ("Partners", "partners"), ("Supported by", "partners"), ("Completion date", "due"),
        ("Date to be completed", "due"), ("Timescale", "due"), ("Deadline", "due"), ("By when", "due"),
        ("Target date for completion", "due"), ("Revised date", "revised_due"), ("Progress", "progress"),
        ("Progress update (March 2017)", "progress"), ("Commentary", "progress"), ("RAG", "rag"),
        ("RAG rating", "rag"), ("BRAG status", "rag"), ("Status", "status"), ("Ref", "reference"),
        ("Action No.", "reference"), ("Theme", "section"), ("Start date", "start"), ("Colour of the sky", "extra"),
    ],
)  # fmt: skip
def test_headings_are_recognised_whatever_the_wording(heading, field):
    others = ["Action", "Lead"] if field not in ("action", "lead") else ["Progress"]
    assert suggest_mapping([heading, *others])[0] == field


def test_unplaced_columns_are_kept_on_the_action(oxfordshire):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Westshire Written Statement of Action 2019"])
    sheet.append([])
    sheet.append(["Ref", "Area for improvement", "Action", "Lead", "Deadline", "Budget", "RAG"])
    sheet.append(["1", "42. Supervision is not regular", "Audit supervision", "Head of Service (working with Westshire Police)",
                  dt.datetime(2019, 3, 31), "£2,000", "Amber"])
    sheet.append(["2", "", "Train managers", "Head of Service", "6 months", "", "G"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    preview = build_preview(read_file(buffer, filename="westshire.xlsx"), reference_date=dt.date(2019, 1, 1))
    assert preview.header_row == 3
    first, second = preview.actions
    assert first.extra_columns == {"Budget": "£2,000"}
    assert first.findings[0].paragraphs == "42" and first.findings[0].text == "Supervision is not regular"
    assert second.findings == first.findings  # blank: same as above
    assert first.due.due_date == dt.date(2019, 3, 31) and second.due.due_date == dt.date(2019, 7, 1)
    assert first.lead.post == "Head of Service" and first.partners == ["Westshire Police"]
    assert first.proposed_rag == "amber" and second.proposed_rag == "green"
    plan = plan_import_commit(preview=preview, inspection=oxfordshire)
    saved = plan.actions.get(reference="1")
    assert saved.extra_columns == {"Budget": "£2,000"}
    assert saved.partner_agencies.get().name == "Westshire Police"
    assert saved.updates.get().proposed_rag == "amber"


# --- scale -----------------------------------------------------------------------------------


def make_workbook(path: Path, actions: int = 1000) -> Path:
    """A plan of ``actions`` actions in 10 sections of 10 sub-sections, with dated progress."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Action plan"
    sheet.append(["Large county partnership action plan"])
    sheet.append(["Issues raised", "Action", "What will be different", "How will we know", "Lead",
                  "Completion date", "Progress", "RAG"])  # fmt: skip
    per_sub = max(actions // 100, 1)
    made = 0
    for top in range(1, 11):
        sheet.append([f"{top}. Theme number {top}"])
        for sub in range(1, 11):
            for n in range(per_sub):
                if made >= actions:
                    break
                finding = f"{top}.{sub} Topic {sub} Practice needs to improve in area {top}-{sub}." if n == 0 else None
                sheet.append([
                    finding, f"Action {made + 1}: do the work number {made + 1}.", "Children are safer.",
                    "Audits show it.", f"Head of Service {sub} (working with Police {top})",
                    dt.datetime(2017, 1 + made % 12, 1 + made % 28),
                    f"12.1.17 Audit of {made} cases completed. 3.2.17 Findings taken to the board.", "Amber",
                ])  # fmt: skip
                made += 1
    workbook.save(path)
    return path


def test_a_thousand_action_workbook(tmp_path, oxfordshire, capsys):
    path = make_workbook(tmp_path / "big.xlsx")
    started = time.perf_counter()
    preview = build_preview(read_file(path), reference_date=dt.date(2016, 7, 1))
    previewed = time.perf_counter()
    plan = plan_import_commit(preview=preview, inspection=oxfordshire)
    finished = time.perf_counter()
    assert plan.actions.count() == 1000
    assert ProgressUpdate.objects.filter(action__plan=plan).count() == 2000
    with capsys.disabled():
        print(
            f"\n[import timing] 1,000-action workbook: read and preview {previewed - started:.1f} s, "
            f"commit {finished - previewed:.1f} s, total {finished - started:.1f} s"
        )


# --- layouts: split tables, merged cells, bold section rows ----------------------------------


def test_docx_split_table_and_merged_cells_are_understood():
    document = docx_module.Document()
    document.add_paragraph("Written Statement of Action")
    headings = ["Issues raised", "Action", "Lead", "Completion date"]
    first = document.add_table(rows=4, cols=4)
    for cell, text in zip(first.rows[0].cells, headings, strict=True):
        cell.text = text
    section = first.rows[1].cells[0].merge(first.rows[1].cells[3])
    section.text = "1. Front Door"
    first.rows[2].cells[0].text = "para 17 Thresholds are not understood."
    merged = first.rows[2].cells[0].merge(first.rows[3].cells[0])  # the finding spans two actions
    assert merged.text.startswith("para 17")
    for row, (action, due) in zip(first.rows[2:], [("Relaunch thresholds", "Dec 16"), ("Train staff", "Q1 2017")], strict=True):
        row.cells[1].text, row.cells[2].text, row.cells[3].text = action, "MASH manager", due
    document.add_page_break()
    second = document.add_table(rows=3, cols=4)  # the table goes on over the page, heading repeated
    for cell, text in zip(second.rows[0].cells, headings, strict=True):
        cell.text = text
    run = second.rows[1].cells[1].paragraphs[0].add_run("2. Supervision")
    run.bold = True
    row = second.rows[2].cells
    row[0].text, row[1].text, row[2].text, row[3].text = "42. Supervision is not regular.", "Audit supervision", "PSW", "31/03/2017"
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    preview = build_preview(read_file(buffer, filename="split.docx"), reference_date=dt.date(2016, 7, 1))
    assert [(s.number, s.title) for s in preview.sections] == [("1", "Front Door"), ("2", "Supervision")]
    assert [a.reference for a in preview.actions] == ["1.1", "1.2", "2.1"]
    one, two, three = preview.actions
    assert one.findings == two.findings and one.findings[0].paragraphs == "17"
    assert one.findings[0].text == "Thresholds are not understood."
    assert three.findings[0].paragraphs == "42" and three.findings[0].text == "Supervision is not regular."
    assert (one.due.due_date, two.due.due_date) == (dt.date(2016, 12, 31), dt.date(2017, 3, 31))


def test_xlsx_merged_section_rows_and_merged_findings():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Improvement plan"])
    sheet.append(["Recommendation", "Actions", "Responsible officer", "Timescale", "Progress update"])
    sheet.append(["PRIORITY ONE: CHILD PROTECTION"])
    sheet.merge_cells("A3:E3")
    sheet.append(["Strategy meetings are late (para 31, 32)", "Chair strategy meetings within 3 days", "Head of CP",
                  "Ongoing", "12/01/2017 Audit done. 03/02/2017 Board told. COMPLETE"])
    sheet.append([None, "See 1.2 for the audit", None, None, None])
    sheet.append([None, "Monthly dip sample", "Head of CP", "31/12/2017", "Not yet started"])
    sheet.merge_cells("A4:A6")
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    preview = build_preview(read_file(buffer, filename="merged.xlsx"), reference_date=dt.date(2016, 7, 1))
    assert [(s.number, s.title) for s in preview.sections] == [("1", "PRIORITY ONE: CHILD PROTECTION")]
    first, second = preview.actions
    assert first.findings[0].paragraphs == "31, 32" and second.findings == first.findings
    assert first.findings[0].kind == "recommendation"
    assert [(u.date, u.text) for u in first.updates] == [(dt.date(2017, 1, 12), "Audit done."), (dt.date(2017, 2, 3), "Board told.")]
    assert first.status == "delivered" and second.status == "in_progress"
    assert [link.to for link in first.links] == ["1.2"]  # "See 1.2": the action above points at 1.2


def test_medway_findings_are_recommendations(medway):
    preview = build_preview(read_file(SAMPLES / f"{MEDWAY}.csv"), reference_date=medway.published_on)
    assert {f.kind for f in preview.findings} == {"recommendation"}
    oxford = build_preview(read_file(SAMPLES / f"{OXFORDSHIRE}.csv"), reference_date=dt.date(2016, 7, 1))
    assert {f.kind for f in oxford.findings} == {"area_for_improvement"}
