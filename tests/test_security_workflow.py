"""Security findings 3, 4, 9 and 10, through the pages a person uses: a browser that
enforces CSRF, a GET of the form, its token, and a POST of real field values.

3. Who manages what: only a manager of the action's plan (or a director, or an admin)
   signs it off; a manager of another plan is refused and nothing changes.
4. An update cannot reopen a signed-off action; reopening is a reasoned step by a manager
   of the plan, which withdraws the sign-offs (kept in the history) so that the action can
   be signed off again.
9. Four eyes on revised dates: where the plan says so, whoever asked cannot decide.
10. Deleted evidence leaves no file behind in storage, once the deletion is committed.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actionplans.actions import services
from actionplans.choices import ActionStatus, Decision, SignOffStage
from actionplans.models import (
    Action,
    ActionSignOff,
    DueDateRevision,
    Evidence,
    Plan,
    ProgressUpdate,
)
from partners.choices import Role
from tests.factories import (
    ActionFactory,
    EvidenceFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


# --- A browser that enforces CSRF ------------------------------------------------------------


def browser(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_token(response) -> str:
    assert response.status_code == 200, response.status_code
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "the page has no form"
    return match.group(1)


def submit(client: Client, url: str, data: dict, *, token_from: str | None = None):
    """GET the form (or, for someone the form refuses, another form of theirs: the token
    is the session's), then POST its token with ``data``."""
    token = csrf_token(client.get(token_from or url))
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def uk(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- The world -------------------------------------------------------------------------------


@pytest.fixture
def plan(plan_manager):
    plan = PlanFactory(title="Our plan", slug="our-plan")
    plan.managers.add(plan_manager)
    return plan


@pytest.fixture
def second_manager(council, plan):
    person = UserFactory(email="second-manager@example.test", full_name="Second Manager", role=Role.PLAN_MANAGER,
                         agency=council)
    plan.managers.add(person)
    return person


@pytest.fixture
def other_manager(council):
    return UserFactory(email="other-manager@example.test", full_name="Other Manager", role=Role.PLAN_MANAGER,
                       agency=council)


@pytest.fixture
def their_action(other_manager, council):
    """An action of a plan that the other manager manages: where their forms (and so their
    CSRF token) come from."""
    plan = PlanFactory(title="Their plan", slug="their-plan")
    plan.managers.add(other_manager)
    return ActionFactory(plan=plan, lead_post=PostFactory(agency=council))


@pytest.fixture
def action(plan, council, officer, police):
    """Led by the officer's post, supported by the police (the partner officer's agency),
    with evidence."""
    post = PostFactory(agency=council, title="Head of Service")
    PostHoldingFactory(post=post, person=officer)
    action = ActionFactory(plan=plan, lead_post=post, due_date=TODAY + dt.timedelta(days=60),
                           status=ActionStatus.IN_PROGRESS, reference="1.1")
    action.partner_agencies.add(police)
    EvidenceFactory(action=action)
    return action


@pytest.fixture
def delivered(action, plan_manager):
    services.action_sign_off(action=action, stage=SignOffStage.DELIVERED, signed_by=plan_manager)
    action.refresh_from_db()
    assert action.status == ActionStatus.DELIVERED
    return action


def _sign_off_url(action) -> str:
    return reverse("actionplans:sign_off", args=[action.pk])


def _progress_url(action) -> str:
    return reverse("actionplans:progress_create", args=[action.pk])


def _action_url(action) -> str:
    return reverse("actionplans:action_detail", args=[action.pk])


def _reopen_url(action) -> str:
    return reverse("actionplans:action_reopen", args=[action.pk])


# --- 3. Sign-off by a manager of the plan, not of any plan -----------------------------------


def test_a_manager_of_another_plan_cannot_sign_off_and_nothing_changes(action, other_manager, their_action):
    client = browser(other_manager)
    assert "Sign off" not in client.get(_action_url(action)).content.decode()
    assert client.get(_sign_off_url(action)).status_code == 403
    response = submit(client, _sign_off_url(action), {"stage": SignOffStage.DELIVERED, "note": "Looks done"},
                      token_from=_sign_off_url(their_action))
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert not ActionSignOff.objects.filter(action=action).exists()


def test_the_service_refuses_a_manager_of_another_plan(action, other_manager):
    with pytest.raises(PermissionDenied):
        services.action_sign_off(action=action, stage=SignOffStage.DELIVERED, signed_by=other_manager)
    assert not ActionSignOff.objects.filter(action=action).exists()


@pytest.mark.parametrize("who", ["plan_manager", "director"])
def test_the_plans_own_manager_and_a_director_sign_off_through_the_form(request, action, who):
    person = request.getfixturevalue(who)
    client = browser(person)
    assert f'href="{_sign_off_url(action)}"' in client.get(_action_url(action)).content.decode()
    response = submit(client, _sign_off_url(action), {"stage": SignOffStage.DELIVERED, "note": "Training register seen"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DELIVERED
    assert action.sign_offs.get().signed_by == person


@pytest.mark.parametrize("who", ["officer", "partner_officer"])
def test_the_lead_and_a_supporting_partner_officer_cannot_sign_off(request, action, who):
    client = browser(request.getfixturevalue(who))
    assert client.get(_sign_off_url(action)).status_code == 403
    response = submit(client, _sign_off_url(action), {"stage": SignOffStage.DELIVERED, "note": ""},
                      token_from=_progress_url(action))
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_a_manager_of_another_plan_cannot_decide_its_revised_date(action, officer, other_manager, their_action):
    revision = services.due_date_revision_request(
        action=action, requested_by=officer, new_date=action.due_date + dt.timedelta(days=30), reason="Sickness"
    )
    url = reverse("actionplans:revision_decide", args=[action.pk, revision.pk])
    client = browser(other_manager)
    assert client.get(url).status_code == 403
    response = submit(client, url, {"decision": "approve", "note": ""}, token_from=_sign_off_url(their_action))
    assert response.status_code == 403
    revision.refresh_from_db()
    assert revision.decision == Decision.PENDING


def test_a_manager_of_another_plan_cannot_edit_its_action(action, other_manager, their_action):
    url = reverse("actionplans:action_edit", args=[action.plan.slug, action.pk])
    client = browser(other_manager)
    assert client.get(url).status_code == 403
    response = submit(client, url, {"description": "Changed by someone else", "version": action.version},
                      token_from=_sign_off_url(their_action))
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.action_update(action=action, editor=other_manager, expected_version=None, outcome="Not theirs")
    action.refresh_from_db()
    assert action.description != "Changed by someone else" and action.outcome != "Not theirs"


def test_the_permission_predicates_are_one_rule(action, plan_manager, other_manager, director, officer,
                                                partner_officer, admin_user):
    from actionplans.access import (
        can_decide_revision,
        can_edit_action,
        can_reopen_action,
        can_sign_off,
    )

    assert [can_sign_off(p, action) for p in (plan_manager, director, admin_user)] == [True, True, True]
    assert [can_sign_off(p, action) for p in (other_manager, officer, partner_officer)] == [False, False, False]
    for rule in (can_decide_revision, can_edit_action, can_reopen_action):
        assert [rule(p, action) for p in (plan_manager, admin_user)] == [True, True]
        assert [rule(p, action) for p in (other_manager, director, officer, partner_officer)] == [False] * 4


# --- 4. An update cannot reopen a signed-off action --------------------------------------------


def _update(status: str, narrative: str = "Refresher sessions booked") -> dict:
    return {"as_of": uk(TODAY), "narrative": narrative, "proposed_rag": "amber", "status": status, "links": ""}


@pytest.mark.parametrize("who", ["officer", "partner_officer"])
def test_an_update_cannot_move_a_delivered_action_back_to_in_progress(request, delivered, who):
    client = browser(request.getfixturevalue(who))
    form = client.get(_progress_url(delivered)).content.decode()
    assert 'value="in_progress"' not in form and 'value="not_started"' not in form
    response = submit(client, _progress_url(delivered), _update(ActionStatus.IN_PROGRESS))
    assert response.status_code == 200  # the form again, with its error
    delivered.refresh_from_db()
    assert delivered.status == ActionStatus.DELIVERED
    assert not ProgressUpdate.objects.filter(action=delivered).exists()


def test_the_service_refuses_to_reopen_through_an_update_and_says_how(delivered, officer):
    with pytest.raises(ValidationError, match="reopen"):
        services.progress_update_create(action=delivered, author=officer, narrative="More to do", proposed_rag="amber",
                                        status=ActionStatus.IN_PROGRESS)
    delivered.refresh_from_db()
    assert delivered.status == ActionStatus.DELIVERED


def test_a_narrative_update_on_a_delivered_action_awaiting_its_outcome_is_fine(delivered, partner_officer):
    client = browser(partner_officer)
    response = submit(client, _progress_url(delivered), _update(ActionStatus.DELIVERED, "First audit booked"))
    assert response.status_code == 302
    delivered.refresh_from_db()
    assert delivered.status == ActionStatus.DELIVERED
    assert delivered.updates.get().narrative == "First audit booked"


def test_the_plans_manager_reopens_with_a_reason_and_the_action_is_signed_off_again(delivered, plan_manager, director):
    client = browser(plan_manager)
    assert f'href="{_reopen_url(delivered)}"' in client.get(_action_url(delivered)).content.decode()
    refused = submit(client, _reopen_url(delivered), {"reason": ""})
    assert refused.status_code == 200
    assert Action.objects.get(pk=delivered.pk).status == ActionStatus.DELIVERED

    response = submit(client, _reopen_url(delivered), {"reason": "The register counted people who did not attend."})
    assert response.status_code == 302
    delivered.refresh_from_db()
    assert delivered.status == ActionStatus.IN_PROGRESS
    withdrawn = ActionSignOff.objects.get(action=delivered)  # kept, not deleted
    assert (withdrawn.withdrawn_by, withdrawn.withdrawal_reason) == (
        plan_manager, "The register counted people who did not attend."
    )
    assert withdrawn.withdrawn_at is not None
    page = client.get(_action_url(delivered)).content.decode()
    assert "Withdrawn" in page and "The register counted people who did not attend." in page

    again = submit(browser(director), _sign_off_url(delivered), {"stage": SignOffStage.DELIVERED, "note": "Re-audited"})
    assert again.status_code == 302
    delivered.refresh_from_db()
    assert delivered.status == ActionStatus.DELIVERED
    assert delivered.sign_offs.filter(withdrawn_at__isnull=True).get().signed_by == director


def test_the_lead_is_told_of_a_reopening_and_why(delivered, officer, plan_manager, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        services.action_reopen(action=delivered, reopened_by=plan_manager, reason="The register was wrong.")
    told = [m for m in mail.outbox if m.subject == f"Reopened: {delivered.reference}"]
    assert [m.to for m in told] == [[officer.email]]
    assert "The register was wrong." in told[0].body


def test_after_a_reopening_the_old_claim_no_longer_asks_for_a_sign_off(action, officer, plan_manager):
    def asks_for_sign_off() -> bool:
        return "Sign off 1.1" in browser(plan_manager).get(reverse("home")).content.decode()

    claim = {"action": action, "author": officer, "narrative": "Training done", "proposed_rag": "green",
             "status": ActionStatus.DELIVERED}
    services.progress_update_create(**claim)
    assert asks_for_sign_off()
    services.action_sign_off(action=action, stage=SignOffStage.DELIVERED, signed_by=plan_manager)
    assert not asks_for_sign_off()
    services.action_reopen(action=action, reopened_by=plan_manager, reason="Half the teams missed it.")
    assert not asks_for_sign_off()
    services.progress_update_create(**{**claim, "narrative": "The rest of the teams trained"})
    assert asks_for_sign_off()


def test_reopening_a_complete_action_withdraws_both_sign_offs(delivered, plan_manager, director):
    services.action_sign_off(action=delivered, stage=SignOffStage.OUTCOME_EVIDENCED, signed_by=director)
    services.action_reopen(action=delivered, reopened_by=plan_manager, reason="The audit was of the wrong year.")
    delivered.refresh_from_db()
    assert delivered.status == ActionStatus.IN_PROGRESS
    assert delivered.sign_offs.count() == 2
    assert not delivered.sign_offs.filter(withdrawn_at__isnull=True).exists()
    services.action_sign_off(action=delivered, stage=SignOffStage.DELIVERED, signed_by=director)
    with pytest.raises(ValidationError, match="already"):
        services.action_sign_off(action=delivered, stage=SignOffStage.DELIVERED, signed_by=director)


@pytest.mark.parametrize("who", ["other_manager", "director", "officer", "partner_officer"])
def test_only_a_manager_of_the_plan_may_reopen(request, delivered, their_action, who):
    person = request.getfixturevalue(who)
    client = browser(person)
    assert _reopen_url(delivered) not in client.get(_action_url(delivered)).content.decode()
    assert client.get(_reopen_url(delivered)).status_code == 403
    token_from = _sign_off_url(their_action) if who in ("other_manager", "director") else _progress_url(delivered)
    response = submit(client, _reopen_url(delivered), {"reason": "I want to"}, token_from=token_from)
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.action_reopen(action=delivered, reopened_by=person, reason="I want to")
    delivered.refresh_from_db()
    assert delivered.status == ActionStatus.DELIVERED
    assert not delivered.sign_offs.filter(withdrawn_at__isnull=False).exists()


def test_as_at_a_day_a_withdrawn_sign_off_counts_until_it_was_withdrawn(delivered, plan_manager):
    from actionplans.rag import annotate_rag

    now = timezone.now()
    ActionSignOff.objects.filter(action=delivered).update(signed_at=now - dt.timedelta(days=5))
    services.action_reopen(action=delivered, reopened_by=plan_manager, reason="Register was wrong.")
    ActionSignOff.objects.filter(action=delivered).update(withdrawn_at=now - dt.timedelta(days=2))

    def status_as_at(days_ago: int) -> str:
        day = TODAY - dt.timedelta(days=days_ago)
        return annotate_rag(Action.objects.filter(pk=delivered.pk), day, as_at_history=True).get().status_as_at

    assert status_as_at(3) == ActionStatus.DELIVERED
    assert status_as_at(0) != ActionStatus.DELIVERED


def test_an_action_that_is_not_signed_off_has_nothing_to_reopen(action, plan_manager):
    with pytest.raises(ValidationError, match="not been signed off"):
        services.action_reopen(action=action, reopened_by=plan_manager, reason="Just in case")


# --- 9. Four eyes on revised dates -------------------------------------------------------------


def _ask_for_a_revised_date(client, action) -> DueDateRevision:
    url = reverse("actionplans:revision_request", args=[action.pk])
    new_date = action.due_date + dt.timedelta(days=45)
    response = submit(client, url, {"new_date": uk(new_date), "reason": "The trainer is off sick."})
    assert response.status_code == 302
    return action.revisions.get(decision=Decision.PENDING)


def test_a_manager_cannot_approve_their_own_revised_date(action, plan_manager, second_manager):
    client = browser(plan_manager)
    revision = _ask_for_a_revised_date(client, action)
    url = reverse("actionplans:revision_decide", args=[action.pk, revision.pk])
    assert "Decide a revised date for 1.1" not in client.get(reverse("home")).content.decode()
    assert "Decide a revised date for 1.1" in browser(second_manager).get(reverse("home")).content.decode()
    assert "you asked for it" in client.get(_action_url(action)).content.decode()
    page = client.get(url).content.decode()
    assert "you asked for it" in page and "Second Manager" in page  # why, and who can
    assert 'name="decision"' not in page  # no form that would only be refused
    response = submit(client, url, {"decision": "approve", "note": ""}, token_from=_progress_url(action))
    assert response.status_code == 200
    assert "you asked for it" in response.content.decode()
    revision.refresh_from_db()
    action.refresh_from_db()
    assert revision.decision == Decision.PENDING
    assert action.due_date == revision.old_date
    with pytest.raises(ValidationError, match="someone else"):
        services.due_date_revision_decide(revision=revision, decided_by=plan_manager, approve=True)

    other = submit(browser(second_manager), url, {"decision": "approve", "note": "Agreed"})
    assert other.status_code == 302
    revision.refresh_from_db()
    assert (revision.decision, revision.decided_by) == (Decision.APPROVED, second_manager)


def test_the_plans_form_turns_four_eyes_off_and_then_a_manager_may_decide_their_own(action, plan_manager):
    plan = action.plan
    assert plan.revision_four_eyes is True  # on by default
    client = browser(plan_manager)
    url = reverse("actionplans:plan_edit", args=[plan.slug])
    assert 'name="revision_four_eyes"' in client.get(url).content.decode()
    data = {
        "title": plan.title, "slug": plan.slug, "plan_date": uk(plan.plan_date),
        "review_cadence_days": str(plan.review_cadence_days), "uses_blue": "on", "introduction": "",
        "monitoring_body": "", "managers": [str(plan_manager.pk)],
        # revision_four_eyes left unticked
    }
    assert submit(client, url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.revision_four_eyes is False

    revision = _ask_for_a_revised_date(client, action)
    decide = reverse("actionplans:revision_decide", args=[action.pk, revision.pk])
    assert submit(client, decide, {"decision": "approve", "note": ""}).status_code == 302
    revision.refresh_from_db()
    assert revision.decision == Decision.APPROVED


def test_a_new_plan_has_four_eyes_on():
    assert Plan._meta.get_field("revision_four_eyes").default is True


# --- 10. Deleted evidence leaves no file in storage --------------------------------------------


def _stored_evidence(action, private_files, name="audit.pdf") -> Evidence:
    evidence = EvidenceFactory.build(action=action, url="", kind="document", original_name=name,
                                     content_type="application/pdf", description=name)
    evidence.file.save("upload", ContentFile(b"%PDF-1.4 audit"), save=True)
    assert (private_files / evidence.file.name).exists()
    return evidence


def test_deleting_evidence_in_the_admin_removes_its_file_after_the_commit(
    action, admin_user, private_files, django_capture_on_commit_callbacks
):
    evidence = _stored_evidence(action, private_files)
    path = private_files / evidence.file.name
    url = reverse("admin:actionplans_evidence_delete", args=[evidence.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert submit(browser(admin_user), url, {"post": "yes"}).status_code == 302
    assert path.exists()  # not before the commit
    for callback in callbacks:
        callback()
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not path.exists()


def test_the_admins_bulk_delete_removes_the_files(action, admin_user, private_files, django_capture_on_commit_callbacks):
    first, second = _stored_evidence(action, private_files), _stored_evidence(action, private_files, "plan.pdf")
    paths = [private_files / e.file.name for e in (first, second)]
    url = reverse("admin:actionplans_evidence_changelist")
    client = browser(admin_user)
    token = csrf_token(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"csrfmiddlewaretoken": token, "action": "delete_selected", "post": "yes",
                                     "_selected_action": [first.pk, second.pk]})
    assert response.status_code == 302
    assert not any(p.exists() for p in paths)


def test_deleting_an_action_in_the_admin_removes_its_evidence_files(
    action, admin_user, private_files, django_capture_on_commit_callbacks
):
    path = private_files / _stored_evidence(action, private_files).file.name
    url = reverse("admin:actionplans_action_delete", args=[action.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(browser(admin_user), url, {"post": "yes"}).status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()
    assert not path.exists()


def test_deleting_a_progress_update_keeps_its_evidence_and_file(
    action, officer, private_files, django_capture_on_commit_callbacks
):
    update = ProgressUpdateFactory(action=action, author=officer)
    evidence = _stored_evidence(action, private_files)
    Evidence.objects.filter(pk=evidence.pk).update(update=update)
    with django_capture_on_commit_callbacks(execute=True):
        update.delete()
    evidence.refresh_from_db()
    assert evidence.update is None
    assert (private_files / evidence.file.name).exists()


def test_a_deletion_that_is_rolled_back_keeps_the_file(action, private_files, django_capture_on_commit_callbacks):
    evidence = _stored_evidence(action, private_files)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        Evidence.objects.get(pk=evidence.pk).delete()
        raise RuntimeError("the rest of the change failed")
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert (private_files / evidence.file.name).exists()
