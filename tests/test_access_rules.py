"""The access rule (actionplans.access), table by table: what each person sees of every
scoped model, and which writes each may make, as each role. The expectations are written
out from the rule in words (the module's docstring), not by calling it.

One world: plan A (managed by ``manager_a``) with an action the council leads and the police
support (``a_council``, its lead post held by ``officer``) and one the police lead
(``a_police``); plan B (managed by ``manager_b``) with a council action (``a_other``). Each
plan answers its own inspection, with a finding; plan A has a whole-plan measure and a
measure of ``a_council``, plan B a measure of ``a_other``. Papers: one of plan A asked for by
the clerk, one of plan A asked for by the police officer (as if they could), one of plan B;
a schedule of each plan.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch

from actionplans import access
from actionplans.models import Action, Measure, Plan, Section
from inspections.models import Finding, Inspection
from partners.choices import Role, Sector
from partners.models import Agency, Post
from reports.models import ReportJob, ReportSchedule
from tests.factories import (
    ActionFactory,
    AgencyFactory,
    FindingFactory,
    GovernanceBodyFactory,
    InspectionFactory,
    MeasureFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    UserFactory,
)

# Who is asked, by key: (role, agency key or None, extra)
PEOPLE = {
    "officer lead": (Role.OFFICER, "council", {}),
    "other officer": (Role.OFFICER, "council", {}),
    "partner officer (police)": (Role.PARTNER_OFFICER, "police", {}),
    "partner officer (unrelated)": (Role.PARTNER_OFFICER, "other", {}),
    "partner officer (no agency)": (Role.PARTNER_OFFICER, None, {}),
    "manager of A": (Role.PLAN_MANAGER, "council", {}),
    "manager of B": (Role.PLAN_MANAGER, "council", {}),
    "director": (Role.DIRECTOR, "council", {}),
    "clerk": (Role.CLERK, "council", {}),
    "member": (Role.MEMBER, "council", {}),
    "admin": (Role.ADMIN, "council", {"is_staff": True, "is_superuser": True}),
    "admin (role only)": (Role.ADMIN, "council", {}),
    "inactive officer": (Role.OFFICER, "council", {"is_active": False}),
    "inactive manager of A": (Role.PLAN_MANAGER, "council", {"is_active": False}),
    "anonymous": None,
}
WIDE = [
    "officer lead", "other officer", "manager of A", "manager of B", "director", "clerk", "member", "admin",
    "admin (role only)",
]
NOBODY = ["partner officer (no agency)", "inactive officer", "inactive manager of A", "anonymous"]


@pytest.fixture
def world(db):
    w = {}
    w["council"] = AgencyFactory(name="Council", short_name="C", sector=Sector.LOCAL_AUTHORITY)
    w["police"] = AgencyFactory(name="Police", short_name="P", sector=Sector.POLICE)
    w["other"] = AgencyFactory(name="Trust", short_name="T", sector=Sector.HEALTH)
    for key, spec in PEOPLE.items():
        if spec is None:
            w[key] = AnonymousUser()
            continue
        role, agency, extra = spec
        person = UserFactory(role=role, agency=w[agency] if agency else None)
        if extra:
            for name, value in extra.items():
                setattr(person, name, value)
            person.save()
        w[key] = person
    w["post council"] = PostFactory(agency=w["council"])
    w["post police"] = PostFactory(agency=w["police"])
    w["post other"] = PostFactory(agency=w["other"])
    PostHoldingFactory(post=w["post council"], person=w["officer lead"])
    w["A"], w["B"] = PlanFactory(), PlanFactory()
    w["A"].managers.add(w["manager of A"], w["inactive manager of A"])
    w["B"].managers.add(w["manager of B"])
    w["a_council"] = ActionFactory(plan=w["A"], lead_post=w["post council"])
    w["a_council"].partner_agencies.add(w["police"])
    w["a_police"] = ActionFactory(plan=w["A"], lead_post=w["post police"])
    w["a_other"] = ActionFactory(plan=w["B"], lead_post=w["post council"])
    for name in ("a_council", "a_police", "a_other"):
        w[f"section {name}"] = w[name].section
    w["inspection A"], w["inspection B"] = InspectionFactory(), InspectionFactory()
    w["A"].inspections.add(w["inspection A"])
    w["B"].inspections.add(w["inspection B"])
    w["finding A"] = FindingFactory(inspection=w["inspection A"])
    w["finding B"] = FindingFactory(inspection=w["inspection B"])
    w["measure A"] = MeasureFactory(plan=w["A"])
    w["measure a_council"] = MeasureFactory(plan=w["A"], action=w["a_council"])
    w["measure a_other"] = MeasureFactory(plan=w["B"], action=w["a_other"])
    job = {"kind": "committee", "format": "pdf"}
    w["paper A"] = ReportJob.objects.create(plan=w["A"], requested_by=w["clerk"], **job)
    w["paper A (police)"] = ReportJob.objects.create(plan=w["A"], requested_by=w["partner officer (police)"], **job)
    w["paper B"] = ReportJob.objects.create(plan=w["B"], requested_by=w["clerk"], **job)
    body = GovernanceBodyFactory()
    w["schedule A"] = ReportSchedule.objects.create(plan=w["A"], body=body, **job)
    w["schedule B"] = ReportSchedule.objects.create(plan=w["B"], body=body, **job)
    return w


# model, every object of it in the world, and what the police and the unrelated partner
# officer see of them (the partnership-wide roles see all; NOBODY sees none).
VISIBLE = [
    (Action, ["a_council", "a_police", "a_other"], ["a_council", "a_police"], []),
    (Plan, ["A", "B"], ["A"], []),
    (Section, ["section a_council", "section a_police", "section a_other"], ["section a_council", "section a_police"], []),
    (Inspection, ["inspection A", "inspection B"], ["inspection A"], []),
    (Finding, ["finding A", "finding B"], ["finding A"], []),
    (Measure, ["measure A", "measure a_council", "measure a_other"], ["measure A", "measure a_council"], []),
    # their own agency, and those leading or supporting an action they see
    (Agency, ["council", "police", "other"], ["council", "police"], ["other"]),
    (Post, ["post council", "post police", "post other"], ["post council", "post police"], ["post other"]),
    # a paper covers other agencies' actions: only those they asked for themselves
    (ReportJob, ["paper A", "paper A (police)", "paper B"], ["paper A (police)"], []),
    (ReportSchedule, ["schedule A", "schedule B"], ["schedule A"], []),
]


@pytest.mark.parametrize(("model", "every", "police_sees", "unrelated_sees"), VISIBLE, ids=lambda v: getattr(v, "__name__", ""))
def test_visible_to_as_every_role(world, model, every, police_sees, unrelated_sees):
    expected = dict.fromkeys(WIDE, every)
    expected |= {key: [] for key in NOBODY}
    expected["partner officer (police)"] = police_sees
    expected["partner officer (unrelated)"] = unrelated_sees
    assert set(expected) == set(PEOPLE)
    got = {
        person: sorted(k for k in every if world[k].pk in set(access.visible_to(world[person], model.objects.all()).values_list("pk", flat=True)))
        for person in PEOPLE
    }
    assert got == {person: sorted(keys) for person, keys in expected.items()}


def test_a_model_without_a_rule_is_refused_not_shown(world):
    from actionplans.models import ProgressUpdate

    with pytest.raises(LookupError):
        access.visible_to(world["admin"], ProgressUpdate.objects.all())


def test_for_user_is_the_same_rule(world):
    for person in PEOPLE:
        assert set(Action.objects.for_user(world[person])) == set(access.visible_to(world[person], Action.objects.all()))


def test_an_audience_on_loaded_rows_agrees_with_its_query(world):
    """Audience.sees (the reminders' form, on prefetched rows) gives what actions_q gives."""
    rows = list(Action.objects.select_related("lead_post").prefetch_related(Prefetch("partner_agencies")))
    for person in PEOPLE:
        audience = access.audience_of(world[person])
        if audience is None:
            assert not access.visible_to(world[person], Action.objects.all()).exists(), person
            continue
        in_query = set(audience.actions().values_list("pk", flat=True))
        assert {a.pk for a in rows if audience.sees(a)} == in_query, person


MANAGERS_OF_A = ["manager of A", "admin", "admin (role only)"]
UPDATERS_OF_A_COUNCIL = ["officer lead", "partner officer (police)", *MANAGERS_OF_A]
# predicate, the object's key (None: a predicate of the person only), who may
CAN = [
    (access.can_update_action, "a_council", UPDATERS_OF_A_COUNCIL),  # lead post holder; supporting agency
    (access.can_update_action, "a_police", ["partner officer (police)", *MANAGERS_OF_A]),  # lead agency
    (access.can_update_action, "a_other", ["officer lead", "manager of B", "admin", "admin (role only)"]),
    (access.can_edit_action, "a_council", MANAGERS_OF_A),
    (access.can_decide_revision, "a_council", MANAGERS_OF_A),
    (access.can_reopen_action, "a_council", MANAGERS_OF_A),
    (access.can_sign_off, "a_council", ["director", *MANAGERS_OF_A]),
    (access.can_manage_plan, "A", MANAGERS_OF_A),
    (access.can_manage_plan, "B", ["manager of B", "admin", "admin (role only)"]),
    (access.can_record_measure_value, "measure a_council", UPDATERS_OF_A_COUNCIL),
    (access.can_record_measure_value, "measure A", MANAGERS_OF_A),
    (access.can_request_reports, None, ["manager of A", "manager of B", "director", "clerk", "admin", "admin (role only)"]),
    (access.can_manage_partnership, None, ["manager of A", "manager of B", "admin", "admin (role only)"]),
    (
        access.can_update_actions,
        None,
        ["officer lead", "other officer", "partner officer (police)", "partner officer (unrelated)",
         "partner officer (no agency)", "manager of A", "manager of B", "admin", "admin (role only)"],
    ),
]


@pytest.mark.parametrize(("predicate", "target", "allowed"), CAN, ids=lambda v: getattr(v, "__name__", v if isinstance(v, str) else ""))
def test_can_as_every_role(world, predicate, target, allowed):
    def ask(person):
        return predicate(world[person]) if target is None else predicate(world[person], world[target])

    assert sorted(p for p in PEOPLE if ask(p)) == sorted(allowed)


def test_managed_plans_is_can_manage_plan_for_every_plan(world):
    for person in PEOPLE:
        managed = set(access.managed_plans(world[person]).values_list("pk", flat=True))
        assert managed == {world[p].pk for p in ("A", "B") if access.can_manage_plan(world[person], world[p])}, person
