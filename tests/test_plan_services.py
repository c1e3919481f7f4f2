"""The services that build and run a plan, and the one that moves a post to a new holder:
the rules a plan manager would notice."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from actionplans.actions.selectors import my_actions
from actionplans.actions.services import StaleEdit, action_update
from actionplans.choices import PlanStatus
from actionplans.models import Action, Plan
from actionplans.plans import services as plan_services
from partners.models import PostHolding
from partners.services import post_holder_change
from tests.factories import (
    ActionFactory,
    AgencyFactory,
    FindingFactory,
    GovernanceBodyFactory,
    InspectionFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def plan(plan_manager):
    plan = PlanFactory(title="Testshire JTAI plan", slug="testshire-jtai")
    plan.managers.add(plan_manager)
    return plan


@pytest.fixture
def section(plan):
    return SectionFactory(plan=plan, number="1", title="Front door", order=1)


# --- The plan ------------------------------------------------------------------------


def test_a_plan_manager_creates_a_draft_plan_they_manage(plan_manager):
    inspection = InspectionFactory()
    plan = plan_services.plan_create(created_by=plan_manager, title="JTAI action plan 2026", inspections=[inspection])
    assert plan.status == PlanStatus.DRAFT
    assert plan.slug == "jtai-action-plan-2026"
    assert list(plan.managers.all()) == [plan_manager]
    assert list(plan.inspections.all()) == [inspection]
    assert plan.history.first().history_user == plan_manager


def test_slugs_are_unique_and_never_new(plan_manager):
    first = plan_services.plan_create(created_by=plan_manager, title="New")
    second = plan_services.plan_create(created_by=plan_manager, title="New")
    assert first.slug != "new" and second.slug != first.slug
    with pytest.raises(ValidationError):
        plan_services.plan_create(created_by=plan_manager, title="Another", slug=first.slug)


@pytest.mark.parametrize("role", ["officer", "director", "clerk", "member", "partner_officer"])
def test_only_plan_managers_and_admins_create_plans(request, role):
    with pytest.raises(PermissionDenied):
        plan_services.plan_create(created_by=request.getfixturevalue(role), title="Not allowed")
    assert not Plan.objects.exists()


def test_a_plan_manager_of_another_plan_cannot_change_this_one(plan):
    stranger = UserFactory(role="plan_manager")
    with pytest.raises(PermissionDenied):
        plan_services.section_create(plan=plan, created_by=stranger, number="1", title="Front door")


def test_a_plan_keeps_at_least_one_manager(plan, plan_manager):
    with pytest.raises(ValidationError):
        plan_services.plan_update(
            plan=plan, changed_by=plan_manager, title=plan.title, slug=plan.slug, inspections=[], introduction="",
            monitoring_body=None, review_cadence_days=30, uses_blue=True, plan_date=plan.plan_date, managers=[],
        )


def test_status_moves_forward_one_step_at_a_time_and_history_says_who(plan, plan_manager, section):
    ActionFactory(plan=plan, section=section)
    for status in ["approved", "submitted", "live", "closed"]:
        plan = plan_services.plan_status_move(plan=plan, to_status=status, changed_by=plan_manager)
        assert plan.status == status
    assert plan.live_from == TODAY and plan.closed_on == TODAY
    history = list(plan.history.order_by("history_date").values_list("status", "history_user"))
    assert [s for s, _ in history][-4:] == ["approved", "submitted", "live", "closed"]
    assert {u for _, u in history[-4:]} == {plan_manager.pk}


@pytest.mark.parametrize(("start", "to"), [("draft", "submitted"), ("draft", "live"), ("approved", "draft"),
                                           ("live", "submitted"), ("closed", "live"), ("submitted", "closed")])
def test_status_cannot_skip_or_go_back(plan, plan_manager, section, start, to):
    ActionFactory(plan=plan, section=section)
    Plan.objects.filter(pk=plan.pk).update(status=start)
    with pytest.raises(ValidationError):
        plan_services.plan_status_move(plan=plan, to_status=to, changed_by=plan_manager)
    plan.refresh_from_db()
    assert plan.status == start


def test_an_empty_plan_cannot_be_approved(plan, plan_manager):
    with pytest.raises(ValidationError, match="at least one action"):
        plan_services.plan_status_move(plan=plan, to_status="approved", changed_by=plan_manager)


def test_a_closed_plan_cannot_be_changed(plan, plan_manager):
    Plan.objects.filter(pk=plan.pk).update(status="closed")
    plan.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        plan_services.section_create(plan=plan, created_by=plan_manager, number="9", title="Late")


# --- Sign-offs -----------------------------------------------------------------------


def test_partner_and_board_sign_offs_are_recorded_once(plan, plan_manager, police):
    sign_off = plan_services.partner_sign_off_add(
        plan=plan, added_by=plan_manager, agency=police, person_name="Jo Bloggs", post_title="Chief Constable",
        signed_on=TODAY,
    )
    assert str(sign_off) == "Jo Bloggs, Chief Constable, Testshire Police"
    with pytest.raises(ValidationError, match="already signed"):
        plan_services.partner_sign_off_add(
            plan=plan, added_by=plan_manager, agency=police, person_name="Someone", post_title="Deputy",
            signed_on=TODAY,
        )
    board = GovernanceBodyFactory(name="Safeguarding Children Board")
    plan_services.board_sign_off_add(plan=plan, added_by=plan_manager, body=board, signed_on=TODAY, minute_reference="12/26")
    with pytest.raises(ValidationError):
        plan_services.board_sign_off_add(plan=plan, added_by=plan_manager, body=board, signed_on=TODAY)
    with pytest.raises(ValidationError, match="future"):
        plan_services.board_sign_off_add(plan=plan, added_by=plan_manager, body=board, signed_on=TODAY + dt.timedelta(days=1))
    assert plan.partner_sign_offs.count() == 1 and plan.board_sign_offs.count() == 1


# --- Sections ------------------------------------------------------------------------


def test_sections_nest_one_level_and_numbers_are_unique(plan, plan_manager, section):
    child = plan_services.section_create(plan=plan, created_by=plan_manager, number="1.1", title="MASH", parent=section)
    with pytest.raises(ValidationError, match="one level"):
        plan_services.section_create(plan=plan, created_by=plan_manager, number="1.1.1", title="Deep", parent=child)
    with pytest.raises(ValidationError, match="already has a section 1.1"):
        plan_services.section_create(plan=plan, created_by=plan_manager, number="1.1", title="Again")
    with pytest.raises(ValidationError, match="sub-sections"):
        other = plan_services.section_create(plan=plan, created_by=plan_manager, number="2", title="Assessments")
        plan_services.section_update(section=section, changed_by=plan_manager, number="1", title="Front door",
                                     parent=other, issues_raised="")


def test_sections_move_up_and_down_among_their_siblings(plan, plan_manager, section):
    second = plan_services.section_create(plan=plan, created_by=plan_manager, number="2", title="Assessments")
    third = plan_services.section_create(plan=plan, created_by=plan_manager, number="3", title="Supervision")
    plan_services.section_move(section=third, changed_by=plan_manager, direction="up")
    assert list(plan.sections.order_by("order").values_list("number", flat=True)) == ["1", "3", "2"]
    plan_services.section_move(section=section, changed_by=plan_manager, direction="up")  # already first
    plan_services.section_move(section=section, changed_by=plan_manager, direction="down")
    assert list(plan.sections.order_by("order").values_list("number", flat=True)) == ["3", "1", "2"]
    assert second.pk in plan.sections.values_list("pk", flat=True)


# --- Actions -------------------------------------------------------------------------


def test_actions_are_numbered_next_in_their_section(plan, plan_manager, section, council):
    post = PostFactory(agency=council, title="Principal Social Worker")
    first = plan_services.action_create(plan=plan, created_by=plan_manager, section=section, description="Relaunch thresholds", lead_post=post)
    second = plan_services.action_create(plan=plan, created_by=plan_manager, section=section, description="Audit referrals",
                                         partner_agencies=[council], related=[first])
    assert (first.reference, second.reference) == ("1.1", "1.2")
    assert (first.order, second.order) == (1, 2)
    assert list(second.related_actions.all()) == [first]
    assert list(second.partner_agencies.all()) == [council]
    with pytest.raises(ValidationError, match="already has an action 1.1"):
        plan_services.action_create(plan=plan, created_by=plan_manager, section=section, description="x", reference="1.1")


def test_findings_must_belong_to_the_plans_inspections(plan, plan_manager, section):
    inspection = InspectionFactory()
    plan.inspections.add(inspection)
    ours, theirs = FindingFactory(inspection=inspection), FindingFactory()
    action = plan_services.action_create(plan=plan, created_by=plan_manager, section=section, description="x", findings=[ours])
    assert list(action.findings.all()) == [ours]
    with pytest.raises(ValidationError, match="inspections this plan answers"):
        plan_services.action_create(plan=plan, created_by=plan_manager, section=section, description="y", findings=[theirs])


def test_a_stale_edit_is_refused_with_what_changed(plan, plan_manager, section):
    action = plan_services.action_create(plan=plan, created_by=plan_manager, section=section, description="Original words")
    seen = action.version
    action_update(action=action, editor=plan_manager, expected_version=seen, outcome="Someone else's outcome")
    with pytest.raises(StaleEdit) as exc:
        plan_services.action_edit(
            action=action, editor=plan_manager, expected_version=seen, fields={"description": "Mine"},
            partner_agencies=[], findings=[], related=[],
        )
    assert any("Someone else's outcome" in change for change in exc.value.changes)
    action.refresh_from_db()
    assert action.description == "Original words"


def test_due_dates_move_freely_in_draft_and_only_by_revision_once_approved(plan, plan_manager, section):
    due = TODAY + dt.timedelta(days=90)
    action = plan_services.action_create(plan=plan, created_by=plan_manager, section=section, description="x", due_date=due)
    later = due + dt.timedelta(days=30)
    action = plan_services.action_edit(action=action, editor=plan_manager, expected_version=action.version,
                                       fields={"due_date": later}, partner_agencies=[], findings=[], related=[])
    assert action.due_date == later and action.original_due_date == later and not action.is_revised
    plan_services.plan_status_move(plan=plan, to_status="approved", changed_by=plan_manager)
    action.plan.refresh_from_db()
    with pytest.raises(ValidationError, match="revised date"):
        plan_services.action_edit(action=action, editor=plan_manager, expected_version=action.version,
                                  fields={"due_date": later + dt.timedelta(days=1)}, partner_agencies=[], findings=[], related=[])


def test_reordering_and_renumbering_a_section(plan, plan_manager, section):
    a, b, c = (plan_services.action_create(plan=plan, created_by=plan_manager, section=section, description=d)
               for d in ("first", "second", "third"))
    versions = {x.pk: x.version for x in (a, b, c)}
    changed = plan_services.actions_renumber(section=section, changed_by=plan_manager, ordered_actions=[c, a, b])
    rows = list(Action.objects.filter(section=section).order_by("order").values_list("description", "reference", "order"))
    assert rows == [("third", "1.1", 1), ("first", "1.2", 2), ("second", "1.3", 3)]
    assert {x.pk for x in changed} == {a.pk, b.pk, c.pk}
    assert all(Action.objects.get(pk=pk).version == v + 1 for pk, v in versions.items())
    # The history records the old reference against the new, not the placeholder.
    latest = Action.history.filter(id=c.pk).order_by("-history_date").first()
    assert latest.reference == "1.1" and latest.history_user == plan_manager


def test_renumbering_refuses_to_take_another_sections_reference(plan, plan_manager, section):
    other = SectionFactory(plan=plan, number="2", order=2)
    ActionFactory(plan=plan, section=other, reference="1.2")
    a, b = (plan_services.action_create(plan=plan, created_by=plan_manager, section=section, description=d) for d in "ab")
    with pytest.raises(ValidationError, match="1.2"):
        plan_services.actions_renumber(section=section, changed_by=plan_manager, ordered_actions=[b, a])
    assert Action.objects.get(pk=a.pk).reference == "1.1"


def test_links_are_replaced_not_added_to(plan, plan_manager, section):
    a, b, c = (plan_services.action_create(plan=plan, created_by=plan_manager, section=section, description=d) for d in "abc")
    plan_services.action_links_set(action=a, changed_by=plan_manager, related=[b])
    plan_services.action_links_set(action=a, changed_by=plan_manager, related=[c])
    assert list(a.related_actions.all()) == [c]
    with pytest.raises(ValidationError):
        plan_services.action_links_set(action=a, changed_by=plan_manager, related=[a])


# --- Posts change hands --------------------------------------------------------------


def test_a_new_holder_takes_every_action_of_the_post_and_history_keeps_the_old(plan, plan_manager, officer, section, council):
    post = PostFactory(agency=council, title="Principal Social Worker")
    old = PostHoldingFactory(post=post, person=officer, started_on=dt.date(2020, 1, 1))
    actions = [ActionFactory(plan=plan, section=section, lead_post=post, due_date=TODAY + dt.timedelta(days=200))
               for _ in range(3)]
    newcomer = UserFactory(full_name="Nadia Newcomer", agency=council)
    holding = post_holder_change(post=post, new_person=newcomer, on=TODAY, changed_by=plan_manager)
    old.refresh_from_db()
    assert old.ended_on == TODAY - dt.timedelta(days=1)
    assert holding.started_on == TODAY and holding.ended_on is None
    mine = my_actions(newcomer, TODAY)
    assert {a.pk for a in mine.update_needed + mine.other + mine.due_soon + mine.overdue} == {a.pk for a in actions}
    assert my_actions(officer, TODAY).total == 0
    # Who led on a day before the change is still known.
    assert list(PostHolding.objects.current(TODAY - dt.timedelta(days=30)).filter(post=post).values_list("person", flat=True)) == [officer.pk]


def test_only_managers_change_post_holders_and_bad_changes_leave_nothing(officer, director, plan_manager, council):
    post = PostFactory(agency=council)
    PostHoldingFactory(post=post, person=officer, started_on=TODAY - dt.timedelta(days=10))
    for person in (officer, director):
        with pytest.raises(PermissionDenied):
            post_holder_change(post=post, new_person=director, on=TODAY, changed_by=person)
    with pytest.raises(ValidationError, match="already holds"):
        post_holder_change(post=post, new_person=officer, on=TODAY, changed_by=plan_manager)
    with pytest.raises(ValidationError, match="after that"):
        post_holder_change(post=post, new_person=director, on=TODAY - dt.timedelta(days=20), changed_by=plan_manager)
    assert post.holdings.filter(ended_on__isnull=True).get().person == officer
    assert post.holdings.count() == 1


def test_a_job_share_ends_every_open_holding(plan_manager, council):
    post = PostFactory(agency=council)
    sharers = [PostHoldingFactory(post=post, person=UserFactory(agency=council)) for _ in range(2)]
    newcomer = UserFactory(agency=AgencyFactory())
    post_holder_change(post=post, new_person=newcomer, on=TODAY, changed_by=plan_manager)
    assert all(PostHolding.objects.get(pk=h.pk).ended_on == TODAY - dt.timedelta(days=1) for h in sharers)
    assert list(PostHolding.objects.current(TODAY).filter(post=post).values_list("person", flat=True)) == [newcomer.pk]
