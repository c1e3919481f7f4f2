"""``manage.py generate_scale_data``: the docs/domain.md volumes scaled down, in exact numbers; the
same seed gives the same rows and another seed other rows; only the bench logins can sign
in; and a database that already has plans is refused unless --force."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models, transaction

from actionplans.choices import ActionStatus
from actionplans.management.commands.generate_scale_data import (
    BENCH_PASSWORD,
    BENCH_ROLES,
    Sizes,
    apportion,
    bench_email,
)
from actionplans.models import (
    Action,
    ActionLink,
    ActionSignOff,
    BoardSignOff,
    DueDateRevision,
    Evidence,
    Measure,
    MeasureValue,
    PartnerSignOff,
    Plan,
    ProgressUpdate,
    Section,
)
from inspections.models import Finding, Inspection, Judgement
from partners.models import Agency, GovernanceBody, Meeting, Post, PostHolding, User
from tests.factories import PlanFactory

TODAY = dt.date(2026, 3, 16)
SCALE = 0.002

# How each model is named in a dump, so that rows compare whatever their ids.
NATURAL_KEYS = {
    Agency: ["short_name"],
    User: ["email"],
    Post: ["agency__short_name", "title"],
    GovernanceBody: ["name"],
    Inspection: ["title"],
    Finding: ["inspection__title", "order"],
    Plan: ["slug"],
    Section: ["plan__slug", "number"],
    Action: ["plan__slug", "reference"],
    ProgressUpdate: ["action__plan__slug", "action__reference", "created_at"],
    Measure: ["plan__slug", "name"],
}
DUMPED = [
    Agency, User, Post, PostHolding, GovernanceBody, Meeting, Inspection, Judgement, Finding, Plan,
    Plan.managers.through, Plan.inspections.through, Section, Action, Action.partner_agencies.through,
    Action.delegates.through, Action.findings.through, ActionLink, DueDateRevision, ActionSignOff,
    ProgressUpdate, Evidence, Measure, MeasureValue, PartnerSignOff, BoardSignOff,
]


def _columns(model) -> list[str]:
    """Every stored field but the id and the clock-set timestamps; a foreign key by the
    natural key of the row it points at."""
    columns = []
    for f in model._meta.concrete_fields:
        if f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if isinstance(f, models.ForeignKey):
            columns += [f"{f.name}__{key}" for key in NATURAL_KEYS[f.related_model]]
        else:
            columns.append(f.name)
    return columns


def dump() -> dict[str, list]:
    return {
        model._meta.label: sorted(model.objects.values_list(*_columns(model)), key=repr) for model in DUMPED
    }


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_scale_data", scale=SCALE, today=TODAY, stdout=out, **options)
    return out.getvalue()


class _Undo(Exception):
    pass


def generated_rows(**options) -> dict[str, list]:
    """Generate, dump every row, and roll the database back to how it was."""
    try:
        with transaction.atomic():
            generate(**options)
            rows = dump()
            raise _Undo
    except _Undo:
        return rows


@pytest.mark.django_db
def test_volumes_are_the_domain_scale_times_the_scale_factor():
    output = generate(seed=42)
    sizes = Sizes.for_scale(SCALE)
    assert Agency.objects.count() == sizes.agencies
    assert User.objects.count() == sizes.users
    assert Plan.objects.count() == sizes.plans
    assert Action.objects.count() == sizes.actions
    assert ProgressUpdate.objects.count() == sizes.updates == round(100_000 * SCALE)
    assert Evidence.objects.count() == sizes.evidence == round(30_000 * SCALE)
    assert MeasureValue.objects.exists() and Section.objects.exists() and DueDateRevision.objects.exists()
    assert "Bench logins" in output
    # Every plan has actions, the first plan is the biggest, and evidence is links, not files.
    sizes_by_plan = [p.actions.count() for p in Plan.objects.order_by("slug")]
    assert min(sizes_by_plan) >= 1 and sizes_by_plan[0] == max(sizes_by_plan)
    assert not Evidence.objects.exclude(file="").exists()
    # Bulk inserts: no change history is written for the generated rows.
    assert not ProgressUpdate.history.exists() and not Action.history.exists()


def test_volumes_at_full_scale_are_those_of_domain_md():
    sizes = Sizes.for_scale(1.0)
    assert (sizes.agencies, sizes.users, sizes.plans, sizes.actions, sizes.updates, sizes.evidence) == (
        30, 400, 20, 5000, 100_000, 30_000,
    )


def test_apportion_keeps_the_total_and_gives_nothing_to_a_zero_weight():
    counts = apportion(101, [1.0, 0.0, 2.0, 0.5])
    assert sum(counts) == 101 and counts[1] == 0
    assert apportion(0, [1.0]) == [0] and apportion(5, [0.0, 0.0]) == [0, 0]


@pytest.mark.django_db
def test_history_is_consistent_with_each_action():
    generate(seed=42)
    for action in Action.objects.prefetch_related("updates", "sign_offs"):
        updates = sorted(action.updates.all(), key=lambda u: (u.as_of, u.created_at))
        # Nothing is recorded on or after the day the data is generated as of.
        assert all(u.as_of < TODAY for u in updates)
        if action.status == ActionStatus.NOT_STARTED:
            assert not updates
        if action.is_complete:
            assert updates[-1].status == action.status
            assert action.sign_offs.exists()
        if action.due_date:
            assert action.original_due_date is not None


@pytest.mark.django_db
def test_only_the_bench_logins_can_sign_in():
    generate(seed=42)
    for role in BENCH_ROLES:
        person = User.objects.get(email=bench_email(role))
        assert person.role == role
        assert person.check_password(BENCH_PASSWORD)
    others = User.objects.exclude(email__startswith="bench-")
    assert others.exists()
    assert not any(person.has_usable_password() for person in others)
    # The bench officer holds lead posts with open actions, so "My actions" has work in it.
    officer = User.objects.get(email=bench_email("officer"))
    led = Action.objects.filter(lead_post__holdings__person=officer, lead_post__holdings__ended_on__isnull=True)
    assert led.exclude(status__in=[ActionStatus.DELIVERED, ActionStatus.OUTCOME_EVIDENCED]).exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows():
    first = generated_rows(seed=42)
    again = generated_rows(seed=42)
    other = generated_rows(seed=43)
    assert Plan.objects.count() == 0  # each run was rolled back
    assert len(first["actionplans.ProgressUpdate"]) == round(100_000 * SCALE)
    assert first == again
    assert first["actionplans.Action"] != other["actionplans.Action"]
    assert first["actionplans.ProgressUpdate"] != other["actionplans.ProgressUpdate"]


@pytest.mark.django_db
def test_a_database_with_plans_is_refused_unless_forced():
    PlanFactory()
    with pytest.raises(CommandError, match="already has 1 plan.*--force"):
        generate(seed=42)
    assert not User.objects.filter(email__endswith="@scale.example").exists()

    generate(seed=42, force=True)
    assert Plan.objects.count() == 1 + Sizes.for_scale(SCALE).plans
    # A second run would collide with the first: refused, forced or not.
    with pytest.raises(CommandError, match="already holds generated scale data"):
        generate(seed=42, force=True)


@pytest.mark.django_db
def test_scale_must_be_positive():
    with pytest.raises(CommandError, match="--scale"):
        call_command("generate_scale_data", scale=0, stdout=StringIO())
