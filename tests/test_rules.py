"""The date and status rules (actionplans/rules.py), row by row, in Python and in the
database: where a rule is both, the two must agree. Each rule is covered once here; the
pages, reminders, dashboards, exports and papers that use it are tested in their own modules."""

import csv
import datetime as dt
import io

import pytest

from actionplans import rules
from actionplans.choices import RAG, ActionStatus, ReviewCadence
from actionplans.models import Action, ProgressUpdate
from tests.factories import ActionFactory, PlanFactory, ProgressUpdateFactory

TODAY = dt.date.today()
DAY = dt.timedelta(days=1)
S = ActionStatus


def _in_db(rows, make, condition, annotate=lambda qs: qs):
    """Make one action per row; return (pks expected by the rows, pks the condition finds)."""
    expected = set()
    for i, row in enumerate(rows):
        action = make(i, row)
        if row[-1]:
            expected.add(action.pk)
    found = set(annotate(Action.objects.all()).filter(condition).values_list("pk", flat=True))
    return expected, found


# --- Complete and open ----------------------------------------------------------------------

STATUS_TABLE = [
    (S.NOT_STARTED, False),
    (S.IN_PROGRESS, False),
    (S.DELIVERED, True),
    (S.OUTCOME_EVIDENCED, True),
]


def test_every_status_is_either_complete_or_open():
    assert {s for s, _ in STATUS_TABLE} == set(S.values)
    assert set(rules.COMPLETE_STATUSES) | set(rules.OPEN_STATUSES) == set(S.values)
    assert not set(rules.COMPLETE_STATUSES) & set(rules.OPEN_STATUSES)


@pytest.mark.parametrize(("status", "complete"), STATUS_TABLE)
def test_complete_rule_table(status, complete):
    assert rules.is_complete(status) is complete
    assert Action(status=status).is_complete is complete


@pytest.mark.django_db
def test_open_in_the_database_agrees_with_the_rule():
    expected, found = _in_db(
        [(s, not complete) for s, complete in STATUS_TABLE],
        lambda i, row: ActionFactory(status=row[0], reference=f"S{i}"),
        rules.open_q(),
    )
    assert found == expected


# --- Overdue ----------------------------------------------------------------------------------

# status, due date, overdue today
OVERDUE_TABLE = [
    (S.IN_PROGRESS, TODAY - DAY, True),
    (S.NOT_STARTED, TODAY - 400 * DAY, True),
    (S.IN_PROGRESS, TODAY, False),  # due today is not yet overdue
    (S.IN_PROGRESS, TODAY + DAY, False),
    (S.IN_PROGRESS, None, False),
    (S.DELIVERED, TODAY - DAY, False),
    (S.OUTCOME_EVIDENCED, TODAY - DAY, False),
]


@pytest.mark.parametrize(("status", "due", "overdue"), OVERDUE_TABLE)
def test_overdue_rule_table(status, due, overdue):
    assert rules.is_overdue(status=status, due_date=due, today=TODAY) is overdue
    assert Action(status=status, due_date=due).is_overdue(TODAY) is overdue


@pytest.mark.django_db
def test_overdue_in_the_database_agrees_with_the_rule():
    expected, found = _in_db(
        OVERDUE_TABLE,
        lambda i, row: ActionFactory(status=row[0], due_date=row[1], start_date=None, reference=f"O{i}"),
        rules.overdue_q(TODAY),
    )
    assert found == expected


# --- Due within a window, and the one "due soon" ------------------------------------------------

# days, status, due date, due within the days
DUE_WITHIN_TABLE = [
    (30, S.IN_PROGRESS, TODAY, True),  # due today: from today, inclusive
    (30, S.IN_PROGRESS, TODAY + 30 * DAY, True),  # to today + 30, inclusive
    (30, S.IN_PROGRESS, TODAY + 31 * DAY, False),
    (30, S.NOT_STARTED, TODAY + 10 * DAY, True),
    (30, S.IN_PROGRESS, TODAY - DAY, False),  # overdue, not due soon
    (30, S.IN_PROGRESS, None, False),
    (30, S.DELIVERED, TODAY + 10 * DAY, False),
    (90, S.IN_PROGRESS, TODAY + 90 * DAY, True),
    (90, S.IN_PROGRESS, TODAY + 91 * DAY, False),
]


@pytest.mark.parametrize(("days", "status", "due", "within"), DUE_WITHIN_TABLE)
def test_due_within_rule_table(days, status, due, within):
    assert rules.is_due_within(days, status=status, due_date=due, today=TODAY) is within


@pytest.mark.django_db
@pytest.mark.parametrize("days", sorted({row[0] for row in DUE_WITHIN_TABLE}))
def test_due_within_in_the_database_agrees_with_the_rule(days):
    rows = [row[1:] for row in DUE_WITHIN_TABLE if row[0] == days]
    expected, found = _in_db(
        rows,
        lambda i, row: ActionFactory(status=row[0], due_date=row[1], start_date=None, reference=f"D{i}"),
        rules.due_within_q(days, TODAY),
    )
    assert found == expected


def test_due_soon_is_one_window_of_30_days():
    assert rules.DUE_SOON_DAYS == 30
    assert rules.DUE_AHEAD_DAYS == 90  # the dashboards' separate, labelled look ahead
    assert rules.is_due_soon(status=S.IN_PROGRESS, due_date=TODAY + 30 * DAY, today=TODAY)
    assert not rules.is_due_soon(status=S.IN_PROGRESS, due_date=TODAY + 31 * DAY, today=TODAY)



@pytest.mark.django_db
def test_my_actions_the_reminders_and_the_dashboard_share_the_due_soon_window(officer, council):
    """An action due on the window's last day is due soon everywhere; a day later, nowhere."""
    from actionplans import dashboards, reminders
    from actionplans.actions import selectors
    from actionplans.choices import PlanStatus
    from tests.factories import PostFactory, PostHoldingFactory

    plan = PlanFactory(status=PlanStatus.LIVE)
    post = PostFactory(agency=council)
    PostHoldingFactory(post=post, person=officer, started_on=TODAY - 400 * DAY)
    last = ActionFactory(plan=plan, lead_post=post, reference="last", due_date=TODAY + rules.DUE_SOON_DAYS * DAY)
    later = ActionFactory(plan=plan, lead_post=post, reference="later", due_date=TODAY + (rules.DUE_SOON_DAYS + 1) * DAY)
    for action in (last, later):
        ProgressUpdateFactory(action=action, as_of=TODAY - DAY)

    assert [a.reference for a in selectors.my_actions(officer, TODAY).due_soon] == ["last"]
    (mine,) = [r for r in reminders.reminders_for(TODAY) if r.person == officer]
    assert [a.reference for a in mine.due_soon] == ["last"]
    soon = dict(dashboards.summary(dashboards.plan_scope(officer, plan, TODAY)).due_soon)
    assert soon[rules.DUE_SOON_DAYS].count == 1


# --- Needs an update -----------------------------------------------------------------------------

# status, review cycle (days), last update (days ago, None for none), needs an update
UPDATE_NEEDED_TABLE = [
    (S.IN_PROGRESS, ReviewCadence.MONTHLY, None, True),
    (S.IN_PROGRESS, ReviewCadence.MONTHLY, 30, False),  # on the cut-off: still recent
    (S.IN_PROGRESS, ReviewCadence.MONTHLY, 31, True),
    (S.NOT_STARTED, ReviewCadence.QUARTERLY, 60, False),
    (S.NOT_STARTED, ReviewCadence.QUARTERLY, 92, True),
    (S.IN_PROGRESS, ReviewCadence.SIX_MONTHLY, 183, False),
    (S.DELIVERED, ReviewCadence.MONTHLY, None, False),  # complete: nothing more to update
    (S.OUTCOME_EVIDENCED, ReviewCadence.MONTHLY, 200, False),
]


@pytest.mark.parametrize(("status", "cadence", "ago", "needed"), UPDATE_NEEDED_TABLE)
def test_update_needed_rule_table(status, cadence, ago, needed):
    last = None if ago is None else TODAY - ago * DAY
    assert rules.needs_update(status=status, last_update_on=last, cadence_days=cadence, today=TODAY) is needed


@pytest.mark.django_db
def test_update_needed_in_the_database_agrees_with_the_rule():
    def make(i, row):
        status, cadence, ago, _ = row
        action = ActionFactory(plan=PlanFactory(review_cadence_days=cadence), status=status, reference=f"U{i}")
        if ago is not None:
            ProgressUpdateFactory(action=action, as_of=TODAY - ago * DAY, status=status)
            ProgressUpdateFactory(action=action, as_of=TODAY - (ago + 100) * DAY, status=status)
        return action

    expected, found = _in_db(
        UPDATE_NEEDED_TABLE, make, rules.update_needed_q(), lambda qs: rules.annotate_update_needed(qs, TODAY)
    )
    assert found == expected


# --- The latest progress update -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_latest_update_is_the_latest_dated_then_the_latest_recorded():
    from django.db.models import Subquery

    action = ActionFactory()
    ProgressUpdateFactory(action=action, as_of=TODAY - 20 * DAY, narrative="older")
    ProgressUpdateFactory(action=action, as_of=TODAY - 5 * DAY, narrative="first of the day")
    ProgressUpdateFactory(action=action, as_of=TODAY - 5 * DAY, narrative="second of the day")
    ProgressUpdateFactory(action=action, as_of=TODAY, narrative="today")

    def latest(as_at=None):
        qs = Action.objects.annotate(latest=Subquery(rules.latest_updates(as_at=as_at).values("narrative")[:1]))
        return qs.get(pk=action.pk).latest

    assert latest() == "today"
    assert latest(TODAY - DAY) == "second of the day"
    assert latest(TODAY - 10 * DAY) == "older"
    assert latest(TODAY - 30 * DAY) is None
    # From a query over the updates themselves ("action" names the outer action).
    inner = rules.latest_updates("action", as_at=TODAY - DAY).values("pk")[:1]
    assert ProgressUpdate.objects.filter(pk=Subquery(inner)).get().narrative == "second of the day"


# --- As at ---------------------------------------------------------------------------------------

# as at, historical (True) or live (False)
AS_AT_TABLE = [
    (None, False),
    (TODAY - 365 * DAY, True),
    (TODAY - DAY, True),
    (TODAY, False),
    (TODAY + DAY, False),
]


@pytest.mark.parametrize(("as_at", "historical"), AS_AT_TABLE)
def test_as_at_rule_table(as_at, historical):
    assert rules.reads_history(as_at, TODAY) is historical


@pytest.mark.django_db
def test_a_csv_export_and_a_paper_as_at_today_agree():
    """Delivered on the action itself, with no sign-off or update saying so (as an import
    leaves it): live it is green; read from the history of the day it would be not rated.
    A CSV export and a paper for today must both read it live."""
    from reports.choices import ReportFormat, ReportKind
    from reports.models import ReportJob
    from reports.papers import registry as renderers
    from reports.selectors import plan_snapshot

    plan = PlanFactory()
    ActionFactory(plan=plan, reference="1.1", status=S.DELIVERED, due_date=TODAY + 10 * DAY, start_date=None)
    ActionFactory(plan=plan, reference="1.2", status=S.IN_PROGRESS, due_date=TODAY - DAY, start_date=None)

    job = ReportJob.objects.create(
        plan=plan, kind=ReportKind.ACTIONS_EXPORT, format=ReportFormat.CSV, requested_by=None, as_at=TODAY
    )
    content = renderers.render_actions_csv(ReportJob.objects.select_related("plan").get(pk=job.pk)).content
    exported = {row["Reference"]: row["RAG"] for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}
    paper = {a.reference: a.rag for a in plan_snapshot(plan, as_at=TODAY).actions}

    assert exported == {ref: RAG(rag).label for ref, rag in paper.items()}
    assert exported == {"1.1": "Green", "1.2": "Red"}


# --- RAG counts: one shape ------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_rag_count_has_the_one_shape():
    """Counted in one query, by a key, many at once, or from loaded actions: every RAG value, in
    RAG_ORDER, zero where none, and the same numbers."""
    from actionplans.rag import (
        RAG_ORDER,
        annotate_rag,
        count_by_rag,
        rag_count_dict,
        rag_counts,
        rag_counts_by,
    )
    from reports.selectors import plan_snapshot

    plan = PlanFactory()
    ActionFactory(plan=plan, status=S.IN_PROGRESS, due_date=TODAY - DAY)  # red
    ActionFactory(plan=plan, status=S.IN_PROGRESS, due_date=TODAY - 2 * DAY)  # red
    ActionFactory(plan=plan, status=S.OUTCOME_EVIDENCED, due_date=TODAY - DAY)  # blue
    ActionFactory(plan=plan, status=S.NOT_STARTED, due_date=TODAY + DAY)  # not rated
    want = {"red": 2, "amber": 0, "green": 0, "blue": 1, "not_rated": 1}
    actions = Action.objects.filter(plan=plan)

    assert list(rag_count_dict()) == [rag.value for rag in RAG_ORDER]
    assert rag_count_dict([("red", 1), ("red", 1), ("blue", 1)]) == {**dict.fromkeys(want, 0), "red": 2, "blue": 1}
    assert rag_counts(actions, TODAY) == want
    assert list(rag_counts(actions, TODAY)) == list(want)
    assert rag_counts_by(actions, "plan_id", TODAY)[plan.pk].counts == want
    rows = count_by_rag([annotate_rag(actions, TODAY)], ("plan_id",))
    assert rag_count_dict((row["rag"], row["n"]) for row in rows) == want
    assert plan_snapshot(plan, as_at=TODAY).rag_counts == want
