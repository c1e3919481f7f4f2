"""The actions table's CSV and Excel downloads: exactly the filtered rows in the page's
order, scoped per role by the one rule, in a shape the plan import reads back, with real
dates in Excel, and a query count that does not grow with the rows."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans.actions import exports
from actionplans.choices import RAG, ActionStatus, ReviewState
from actionplans.importing import build_preview, plan_import_commit, read_file
from actionplans.models import Action
from actionplans.rag import annotate_rag
from partners.models import User
from tests.factories import (
    ActionFactory,
    AgencyFactory,
    FindingFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    ProgressUpdateFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
LIST = reverse("actionplans:action_list")
EXPORT = reverse("actionplans:action_export")


def page_refs(client, params) -> list[str]:
    """Every row the table shows for ``params``, page after page."""
    refs, page = [], 1
    while True:
        response = client.get(LIST, {**params, "page": page})
        assert response.status_code == 200
        table = response.context["table"]
        refs.extend(row.record.reference for row in table.paginated_rows)
        if not table.page or not table.page.has_next():
            return refs
        page += 1


def xlsx_sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def xlsx_records(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == exports.HEADINGS
    return [dict(zip(exports.HEADINGS, row, strict=True)) for row in values[1:]]


def csv_records(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    assert rows[0] == exports.HEADINGS
    return [dict(zip(exports.HEADINGS, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def partnership(council, police, officer, partner_officer):
    """A plan of 48 actions: 27 red, overdue and led or supported by the police (more than
    a page of the table), and others that each fail one part of that filter."""
    plan = PlanFactory(title="Testshire JTAI plan", slug="testshire-jtai")
    section = SectionFactory(plan=plan, number="1", title="Front door")
    detective = PostFactory(agency=police, title="Detective Superintendent")
    PostHoldingFactory(post=detective, person=partner_officer)
    psw = PostFactory(agency=council, title="Principal Social Worker")
    PostHoldingFactory(post=psw, person=officer)
    health = AgencyFactory(name="Testshire Health", short_name="TH")
    expected = []
    for n in range(48):
        kind = n % 8
        police_led = kind != 1
        action = ActionFactory(
            plan=plan, section=section, reference=f"1.{n + 1}", order=n,
            lead_post=detective if police_led else psw,
            due_date=TODAY - (n + 1) * DAY if kind not in (2, 3) else TODAY + (n + 1) * DAY,
            status=ActionStatus.DELIVERED if kind == 4 else ActionStatus.IN_PROGRESS,
        )
        if kind == 1 and n % 16 == 1:
            action.partner_agencies.add(police)  # supported by the police: still theirs
        if kind == 5:
            action.partner_agencies.add(health)
        if kind == 3:
            ProgressUpdateFactory(action=action, proposed_rag="red")  # red, but not overdue
        if kind not in (2, 3, 4) and (police_led or n % 16 == 1):
            expected.append(action.reference)
    return {"plan": plan, "expected": expected}


RED_OVERDUE_POLICE = {"rag": "red", "overdue": "yes", "agency": "TP"}


def test_a_director_downloads_red_overdue_actions_of_one_agency_as_excel(client, director, partnership):
    client.force_login(director)
    shown = page_refs(client, RED_OVERDUE_POLICE)
    assert len(shown) > 25, "more than one page of the table"
    assert sorted(shown) == sorted(partnership["expected"])
    page = client.get(LIST, RED_OVERDUE_POLICE)
    download = client.get(page.context["export_xlsx_url"])
    assert download["Content-Disposition"] == f'attachment; filename="actions-{TODAY.isoformat()}.xlsx"'
    records = xlsx_records(xlsx_sheet(download))
    assert [r["Reference"] for r in records] == shown
    assert {r["RAG"] for r in records} == {"Red"}
    assert all(r["Due date"].date() < TODAY for r in records)


def test_the_csv_holds_the_same_rows(client, director, partnership):
    client.force_login(director)
    page = client.get(LIST, RED_OVERDUE_POLICE)
    records = csv_records(client.get(page.context["export_csv_url"]))
    assert [r["Reference"] for r in records] == page_refs(client, RED_OVERDUE_POLICE)


@pytest.mark.parametrize("sort", ["-due", "rag", "-ref", "lead", "partners"])
def test_the_download_keeps_the_page_order(client, director, partnership, sort):
    client.force_login(director)
    params = {"sort": sort, "per_page": "100"}
    records = xlsx_records(xlsx_sheet(client.get(EXPORT, {**params, "format": "xlsx"})))
    assert [r["Reference"] for r in records] == page_refs(client, params)


@pytest.mark.parametrize(
    "role", ["officer", "plan_manager", "director", "clerk", "member", "admin_user", "partner_officer", "outsider"]
)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_downloads_are_scoped_by_the_one_rule_per_role(client, request, partnership, role, file_format):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.get(EXPORT, {"format": file_format})
    records = csv_records(response) if file_format == "csv" else xlsx_records(xlsx_sheet(response))
    visible = list(Action.objects.for_user(user).order_by("order").values_list("reference", flat=True))
    assert [r["Reference"] for r in records] == visible
    if role == "outsider":
        assert records == []
    if role == "partner_officer":
        assert 0 < len(records) < 48


def test_bad_filters_send_the_person_back_to_the_page(client, director, partnership):
    client.force_login(director)
    response = client.get(EXPORT, {"format": "xlsx", "due_from": "31/02/2026", "rag": "red"})
    assert response.status_code == 302
    assert response["Location"].startswith(LIST) and "due_from=31" in response["Location"]
    assert "format" not in response["Location"]
    assert client.get(EXPORT, {"format": "pdf"}).status_code == 404


# --- the shape of the files -----------------------------------------------------------------


@pytest.fixture
def detailed(council, police):
    plan = PlanFactory(title="Detailed plan", slug="detailed")
    practice = SectionFactory(plan=plan, number="2", title="Standards of practice", order=1)
    assessments = SectionFactory(plan=plan, number="2.1", title="Assessments", parent=practice, order=2)
    post = PostFactory(agency=council, title="Principal Social Worker")
    finding = FindingFactory(text="Supervision is not regular or recorded.", paragraphs="42", inspectorates=["ofsted", "cqc"])
    action = ActionFactory(
        plan=plan, section=assessments, reference="2.1.1", order=1, lead_post=post,
        description="=SUM(A1) is how the audit tool totals scores", outcome="Plans are SMART.",
        success_measure="Audit of 50 cases", start_date=dt.date(2016, 9, 1), due_date=dt.date(2017, 3, 31),
        due_text="End of March 2017", status=ActionStatus.IN_PROGRESS,
    )
    action.due_date = dt.date(2017, 6, 30)
    action.save()
    action.findings.add(finding)
    action.partner_agencies.add(police)
    ProgressUpdateFactory(action=action, as_of=dt.date(2017, 2, 3), narrative="Findings taken to the board.",
                          proposed_rag="amber")
    ProgressUpdateFactory(action=action, as_of=dt.date(2017, 1, 12), narrative="Audit of 40 cases completed.",
                          proposed_rag="green")
    ProgressUpdateFactory(action=action, as_of=dt.date(2017, 2, 10), narrative="Sent back: no evidence.",
                          review_state=ReviewState.RETURNED)
    ActionFactory(plan=plan, section=practice, reference="2.2", order=2, lead_post=None, lead_text="CSC Area Managers",
                  description="Supervision every 4-6 weeks", due_date=None, status=ActionStatus.NOT_STARTED)
    return action


def test_excel_has_a_header_row_frozen_panes_wrapped_text_and_real_dates(client, director, detailed):
    client.force_login(director)
    sheet = xlsx_sheet(client.get(EXPORT, {"format": "xlsx", "plan": "detailed"}))
    assert sheet.title == "Actions"
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:P3"
    assert all(cell.font.bold for cell in sheet[1])
    by_heading = {cell.value: cell.column_letter for cell in sheet[1]}
    row = {heading: sheet[f"{letter}2"] for heading, letter in by_heading.items()}
    for heading in ("Start date", "Due date", "Original due date", "Last update"):
        assert row[heading].is_date and row[heading].number_format == "dd/mm/yyyy", heading
    assert row["Start date"].value.date() == dt.date(2016, 9, 1)
    assert row["Due date"].value.date() == dt.date(2017, 6, 30)
    assert row["Original due date"].value.date() == dt.date(2017, 3, 31)
    assert row["Last update"].value.date() == dt.date(2017, 2, 10)
    for heading in ("Issues raised by inspectors", "Action", "What will be different", "Progress"):
        assert row[heading].alignment.wrap_text, heading
    # Text that looks like a formula stays text.
    assert row["Action"].data_type == "s" and row["Action"].value.startswith("=SUM(A1)")
    assert row["Section"].value == "2.1 Assessments"
    assert row["Issues raised by inspectors"].value == "42. Supervision is not regular or recorded. (Ofsted, CQC)"
    assert row["Lead"].value == "Principal Social Worker, Testshire County Council"
    assert row["Partners"].value == "TP"
    assert row["Due date as written"].value == "End of March 2017"
    assert row["Status"].value == "In progress"
    assert row["RAG"].value == "Red"  # overdue: the RAG rule, not the lead's amber
    # Every update but the one returned to its author, oldest first, one a line.
    assert row["Progress"].value == "12/01/2017 Audit of 40 cases completed.\n03/02/2017 Findings taken to the board."
    second = [cell.value for cell in sheet[3]]
    assert second[exports.HEADINGS.index("Due date")] is None
    assert second[exports.HEADINGS.index("Lead")] == "CSC Area Managers"
    assert second[exports.HEADINGS.index("RAG")] == "Not yet rated"
    assert sheet.print_title_rows == "$1:$1"


def test_csv_has_iso_dates_text_labels_and_no_formulas(client, director, detailed):
    client.force_login(director)
    response = client.get(EXPORT, {"format": "csv", "plan": "detailed"})
    assert response["Content-Disposition"] == f'attachment; filename="detailed-actions-{TODAY.isoformat()}.csv"'
    assert response["Cache-Control"] == "private, no-store"
    first = csv_records(response)[0]
    assert first["Start date"] == "2016-09-01" and first["Due date"] == "2017-06-30"
    assert first["Original due date"] == "2017-03-31" and first["Last update"] == "2017-02-10"
    assert first["Action"].startswith("'=SUM(A1)")
    assert first["RAG"] == "Red" and first["Status"] == "In progress"


def test_the_writers_work_on_any_queryset_and_keep_a_report_status_as_at(detailed):
    csv_bytes = exports.actions_csv(Action.objects.filter(plan=detailed.plan).order_by("order"), today=TODAY)
    lines = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"), newline="")))
    assert lines[0] == exports.HEADINGS and [line[0] for line in lines[1:]] == ["2.1.1", "2.2"]
    as_at = annotate_rag(Action.objects.filter(pk=detailed.pk), dt.date(2017, 1, 20), as_at_history=True)
    sheet = openpyxl.load_workbook(io.BytesIO(exports.actions_xlsx(as_at, today=dt.date(2017, 1, 20)))).active
    values = dict(zip(exports.HEADINGS, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert values["RAG"] == "Green" and values["Status"] == "In progress"


# --- the import reads it back ---------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_plan_import_reads_the_download_back(client, director, detailed, file_format, tmp_path):
    client.force_login(director)
    response = client.get(EXPORT, {"format": file_format, "plan": "detailed"})
    content = response.content if file_format == "xlsx" else b"".join(response.streaming_content)
    path = tmp_path / f"detailed.{file_format}"
    path.write_bytes(content)
    preview = build_preview(read_file(str(path)), reference_date=dt.date(2016, 7, 1))
    mapped = {preview.headings[i]: field for i, field in preview.mapping.items()}
    assert mapped == {
        "Reference": "reference", "Section": "section", "Issues raised by inspectors": "finding", "Action": "action",
        "What will be different": "outcome", "How will we know": "measure", "Lead": "lead", "Partners": "partners",
        "Start date": "start", "Due date": "due", "Status": "status", "RAG": "rag", "Progress": "progress",
        # For the reader; the import keeps them as text on the action.
        "Original due date": "extra", "Due date as written": "extra", "Last update": "extra",
    }
    first, second = preview.actions
    assert (first.reference, first.section, second.reference, second.section) == ("2.1.1", "2.1", "2.2", "2")
    assert first.action.endswith("is how the audit tool totals scores")
    assert (first.outcome, first.measure) == ("Plans are SMART.", "Audit of 50 cases")
    assert (first.lead.post, first.lead.agency, first.partners) == (
        "Principal Social Worker", "Testshire County Council", ["TP"])
    assert (first.start_date, first.due.due_date) == (dt.date(2016, 9, 1), dt.date(2017, 6, 30))
    assert (first.status, first.proposed_rag) == (ActionStatus.IN_PROGRESS, RAG.RED)
    assert [(u.date, u.text) for u in first.updates] == [
        (dt.date(2017, 1, 12), "Audit of 40 cases completed."), (dt.date(2017, 2, 3), "Findings taken to the board.")]
    finding = first.findings[0]
    assert (finding.text, finding.paragraphs, finding.inspectorates) == (
        "Supervision is not regular or recorded.", "42", ["ofsted", "cqc"])
    assert (second.lead.text, second.due.due_date, second.status) == ("CSC Area Managers", None, ActionStatus.NOT_STARTED)

    plan = plan_import_commit(preview=preview, user=director)
    imported = plan.actions.get(reference="2.1.1")
    assert imported.lead_post == detailed.lead_post
    assert list(imported.partner_agencies.values_list("short_name", flat=True)) == ["TP"]
    assert imported.due_date == dt.date(2017, 6, 30) and imported.status == ActionStatus.IN_PROGRESS
    assert imported.updates.count() == 2


# --- queries, and the demo plan -------------------------------------------------------------


def _grow(plan, section, post, agencies, count):
    for n in range(count):
        action = ActionFactory(plan=plan, section=section, lead_post=post, order=n + plan.actions.count())
        action.partner_agencies.add(*agencies)
        action.findings.add(FindingFactory())
        ProgressUpdateFactory(action=action, narrative=f"Update {n}")


def test_export_query_count_does_not_grow_with_the_rows(client, director, council):
    plan = PlanFactory(slug="growing")
    section = SectionFactory(plan=plan)
    post = PostFactory(agency=council)
    agencies = [AgencyFactory(), AgencyFactory()]
    client.force_login(director)
    counts = []
    for size in (5, 35):
        _grow(plan, section, post, agencies, size - plan.actions.count())
        for file_format in ("csv", "xlsx"):
            params = {"format": file_format, "plan": "growing", "rag": ["green", "red"], "sort": "-rag"}
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(EXPORT, params)
                if file_format == "csv":
                    assert len(csv_records(response)) == size
                else:
                    assert len(xlsx_records(xlsx_sheet(response))) == size
            counts.append((file_format, len(ctx.captured_queries)))
    assert counts[:2] == counts[2:]


@pytest.mark.django_db(transaction=True)
def test_the_demo_plans_excel_opens_with_the_right_types_and_the_pages_rows(client):
    call_command("load_demo", verbosity=0)
    director = User.objects.get(email="director@demo.example")
    client.force_login(director)
    plan = Action.objects.first().plan
    params = {"plan": plan.slug}
    shown = page_refs(client, params)
    sheet = xlsx_sheet(client.get(EXPORT, {**params, "format": "xlsx"}))
    records = xlsx_records(sheet)
    assert [r["Reference"] for r in records] == shown
    assert len(records) == plan.actions.count() > 20
    date_columns = [h for h in exports.HEADINGS if h in ("Start date", "Due date", "Original due date", "Last update")]
    for row in sheet.iter_rows(min_row=2):
        for cell, heading in zip(row, exports.HEADINGS, strict=True):
            if heading in date_columns:
                assert cell.value is None or (isinstance(cell.value, dt.datetime) and cell.number_format == "dd/mm/yyyy")
            elif cell.value is not None:
                assert isinstance(cell.value, str), (heading, cell.value)
    labels = {r.label for r in RAG}
    assert {r["RAG"] for r in records} <= labels
    assert {r["Status"] for r in records} <= {s.label for s in ActionStatus}
    page = client.get(LIST, {**params, "per_page": 100})
    rag_on_page = {row.record.reference: RAG(row.record.rag).label for row in page.context["table"].paginated_rows}
    assert {r["Reference"]: r["RAG"] for r in records} == rag_on_page
    preview = build_preview(read_file(io.BytesIO(download_bytes(client, params)), filename="demo.xlsx"))
    assert [a.reference for a in preview.actions] == shown


def download_bytes(client, params) -> bytes:
    return client.get(EXPORT, {**params, "format": "xlsx"}).content


def test_excel_keeps_the_latest_progress_when_a_cell_would_be_too_long(detailed):
    for n in range(70):
        ProgressUpdateFactory(action=detailed, as_of=dt.date(2018, 1, 1) + n * DAY, narrative=f"Update {n}. " + "x" * 600)
    csv_row = next(csv.DictReader(io.StringIO(exports.actions_csv(Action.objects.filter(pk=detailed.pk)).decode("utf-8-sig"))))
    assert "Audit of 40 cases completed." in csv_row["Progress"]  # CSV has no limit
    sheet = openpyxl.load_workbook(io.BytesIO(exports.actions_xlsx(Action.objects.filter(pk=detailed.pk)))).active
    progress = sheet.cell(row=2, column=exports.HEADINGS.index("Progress") + 1).value
    assert len(progress) <= exports.XLSX_CELL_LIMIT
    assert progress.startswith(exports.PROGRESS_CUT)
    assert progress.rstrip().endswith("x") and "Update 69." in progress and "Audit of 40 cases" not in progress


def test_a_report_task_filters_with_the_same_filterset_from_stored_parameters(partnership, director, partner_officer):
    from actionplans.actions.filtersets import ActionFilterSet, filter_actions

    stored = {"rag": ["red"], "overdue": "yes", "agency": "TP", "sort": "-due"}  # as a job keeps them
    filtered = filter_actions(stored, user=director, today=TODAY)
    assert filtered.is_valid()
    assert sorted(filtered.qs.values_list("reference", flat=True)) == sorted(partnership["expected"])
    # The requester's scope still applies...
    assert set(filter_actions(stored, user=partner_officer, today=TODAY).qs.values_list("reference", flat=True)) <= set(
        Action.objects.for_user(partner_officer).values_list("reference", flat=True))
    # ...and a scheduled paper with no requester filters the queryset it is given.
    scheduled = ActionFilterSet(stored, queryset=annotate_rag(Action.objects.all(), TODAY), user=None, today=TODAY)
    assert scheduled.is_valid() and scheduled.qs.count() == len(partnership["expected"])
    xlsx = exports.actions_xlsx(scheduled.qs, today=TODAY)
    assert openpyxl.load_workbook(io.BytesIO(xlsx)).active.max_row == len(partnership["expected"]) + 1
