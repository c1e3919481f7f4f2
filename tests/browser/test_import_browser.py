"""A plan manager imports the Oxfordshire plan from Excel in a real browser, as the demo
manager: a broken file first (a clear message, nothing kept), then the workbook into a new
plan; one column's field is changed on the columns page; the preview lists the sections,
the 24 actions and the problems by row; saving lands on the new plan with a success
banner. Every page is checked with axe-core and photographed."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from actionplans.models import Plan
from inspections.models import Inspection
from partners.models import User
from tests.browser.conftest import assert_no_axe_violations, screenshot, sign_in

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo password
OXFORDSHIRE_XLSX = Path(__file__).parents[1] / "data" / "samples" / "oxfordshire-jtai-2016-action-plan.xlsx"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    return {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.example")}


@pytest.fixture
def import_storage(settings, tmp_path):
    root = tmp_path / "storage"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root


def kept_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_plan_manager_imports_the_oxfordshire_workbook(page, demo, import_storage, tmp_path):
    manager = demo["manager"]
    inspection = Inspection.objects.filter(plans__managers=manager).first()
    plans_before = Plan.objects.count()
    sign_in(page, manager, DEMO_PASSWORD)

    # Step 1, from the service navigation.
    page.get_by_role("link", name="Import a plan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload the plan")
    assert_no_axe_violations(page)
    screenshot(page, "import-1-upload")

    # A broken workbook: a clear message, and nothing kept.
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook" + bytes(range(256)))
    page.get_by_label("The plan file").set_input_files(broken)
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("broken.xlsx is damaged")
    assert kept_files(import_storage) == []
    assert_no_axe_violations(page)
    screenshot(page, "import-1-upload-broken")

    # The Oxfordshire workbook, into a new plan answering the demo inspection.
    page.get_by_label("The plan file").set_input_files(OXFORDSHIRE_XLSX)
    page.get_by_label("A new plan").check()
    page.get_by_label("Title of the new plan (optional)").fill("Oxfordshire JTAI action plan (imported)")
    page.get_by_label("Web address of the new plan (optional)").fill("oxfordshire-jtai-imported")
    page.get_by_label("Inspection the plan answers (optional)").select_option(str(inspection.pk))
    page.get_by_role("button", name="Upload and continue").click()

    # Step 2: the columns, with the suggestions chosen; one is changed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the columns")
    expect(page.get_by_text("sheet “Action plan”", exact=False)).to_be_visible()
    measure = page.get_by_label("What column D, “How will we know”, holds")
    expect(measure).to_have_value("measure")
    expect(page.get_by_label("What column A, “Issues Raised by Inspectors”, holds")).to_have_value("finding")
    assert_no_axe_violations(page)

    # Two columns for one field are refused, with the column named.
    measure.select_option(label="Lead")
    page.get_by_role("button", name="Continue to the preview").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Lead is already chosen for column D")
    assert_no_axe_violations(page)
    screenshot(page, "import-2-columns-error")

    page.get_by_label("What column D, “How will we know”, holds").select_option(label="Keep as text on the action")
    page.get_by_label("What column F, “Lead”, holds").select_option(label="Lead")
    screenshot(page, "import-2-columns")
    page.get_by_role("button", name="Continue to the preview").click()

    # Step 3: the preview.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the plan before saving")
    expect(page.locator("main")).to_contain_text("24 actions in 8 sections (3 with 5 sub-sections)")
    expect(page.get_by_role("heading", name="Actions (24)")).to_be_visible()
    expect(page.get_by_role("heading", name="Sections (8)")).to_be_visible()
    expect(page.get_by_role("link", name="Row 8, Completion date")).to_be_visible()
    expect(page.locator("#row-8")).to_contain_text("gives a start but no end")
    expect(page.locator("main")).to_contain_text("How will we know: Keep as text on the action")
    expect(page.locator("main")).to_contain_text("24 actions created")
    assert Plan.objects.count() == plans_before  # nothing saved yet
    assert_no_axe_violations(page)
    screenshot(page, "import-3-preview")

    # Saving without accepting the problems listed is stopped with a message.
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert Plan.objects.count() == plans_before
    assert_no_axe_violations(page)
    page.get_by_label("I have checked the 2 problems listed: save the plan with them").check()
    page.get_by_role("button", name="Save the plan").click()

    # The new plan, with a success banner.
    expect(page.get_by_role("heading", level=1)).to_have_text("Oxfordshire JTAI action plan (imported)")
    expect(page.get_by_text("The plan has been imported: 24 actions created")).to_be_visible()
    assert page.url.endswith("/plans/oxfordshire-jtai-imported/")
    assert_no_axe_violations(page)
    screenshot(page, "import-4-saved")

    plan = Plan.objects.get(slug="oxfordshire-jtai-imported")
    assert plan.actions.count() == 24 and plan.sections.count() == 8
    assert manager in plan.managers.all() and inspection in plan.inspections.all()
    assert plan.actions.get(reference="1.1").success_measure == ""
    assert kept_files(import_storage) == []
