"""Inspection pages per role: allowed, refused (403) and out of scope (404); the WSoA
countdown; the report download; finding coverage with its scoping; linking findings to
actions from the finding's side; and query counts that do not grow with the data."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplans.coverage.services import finding_actions_link
from actionplans.models import Action
from inspections.choices import FindingKind
from inspections.models import Finding, Inspection
from inspections.selectors import WsoaCountdown
from inspections.services import InspectionDetails, inspection_create
from partners.choices import Role
from tests.factories import (
    ActionFactory,
    FindingFactory,
    InspectionFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    ProgressUpdateFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["officer", "partner_officer", "plan_manager", "director", "clerk", "member", "outsider", "admin_user"]


def minimal_pdf() -> bytes:
    """A small, well-formed PDF with a real xref table (the upload check reads it)."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def plan(plan_manager):
    plan = PlanFactory(title="Testshire JTAI plan", slug="testshire-jtai")
    plan.managers.add(plan_manager)
    return plan


@pytest.fixture
def inspection(plan):
    inspection = InspectionFactory(
        title="JTAI of Testshire", wsoa_due_on=dt.date(2030, 1, 31), report_url="https://reports.example/jtai"
    )
    inspection.report_file.save("report.pdf", ContentFile(minimal_pdf()))
    plan.inspections.add(inspection)
    return inspection


@pytest.fixture
def unplanned_inspection():
    """Recorded, but answered by no plan yet: outside every partner officer's scope."""
    return InspectionFactory(title="Focused visit, no plan yet")


@pytest.fixture
def council_action(plan, council, officer):
    post = PostFactory(agency=council, title="Principal Social Worker")
    PostHoldingFactory(post=post, person=officer)
    return ActionFactory(plan=plan, lead_post=post, reference="1.1", description="Relaunch supervision policy")


@pytest.fixture
def police_action(plan, police, partner_officer):
    post = PostFactory(agency=police, title="Detective Inspector")
    PostHoldingFactory(post=post, person=partner_officer)
    return ActionFactory(plan=plan, lead_post=post, reference="2.1", description="Review police referrals")


@pytest.fixture
def findings(inspection, council_action, police_action):
    supervision = FindingFactory(inspection=inspection, paragraphs="42", text="Supervision is not regular", theme="Supervision", order=1)
    referrals = FindingFactory(inspection=inspection, paragraphs="17, 18", text="Police referrals are late", theme="Front door", order=2)
    history = FindingFactory(inspection=inspection, paragraphs="19", text="Assessments ignore history", theme="Assessments", order=3)
    strength = FindingFactory(inspection=inspection, kind=FindingKind.STRENGTH, paragraphs="", text="The MASH is quick", theme="Front door", order=4)
    council_action.findings.add(supervision)
    police_action.findings.add(referrals)
    return {"supervision": supervision, "referrals": referrals, "history": history, "strength": strength}


def _url(name, inspection, findings):
    if name in ("inspections:finding_update", "inspections:finding_actions"):
        return reverse(name, args=[findings["supervision"].pk])
    if name in ("inspections:inspection_list", "inspections:inspection_create"):
        return reverse(name)
    return reverse(name, args=[inspection.pk])


READ = dict.fromkeys(ROLES, 200) | {"outsider": 404}
WRITE = dict.fromkeys(ROLES, 403) | {"plan_manager": 200, "admin_user": 200, "outsider": 404}
EXPECTED = {
    "inspections:inspection_list": dict.fromkeys(ROLES, 200),
    "inspections:inspection_detail": READ,
    "inspections:coverage": READ,
    "inspections:inspection_report": READ,
    # Creating has no object to be out of scope, so everyone else is refused.
    "inspections:inspection_create": dict.fromkeys(ROLES, 403) | {"plan_manager": 200, "admin_user": 200},
    "inspections:inspection_update": WRITE,
    "inspections:findings_paste": WRITE,
    "inspections:finding_update": WRITE,
    "inspections:finding_actions": WRITE,
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_anonymous_people_are_sent_to_sign_in(client, inspection, findings, name):
    response = client.get(_url(name, inspection, findings))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_page_per_role(client, request, inspection, findings, name, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(_url(name, inspection, findings)).status_code == EXPECTED[name][role]


@pytest.mark.parametrize("role", ROLES)
def test_posts_are_refused_like_gets(client, request, inspection, findings, plan, role):
    """A refused person's POST changes nothing, whatever it carries."""
    client.force_login(request.getfixturevalue(role))
    expected = WRITE[role]
    paste = client.post(
        reverse("inspections:findings_paste", args=[inspection.pk]),
        {"kind": "area_for_improvement", "text": "1. Forged", "intent": "preview"},
    )
    link = client.post(
        reverse("inspections:finding_actions", args=[findings["history"].pk]),
        {"plan": plan.slug, "actions": [a.pk for a in plan.actions.all()]},
    )
    assert paste.status_code == expected
    assert link.status_code == (302 if expected == 200 else expected)
    if expected != 200:
        assert not findings["history"].actions.exists()


@pytest.mark.parametrize("role", ["partner_officer", "outsider"])
def test_an_inspection_no_plan_answers_is_out_of_a_partner_officers_scope(client, request, unplanned_inspection, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("inspections:inspection_detail", args=[unplanned_inspection.pk])).status_code == 404
    listing = client.get(reverse("inspections:inspection_list")).content.decode()
    assert unplanned_inspection.title not in listing


def test_the_list_shows_a_partner_officer_only_inspections_in_scope(client, partner_officer, outsider, inspection, police_action, unplanned_inspection):
    client.force_login(partner_officer)
    page = client.get(reverse("inspections:inspection_list")).content.decode()
    assert inspection.title in page and unplanned_inspection.title not in page
    client.force_login(outsider)
    page = client.get(reverse("inspections:inspection_list")).content.decode()
    assert "No inspections you can see yet" in page


def test_the_inspection_page(client, director, inspection, findings, plan):
    client.force_login(director)
    page = client.get(reverse("inspections:inspection_detail", args=[inspection.pk])).content.decode()
    assert "Ofsted, CQC" in page
    assert "31 January 2030" in page and "working days to go" in page
    assert "Paragraphs 17, 18<" in page and "Paragraph 42<" in page
    # Grouped by theme, in the order themes first appear.
    assert page.index(">Supervision</h3>") < page.index(">Front door</h3>") < page.index(">Assessments</h3>")
    assert reverse("inspections:inspection_report", args=[inspection.pk]) in page
    assert "https://reports.example/jtai" in page
    assert plan.title in page
    assert "Add findings" not in page  # a director reads; plan managers record


def test_the_wsoa_countdown_counts_working_days(client, plan_manager, time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 19, 12, 0))  # Friday before Christmas
    InspectionFactory(title="Due after Christmas", wsoa_due_on=dt.date(2026, 1, 2))
    InspectionFactory(title="Passed", wsoa_due_on=dt.date(2025, 12, 18))
    client.force_login(plan_manager)
    page = client.get(reverse("inspections:inspection_list")).content.decode()
    assert "7 working days to go" in page
    assert "Passed 1 working day ago" in page


@pytest.mark.parametrize(
    ("days", "text"), [(0, "Due today"), (1, "1 working day to go"), (12, "12 working days to go"), (-3, "Passed 3 working days ago")]
)
def test_countdown_text(days, text):
    assert WsoaCountdown(dt.date(2030, 1, 1), days).text == text


def test_the_report_is_served_only_through_the_checked_view(client, officer, inspection):
    client.force_login(officer)
    page = client.get(reverse("inspections:inspection_detail", args=[inspection.pk])).content.decode()
    assert inspection.report_file.name not in page  # no storage path or URL is ever shown
    response = client.get(reverse("inspections:inspection_report", args=[inspection.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="jtai-of-testshire.pdf"')
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_inspection_without_a_file_has_no_download(client, officer, unplanned_inspection):
    client.force_login(officer)
    assert client.get(reverse("inspections:inspection_report", args=[unplanned_inspection.pk])).status_code == 404


# --- recording an inspection -------------------------------------------------------------


def test_a_plan_manager_records_an_inspection_with_its_report(client, plan_manager, private_storage):
    client.force_login(plan_manager)
    response = client.post(
        reverse("inspections:inspection_create"),
        {
            "title": "ILACS of Testshire",
            "kind": "ilacs_full",
            "inspectorates": ["ofsted"],
            "area": "Testshire",
            "onsite_from": "03/03/2025",
            "onsite_to": "14/03/2025",
            "published_on": "25/04/2025",
            "wsoa_due_on": "30/07/2025",
            "overall_grade": "requires_improvement",
            "judgements": "Overall effectiveness: Requires improvement to be good\nChildren in care – good",
            "summary": "",
            "report_file": SimpleUploadedFile("../../Letter (final).pdf", minimal_pdf(), content_type="text/html"),
            "report_url": "",
        },
    )
    inspection = Inspection.objects.get(title="ILACS of Testshire")
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:findings_paste", args=[inspection.pk])
    assert inspection.onsite_from == dt.date(2025, 3, 3) and inspection.wsoa_due_on == dt.date(2025, 7, 30)
    assert [(j.area, j.grade) for j in inspection.judgements.all()] == [
        ("Overall effectiveness", "requires_improvement"), ("Children in care", "good"),
    ]
    # Stored under a name the server chose, never the uploaded one.
    assert inspection.report_file.name.startswith("inspection-reports/")
    assert "Letter" not in inspection.report_file.name and inspection.report_file.name.endswith(".pdf")


def test_a_report_that_is_not_what_it_says_is_refused_and_nothing_saved(client, plan_manager, private_storage):
    client.force_login(plan_manager)
    response = client.post(
        reverse("inspections:inspection_create"),
        {
            "title": "ILACS of Testshire", "kind": "ilacs_full", "inspectorates": ["ofsted"], "area": "Testshire",
            "report_file": SimpleUploadedFile("letter.pdf", b"<html><script>alert(1)</script></html>"),
        },
    )
    assert response.status_code == 200
    assert "report_file" in response.context["form"].errors
    assert not Inspection.objects.exists()
    assert not any(private_storage.rglob("*.pdf"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("onsite_to", "01/03/2025", "The last day on site must be the same as or after the first day."),
        ("judgements", "Overall effectiveness: brilliant", "Line 1: give the area, a colon, then outstanding"),
        ("inspectorates", [], "Tick at least one inspectorate."),
    ],
)
def test_the_inspection_form_explains_mistakes(client, plan_manager, field, value, message):
    client.force_login(plan_manager)
    data = {"title": "T", "kind": "jtai", "inspectorates": ["ofsted"], "area": "A", "onsite_from": "03/03/2025"}
    data[field] = value
    response = client.post(reverse("inspections:inspection_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Inspection.objects.exists()


def test_a_plan_manager_changes_an_inspection_and_removes_its_file(
    client, plan_manager, inspection, private_storage, django_capture_on_commit_callbacks
):
    old_name = inspection.report_file.name
    client.force_login(plan_manager)
    url = reverse("inspections:inspection_update", args=[inspection.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, "")}
    data.update(title="JTAI of Testshire (corrected)", remove_report_file="on", onsite_from="", judgements="")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    inspection.refresh_from_db()
    assert inspection.title == "JTAI of Testshire (corrected)"
    assert not inspection.report_file
    assert not (private_storage / old_name).exists()


def test_only_plan_managers_can_create_through_the_service(officer):
    details = InspectionDetails(title="T", kind="jtai", inspectorates=["ofsted"], area="A")
    with pytest.raises(PermissionDenied):
        inspection_create(created_by=officer, details=details)


def test_a_plan_manager_changes_a_finding(client, plan_manager, findings):
    finding = findings["history"]
    client.force_login(plan_manager)
    response = client.post(
        reverse("inspections:finding_update", args=[finding.pk]),
        {"kind": "priority_action", "paragraphs": "19-21", "theme": "Assessments", "text": "Assessments ignore history.", "inspectorates": ["ofsted"]},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.kind, finding.paragraphs, finding.inspectorates) == ("priority_action", "19, 20, 21", ["ofsted"])


# --- coverage ------------------------------------------------------------------------------


def test_coverage_flags_unanswered_findings_with_the_rag_of_answering_actions(client, director, findings, inspection, council_action):
    ProgressUpdateFactory(action=council_action, proposed_rag="amber")
    client.force_login(director)
    response = client.get(reverse("inspections:coverage", args=[inspection.pk]))
    page = response.content.decode()
    coverage = response.context["coverage"]
    assert [row.finding for row in coverage.unanswered] == [findings["history"]]
    assert ">1 unanswered</h2>" in page
    assert "1.1 Relaunch supervision policy" in page and "2.1 Review police referrals" in page
    assert '<strong class="app-rag app-rag--amber">Amber</strong>' in page
    # The unanswered finding is listed at the top, before the matrix.
    assert page.index("Assessments ignore history") < page.index("<table")
    # A strength needs no action and is never counted as unanswered.
    assert findings["strength"] not in [row.finding for row in coverage.unanswered]


def test_a_partner_officer_sees_only_actions_in_their_agencys_scope(client, partner_officer, findings, inspection):
    client.force_login(partner_officer)
    response = client.get(reverse("inspections:coverage", args=[inspection.pk]))
    page = response.content.decode()
    assert "2.1 Review police referrals" in page
    assert "Relaunch supervision policy" not in page
    assert reverse("actionplans:action_detail", args=[findings["supervision"].actions.get().pk]) not in page
    assert {row.finding for row in response.context["coverage"].unanswered} == {findings["supervision"], findings["history"]}
    assert "No action your agency leads or supports" in page
    assert "Choose actions" not in page


def test_an_overdue_action_behind_a_finding_shows_red(client, director, findings, inspection, council_action):
    ProgressUpdateFactory(action=council_action, proposed_rag="green")
    Action.objects.filter(pk=council_action.pk).update(due_date=dt.date(2020, 1, 1), original_due_date=dt.date(2020, 1, 1))
    client.force_login(director)
    page = client.get(reverse("inspections:coverage", args=[inspection.pk])).content.decode()
    assert '<strong class="app-rag app-rag--red">Red</strong>' in page
    assert "app-rag--green" not in page


def _bulk_actions(plan, finding, count):
    """Many actions answering one finding, fast: rows straight into the tables."""
    section = SectionFactory(plan=plan)
    post = PostFactory()
    start = Action.objects.count()
    actions = Action.objects.bulk_create(
        Action(
            plan=plan, section=section, reference=f"B{start + i}", order=start + i, description=f"Bulk action {i}",
            lead_post=post, due_date=dt.date(2030, 1, 1), original_due_date=dt.date(2030, 1, 1),
        )
        for i in range(count)
    )
    Action.findings.through.objects.bulk_create(
        Action.findings.through(action_id=a.pk, finding_id=finding.pk) for a in actions
    )
    return actions


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["director", "partner_officer"])
def test_coverage_query_count_is_the_same_at_10_and_500_actions(client, request, plan, inspection, findings, role):
    client.force_login(request.getfixturevalue(role))
    url = reverse("inspections:coverage", args=[inspection.pk])
    _bulk_actions(plan, findings["history"], 8)
    client.get(url)  # warm the session and caches
    small = _count_queries(client, url)
    _bulk_actions(plan, findings["history"], 490)
    # Spread the extra actions over every finding too.
    extra = Finding.objects.create(inspection=inspection, kind="area_for_improvement", text="Another", order=9)
    _bulk_actions(plan, extra, 2)
    large = _count_queries(client, url)
    assert Action.objects.count() >= 500
    assert large == small


def test_inspection_page_and_list_query_counts_do_not_grow(client, director, inspection, findings, plan):
    client.force_login(director)
    detail = reverse("inspections:inspection_detail", args=[inspection.pk])
    listing = reverse("inspections:inspection_list")
    client.get(detail)
    small = (_count_queries(client, detail), _count_queries(client, listing))
    for n in range(30):
        FindingFactory(inspection=inspection, order=10 + n, theme=f"Theme {n % 7}")
        other = InspectionFactory(wsoa_due_on=dt.date(2030, 1, 1))
        PlanFactory().inspections.add(inspection, other)
    large = (_count_queries(client, detail), _count_queries(client, listing))
    assert large == small


# --- linking findings to actions from the finding's side ----------------------------------


def test_a_plan_manager_ticks_the_actions_that_answer_a_finding(client, plan_manager, plan, findings, council_action, police_action, inspection):
    other_plan = PlanFactory(title="Another plan")
    elsewhere = ActionFactory(plan=other_plan, reference="9.9")
    elsewhere.findings.add(findings["history"])
    client.force_login(plan_manager)
    url = reverse("inspections:finding_actions", args=[findings["history"].pk])
    page = client.get(url).content.decode()
    assert "1.1 Relaunch supervision policy" in page and "Another plan" not in page  # only plans they manage
    response = client.post(url, {"plan": plan.slug, "actions": [council_action.pk, police_action.pk]})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#finding-{findings['history'].pk}")
    assert set(findings["history"].actions.all()) == {council_action, police_action, elsewhere}
    # Unticking removes the link in this plan only.
    client.post(url, {"plan": plan.slug, "actions": [police_action.pk]})
    assert set(findings["history"].actions.all()) == {police_action, elsewhere}
    coverage = client.get(reverse("inspections:coverage", args=[inspection.pk])).content.decode()
    assert ">0 unanswered</h2>" in coverage


def test_linking_a_plans_first_action_records_that_the_plan_answers_the_inspection(plan_manager, findings):
    new_plan = PlanFactory(title="New plan")
    new_plan.managers.add(plan_manager)
    action = ActionFactory(plan=new_plan)
    finding_actions_link(finding=findings["history"], linked_by=plan_manager, plan=new_plan, actions=[action])
    assert findings["history"].inspection in new_plan.inspections.all()


def test_a_plan_manager_cannot_link_the_actions_of_a_plan_they_do_not_manage(client, council, findings):
    stranger = UserFactory(email="other.manager@example.test", role=Role.PLAN_MANAGER, agency=council)
    other_plan = PlanFactory(title="Not theirs", slug="not-theirs")
    action = ActionFactory(plan=other_plan)
    with pytest.raises(PermissionDenied):
        finding_actions_link(finding=findings["history"], linked_by=stranger, plan=other_plan, actions=[action])
    client.force_login(stranger)
    url = reverse("inspections:finding_actions", args=[findings["history"].pk])
    assert client.post(url, {"plan": other_plan.slug, "actions": [action.pk]}).status_code == 403
    assert client.get(url, {"plan": other_plan.slug}).status_code == 403
    assert "You do not manage any plans" in client.get(url).content.decode()
    assert not findings["history"].actions.exists()


def test_an_action_of_another_plan_cannot_be_ticked(client, plan_manager, plan, findings):
    stray = ActionFactory(plan=PlanFactory(title="Elsewhere"))
    client.force_login(plan_manager)
    url = reverse("inspections:finding_actions", args=[findings["history"].pk])
    response = client.post(url, {"plan": plan.slug, "actions": [stray.pk]})
    assert response.status_code == 200
    assert "actions" in response.context["form"].errors
    assert not findings["history"].actions.exists()


def test_linking_query_count_does_not_grow_with_the_plans_actions(client, plan_manager, plan, findings):
    client.force_login(plan_manager)
    url = reverse("inspections:finding_actions", args=[findings["history"].pk])
    client.get(url)
    small = _count_queries(client, url)
    _bulk_actions(plan, findings["supervision"], 200)
    assert _count_queries(client, url) == small
