"""Pasting findings from an inspection letter: the forgiving line format, problems by
line, the preview before saving, and all-or-nothing saving."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from inspections.choices import FindingKind
from inspections.models import Finding
from inspections.parsing import ParsedFinding, paragraphs_from, parse_findings
from inspections.services import findings_bulk_create
from tests.factories import FindingFactory, InspectionFactory

AFI = FindingKind.AREA_FOR_IMPROVEMENT


def _one(line, **kwargs):
    result = parse_findings(line, **kwargs)
    assert not result.problems, result.problems
    (finding,) = result.findings
    return finding


@pytest.mark.parametrize(
    ("line", "paragraphs", "text"),
    [
        ("42. Supervision is not regular", "42", "Supervision is not regular"),
        ("para 17, 18 – Assessments do not consider history", "17, 18", "Assessments do not consider history"),
        ("Para. 17 and 18: Assessments are late", "17, 18", "Assessments are late"),
        ("Paragraphs 17-19: Plans are not specific", "17, 18, 19", "Plans are not specific"),
        ("paragraph 17 to 19 Plans are vague", "17, 18, 19", "Plans are vague"),
        ("17, 18 - Chronologies are missing", "17, 18", "Chronologies are missing"),
        ("42a) Strategy meetings lack health", "42a", "Strategy meetings lack health"),
        ("Return interviews are not timely (paragraph 51).", "51", "Return interviews are not timely"),
        ("Return interviews are not timely [51, 52]", "51, 52", "Return interviews are not timely"),
        ("• 12. Thresholds are not understood", "12", "Thresholds are not understood"),
        ("- 12. Thresholds are not understood", "12", "Thresholds are not understood"),
        ("Thresholds are not understood", "", "Thresholds are not understood"),
        ("4.5 million contacts were made", "", "4.5 million contacts were made"),
        ("Children (16 and 17) are placed far away", "", "Children (16 and 17) are placed far away"),
    ],
)
def test_paragraph_numbers_are_read_from_the_usual_shapes(line, paragraphs, text):
    finding = _one(line, default_kind=AFI)
    assert (finding.paragraphs, finding.text, finding.kind) == (paragraphs, text, AFI)


@pytest.mark.parametrize(
    ("line", "kind", "paragraphs"),
    [
        ("AFI: 42. Supervision is not regular", FindingKind.AREA_FOR_IMPROVEMENT, "42"),
        ("42. AFI: Supervision is not regular", FindingKind.AREA_FOR_IMPROVEMENT, "42"),
        ("Strength – The MASH responds quickly", FindingKind.STRENGTH, ""),
        ("strength: The MASH responds quickly", FindingKind.STRENGTH, ""),
        ("Priority: 7. Leaders do not know the quality of practice", FindingKind.PRIORITY_ACTION, "7"),
        ("Priority action - 7. Leaders do not know", FindingKind.PRIORITY_ACTION, "7"),
        ("Recommendation: para 3 Improve return interviews", FindingKind.RECOMMENDATION, "3"),
        ("Area for improvement: 9. Supervision", FindingKind.AREA_FOR_IMPROVEMENT, "9"),
    ],
)
def test_a_prefix_sets_the_kind_of_its_line(line, kind, paragraphs):
    finding = _one(line, default_kind=FindingKind.RECOMMENDATION if kind != FindingKind.RECOMMENDATION else AFI)
    assert (finding.kind, finding.paragraphs) == (kind, paragraphs)


def test_headings_set_the_kind_and_theme_lines_the_theme_of_the_lines_below():
    result = parse_findings(
        "Strengths\n"
        "The MASH responds quickly.\n"
        "\n"
        "Areas for improvement:\n"
        "Theme: Supervision\n"
        "42. Supervision is not regular\n"
        "Strength: 43. Supervisors know their staff\n"
        "[Front door] 12. Thresholds are not understood\n"
        "Areas for priority action\n"
        "7. Leaders do not know\n"
    )
    assert not result.problems
    assert [(f.line, f.kind, f.theme, f.paragraphs) for f in result.findings] == [
        (2, FindingKind.STRENGTH, "", ""),
        (6, AFI, "Supervision", "42"),
        (7, FindingKind.STRENGTH, "Supervision", "43"),  # the prefix is for its own line only
        (8, AFI, "Front door", "12"),
        (10, FindingKind.PRIORITY_ACTION, "Supervision", "7"),
    ]


def test_a_theme_for_the_whole_paste_applies_where_a_line_says_none():
    result = parse_findings("1. One\n[Own] 2. Two", default_kind=AFI, default_theme="Assessments")
    assert [f.theme for f in result.findings] == ["Assessments", "Own"]


def test_problems_are_listed_by_line_and_nothing_else_is_lost():
    result = parse_findings(
        "42. Supervision is not regular\n"
        "43.\n"
        "17-1900. A range typed wrongly\n"
        "42. Supervision is not regular.\n"
        "Plans are not specific\n",
        existing_texts=["Plans are not specific"],
        default_kind=AFI,
    )
    assert [str(p) for p in result.problems] == [
        "Line 2: there is no finding text after the paragraph numbers or kind.",
        'Line 3: the paragraph range "17 to 1900" does not look right (give a range of up to 30 paragraphs, lowest first).',
        "Line 4: this repeats line 1.",
        "Line 5: this finding is already recorded for this inspection.",
    ]
    assert [f.line for f in result.findings] == [1]
    assert not result.ok


def test_a_line_with_no_kind_is_a_problem_when_no_kind_is_chosen():
    result = parse_findings("42. Supervision is not regular\nAFI: 43. Plans are vague")
    assert [p.line for p in result.problems] == [1]
    assert "choose a kind for the whole paste" in result.problems[0].message


def test_an_empty_paste_is_a_problem():
    assert not parse_findings("\n  \n", default_kind=AFI).ok


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("", ""), ("42", "42"), ("17, 18", "17, 18"), ("17-19", "17, 18, 19"), ("042, 42a", "42, 42a"), ("17 and 18", "17, 18")],
)
def test_typed_paragraphs_are_normalised(typed, stored):
    assert paragraphs_from(typed) == stored


@pytest.mark.parametrize("typed", ["see above", "42, foo", "19-17"])
def test_typed_paragraphs_that_are_not_numbers_are_refused(typed):
    with pytest.raises(ValueError):
        paragraphs_from(typed)


# --- saving -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_create_saves_in_order_after_existing_findings(plan_manager):
    inspection = InspectionFactory()
    FindingFactory(inspection=inspection, order=5, text="Already here")
    result = parse_findings("42. One\n43. Two\n44. Three", default_kind=AFI)
    created = findings_bulk_create(inspection=inspection, created_by=plan_manager, findings=result.findings)
    assert [(f.paragraphs, f.order) for f in created] == [("42", 6), ("43", 7), ("44", 8)]
    assert inspection.findings.count() == 4


@pytest.mark.django_db
def test_bulk_create_is_all_or_nothing(plan_manager):
    inspection = InspectionFactory()
    FindingFactory(inspection=inspection, text="Two")
    findings = [
        ParsedFinding(line=1, kind=AFI, paragraphs="1", theme="", text="One"),
        ParsedFinding(line=2, kind=AFI, paragraphs="2", theme="", text="two."),  # already recorded
        ParsedFinding(line=3, kind="not-a-kind", paragraphs="3", theme="", text="Three"),
    ]
    with pytest.raises(ValidationError) as caught:
        findings_bulk_create(inspection=inspection, created_by=plan_manager, findings=findings)
    assert any(m.startswith("Line 2:") for m in caught.value.messages)
    assert any(m.startswith("Line 3:") for m in caught.value.messages)
    assert inspection.findings.count() == 1


@pytest.mark.django_db
def test_only_plan_managers_paste_findings(officer):
    inspection = InspectionFactory()
    findings = parse_findings("1. One", default_kind=AFI).findings
    with pytest.raises(PermissionDenied):
        findings_bulk_create(inspection=inspection, created_by=officer, findings=findings)


# --- the page: preview, then save ------------------------------------------------------------


@pytest.mark.django_db
def test_paste_previews_then_saves(client, plan_manager):
    inspection = InspectionFactory()
    url = reverse("inspections:findings_paste", args=[inspection.pk])
    client.force_login(plan_manager)
    text = "Areas for improvement\n42. Supervision is not regular\npara 17, 18 – Assessments are late\nStrength: The MASH is quick"
    response = client.post(url, {"kind": "", "theme": "", "text": text, "intent": "preview"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview: 3 findings read" in page
    assert "Save 3 findings" in page
    assert Finding.objects.count() == 0
    checked = response.context["form"].data["checked"]

    response = client.post(url, {"kind": "", "theme": "", "text": text, "intent": "save", "checked": checked})
    assert response.status_code == 302
    assert list(inspection.findings.values_list("paragraphs", "kind")) == [
        ("42", AFI), ("17, 18", AFI), ("", FindingKind.STRENGTH),
    ]


@pytest.mark.django_db
def test_saving_text_that_changed_since_the_preview_previews_again(client, plan_manager):
    inspection = InspectionFactory()
    url = reverse("inspections:findings_paste", args=[inspection.pk])
    client.force_login(plan_manager)
    first = client.post(url, {"kind": AFI, "text": "1. One", "intent": "preview"})
    checked = first.context["form"].data["checked"]
    response = client.post(url, {"kind": AFI, "text": "1. One\n2. Two", "intent": "save", "checked": checked})
    assert response.status_code == 200
    assert "changed since the preview" in response.content.decode()
    assert "Save 2 findings" in response.content.decode()
    assert Finding.objects.count() == 0


@pytest.mark.django_db
def test_problems_show_by_line_and_nothing_can_be_saved(client, plan_manager):
    inspection = InspectionFactory()
    url = reverse("inspections:findings_paste", args=[inspection.pk])
    client.force_login(plan_manager)
    text = "1. One\n2.\n3. Three"
    response = client.post(url, {"kind": AFI, "text": text, "intent": "preview"})
    page = response.content.decode()
    assert "Line 2: there is no finding text" in page
    assert "Save" not in page.split("Preview: ")[1].split("</table>")[1].split("<form")[0]
    # Even a forged save is refused: the text is read again and has a problem.
    forged = client.post(url, {"kind": AFI, "text": text, "intent": "save", "checked": "x"})
    assert forged.status_code == 200
    assert Finding.objects.count() == 0
