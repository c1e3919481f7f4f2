"""The admin: every page of every model opens for an administrator, search works where a
plan manager needs it, the action page carries its inlines, private files are never
linked, the action list does not grow its query count with its rows, and nobody who is
not staff gets in."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.forms import MultiWidget
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans import models as ap
from actionplans.choices import Decision, SignOffStage
from inspections import models as insp
from partners.choices import Role
from partners.models import User
from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.models import ReportJob
from tests.factories import (
    ActionFactory,
    AgencyFactory,
    EvidenceFactory,
    FindingFactory,
    GovernanceBodyFactory,
    InspectionFactory,
    MeasureFactory,
    MeetingFactory,
    PlanFactory,
    PostHoldingFactory,
    ProgressUpdateFactory,
    UserFactory,
)

OUR_APPS = ("partners", "inspections", "actionplans", "reports")

# Historical models are shown through their parent's history page, not registered alone.
OUR_MODELS = sorted(
    model._meta.label
    for app in OUR_APPS
    for model in apps.get_app_config(app).get_models()
    if not model.__name__.startswith("Historical")
)

PRIVATE_URL_PREFIX = "/no-public-url/"


def _admin_url(label: str, view: str, *args) -> str:
    model = apps.get_model(label)
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def rows(admin_user, council):
    """A few rows of every model, including a stored evidence file and an archived report,
    so that every list and change page has something to render."""
    inspection = InspectionFactory(report_file="inspection-reports/jtai-letter.pdf")
    insp.Judgement.objects.create(inspection=inspection, area="Overall effectiveness", grade="good")
    findings = FindingFactory.create_batch(3, inspection=inspection)

    plan = PlanFactory(title="Written statement of action")
    plan.inspections.add(inspection)
    plan.managers.add(admin_user)
    body = GovernanceBodyFactory(name="Safeguarding Children Executive Group")
    MeetingFactory.create_batch(2, body=body)
    ap.PartnerSignOff.objects.create(
        plan=plan,
        agency=council,
        person_name="A Director",
        post_title="DCS",
        signed_on=dt.date(2016, 8, 1),
    )
    ap.BoardSignOff.objects.create(plan=plan, body=body, signed_on=dt.date(2016, 8, 10))

    actions = ActionFactory.create_batch(3, plan=plan)
    action = actions[0]
    action.findings.add(*findings)
    action.partner_agencies.add(AgencyFactory())
    action.delegates.add(UserFactory())
    PostHoldingFactory(post=action.lead_post)
    ap.ActionLink.objects.create(from_action=action, to_action=actions[1], note="See 2.3")
    ap.DueDateRevision.objects.create(
        action=action,
        old_date=action.due_date,
        new_date=action.due_date + dt.timedelta(days=60),
        reason="Needs more resource",
        decision=Decision.APPROVED,
        decided_by=admin_user,
        decided_at=timezone.now(),
    )
    update = ProgressUpdateFactory(action=action, narrative="Audit of 50 cases completed")
    EvidenceFactory(action=action, update=update)
    ap.Evidence.objects.create(
        action=action,
        kind="audit",
        file="evidence/2016/09/0123456789abcdef",
        original_name="Case audit September.pdf",
        content_type="application/pdf",
        size_bytes=2048,
        sha256="a" * 64,
        description="Case file audit",
    )
    ap.ActionSignOff.objects.create(
        action=action, stage=SignOffStage.DELIVERED, signed_by=admin_user
    )
    measure = MeasureFactory(plan=plan, action=action)
    ap.MeasureValue.objects.create(measure=measure, period_start=dt.date(2016, 10, 1), value=55)
    ap.GlossaryTerm.objects.create(term="MASH", meaning="Multi-Agency Safeguarding Hub")
    ap.RagSnapshot.objects.create(plan=plan, day=dt.date(2016, 8, 31), red=1, green=2)

    ReportJob.objects.create(
        kind=ReportKind.COMMITTEE, format=ReportFormat.PDF, plan=plan, requested_by=admin_user
    )
    ReportJob.objects.create(
        kind=ReportKind.OFSTED_PLAN,
        format=ReportFormat.PDF,
        plan=plan,
        requested_by=admin_user,
        status=JobStatus.DONE,
        file="reports/2016/09/0123456789abcdef.pdf",
        file_name="Written statement of action.pdf",
        size_bytes=40960,
        page_count=12,
    )
    from reports.models import ReportSchedule, ScheduledRun

    body = GovernanceBodyFactory(name="Performance Scrutiny Committee")
    schedule = ReportSchedule.objects.create(
        plan=plan, body=body, kind=ReportKind.COMMITTEE, format=ReportFormat.PDF, created_by=admin_user
    )
    ScheduledRun.objects.create(schedule=schedule, due_date=dt.date(2016, 9, 1), job=ReportJob.objects.first())
    from partners.email_outbox import OutgoingEmail, email_enqueue

    email_enqueue(emails=[OutgoingEmail(key="paper:1:clerk@example.test", recipient="clerk@example.test",
                                        subject="Committee paper", body="Attached.",
                                        attachment_path="reports/2016/09/0123456789abcdef.pdf")])
    return {"plan": plan, "action": action, "finding": findings[0]}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_every_model_of_the_project_has_an_admin_page():
    registered = {model._meta.label for model in admin.site._registry}
    assert set(OUR_MODELS) - registered == set()


@pytest.mark.parametrize("label", OUR_MODELS)
def test_changelist_and_add_page_open_for_an_administrator(admin_client, rows, label):
    response = admin_client.get(_admin_url(label, "changelist"))
    assert response.status_code == 200

    model_admin = admin.site._registry[apps.get_model(label)]
    response = admin_client.get(_admin_url(label, "add"))
    # Report jobs are requested through the reports pages, never typed into the admin.
    # Schedules are made on the schedule pages, which keep Celery beat in step.
    # The email outbox is written by the services that send email, never by hand.
    # The stored month ends are counted by the dashboards, never typed in.
    read_only = {"reports.ReportJob", "reports.ReportSchedule", "reports.ScheduledRun", "partners.EmailDelivery",
                 "actionplans.RagSnapshot"}
    expected = 403 if label in read_only else 200
    assert response.status_code == expected, model_admin


@pytest.mark.parametrize("label", OUR_MODELS)
def test_change_page_opens_for_an_administrator(admin_client, rows, label):
    obj = apps.get_model(label)._default_manager.first()
    response = admin_client.get(_admin_url(label, "change", obj.pk))
    assert response.status_code == 200


def test_action_search_finds_by_reference_and_text(admin_client, rows):
    action = rows["action"]
    action.description = "Refresh the MASH threshold document"
    action.save()
    url = _admin_url("actionplans.Action", "changelist")

    response = admin_client.get(url, {"q": "threshold"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [action]

    response = admin_client.get(url, {"q": action.reference})
    assert action in response.context["cl"].result_list

    response = admin_client.get(url, {"q": "nothing like this anywhere"})
    assert list(response.context["cl"].result_list) == []


def test_finding_search_finds_by_text_and_paragraphs(admin_client, rows):
    finding = rows["finding"]
    finding.text = "Supervision is not regular or reflective."
    finding.paragraphs = "17, 42"
    finding.save()
    url = _admin_url("inspections.Finding", "changelist")

    response = admin_client.get(url, {"q": "reflective"})
    assert list(response.context["cl"].result_list) == [finding]

    response = admin_client.get(url, {"q": "17"})
    assert list(response.context["cl"].result_list) == [finding]


def test_action_change_page_shows_its_inlines(admin_client, rows):
    action = rows["action"]
    response = admin_client.get(_admin_url("actionplans.Action", "change", action.pk))
    assert response.status_code == 200

    inline_models = {formset.opts.model for formset in response.context["inline_admin_formsets"]}
    assert {ap.DueDateRevision, ap.ProgressUpdate, ap.Evidence, ap.ActionSignOff} <= inline_models
    content = response.content.decode()
    assert "Needs more resource" in content
    assert "Audit of 50 cases completed" in content
    assert "Case audit September.pdf" in content


def test_action_history_can_be_read_but_not_reverted(admin_client, rows, settings):
    settings.SIMPLE_HISTORY_REVERT_DISABLED = True
    action = rows["action"]
    response = admin_client.get(_admin_url("actionplans.Action", "history", action.pk))
    assert response.status_code == 200

    version = action.history.earliest("history_date")
    url = reverse("admin:actionplans_action_simple_history", args=(action.pk, version.history_id))
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"description": "Rewritten history"}).status_code == 403
    action.refresh_from_db()
    assert action.description != "Rewritten history"


def _resubmitted(response) -> dict:
    """The POST data of an admin change page as it was rendered: main form, every inline
    form and the management forms, so a test can change one field and save."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            widget = getattr(bound.field.widget, "widget", bound.field.widget)
            if isinstance(widget, MultiWidget):
                for index, part in enumerate(widget.decompress(value)):
                    if part is not None:
                        data[f"{bound.html_name}_{index}"] = str(part)
            elif value is None or value is False:
                continue
            elif value is True:
                data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def test_action_saved_in_the_admin_keeps_its_inlines_and_raises_its_version(
    admin_client, admin_user, rows
):
    action = rows["action"]
    url = _admin_url("actionplans.Action", "change", action.pk)
    data = _resubmitted(admin_client.get(url))
    data["description"] = "Changed in the admin"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    action.refresh_from_db()
    assert action.description == "Changed in the admin"
    assert action.version == 2
    assert action.revisions.count() == 1
    assert action.evidence.count() == 2
    assert action.history.first().history_user == admin_user


def test_private_files_are_named_but_never_linked(admin_client, rows):
    evidence = ap.Evidence.objects.exclude(file="").get()
    job = ReportJob.objects.exclude(file="").get()
    inspection = insp.Inspection.objects.exclude(report_file="").get()
    pages = [
        (_admin_url("actionplans.Evidence", "change", evidence.pk), "Case audit September.pdf"),
        (_admin_url("actionplans.Evidence", "changelist"), "Case audit September.pdf"),
        (
            _admin_url("actionplans.Action", "change", evidence.action_id),
            "Case audit September.pdf",
        ),
        (_admin_url("reports.ReportJob", "change", job.pk), "Written statement of action.pdf"),
        (_admin_url("inspections.Inspection", "change", inspection.pk), "jtai-letter.pdf"),
    ]
    for url, shown_name in pages:
        content = admin_client.get(url).content.decode()
        assert shown_name in content, url
        assert PRIVATE_URL_PREFIX not in content, url
        assert "0123456789abcdef" not in content, url


def test_evidence_added_in_the_admin_must_be_a_link(admin_client, rows):
    action = rows["action"]
    data = {
        "action": action.pk,
        "kind": "minutes",
        "evidence_date": "01/10/2016",
        "description": "Board minutes",
        "added_at_0": "01/10/2016",
        "added_at_1": "10:00:00",
    }
    response = admin_client.post(_admin_url("actionplans.Evidence", "add"), data)
    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors

    data["url"] = "https://example.org/board-minutes"
    response = admin_client.post(_admin_url("actionplans.Evidence", "add"), data)
    assert response.status_code == 302
    assert ap.Evidence.objects.filter(url="https://example.org/board-minutes").exists()


def test_finished_report_cannot_be_deleted(admin_client, rows):
    job = ReportJob.objects.get(status=JobStatus.DONE)
    response = admin_client.get(_admin_url("reports.ReportJob", "delete", job.pk))
    assert response.status_code == 403


def test_user_is_added_by_email_with_no_username(admin_client, council):
    response = admin_client.post(
        _admin_url("partners.User", "add"),
        {
            "email": "New.Person@Example.test",
            "full_name": "New Person",
            "role": Role.PLAN_MANAGER,
            "agency": council.pk,
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = User.objects.get(email="new.person@example.test")
    assert person.role == Role.PLAN_MANAGER
    assert person.check_password("a-long-enough-passphrase")


def test_user_with_an_email_differing_only_in_case_is_refused(admin_client, officer):
    response = admin_client.post(
        _admin_url("partners.User", "add"),
        {
            "email": officer.email.upper(),
            "full_name": "Someone Else",
            "role": Role.OFFICER,
            "usable_password": "false",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors


def test_action_changelist_query_count_does_not_grow_with_rows(admin_client, admin_user):
    plan = PlanFactory()
    url = _admin_url("actionplans.Action", "changelist")

    def count_queries() -> int:
        admin_client.get(url)  # warm the session and content-type caches
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url)
        assert response.status_code == 200
        return len(queries)

    ActionFactory.create_batch(5, plan=plan)
    with_five = count_queries()
    ActionFactory.create_batch(45, plan=plan)
    with_fifty = count_queries()

    assert with_fifty == with_five


@pytest.mark.parametrize("path", ["/admin/", "/admin/actionplans/action/"])
def test_people_who_are_not_staff_are_sent_to_the_admin_login(client, officer, path):
    client.force_login(officer)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitors_are_sent_to_the_admin_login(client, db):
    response = client.get("/admin/actionplans/action/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_recount_forgets_a_plans_stored_months(admin_client, rows):
    plan = rows["plan"]
    url = _admin_url("actionplans.RagSnapshot", "changelist")
    ids = list(ap.RagSnapshot.objects.filter(plan=plan).values_list("pk", flat=True))
    assert ids

    response = admin_client.post(url, {"action": "recount_plans", "_selected_action": ids}, follow=True)

    assert response.status_code == 200
    assert "stored months forgotten" in response.content.decode()
    assert not ap.RagSnapshot.objects.filter(plan=plan).exists()
