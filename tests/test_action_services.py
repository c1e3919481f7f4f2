"""The services behind the officer's work: the rules a person would notice."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from actionplans.actions import services
from actionplans.choices import ActionStatus, Decision, SignOffStage
from actionplans.models import Action, ProgressUpdate
from tests.factories import (
    ActionFactory,
    EvidenceFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def plan(plan_manager):
    plan = PlanFactory()
    plan.managers.add(plan_manager)
    return plan


@pytest.fixture
def action(plan, council, officer):
    post = PostFactory(agency=council)
    PostHoldingFactory(post=post, person=officer)
    return ActionFactory(plan=plan, lead_post=post, due_date=TODAY + dt.timedelta(days=60), status=ActionStatus.NOT_STARTED)


def test_an_update_moves_the_status_and_tells_the_managers(action, officer, plan_manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        update = services.progress_update_create(
            action=action, author=officer, narrative="Audit of 40 cases completed.", proposed_rag="amber",
            status=ActionStatus.IN_PROGRESS,
        )
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert update.review_state == "submitted"
    assert [m.to for m in mail.outbox] == [[plan_manager.email]]
    assert "Audit of 40 cases completed." in mail.outbox[0].body


def test_overdue_action_cannot_be_green(action, officer):
    Action.objects.filter(pk=action.pk).update(due_date=TODAY - dt.timedelta(days=1), original_due_date=TODAY - dt.timedelta(days=1))
    action.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.progress_update_create(action=action, author=officer, narrative="Going well", proposed_rag="green", status="in_progress")
    assert "cannot be green" in str(exc.value)
    assert not ProgressUpdate.objects.exists()


def test_an_update_in_the_future_is_refused(action, officer):
    with pytest.raises(ValidationError):
        services.progress_update_create(
            action=action, author=officer, narrative="x", proposed_rag="amber", status="in_progress",
            as_of=TODAY + dt.timedelta(days=1),
        )


def test_claiming_delivery_needs_evidence_and_does_not_complete_the_action(action, officer):
    with pytest.raises(ValidationError, match="evidence"):
        services.progress_update_create(action=action, author=officer, narrative="Done", proposed_rag="green", status="delivered")
    services.progress_update_create(
        action=action, author=officer, narrative="Done", proposed_rag="green", status="delivered",
        links=[services.EvidenceLink(url="https://example.org/training-register")],
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_STARTED  # set only by a sign-off
    assert action.evidence.get().url == "https://example.org/training-register"


def test_people_without_the_lead_post_cannot_update(action, director, member, outsider):
    for person in (director, member, outsider):
        with pytest.raises(PermissionDenied):
            services.progress_update_create(action=action, author=person, narrative="x", proposed_rag="amber", status="in_progress")


def test_a_revised_date_keeps_the_original_and_needs_a_manager(action, officer, plan_manager, django_capture_on_commit_callbacks):
    original = action.due_date
    new_date = original + dt.timedelta(days=90)
    revision = services.due_date_revision_request(action=action, requested_by=officer, new_date=new_date, reason="Need additional resource")
    with pytest.raises(ValidationError, match="already awaiting"):
        services.due_date_revision_request(action=action, requested_by=officer, new_date=new_date, reason="Again")
    with pytest.raises(PermissionDenied):
        services.due_date_revision_decide(revision=revision, decided_by=officer, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.due_date_revision_decide(revision=revision, decided_by=plan_manager, approve=True, note="Agreed at SCEG")
    action.refresh_from_db()
    revision.refresh_from_db()
    assert (action.due_date, action.original_due_date) == (new_date, original)
    assert revision.decision == Decision.APPROVED and revision.old_date == original
    assert officer.email in mail.outbox[-1].to


def test_a_declined_revision_leaves_the_date(action, officer, plan_manager):
    original = action.due_date
    revision = services.due_date_revision_request(action=action, requested_by=officer, new_date=original + dt.timedelta(days=9), reason="Sickness")
    services.due_date_revision_decide(revision=revision, decided_by=plan_manager, approve=False)
    action.refresh_from_db()
    assert action.due_date == original


def test_sign_off_needs_evidence_someone_other_than_the_lead_and_delivery_first(action, officer, plan_manager, director):
    with pytest.raises(ValidationError, match="evidence"):
        services.action_sign_off(action=action, stage=SignOffStage.DELIVERED, signed_by=director)
    EvidenceFactory(action=action)
    with pytest.raises(PermissionDenied):
        services.action_sign_off(action=action, stage=SignOffStage.DELIVERED, signed_by=officer)
    with pytest.raises(ValidationError, match="delivery"):
        services.action_sign_off(action=action, stage=SignOffStage.OUTCOME_EVIDENCED, signed_by=director)
    services.action_sign_off(action=action, stage=SignOffStage.DELIVERED, signed_by=plan_manager)
    services.action_sign_off(action=action, stage=SignOffStage.OUTCOME_EVIDENCED, signed_by=director, note="Audits show better plans")
    action.refresh_from_db()
    assert action.status == ActionStatus.OUTCOME_EVIDENCED


def test_a_manager_who_holds_the_lead_post_cannot_sign_it_off(action, plan_manager):
    PostHoldingFactory(post=action.lead_post, person=plan_manager)
    EvidenceFactory(action=action)
    with pytest.raises(ValidationError, match="other than the action's lead"):
        services.action_sign_off(action=action, stage=SignOffStage.DELIVERED, signed_by=plan_manager)


def test_a_stale_edit_is_refused_and_says_what_changed(action, plan_manager):
    seen_version = action.version
    services.action_update(action=action, editor=plan_manager, expected_version=seen_version, outcome="Referral routes are clear.")
    with pytest.raises(services.StaleEdit) as exc:
        services.action_update(action=action, editor=plan_manager, expected_version=seen_version, outcome="Something else")
    assert any("Referral routes are clear." in change for change in exc.value.changes)
    action.refresh_from_db()
    assert action.outcome == "Referral routes are clear."


def test_a_rejected_file_saves_nothing_of_the_update(action, officer, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from actionplans.models import Evidence
    from foundation.uploads import UploadRejected

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    good = SimpleUploadedFile("minutes.csv", b"date,item\n01/02/2026,MASH audit\n", content_type="text/csv")
    renamed_program = SimpleUploadedFile("audit.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    with pytest.raises(UploadRejected) as exc:
        services.progress_update_create(
            action=action, author=officer, narrative="Audit done", proposed_rag="amber", status="in_progress",
            files=[good, renamed_program], links=[services.EvidenceLink(url="https://example.org/minutes")],
        )
    assert "audit.pdf" in exc.value.message
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_STARTED
