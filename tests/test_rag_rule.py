"""The RAG rule, row by row, in Python and in the database: the two must agree."""

import datetime as dt

import pytest

from actionplans.choices import RAG, ActionStatus
from actionplans.models import Action
from actionplans.rag import annotate_rag, rag_counts, rag_for
from tests.factories import ActionFactory, PlanFactory, ProgressUpdateFactory

TODAY = dt.date.today()
PAST = TODAY - dt.timedelta(days=1)
FUTURE = TODAY + dt.timedelta(days=30)
S = ActionStatus

# status, due date, latest proposed RAG, plan uses blue, expected
RULE_TABLE = [
    (S.OUTCOME_EVIDENCED, PAST, "red", True, RAG.BLUE),
    (S.OUTCOME_EVIDENCED, FUTURE, "", False, RAG.GREEN),
    (S.DELIVERED, PAST, "amber", True, RAG.GREEN),
    (S.DELIVERED, None, "", True, RAG.GREEN),
    (S.IN_PROGRESS, PAST, "green", True, RAG.RED),
    (S.IN_PROGRESS, PAST, "blue", True, RAG.RED),
    (S.NOT_STARTED, PAST, "", True, RAG.RED),
    (S.IN_PROGRESS, TODAY, "green", True, RAG.GREEN),
    (S.IN_PROGRESS, FUTURE, "amber", True, RAG.AMBER),
    (S.IN_PROGRESS, FUTURE, "red", True, RAG.RED),
    (S.IN_PROGRESS, FUTURE, "blue", True, RAG.GREEN),
    (S.IN_PROGRESS, None, "green", True, RAG.GREEN),
    (S.NOT_STARTED, FUTURE, "", True, RAG.NOT_RATED),
    (S.NOT_STARTED, None, "", False, RAG.NOT_RATED),
]


@pytest.mark.parametrize(("status", "due", "proposed", "uses_blue", "expected"), RULE_TABLE)
def test_rag_rule_table(status, due, proposed, uses_blue, expected):
    assert rag_for(status=status, due_date=due, latest_proposed=proposed or None, today=TODAY, uses_blue=uses_blue) == expected


@pytest.mark.parametrize("proposed", ["green", "blue", "amber", ""])
def test_an_overdue_incomplete_action_is_never_green(proposed):
    for status in (S.NOT_STARTED, S.IN_PROGRESS):
        assert rag_for(status=status, due_date=PAST, latest_proposed=proposed or None, today=TODAY) == RAG.RED


@pytest.mark.django_db
def test_the_database_expression_agrees_with_the_rule_on_every_row():
    expected = {}
    for i, (status, due, proposed, uses_blue, want) in enumerate(RULE_TABLE):
        plan = PlanFactory(uses_blue=uses_blue)
        action = ActionFactory(plan=plan, status=status, due_date=due, start_date=None, reference=f"R{i}")
        if proposed:
            ProgressUpdateFactory(action=action, as_of=TODAY - dt.timedelta(days=3), proposed_rag=proposed, status=status)
        expected[action.pk] = want
    got = dict(annotate_rag(Action.objects.all(), TODAY).values_list("pk", "rag"))
    assert got == {pk: rag.value for pk, rag in expected.items()}


@pytest.mark.django_db
def test_only_the_latest_update_counts_and_as_at_ignores_later_ones():
    action = ActionFactory(status=S.IN_PROGRESS, due_date=FUTURE)
    ProgressUpdateFactory(action=action, as_of=TODAY - dt.timedelta(days=40), proposed_rag="green")
    ProgressUpdateFactory(action=action, as_of=TODAY - dt.timedelta(days=2), proposed_rag="red")
    assert annotate_rag(Action.objects.all(), TODAY).get().rag == RAG.RED
    then = TODAY - dt.timedelta(days=10)
    assert annotate_rag(Action.objects.all(), then, as_at_history=True).get().rag == RAG.GREEN


@pytest.mark.django_db
def test_rag_counts_list_every_value_in_order():
    plan = PlanFactory()
    ActionFactory(plan=plan, due_date=PAST, status=S.IN_PROGRESS)
    ActionFactory(plan=plan, status=S.OUTCOME_EVIDENCED)
    counts = rag_counts(Action.objects.filter(plan=plan), TODAY)
    assert list(counts) == ["red", "amber", "green", "blue", "not_rated"]
    assert counts == {"red": 1, "amber": 0, "green": 0, "blue": 1, "not_rated": 0}


@pytest.mark.django_db
def test_as_at_uses_the_due_date_and_sign_offs_of_that_day(plan_manager):
    import datetime as dt

    from django.utils import timezone

    from actionplans.models import ActionSignOff, DueDateRevision

    action = ActionFactory(status=S.DELIVERED, due_date=TODAY + dt.timedelta(days=60), start_date=None)
    Action.objects.filter(pk=action.pk).update(original_due_date=TODAY - dt.timedelta(days=30))
    ProgressUpdateFactory(action=action, as_of=TODAY - dt.timedelta(days=40), proposed_rag="green", status="in_progress")
    ProgressUpdateFactory(action=action, as_of=TODAY - dt.timedelta(days=5), proposed_rag="green", status="delivered")
    DueDateRevision.objects.create(
        action=action, old_date=TODAY - dt.timedelta(days=30), new_date=TODAY + dt.timedelta(days=60), reason="More time",
        decision="approved", decided_at=timezone.now() - dt.timedelta(days=10),
    )
    ActionSignOff.objects.create(action=action, stage="delivered", signed_by=plan_manager, signed_at=timezone.now() - dt.timedelta(days=2))

    def rag_on(day):
        return annotate_rag(Action.objects.filter(pk=action.pk), day, as_at_history=True).get().rag

    # 20 days ago the original date had passed and the date was not yet revised: red.
    assert rag_on(TODAY - dt.timedelta(days=20)) == RAG.RED
    # 4 days ago: revised date in force, delivery claimed but not yet signed off: the proposal.
    assert rag_on(TODAY - dt.timedelta(days=4)) == RAG.GREEN
    assert annotate_rag(Action.objects.filter(pk=action.pk), TODAY - dt.timedelta(days=4), as_at_history=True).get().status_as_at == S.IN_PROGRESS
    # Today: signed off as delivered.
    assert annotate_rag(Action.objects.filter(pk=action.pk), TODAY, as_at_history=True).get().status_as_at == S.DELIVERED
