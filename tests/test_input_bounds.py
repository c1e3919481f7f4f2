"""Bounds on what people can type or upload: workbooks that unpack too far, files that are
not plans, text without limit, numbers and dates out of range, and tasks without a time
limit (security findings 5, 6, 7 and 13)."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import string
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actionplans import measures
from actionplans.choices import Direction, Frequency, MeasureUnit
from actionplans.importing import ImportRejected, read_file
from actionplans.importing.interpret import build_preview
from actionplans.models import Action, MeasureValue, Plan, ProgressUpdate
from foundation import limits
from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.models import ReportJob
from tests.factories import (
    ActionFactory,
    MeasureFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
)

pytestmark = pytest.mark.django_db

IMPORT_START = reverse("actionplans:import_start")


@pytest.fixture(autouse=True)
def import_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def plan(plan_manager):
    plan = PlanFactory(slug="testshire")
    plan.managers.add(plan_manager)
    return plan


@pytest.fixture
def council_action(plan, council, officer):
    post = PostFactory(agency=council, title="Head of MASH")
    PostHoldingFactory(post=post, person=officer)
    return ActionFactory(plan=plan, lead_post=post, reference="1.1")


@pytest.fixture
def measure(plan, council_action):
    return MeasureFactory(
        plan=plan, action=council_action, name="Re-referrals", unit=MeasureUnit.COUNT,
        direction=Direction.LOWER_IS_BETTER, frequency=Frequency.QUARTERLY,
    )


def _last_quarter() -> dt.date:
    today = timezone.localdate()
    start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return (start - dt.timedelta(days=1)).replace(day=1)


# --- finding 5: a workbook that unpacks far beyond its size ----------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Plan" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def xlsx_bomb(megabytes: int = 12, *, varied: bool = False) -> bytes:
    """A real workbook whose one sheet is a single row of ``megabytes`` MB of tiny cells: a
    zip of some 40 KB that today's reader takes many seconds (growing faster than the size)
    to parse. ``varied`` cells of random letters compress only about ten times."""
    rng = random.Random(5)
    count = megabytes * 1024 * 1024 // 40
    words = ["".join(rng.choices(string.ascii_letters, k=4)) if varied else "x" for _ in range(count)]
    cells = "".join(f'<c t="inlineStr"><is><t>{w}</t></is></c>' for w in words)
    body = '<row r="1"><c r="A1" t="inlineStr"><is><t>Action</t></is></c>' + cells + "</row>"
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def _csrf_client(user) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(IMPORT_START).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client, token


def _import_post(client, token, name: str, content: bytes):
    handle = io.BytesIO(content)
    handle.name = name
    data = {"csrfmiddlewaretoken": token, "target": "new", "sheet": "", "title": "", "slug": "", "inspection": ""}
    return client.post(IMPORT_START, {**data, "file": handle})


def test_an_xlsx_bomb_is_refused_quickly_by_the_import_page(plan_manager, import_storage):
    client, token = _csrf_client(plan_manager)
    bomb = xlsx_bomb()
    assert len(bomb) < 100 * 1024
    started = time.monotonic()
    response = _import_post(client, token, "plan.xlsx", bomb)
    took = time.monotonic() - started
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "unpacks to" in page and "Save it again" in page
    assert took < 2, f"took {took:.1f} s"
    assert not Plan.objects.exists() and not Action.objects.exists()
    assert [p for p in import_storage.rglob("*") if p.is_file()] == []


def test_an_xlsx_bomb_is_refused_quickly_by_the_import_command(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_bomb())
    started = time.monotonic()
    with pytest.raises(CommandError, match="unpacks to"):
        call_command("import_plan", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert time.monotonic() - started < 2
    assert not Plan.objects.exists()


def test_a_sheet_over_the_part_limit_is_refused_even_when_it_compresses_little(tmp_path, monkeypatch):
    """The ratio alone is not enough: incompressible text under the ratio can still make a
    sheet openpyxl takes minutes over, so each part has its own limit too."""
    from actionplans.importing import readers

    monkeypatch.setattr(readers, "MAX_PART_BYTES", 1024 * 1024)
    bomb = xlsx_bomb(2, varied=True)
    assert len(bomb) > 2 * 1024 * 1024 / 100  # under the ratio
    with pytest.raises(ImportRejected, match=r"xl/worksheets/sheet1.xml unpacks to 2\.\d MB"):
        read_file(io.BytesIO(bomb), filename="plan.xlsx")


def test_a_huge_csv_is_bounded(tmp_path):
    rows = "Action,Lead\n" + "Audit,PSW\n" * 30_000
    with pytest.raises(ImportRejected, match="the most I import at once is"):
        read_file(io.BytesIO(rows.encode()), filename="plan.csv")
    wide = "Action,Lead\n" + "x" * (limits.ACTION_TEXT_MAX + 1) + ",PSW\n"
    grid = read_file(io.BytesIO(wide.encode()), filename="plan.csv")
    assert len(grid.rows[1].text(0)) == limits.ACTION_TEXT_MAX + 1  # read whole; judged by the interpreter


# --- finding 13a: files that are not plans ---------------------------------------------------

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><text>Action,Lead</text></svg>'
HTML = b"<!DOCTYPE html>\n<html><body><table><tr><td>Action</td><td>Lead</td></tr></table></body></html>"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("plan.svg", SVG, "an SVG image"),
        ("plan.txt", HTML, "a web page (HTML)"),
        ("plan", PDF, "a PDF"),
        ("plan.csv", PDF, "a PDF"),
        ("plan.csv", PNG, "a PNG image"),
        ("plan.csv", b"Action,Lead\nAudit,<b>PSW</b>\n", None),  # markup inside a cell is still a CSV
    ],
)
def test_files_that_are_not_plans_are_refused_by_their_content(name, content, words):
    if words is None:
        assert read_file(io.BytesIO(content), filename=name).rows
        return
    with pytest.raises(ImportRejected) as caught:
        read_file(io.BytesIO(content), filename=name)
    assert words in caught.value.message
    assert ".xlsx, .docx or .csv" in caught.value.message


def test_an_svg_is_refused_by_the_import_page(plan_manager, import_storage):
    client, token = _csrf_client(plan_manager)
    page = _import_post(client, token, "plan.svg", SVG).content.decode()
    assert "an SVG image" in page and "govuk-error-summary" in page
    assert "Which column" not in page
    assert [p for p in import_storage.rglob("*") if p.is_file()] == []


# --- finding 6: text without limits ----------------------------------------------------------


def test_an_over_long_narrative_is_refused_by_the_progress_form_and_nothing_is_saved(client, officer, council_action):
    client.force_login(officer)
    url = reverse("actionplans:progress_create", args=[council_action.pk])
    form = client.get(url).content.decode()
    assert f"Up to {limits.NARRATIVE_MAX:,} characters" in form
    assert 'data-module="govuk-character-count"' in form and f'data-maxlength="{limits.NARRATIVE_MAX}"' in form
    response = client.post(url, {
        "as_of": timezone.localdate().strftime("%d/%m/%Y"), "narrative": "x" * (limits.NARRATIVE_MAX + 1),
        "proposed_rag": "amber", "status": "in_progress",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert f"at most {limits.NARRATIVE_MAX:,} characters" in page
    assert not ProgressUpdate.objects.exists()


def test_the_model_refuses_over_long_text_whoever_writes_it(council_action, officer):
    update = ProgressUpdate(action=council_action, author=officer, narrative="x" * (limits.NARRATIVE_MAX + 1),
                            status="in_progress", as_of=timezone.localdate())
    with pytest.raises(ValidationError) as caught:
        update.full_clean()
    assert "narrative" in caught.value.message_dict
    council_action.description = "x" * (limits.ACTION_TEXT_MAX + 1)
    with pytest.raises(ValidationError) as caught:
        council_action.full_clean()
    assert "description" in caught.value.message_dict


def test_an_over_long_cell_is_a_problem_naming_its_row_and_column():
    text = "Action,Lead\nAudit,PSW\n" + "x" * (limits.ACTION_TEXT_MAX + 1) + ",PSW\n"
    preview = build_preview(read_file(io.BytesIO(text.encode()), filename="plan.csv"))
    messages = [str(p) for p in preview.problems] + [
        str(p) for row in getattr(preview, "rows", []) for p in getattr(row, "problems", [])
    ]
    joined = " ".join(messages)
    assert "row 3" in joined.lower() and "Action" in joined and f"{limits.ACTION_TEXT_MAX:,} characters" in joined


def test_the_samples_and_the_demo_fit_the_limits():
    from pathlib import Path

    samples = Path(__file__).parent / "data" / "samples"
    for path in samples.glob("*.*"):
        grid = read_file(path)
        for row in grid.rows:
            for index in range(len(row.cells)):
                assert len(row.text(index)) <= limits.ACTION_TEXT_MAX, (path.name, row.label, index)


def test_paper_texts_are_bounded_on_the_form(client, clerk, plan):
    client.force_login(clerk)
    response = client.post(reverse("reports:job_create"), {
        "plan": plan.pk, "kind": ReportKind.COMMITTEE, "format": ReportFormat.PDF,
        "summary": "x" * (limits.PAPER_TEXT_MAX + 1),
    })
    assert f"at most {limits.PAPER_TEXT_MAX:,} characters" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_a_schedule_s_recipients_are_bounded_on_the_form(client, clerk, plan):
    client.force_login(clerk)
    page = client.get(reverse("reports:schedule_create")).content.decode()
    assert f'data-maxlength="{limits.RECIPIENTS_MAX}"' in page
    response = client.post(reverse("reports:schedule_create"), {
        "plan": plan.pk, "kind": ReportKind.COMMITTEE, "format": ReportFormat.PDF,
        "recipients": "clerk@example.test\n" * 400,
    })
    assert f"at most {limits.RECIPIENTS_MAX:,} characters" in response.content.decode()


def test_every_task_has_a_time_limit(settings):
    from config.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    from reports.tasks import run_report_job

    assert run_report_job.soft_time_limit > settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert run_report_job.time_limit > run_report_job.soft_time_limit


def test_a_paper_stopped_at_its_soft_limit_is_failed_with_a_readable_error(plan, clerk, monkeypatch, private_files):
    from celery.exceptions import SoftTimeLimitExceeded

    from reports import services

    job = ReportJob.objects.create(plan=plan, kind=ReportKind.COMMITTEE, format=ReportFormat.PDF, requested_by=clerk)

    def too_slow(job):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "renderer_for", lambda kind, format: too_slow)
    with pytest.raises(SoftTimeLimitExceeded):
        services.report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("The paper took longer than")


# --- finding 7: numbers and dates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("1e309", "not a number"),
        ("1e30", "not a number"),
        ("1,5", "decimal point"),
        ("12345678901", "too large"),
        ("1,50", "decimal point"),
        ("NaN", "not a number"),
        ("1 5", "not a number"),
    ],
)
def test_strange_values_are_refused_by_the_add_value_form(client, officer, measure, raw, words):
    client.force_login(officer)
    url = reverse("actionplans:measure_value_add", args=[measure.pk])
    response = client.post(url, {"period_start": _last_quarter().strftime("%d/%m/%Y"), "value": raw, "note": ""})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize(("raw", "expected"), [("1,500", "1500"), ("1,234,567.5", "1234567.5"), ("-0.5", None), ("+7", "7"), ("£ 12.50", "12.5")])
def test_ordinary_values_are_read(raw, expected):
    if expected is None:
        with pytest.raises(ValidationError, match="negative"):
            measures.clean_value(MeasureUnit.COUNT, raw)
    else:
        assert measures.clean_value(MeasureUnit.COUNT, raw) == Decimal(expected)


def test_strange_values_and_dates_are_problems_in_the_csv_upload(client, officer, measure):
    client.force_login(officer)
    url = reverse("actionplans:measure_values_upload", args=[measure.pk])
    q = _last_quarter().strftime("%d/%m/%Y")
    text = f"Period start date,Value,Note\n{q},1e309,\n{q},1e30,\n{q},\"1,5\",\n01/01/1066,4,\n"
    response = client.post(url, {"file": SimpleUploadedFile("values.csv", text.encode())})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("is not a number") >= 2
    assert "decimal point" in page
    assert "1 January 2000" in page
    assert not MeasureValue.objects.exists()


def test_a_measure_period_before_2000_is_refused_by_the_form(client, officer, measure):
    client.force_login(officer)
    url = reverse("actionplans:measure_value_add", args=[measure.pk])
    response = client.post(url, {"period_start": "01/01/1066", "value": "4", "note": ""})
    assert "1 January 2000" in response.content.decode()
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize("day", ["01/01/0001", "31/12/1999"])
def test_an_update_dated_before_2000_is_refused(client, officer, council_action, day):
    client.force_login(officer)
    url = reverse("actionplans:progress_create", args=[council_action.pk])
    response = client.post(url, {"as_of": day, "narrative": "Audit done.", "proposed_rag": "amber", "status": "in_progress"})
    assert "1 January 2000" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_an_update_dated_in_the_future_is_still_refused(client, officer, council_action):
    client.force_login(officer)
    url = reverse("actionplans:progress_create", args=[council_action.pk])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    response = client.post(url, {"as_of": tomorrow, "narrative": "Audit done.", "proposed_rag": "amber", "status": "in_progress"})
    assert "cannot be in the future" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


# --- finding 13b: the paper form's grammar ---------------------------------------------------


def test_the_paper_form_says_an_ofsted_ready_action_plan(client, clerk, plan):
    client.force_login(clerk)
    response = client.post(
        reverse("reports:job_create"), {"plan": plan.pk, "kind": ReportKind.OFSTED_PLAN, "format": ReportFormat.CSV}
    )
    page = response.content.decode()
    assert "An Ofsted-ready action plan comes as" in page
    assert "A ofsted" not in page and "A Ofsted" not in page


def test_kind_names_take_the_right_article():
    from reports.choices import kind_in_sentence

    assert kind_in_sentence(ReportKind.OFSTED_PLAN, start=True) == "An Ofsted-ready action plan"
    assert kind_in_sentence(ReportKind.COMMITTEE) == "a committee progress report"
    assert kind_in_sentence(ReportKind.EXCEPTIONS, start=True) == "An exceptions report"
    assert kind_in_sentence(ReportKind.ACTIONS_EXPORT) == "an actions export"
