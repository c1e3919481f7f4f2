"""Importing a plan in the browser's pages: upload, columns, preview, save (all or nothing),
for plan managers and admins only."""

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from actionplans.choices import PlanStatus
from actionplans.importing import readers
from actionplans.importing import views as import_views
from actionplans.models import Action, Plan, Section
from inspections.models import Finding
from tests.factories import InspectionFactory, PlanFactory

SAMPLES = Path(__file__).parent / "data" / "samples"
OXFORDSHIRE_CSV = SAMPLES / "oxfordshire-jtai-2016-action-plan.csv"
OXFORDSHIRE_XLSX = SAMPLES / "oxfordshire-jtai-2016-action-plan.xlsx"
# The Oxfordshire columns, in order, and the fields suggested for them.
SUGGESTED = ["finding", "action", "outcome", "measure", "due", "lead"]
START = reverse("actionplans:import_start")


@pytest.fixture(autouse=True)
def import_storage(settings, tmp_path):
    """Kept uploads go to a folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def kept_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def upload(client, name: str, content: bytes, **data):
    fields = {"target": "new", "sheet": "", "title": "", "slug": "", "inspection": ""}
    fields.update(data)
    fields["file"] = _file(name, content)
    return client.post(START, fields)


def _file(name: str, content: bytes):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.match(r"^/import/([\w-]+)/columns/$", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def url(name: str, token: str) -> str:
    return reverse(f"actionplans:{name}", args=[token])


def fingerprint(response) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]+)"', response.content.decode()).group(1)


def walk_to_preview(client, content=None, mapping=None, **data):
    token = token_of(upload(client, "oxfordshire-jtai-2016-action-plan.csv", content or OXFORDSHIRE_CSV.read_bytes(), **data))
    fields = {f"column_{i}": name for i, name in enumerate(mapping or SUGGESTED)}
    response = client.post(url("import_mapping", token), fields)
    assert response.status_code == 302 and response["Location"] == url("import_preview", token)
    return token, client.get(url("import_preview", token))


def suggested(page: str) -> dict[str, str]:
    """The field preselected for each column on the columns page."""
    return dict(re.findall(r'<select name="(column_\d+)".*?<option value="(\w+)" selected>', page, re.S))


def commit(client, token, preview, accept=True):
    data = {"fingerprint": fingerprint(preview)}
    if accept:
        data["accept_problems"] = "on"
    return client.post(url("import_commit", token), data)


# --- who may import -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["plan_manager", "admin_user"])
def test_plan_managers_and_admins_may_import(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(START)
    assert response.status_code == 200
    assert "Upload the plan" in response.content.decode()


@pytest.mark.parametrize("role", ["officer", "director", "clerk", "member", "partner_officer"])
def test_other_roles_are_refused(client, request, role, import_storage):
    client.force_login(request.getfixturevalue(role))
    assert client.get(START).status_code == 403
    assert upload(client, "plan.csv", OXFORDSHIRE_CSV.read_bytes()).status_code == 403
    for name in ("import_mapping", "import_preview"):
        assert client.get(url(name, "any-token")).status_code == 403
    assert client.post(url("import_commit", "any-token")).status_code == 403
    assert kept_files(import_storage) == [] and not Plan.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(START)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_plan_the_manager_does_not_manage_is_refused(client, plan_manager, import_storage):
    theirs, others = PlanFactory(), PlanFactory()
    theirs.managers.add(plan_manager)
    client.force_login(plan_manager)
    assert client.get(START, {"plan": others.slug}).status_code == 403
    assert client.get(START, {"plan": "no-such-plan"}).status_code == 404
    page = client.get(START, {"plan": theirs.slug}).content.decode()
    assert f'value="{theirs.pk}" checked' in page and others.title not in page
    response = upload(client, "plan.csv", OXFORDSHIRE_CSV.read_bytes(), target=str(others.pk))
    assert response.status_code == 200
    assert "Choose a new plan or a plan you manage." in response.content.decode()
    assert kept_files(import_storage) == []


def test_an_admin_may_import_into_any_open_plan(client, admin_user):
    plan = PlanFactory()
    closed = PlanFactory(status=PlanStatus.CLOSED)
    client.force_login(admin_user)
    page = client.get(START).content.decode()
    assert plan.title in page and closed.title not in page


def test_losing_the_plan_between_steps_is_refused(client, plan_manager):
    plan = PlanFactory()
    plan.managers.add(plan_manager)
    client.force_login(plan_manager)
    token, preview = walk_to_preview(client, target=str(plan.pk))
    assert preview.status_code == 200
    plan.managers.remove(plan_manager)
    assert client.get(url("import_preview", token)).status_code == 403
    assert commit(client, token, preview).status_code == 403
    assert not plan.actions.exists()


def test_another_persons_import_is_not_found(client, plan_manager, admin_user):
    client.force_login(plan_manager)
    token = token_of(upload(client, "plan.csv", OXFORDSHIRE_CSV.read_bytes()))
    client.force_login(admin_user)  # a new session: the token is not theirs
    response = client.get(url("import_mapping", token))
    assert response.status_code == 302 and response["Location"] == START


# --- the whole walk ---------------------------------------------------------------------------


def test_oxfordshire_csv_upload_mapping_preview_and_commit(client, plan_manager, import_storage):
    inspection = InspectionFactory(title="Oxfordshire JTAI 2016")
    client.force_login(plan_manager)
    response = upload(
        client, "oxfordshire-jtai-2016-action-plan.csv", OXFORDSHIRE_CSV.read_bytes(),
        title="Oxfordshire JTAI: imported", slug="oxfordshire-imported", inspection=str(inspection.pk),
    )
    token = token_of(response)
    assert len(kept_files(import_storage)) == 1
    assert kept_files(import_storage)[0].name == token  # a name made here, not the upload's

    # The columns, with the suggested field chosen for each.
    page = client.get(url("import_mapping", token)).content.decode()
    assert "Issues Raised by Inspectors" in page and "Completion date" in page
    for i, name in enumerate(SUGGESTED):
        select = re.search(rf'<select name="column_{i}".*?</select>', page, re.S).group(0)
        assert f'<option value="{name}" selected>' in select
    assert "Keep as text on the action" in page
    assert "08/2017" in page  # examples from the file

    # Override: "How will we know" kept as text rather than read as the success measure.
    mapping = list(SUGGESTED)
    mapping[3] = "extra"
    response = client.post(url("import_mapping", token), {f"column_{i}": f for i, f in enumerate(mapping)})
    assert response["Location"] == url("import_preview", token)

    preview = client.get(url("import_preview", token))
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "24 actions in 8 sections (3 with 5 sub-sections)" in page
    assert "Actions (24)" in page and "Sections (8)" in page
    assert "How will we know: <strong>Keep as text on the action</strong>" in page
    assert "24 actions created" in page
    assert "Row 8, Completion date" in page and 'href="#row-8"' in page and 'id="row-8"' in page
    assert "Chair of MASH Steering Group" in page and "31 Aug 2017" in page and "“08/2017”" in page
    assert "See 2.3.3" in page
    assert "New post" in page  # leads to be created, for review
    assert not Plan.objects.exists() and not Action.objects.exists() and not Finding.objects.exists()

    response = commit(client, token, preview)
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("actionplans:plan_detail", args=[plan.slug])
    assert plan.slug == "oxfordshire-imported" and plan.title == "Oxfordshire JTAI: imported"
    assert list(plan.managers.all()) == [plan_manager]
    assert list(plan.inspections.all()) == [inspection]
    assert plan.actions.count() == 24 and plan.sections.count() == 8
    first = plan.actions.get(reference="1.1")
    assert first.success_measure == "" and first.extra_columns["How will we know"].startswith("Incremental rise each quarter")
    assert Finding.objects.filter(inspection=inspection).count() == 6
    assert kept_files(import_storage) == []  # the kept file goes once saved
    banner = client.get(response["Location"]).content.decode()
    assert "The plan has been imported: 24 actions created" in banner


def test_the_preview_writes_nothing_and_keeps_the_problems_listed(client, plan_manager):
    client.force_login(plan_manager)
    token, preview = walk_to_preview(client)
    page = preview.content.decode()
    assert "Problems to check (2)" in page
    assert "Also named as lead: Best Practice Educators" in page
    assert not Plan.objects.exists() and not Section.objects.exists()
    # With problems listed, saving needs them accepted.
    response = commit(client, token, preview, accept=False)
    assert response.status_code == 200
    assert "Confirm you have checked the problems" in response.content.decode()
    assert not Plan.objects.exists()


def test_committing_twice_and_importing_again_do_not_duplicate(client, plan_manager):
    client.force_login(plan_manager)
    token, preview = walk_to_preview(client, slug="oxon")
    assert commit(client, token, preview).status_code == 302
    # The same page sent again: the import has finished.
    again = commit(client, token, preview)
    assert again.status_code == 302 and again["Location"] == START
    assert Plan.objects.count() == 1 and Action.objects.count() == 24

    # The same file into the same plan updates it.
    plan = Plan.objects.get()
    token, preview = walk_to_preview(client, target=str(plan.pk))
    page = preview.content.decode()
    assert "0 actions created, 24 already in the plan updated" in page
    response = commit(client, token, preview)
    assert response["Location"] == reverse("actionplans:plan_detail", args=["oxon"])
    assert Plan.objects.count() == 1 and Action.objects.count() == 24 and Section.objects.count() == 8
    assert "0 actions created and 24 updated" in client.get(response["Location"]).content.decode()


def test_an_error_that_stops_the_save_keeps_the_person_on_the_preview(client, plan_manager):
    client.force_login(plan_manager)
    token, preview = walk_to_preview(client, slug="oxon")
    PlanFactory(slug="oxon")  # taken meanwhile
    response = commit(client, token, preview)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The plan cannot be saved" in page and "Another plan already uses this web address" in page
    assert "Save the plan</button>" not in page
    assert Plan.objects.count() == 1 and not Action.objects.exists() and not Section.objects.exists()
    page = client.get(url("import_preview", token)).content.decode()
    assert "Another plan already uses this web address" in page and "Save the plan</button>" not in page


def test_a_preview_changed_in_another_window_is_not_saved(client, plan_manager):
    client.force_login(plan_manager)
    token, preview = walk_to_preview(client)
    mapping = list(SUGGESTED)
    mapping[2] = "extra"
    client.post(url("import_mapping", token), {f"column_{i}": f for i, f in enumerate(mapping)})
    response = commit(client, token, preview)
    assert response.status_code == 200
    assert "changed since you checked it" in response.content.decode()
    assert not Plan.objects.exists()
    assert commit(client, token, response).status_code == 302
    assert Action.objects.filter(outcome="").count() == 24


def test_a_word_progress_report_shows_revisions_and_updates(client, plan_manager):
    inspection = InspectionFactory(title="Medway 2011", published_on=dt.date(2011, 11, 25))
    client.force_login(plan_manager)
    name = "medway-2012-progress-report.docx"
    token = token_of(upload(client, name, (SAMPLES / name).read_bytes(), inspection=str(inspection.pk)))
    page = client.get(url("import_mapping", token)).content.decode()
    assert "table 1" in page
    client.post(url("import_mapping", token), suggested(page))
    preview = client.get(url("import_preview", token))
    page = preview.content.decode()
    assert "Actions (21)" in page
    assert "Revised to <span class=\"app-nowrap\">30 Nov 2012</span>: need for additional resource" in page
    assert re.search(r"21 progress updates and [1-9]\d* revised due dates", page)
    assert commit(client, token, preview).status_code == 302
    assert Plan.objects.get().actions.count() == 21


# --- the columns --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mapping,message",
    [
        (["finding", "action", "outcome", "measure", "due", "due"], "Due date is already chosen for column E"),
        (["finding", "extra", "outcome", "measure", "due", "lead"], "Choose the column that holds the actions."),
    ],
)
def test_a_mapping_that_will_not_do_is_refused(client, plan_manager, mapping, message):
    client.force_login(plan_manager)
    token = token_of(upload(client, "plan.csv", OXFORDSHIRE_CSV.read_bytes()))
    response = client.post(url("import_mapping", token), {f"column_{i}": f for i, f in enumerate(mapping)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert client.get(url("import_preview", token))["Location"] == url("import_mapping", token)


def test_the_heading_row_can_be_given(client, plan_manager):
    content = b"Oxfordshire action plan\n\n" + OXFORDSHIRE_CSV.read_bytes()
    client.force_login(plan_manager)
    token = token_of(upload(client, "plan.csv", content))
    page = client.get(url("import_mapping", token)).content.decode()
    assert "with the headings on row 3" in page
    response = client.post(url("import_mapping", token), {"locate": "1", "header_row": "99"})
    assert "There is no row 99 in the file." in response.content.decode()
    response = client.post(url("import_mapping", token), {"locate": "1", "header_row": "1"})
    assert response.status_code == 302
    page = client.get(url("import_mapping", token)).content.decode()
    assert "with the headings on row 1" in page and "Oxfordshire action plan" in page


def _workbook_with_cover() -> bytes:
    workbook = openpyxl.load_workbook(OXFORDSHIRE_XLSX)
    cover = workbook.create_sheet("Cover", 0)
    cover["A1"] = "Oxfordshire Safeguarding Children Board"
    cover["A2"] = "Joint Targeted Area Inspection action plan"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_with_several_sheets_lets_the_person_choose(client, plan_manager):
    client.force_login(plan_manager)
    token = token_of(upload(client, "plan.xlsx", _workbook_with_cover()))
    page = client.get(url("import_mapping", token)).content.decode()
    assert "sheet “Action plan”" in page and '<option value="Cover">' in page
    response = client.post(url("import_mapping", token), {"locate": "1", "sheet": "Cover", "header_row": "1"})
    assert response.status_code == 302
    page = client.get(url("import_mapping", token)).content.decode()
    assert "sheet “Cover”" in page and "I could not recognise the headings" in page
    client.post(url("import_mapping", token), {"locate": "1", "sheet": "Action plan", "header_row": "1"})
    page = client.get(url("import_mapping", token)).content.decode()
    assert "sheet “Action plan”" in page and "with the headings on row 1" in page


def test_a_sheet_named_at_upload_that_is_not_there(client, plan_manager, import_storage):
    client.force_login(plan_manager)
    response = upload(client, "plan.xlsx", OXFORDSHIRE_XLSX.read_bytes(), sheet="Summary")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sheet or table (optional): plan.xlsx has no sheet called" in page
    assert kept_files(import_storage) == []


# --- broken files -------------------------------------------------------------------------------


def _protected():
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1024


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.csv", b"", "The file is empty."),
        ("blank.csv", b"\n\n ,,\n", "The file is empty."),
        ("protected.xlsx", _protected(), "protected.xlsx is password-protected."),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048, "old-style Office file"),
        ("corrupt.xlsx", b"PK\x03\x04 not really a zip" + bytes(range(256)), "corrupt.xlsx is damaged"),
        ("plan.pdf", b"%PDF-1.7\n1 0 obj\n", "I cannot read .pdf files"),
        ("plan.xlsm", b"PK\x03\x04", "macro-enabled file"),
        ("picture.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a text (CSV) file I can read"),
    ],
)
def test_a_broken_file_gives_a_message_and_writes_nothing(client, plan_manager, import_storage, name, content, message):
    client.force_login(plan_manager)
    response = upload(client, name, content)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and "govuk-error-summary" in page
    assert kept_files(import_storage) == []
    assert not client.session.get(import_views.SESSION_KEY)
    assert not Plan.objects.exists() and not Action.objects.exists()


def test_a_file_over_the_limit_is_refused(client, plan_manager, import_storage, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1024)
    client.force_login(plan_manager)
    response = upload(client, "big.csv", b"Action,Lead\n" + b"x" * 4096 + b",y\n")
    assert "the largest file I can import is" in response.content.decode()
    assert kept_files(import_storage) == []


def test_no_file_chosen(client, plan_manager):
    client.force_login(plan_manager)
    response = client.post(START, {"target": "new"})
    assert "Choose the file of the plan." in response.content.decode()


def test_abandoned_uploads_are_cleared_after_a_day(client, plan_manager, import_storage):
    import os
    import time

    old = import_storage / "imports" / "abandoned"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"x")
    day_ago = time.time() - 2 * 86400
    os.utime(old, (day_ago, day_ago))
    client.force_login(plan_manager)
    token_of(upload(client, "plan.csv", OXFORDSHIRE_CSV.read_bytes()))
    assert not old.exists() and len(kept_files(import_storage)) == 1
    assert default_storage.exists(f"imports/{kept_files(import_storage)[0].name}")


# --- size -----------------------------------------------------------------------------------------


def test_a_large_plan_is_previewed_without_the_rehearsal(client, plan_manager, monkeypatch):
    monkeypatch.setattr(import_views, "REHEARSE_UP_TO", 10)
    client.force_login(plan_manager)
    token, preview = walk_to_preview(client)
    page = preview.content.decode()
    assert "too many to work out here" in page and "What saving will do" not in page
    assert "Leads named in the file (7)" in page and "Principal Social Worker" in page
    assert commit(client, token, preview).status_code == 302
    assert Action.objects.count() == 24


def _preview_queries(client, tmp_path, actions: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.test_import_samples import make_workbook

    path = make_workbook(tmp_path / f"plan-{actions}.xlsx", actions=actions)
    token = token_of(upload(client, "plan.xlsx", path.read_bytes()))
    client.post(url("import_mapping", token), suggested(client.get(url("import_mapping", token)).content.decode()))
    client.get(url("import_preview", token))  # caches warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("import_preview", token))
    assert f"Actions ({actions})" in response.content.decode()
    return len(queries)


def test_the_preview_queries_do_not_grow_with_the_plan(client, plan_manager, tmp_path, monkeypatch):
    monkeypatch.setattr(import_views, "REHEARSE_UP_TO", 0)
    client.force_login(plan_manager)
    assert _preview_queries(client, tmp_path, 10) == _preview_queries(client, tmp_path, 200)


def test_an_import_already_being_saved_is_not_saved_again(client, plan_manager):
    from django.core.cache import cache

    client.force_login(plan_manager)
    token, preview = walk_to_preview(client)
    cache.add(f"plan-import-saving:{token}", True)  # the first press, still saving
    try:
        response = commit(client, token, preview)
    finally:
        cache.delete(f"plan-import-saving:{token}")
    assert response.status_code == 302 and response["Location"] == reverse("actionplans:plan_list")
    assert not Plan.objects.exists()
