"""python manage.py import_plan: the same preview and problems, then all or nothing."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from actionplans.models import Action, ActionLink, Plan, ProgressUpdate
from tests.factories import InspectionFactory, PlanFactory

SAMPLES = Path(__file__).parent / "data" / "samples"
OXFORDSHIRE = SAMPLES / "oxfordshire-jtai-2016-action-plan.xlsx"
MEDWAY = SAMPLES / "medway-2012-progress-report.docx"

ACTION_KEYS = {
    "reference", "section", "action", "outcome", "measure", "lead", "partners", "due_date", "due_text",
    "revisions", "findings", "updates", "status", "links",
}  # fmt: skip


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_plan", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_json_is_the_contract_and_saves_nothing(db):
    out, err = run(OXFORDSHIRE, "--dry-run", "--format", "json")
    data = json.loads(out)
    assert set(data) == {"sections", "actions", "problems"}
    assert all(set(s) == {"number", "title", "parent"} for s in data["sections"])
    assert all(set(a) == ACTION_KEYS for a in data["actions"])
    assert all(set(p) == {"row", "column", "message"} for p in data["problems"])
    assert len(data["actions"]) == 24
    assert sum(len(a["links"]) for a in data["actions"]) == 2
    first = data["actions"][0]
    assert first["due_date"] == "2017-08-31" and first["due_text"] == "08/2017" and first["reference"] == "1.1"
    termly = next(a for a in data["actions"] if a["action"].startswith("Termly"))
    assert termly["due_date"] is None and termly["due_text"] == "From 09/2016"
    assert "nothing was saved" in err
    assert not Plan.objects.exists() and not Action.objects.exists()


def test_json_revisions_findings_and_updates(db):
    inspection = InspectionFactory(published_on=dt.date(2011, 11, 25))
    out, _ = run(MEDWAY, "--dry-run", "--format", "json", "--inspection", inspection.pk)
    actions = {a["reference"]: a for a in json.loads(out)["actions"]}
    assert actions["7"]["revisions"] == [{"due_date": "2012-11-30", "reason": "need for additional resource"}]
    assert actions["7"]["due_date"] == "2012-02-18"
    assert actions["1"]["due_date"] == "2011-11-25"  # "Immediately", from the inspection's date
    assert actions["1"]["status"] == "delivered" and actions["7"]["status"] == "in_progress"
    assert actions["2"]["findings"][0]["text"].startswith("Ensure that all referrals")
    assert actions["2"]["updates"] == [
        {"date": "2011-11-25", "text": "No unallocated cases in system for longer than 24 hours as evidenced in the Performance Digest"}
    ]
    assert actions["15"]["revisions"] == [] and "Revised to pilot" in actions["15"]["due_text"]


def test_text_preview_then_commit(db):
    out, _ = run(OXFORDSHIRE)
    assert "3 sections with 5 sub-sections, 24 actions, 2 links" in out
    assert "'Issues Raised by Inspectors' -> Issue raised by inspectors (finding)" in out
    assert 'row 8, Completion date: "From 09/2016" gives a start but no end' in out
    assert "24 actions created" in out and "For review:" in out
    plan = Plan.objects.get()
    assert plan.actions.count() == 24
    assert ActionLink.objects.count() == 2


def test_import_into_a_plan_twice_updates(db):
    inspection = InspectionFactory(published_on=dt.date(2011, 11, 25))
    plan = PlanFactory(slug="medway-2012", plan_date=dt.date(2011, 11, 25))
    run(MEDWAY, "--plan", "medway-2012", "--inspection", inspection.pk)
    counts = (Action.objects.count(), ProgressUpdate.objects.count())
    out, _ = run(MEDWAY.with_suffix(".csv"), "--plan", plan.pk, "--inspection", inspection.title)
    assert "0 actions created, 21 updated" in out
    assert (Action.objects.count(), ProgressUpdate.objects.count()) == counts == (21, 21)


def test_dry_run_with_a_plan_counts_from_its_date(db):
    PlanFactory(slug="medway", plan_date=dt.date(2012, 1, 5))
    out, _ = run(MEDWAY, "--plan", "medway", "--dry-run", "--format", "json")
    actions = {a["reference"]: a for a in json.loads(out)["actions"]}
    assert actions["2"]["due_date"] == "2012-01-05"
    assert Action.objects.count() == 0


def test_sheet_option(db, tmp_path):
    with pytest.raises(CommandError, match='no sheet called "Nope"'):
        run(OXFORDSHIRE, "--sheet", "Nope", "--dry-run")
    out, _ = run(OXFORDSHIRE, "--sheet", "Action plan", "--dry-run")
    assert "24 actions" in out


@pytest.mark.parametrize("option,value", [("--plan", "no-such-plan"), ("--inspection", "99999")])
def test_unknown_plan_or_inspection(db, option, value):
    with pytest.raises(CommandError, match="There is no"):
        run(OXFORDSHIRE, option, value)
    assert not Action.objects.exists()


def test_dates_without_a_year_are_flagged_when_no_plan_date_is_given(db):
    out, _ = run(MEDWAY, "--dry-run", "--format", "json")
    data = json.loads(out)
    assert data["problems"][0]["row"] is None
    assert "have no year" in data["problems"][0]["message"]
    actions = {a["reference"]: a for a in data["actions"]}
    assert actions["7"]["due_date"] == "2012-02-18"  # placed before its revision to Nov 12
