"""Directors' dashboards: every number equals a count made independently here, in Python,
from the rows (with rag_for per action); every link lists exactly the actions it counts;
the trend "as at" a past date does not move when updates are recorded today; the query
count does not grow with the number of actions; and the pages are scoped like the rest."""

import datetime as dt
import random
from collections import Counter, defaultdict
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.db.models import Count
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from actionplans import dashboards
from actionplans.actions.filtersets import filter_actions
from actionplans.choices import RAG, ActionStatus, Decision, PlanStatus
from actionplans.models import Action, DueDateRevision, MeasureValue, ProgressUpdate, RagSnapshot
from actionplans.rag import RAG_ORDER, annotate_rag, rag_counts, rag_for
from inspections.choices import FindingKind
from tests.factories import (
    ActionFactory,
    FindingFactory,
    InspectionFactory,
    MeasureFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    ProgressUpdateFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

COMPLETE = {ActionStatus.DELIVERED, ActionStatus.OUTCOME_EVIDENCED}
OPEN = {ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS}


# --- A plan with every kind of action ------------------------------------------------------


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def world(db, council, police, plan_manager, today):
    """A live plan of 60 actions in every state, drawn with a fixed seed; a draft plan whose
    actions the partnership dashboard leaves out; and the plan's findings."""
    rng = random.Random(20160815)
    plan = PlanFactory(
        title="Testshire JTAI action plan", slug="testshire-jtai", status=PlanStatus.LIVE,
        live_from=today - dt.timedelta(days=200),
    )
    plan.managers.add(plan_manager)
    author = UserFactory(agency=council)
    one = SectionFactory(plan=plan, number="1", title="Front door", order=1)
    two = SectionFactory(plan=plan, number="2", title="Practice", order=2)
    two_one = SectionFactory(plan=plan, number="2.1", title="Assessments", order=3, parent=two)
    two_two = SectionFactory(plan=plan, number="2.2", title="Supervision", order=4, parent=two)
    posts = [
        PostFactory(agency=council, title="Principal Social Worker"),
        PostFactory(agency=council, title="Head of MASH"),
        PostFactory(agency=police, title="Detective Superintendent"),
        None,
    ]
    for post in posts[:3]:
        PostHoldingFactory(post=post, person=UserFactory(agency=post.agency))
    due_choices = [None, -120, -30, -1, 0, 10, 30, 31, 60, 90, 91, 200]
    rags = ["", "red", "amber", "green", "blue"]
    moment = timezone.now() - dt.timedelta(days=400)
    for n in range(60):
        due = due_choices[n % len(due_choices)]
        post = posts[rng.randrange(len(posts))]
        action = ActionFactory(
            plan=plan,
            section=[one, two_one, two_two, None][rng.randrange(4)],
            reference=f"{n + 1}",
            lead_post=post,
            lead_text="" if post else "Chair of the board",
            due_date=None if due is None else today + dt.timedelta(days=due),
            status=rng.choice(list(ActionStatus.values)),
        )
        if rng.random() < 0.3:
            action.partner_agencies.add(police)
        # Updates at distinct dates over the plan's life, each claiming a status and RAG.
        offsets = sorted(rng.sample(range(0, 230), rng.randrange(0, 4)), reverse=True)
        for offset in offsets:
            moment += dt.timedelta(minutes=1)
            ProgressUpdateFactory(
                action=action, author=author, as_of=today - dt.timedelta(days=offset), created_at=moment,
                proposed_rag=rng.choice(rags), status=rng.choice(list(ActionStatus.values)),
            )
        if action.due_date and rng.random() < 0.3:
            moves = rng.randrange(1, 3)
            new_due = action.due_date
            for _ in range(moves):
                old, new_due = new_due, new_due + dt.timedelta(days=rng.choice([14, 30, 61, -7]))
                DueDateRevision.objects.create(
                    action=action, old_date=old, new_date=new_due, reason="More time", decision=Decision.APPROVED,
                    decided_at=timezone.now(),
                )
            DueDateRevision.objects.create(
                action=action, old_date=new_due, new_date=new_due + dt.timedelta(days=5), reason="Asked",
            )
            Action.objects.filter(pk=action.pk).update(due_date=new_due)
    # The plan and its actions were written before it went live.
    written = timezone.now() - dt.timedelta(days=210)
    type(plan).objects.filter(pk=plan.pk).update(created_at=written)
    Action.objects.filter(plan=plan).update(created_at=written)
    plan.refresh_from_db()
    draft = PlanFactory(title="Draft plan", slug="draft", status=PlanStatus.DRAFT)
    for n in range(5):
        ActionFactory(plan=draft, reference=f"D{n}", due_date=today - dt.timedelta(days=5), lead_post=posts[0])

    # Findings: one with no action, one answered only by red actions, one by a mix.
    inspection = InspectionFactory()
    plan.inspections.add(inspection)
    reds = [a for a in python_rows(plan, today) if a.rag == RAG.RED]
    others = [a for a in python_rows(plan, today) if a.rag != RAG.RED]
    no_action = FindingFactory(inspection=inspection, text="Nothing answers this.")
    only_red = FindingFactory(inspection=inspection, text="Only red actions answer this.")
    mixed = FindingFactory(inspection=inspection, text="Red and green actions answer this.")
    FindingFactory(inspection=inspection, kind=FindingKind.STRENGTH, text="A strength needs no action.")
    only_red.actions.add(*[a.pk for a in reds[:2]])
    mixed.actions.add(reds[2].pk, others[0].pk)
    MeasureFactory(plan=plan, action=None, target_value=90, target_date=today + dt.timedelta(days=100))
    return {"plan": plan, "draft": draft, "no_action": no_action, "only_red": only_red, "mixed": mixed}


# --- The independent count, in Python ---------------------------------------------------------


def _latest(updates, day, *, proposed_only):
    candidates = [u for u in updates if u.as_of <= day and (u.proposed_rag or not proposed_only)]
    return max(candidates, key=lambda u: (u.as_of, u.created_at), default=None)


def python_rows(plan, today, *, actions=None):
    """Every action of the plan with its RAG, from rag_for one by one."""
    rows = list(actions if actions is not None else Action.objects.filter(plan=plan).select_related("plan", "lead_post"))
    updates = defaultdict(list)
    for update in ProgressUpdate.objects.filter(action__in=[a.pk for a in rows]):
        updates[update.action_id].append(update)
    for action in rows:
        action.all_updates = updates[action.pk]
        latest = _latest(action.all_updates, today, proposed_only=True)
        action.rag = rag_for(
            status=action.status, due_date=action.due_date, latest_proposed=latest.proposed_rag if latest else None,
            today=today, uses_blue=action.plan.uses_blue,
        )
    return rows


def rag_then(action, day):
    """The trend's RAG of one action at the end of ``day``, from its records by then: the
    sign-offs made (or, with none ever, the latest update's status), the revisions approved
    and the latest proposal."""
    end = dt.datetime.combine(day, dt.time.max, tzinfo=timezone.get_current_timezone())
    sign_offs = list(action.sign_offs.all())
    signed = {s.stage for s in sign_offs if s.signed_at <= end}
    status_update = _latest(action.all_updates, day, proposed_only=False)
    status = status_update.status if status_update else ActionStatus.NOT_STARTED
    if "outcome_evidenced" in signed:
        status = ActionStatus.OUTCOME_EVIDENCED
    elif "delivered" in signed:
        status = ActionStatus.DELIVERED
    elif sign_offs and status in (ActionStatus.DELIVERED, ActionStatus.OUTCOME_EVIDENCED):
        status = ActionStatus.IN_PROGRESS
    approved = [r for r in action.revisions.all() if r.decision == "approved" and r.decided_at <= end]
    due_date = max(approved, key=lambda r: r.decided_at).new_date if approved else (action.original_due_date or action.due_date)
    proposal = _latest(action.all_updates, day, proposed_only=True)
    return rag_for(
        status=status,
        due_date=due_date,
        latest_proposed=proposal.proposed_rag if proposal else None,
        today=day,
        uses_blue=action.plan.uses_blue,
    )


def expected_sets(rows, today):
    cadence = dt.timedelta(days=30)
    sets = {
        "overdue": {a.pk for a in rows if a.is_overdue(today)},
        "revised": {a.pk for a in rows if a.is_revised},
        "no_recent_update": {
            a.pk for a in rows
            if a.status in OPEN and not any(u.as_of >= today - cadence for u in a.all_updates)
        },
    }
    for days in (30, 90):
        sets[f"due_{days}"] = {
            a.pk for a in rows
            if a.status in OPEN and a.due_date and today <= a.due_date <= today + dt.timedelta(days=days)
        }
    awaiting = set()
    for a in rows:
        latest = _latest(a.all_updates, dt.date.max, proposed_only=False)
        if latest is None:
            continue
        if latest.status == ActionStatus.DELIVERED and a.status in OPEN:
            awaiting.add(a.pk)
        if latest.status == ActionStatus.OUTCOME_EVIDENCED and a.status != ActionStatus.OUTCOME_EVIDENCED:
            awaiting.add(a.pk)
    sets["awaiting_sign_off"] = awaiting
    return sets


def table_ids(url, user, today):
    """The actions the actions table lists at ``url``, through its own FilterSet."""
    parts = urlsplit(url)
    assert parts.path == reverse("actionplans:action_list")
    filterset = filter_actions(QueryDict(parts.query), user=user, today=today)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def assert_links_exact(figure, expected_ids, user, today):
    assert figure.count == len(expected_ids)
    if figure.url is not None:
        assert table_ids(figure.url, user, today) == expected_ids, figure.url


# --- Headline numbers ---------------------------------------------------------------------------


def test_headline_numbers_equal_an_independent_count_and_link_to_exactly_those_actions(world, director, today):
    plan = world["plan"]
    rows = python_rows(plan, today)
    board = dashboards.dashboard(director, plan=plan, today=today)
    s = board.summary
    by_rag = defaultdict(set)
    for a in rows:
        by_rag[a.rag].add(a.pk)

    assert_links_exact(s.total, {a.pk for a in rows}, director, today)
    for rag, figure in s.rag:
        assert_links_exact(figure, by_rag[rag.value], director, today)
    sets = expected_sets(rows, today)
    assert_links_exact(s.overdue, sets["overdue"], director, today)
    assert_links_exact(s.revised, sets["revised"], director, today)
    assert_links_exact(s.no_recent_update, sets["no_recent_update"], director, today)
    assert_links_exact(s.awaiting_sign_off, sets["awaiting_sign_off"], director, today)
    for days, figure in s.due_soon:
        assert_links_exact(figure, sets[f"due_{days}"], director, today)
    # The data has something in every box, or the test proves little.
    assert all(sets.values()) and all(by_rag[r.value] for r in RAG_ORDER if r != RAG.NOT_RATED)

    revised = [a for a in rows if a.is_revised]
    assert s.days_moved == sum((a.due_date - a.original_due_date).days for a in revised if a.due_date)
    assert s.revisions_approved == DueDateRevision.objects.filter(action__plan=plan, decision=Decision.APPROVED).count()
    # The links that the table can express are links; the others are plain numbers.
    assert s.overdue.url and s.revised.url and all(f.url for _, f in s.due_soon) and s.total.url


def test_breakdowns_by_section_agency_and_post_equal_an_independent_count(world, director, today):
    plan = world["plan"]
    rows = python_rows(plan, today)
    board = dashboards.dashboard(director, plan=plan, today=today)
    groups = {b.key: b for b in board.breakdowns}

    def expect(label_of):
        counted = defaultdict(Counter)
        for a in rows:
            for label in label_of(a):
                counted[label][a.rag.value] += 1
                counted[label]["total"] += 1
        return counted

    def section_labels(a):
        if a.section is None:
            return ["Not in a section"]
        labels = [f"{a.section.number} {a.section.title}"]
        if a.section.parent:
            labels.append(f"{a.section.parent.number} {a.section.parent.title}")
        return labels

    checks = {
        "section": expect(section_labels),
        "agency": expect(lambda a: [a.lead_post.agency.name if a.lead_post else "No lead post recorded"]),
        "lead_post": expect(
            lambda a: [f"{a.lead_post.title} ({a.lead_post.agency.short_name})" if a.lead_post else "No lead post recorded"]
        ),
    }
    for key, expected in checks.items():
        shown = {row.label: row for row in groups[key].rows}
        assert set(shown) == set(expected), key
        for label, row in shown.items():
            assert row.total.count == expected[label]["total"], (key, label)
            for rag, figure in row.rag:
                assert figure.count == expected[label][rag.value], (key, label, rag)
    # Sections link to exactly their actions (a top-level section includes its sub-sections).
    for row in groups["section"].rows:
        if row.total.url:
            wanted = {a.pk for a in rows if row.label in section_labels(a)}
            assert table_ids(row.total.url, director, today) == wanted
            for rag, figure in row.rag:
                if figure.url:
                    assert table_ids(figure.url, director, today) == {
                        a.pk for a in rows if row.label in section_labels(a) and a.rag == rag
                    }
    labels = [row.label for row in groups["section"].rows]
    assert labels.index("2 Practice") < labels.index("2.1 Assessments") < labels.index("2.2 Supervision")


def test_attention_lists_red_actions_with_narrative_lead_and_days_overdue(world, director, today):
    plan = world["plan"]
    rows = {a.pk: a for a in python_rows(plan, today)}
    board = dashboards.dashboard(director, plan=plan, today=today)
    red = board.attention.red
    assert {a.pk for a in red} == {pk for pk, a in rows.items() if a.rag == RAG.RED}
    for action in red:
        expected = rows[action.pk]
        latest = _latest(expected.all_updates, dt.date.max, proposed_only=False)
        assert action.latest_narrative == (latest.narrative if latest else None)
        assert action.days_overdue == ((today - expected.due_date).days if expected.is_overdue(today) else 0)
        if action.lead_post:
            assert action.lead_holder == action.lead_post.holdings.get().person.full_name
    overdue_days = [a.days_overdue for a in red]
    assert overdue_days[: sum(1 for d in overdue_days if d)] == sorted((d for d in overdue_days if d), reverse=True)
    assert {a.pk for a in board.attention.awaiting_sign_off} == expected_sets(list(rows.values()), today)["awaiting_sign_off"]


def test_findings_with_no_action_or_only_red_actions(world, director, today):
    board = dashboards.dashboard(director, plan=world["plan"], today=today)
    assert [f.pk for f in board.findings.no_action] == [world["no_action"].pk]
    assert [f.pk for f in board.findings.only_red] == [world["only_red"].pk]
    assert board.findings.only_red[0].actions_figure.count == 2


def test_partnership_dashboard_counts_live_plans_only(world, director, today):
    plan = world["plan"]
    rows = python_rows(plan, today)
    board = dashboards.dashboard(director, today=today)
    assert board.summary.total.count == len(rows)
    assert board.summary.overdue.count == len(expected_sets(rows, today)["overdue"])
    assert [p.pk for p in board.live_plans] == [plan.pk]
    plan_rows = {b.key: b for b in board.breakdowns}["plan"].rows
    assert [(r.label, r.total.count) for r in plan_rows] == [(plan.title, len(rows))]
    # The table has no filter for "live plans", and a draft plan has actions: the partnership
    # totals are not links (they would list the draft's actions too); each plan's row is.
    assert board.summary.overdue.url is None
    assert table_ids(plan_rows[0].total.url, director, today) == {a.pk for a in rows}


def test_a_partner_officer_sees_only_their_agencys_actions(world, partner_officer, police, today):
    plan = world["plan"]
    visible = [a for a in python_rows(plan, today) if (a.lead_post and a.lead_post.agency_id == police.pk)
               or a.partner_agencies.filter(pk=police.pk).exists()]
    board = dashboards.dashboard(partner_officer, plan=plan, today=today)
    assert board.summary.total.count == len(visible)
    assert board.summary.rag_counts == {r.value: sum(1 for a in visible if a.rag == r) for r in RAG_ORDER}
    assert table_ids(board.summary.total.url, partner_officer, today) == {a.pk for a in visible}


# --- Trend ------------------------------------------------------------------------------------------


def test_trend_counts_each_month_end_from_the_recorded_history(world, director, today):
    plan = world["plan"]
    rows = python_rows(plan, today)
    scope = dashboards.plan_scope(director, plan, today)
    trend = dashboards.rag_trend(scope)
    month_ends = [p for p in trend if not p.is_today]
    assert month_ends[0].day.month == plan.live_from.month and len(month_ends) >= 6
    for point in month_ends:
        assert (point.day + dt.timedelta(days=1)).day == 1  # a month end
        expected = Counter(rag_then(a, point.day).value for a in rows)
        assert point.counts == {r.value: expected.get(r.value, 0) for r in RAG_ORDER}, point.day
    assert trend[-1].is_today and trend[-1].counts == dashboards.summary(scope).rag_counts


def test_trend_as_at_a_past_date_is_the_same_after_updates_are_recorded_today(world, director, officer, today):
    plan = world["plan"]
    scope = dashboards.plan_scope(director, plan, today)
    past = today - dt.timedelta(days=45)
    before_trend = [(p.day, p.counts) for p in dashboards.rag_trend(scope) if not p.is_today]
    before_day = dashboards.rag_as_at(scope, past)

    # Today: new updates turn every open action red or blue, and a new action is added.
    for action in Action.objects.filter(plan=plan):
        ProgressUpdateFactory(action=action, as_of=today, proposed_rag="red", status=ActionStatus.IN_PROGRESS)
    ActionFactory(plan=plan, reference="NEW", due_date=today - dt.timedelta(days=400))
    after_trend = [(p.day, p.counts) for p in dashboards.rag_trend(scope) if not p.is_today]

    assert after_trend == before_trend
    assert dashboards.rag_as_at(scope, past) == before_day
    assert dashboards.rag_as_at(scope, today)[RAG.RED] > before_day[RAG.RED]


# --- Pages: scope, links, charts and query counts ---------------------------------------------------


def test_dashboard_pages_by_role(client, world, director, member, officer, outsider, partner_officer):
    plan = world["plan"]
    plan_url = reverse("actionplans:plan_dashboard", args=[plan.slug])
    for url in (reverse("actionplans:dashboard"), plan_url):
        client.logout()
        assert client.get(url).status_code == 302
        for person in (director, member, officer, partner_officer):
            client.force_login(person)
            assert client.get(url).status_code == 200
    client.force_login(outsider)  # an agency with nothing in the plan
    assert client.get(plan_url).status_code == 404
    assert client.get(reverse("actionplans:dashboard")).status_code == 200


def test_the_plan_dashboard_page_links_every_number_and_draws_accessible_charts(client, world, director, today):
    plan = world["plan"]
    client.force_login(director)
    response = client.get(reverse("actionplans:plan_dashboard", args=[plan.slug]))
    html = response.content.decode()
    overdue = response.context["board"].summary.overdue
    assert f'href="{overdue.url}"'.replace("&", "&amp;") in html
    assert 'role="img"' in html and "<title id=\"rag-trend-title\">" in html and "<desc id=\"rag-trend-desc\">" in html
    assert html.count('class="govuk-details"') >= 1 and "Show the RAG trend as a table" in html
    assert "Red" in html and "Blue (complete)" in html  # colours carry their names


def _bulk_plan(n, today, council):
    plan = PlanFactory(slug=f"bulk-{n}", status=PlanStatus.LIVE, live_from=today - dt.timedelta(days=300))
    sections = [SectionFactory(plan=plan, number=str(i + 1), order=i) for i in range(4)]
    posts = [PostFactory(agency=council, title=f"Bulk post {n}-{i}") for i in range(5)]
    author = UserFactory(agency=council)
    actions = Action.objects.bulk_create(
        Action(
            plan=plan, section=sections[i % 4], reference=f"B{i}", order=i, description=f"Bulk action {i}",
            lead_post=posts[i % 5], due_date=today + dt.timedelta(days=(i % 200) - 100),
            original_due_date=today + dt.timedelta(days=(i % 200) - 100 - (i % 3)),
            status=[ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.DELIVERED][i % 3],
        )
        for i in range(n)
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            action=a, as_of=today - dt.timedelta(days=i % 250), author=author, narrative="Progress.",
            proposed_rag=["red", "amber", "green"][i % 3], status=ActionStatus.IN_PROGRESS,
        )
        for i, a in enumerate(actions)
    )
    for i in range(3):
        measure = MeasureFactory(plan=plan, name=f"Measure {i}", target_value=80, target_date=today)
        MeasureValue.objects.bulk_create(
            MeasureValue(measure=measure, period_start=today.replace(day=1) - dt.timedelta(days=95 * k), value=50 + k)
            for k in range(4)
        )
    return plan


def _queries(client, url):
    client.get(url)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return ctx.captured_queries


def test_dashboards_make_the_same_few_queries_for_50_and_5000_actions(client, director, council, today):
    client.force_login(director)
    small = _bulk_plan(50, today, council)
    small_plan = _queries(client, reverse("actionplans:plan_dashboard", args=[small.slug]))
    small_all = _queries(client, reverse("actionplans:dashboard"))
    with CaptureQueriesContext(connection) as own:
        dashboards.dashboard(director, plan=small, today=today)
    large = _bulk_plan(5000, today, council)
    large_plan = _queries(client, reverse("actionplans:plan_dashboard", args=[large.slug]))
    large_all = _queries(client, reverse("actionplans:dashboard"))

    assert len(large_plan) == len(small_plan)
    assert len(large_all) == len(small_all)
    # The dashboard's own queries, beyond what every page makes (the session, the signed-in
    # person, the page frame: counted on the accessibility statement), are at most 12.
    frame = _queries(client, reverse("accessibility"))
    assert len(large_plan) - len(frame) <= 12, [q["sql"][:80] for q in large_plan]
    assert len(large_all) - len(frame) <= 12
    assert len(own.captured_queries) <= 12


def test_the_trend_chart_names_every_colour_and_count_in_text():
    from actionplans.charts import StackedColumn, rag_stacked_chart

    columns = [
        StackedColumn("Jan 2026", {"red": 2, "amber": 5, "green": 10, "blue": 0, "not_rated": 3}),
        StackedColumn("Feb 2026", {"red": 4, "amber": 6, "green": 8, "blue": 2, "not_rated": 0}),
    ]
    svg = rag_stacked_chart(columns, title="RAG at each month end", chart_id="t")
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="t-title t-desc"' in svg
    assert '<title id="t-title">RAG at each month end</title>' in svg
    assert "Feb 2026: Red 4, Amber 6, Green 8, Blue (complete) 2, Not yet rated 0" in svg  # the desc
    for label in (">Red<", ">Amber<", ">Green<", ">Blue (complete)<", ">20<", ">10<", ">Jan<", ">2026<"):
        assert label in svg, label
    assert "<script" not in svg


def test_a_plan_that_is_not_live_has_no_trend_yet(client, director):
    plan = PlanFactory(slug="draft-plan", status=PlanStatus.DRAFT, live_from=None)
    ActionFactory(plan=plan)
    client.force_login(director)
    response = client.get(reverse("actionplans:plan_dashboard", args=[plan.slug]))
    assert response.context["board"].trend == []
    assert "The trend starts when the plan goes live." in response.content.decode()


# --- Month-end snapshots of the trend ---------------------------------------------------------------


def _counted_directly(plan, day):
    """The as-at rule of rag.py counted straight from the records, for one plan and day."""
    end_of_day = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    cut_off = max(end_of_day, plan.created_at + dt.timedelta(days=1))
    actions = Action.objects.filter(plan=plan, created_at__lt=cut_off)
    rows = annotate_rag(actions, day, as_at_history=True).order_by().values("rag").annotate(n=Count("pk"))
    found = {row["rag"]: row["n"] for row in rows}
    return {rag.value: found.get(rag.value, 0) for rag in RAG_ORDER}


def test_the_beat_task_stores_each_month_end_once(world, council, police, today):
    from actionplans.tasks import record_rag_snapshots
    from config.celery import app

    plan = world["plan"]
    # The beat entry the migration stores names a task the worker knows.
    entry = PeriodicTask.objects.get(name="dashboards: month-end RAG snapshots")
    assert entry.task == "actionplans.tasks.record_rag_snapshots" and entry.task in app.tasks
    assert (entry.crontab.day_of_month, entry.crontab.hour, entry.crontab.minute) == ("1", "2", "0")

    created = record_rag_snapshots.apply().get()
    month_ends = [p.day for p in dashboards.rag_trend(dashboards.plan_scope(UserFactory(), plan, today)) if not p.is_today]
    audiences = {None, council.pk, police.pk}  # everyone, and each agency leading or supporting an action
    stored = list(RagSnapshot.objects.filter(plan=plan).values_list("agency_id", "day", "computed_at"))
    assert {(agency, day) for agency, day, _ in stored} == {(a, d) for a in audiences for d in month_ends}
    assert created == len(stored) == len(audiences) * len(month_ends) >= 18
    assert not RagSnapshot.objects.filter(plan=world["draft"]).exists()  # not live: no trend

    # Again (a retried or duplicated run): nothing counted, nothing changed.
    assert record_rag_snapshots.apply().get() == 0
    assert list(RagSnapshot.objects.filter(plan=plan).values_list("agency_id", "day", "computed_at")) == stored


def test_a_month_not_stored_yet_is_counted_on_the_first_view_and_then_read(client, world, director, today):
    plan = world["plan"]
    url = reverse("actionplans:plan_dashboard", args=[plan.slug])
    assert not RagSnapshot.objects.exists()
    client.force_login(director)
    first = client.get(url).context["board"].trend
    stored = {s.day: s.counts for s in RagSnapshot.objects.filter(plan=plan, agency=None)}
    assert sorted(stored) == [p.day for p in first if not p.is_today]

    # One month lost (or a plan imported with its history): counted again on the next view,
    # to the same numbers, and stored; the other months are read, not counted.
    gone = sorted(stored)[2]
    RagSnapshot.objects.filter(plan=plan, day=gone).delete()
    with CaptureQueriesContext(connection) as refill:
        again = client.get(url).context["board"].trend
    assert [(p.day, p.counts) for p in again] == [(p.day, p.counts) for p in first]
    assert RagSnapshot.objects.get(plan=plan, agency=None, day=gone).counts == stored[gone]
    with CaptureQueriesContext(connection) as steady:
        client.get(url)
    # Counting and storing the missing month: one query and one insert more, once.
    assert len(refill.captured_queries) == len(steady.captured_queries) + 2


def test_the_trend_shows_stored_months_and_counts_today_live(client, world, director, officer, today):
    plan = world["plan"]
    scope = dashboards.plan_scope(director, plan, today)
    trend = dashboards.rag_trend(scope)
    month = trend[1].day
    # What was recorded at that month end stands, whatever the records say now.
    RagSnapshot.objects.filter(plan=plan, agency=None, day=month).update(red=999, amber=0, green=0, blue=0, not_rated=1)
    # Today is live: an update recorded now moves today's column, not a stored month.
    action = Action.objects.filter(plan=plan, status=ActionStatus.IN_PROGRESS, due_date__gte=today).first()
    ProgressUpdateFactory(action=action, as_of=today, proposed_rag="red", status=ActionStatus.IN_PROGRESS)

    client.force_login(director)
    response = client.get(reverse("actionplans:plan_dashboard", args=[plan.slug]))
    board = response.context["board"]
    points = {p.day: p for p in board.trend}
    assert points[month].counts == {"red": 999, "amber": 0, "green": 0, "blue": 0, "not_rated": 1}
    assert all(p.stored for p in board.trend[:-1]) and board.trend[-1].is_today and not board.trend[-1].stored
    assert board.trend[-1].counts == board.summary.rag_counts == rag_counts(Action.objects.filter(plan=plan), today)
    assert board.trend[-1].counts["red"] == Counter(a.rag.value for a in python_rows(plan, today))["red"]
    html = response.content.decode()
    assert f"Months before {today:%B %Y} as recorded at each month end" in html
    assert ">999<" in html  # the chart and the table show the stored month


def test_stored_months_equal_the_as_at_rule_counted_directly(world, director, partner_officer, police, today):
    plan = world["plan"]
    dashboards.rag_snapshots_record(today)
    rows = python_rows(plan, today)
    for snapshot in RagSnapshot.objects.filter(plan=plan, agency=None):
        assert snapshot.counts == _counted_directly(plan, snapshot.day), snapshot.day
        expected = Counter(rag_then(a, snapshot.day).value for a in rows)
        assert snapshot.counts == {r.value: expected.get(r.value, 0) for r in RAG_ORDER}, snapshot.day
    # A partner officer's trend is their agency's share, stored for the agency.
    visible = [a for a in rows if (a.lead_post and a.lead_post.agency_id == police.pk)
               or a.partner_agencies.filter(pk=police.pk).exists()]
    officer_trend = dashboards.rag_trend(dashboards.plan_scope(partner_officer, plan, today))
    for point in officer_trend[:-1]:
        expected = Counter(rag_then(a, point.day).value for a in visible)
        assert point.counts == {r.value: expected.get(r.value, 0) for r in RAG_ORDER}, point.day
        assert RagSnapshot.objects.get(plan=plan, agency=police, day=point.day).counts == point.counts


def test_a_back_dated_update_does_not_rewrite_a_stored_month(world, director, today):
    plan = world["plan"]
    scope = dashboards.plan_scope(director, plan, today)
    before = dashboards.rag_trend(scope)
    month = before[-3].day
    # Recorded today, dated into a closed month: every open action proposed red then.
    for action in Action.objects.filter(plan=plan, status__in=OPEN):
        ProgressUpdateFactory(action=action, as_of=month, proposed_rag="red", status=ActionStatus.IN_PROGRESS)
    afresh = dashboards.rag_as_at(scope, month)
    assert afresh["red"] > dict(before[-3].counts)["red"]  # the records now say otherwise...
    after = dashboards.rag_trend(scope)
    assert [p.counts for p in after[:-1]] == [p.counts for p in before[:-1]]  # ...the trend keeps the month
    # Where the history itself was corrected, the plan's months are counted again.
    assert dashboards.rag_snapshots_forget(plan) > 0
    assert {p.day: p.counts for p in dashboards.rag_trend(scope)}[month] == afresh


def test_the_partnership_trend_adds_up_the_live_plans_stored_months(world, director, today):
    plan = world["plan"]
    second = PlanFactory(slug="second", status=PlanStatus.LIVE, live_from=today - dt.timedelta(days=70))
    for n in range(4):
        ActionFactory(plan=second, reference=f"S{n}", due_date=today - dt.timedelta(days=400))
    type(second).objects.filter(pk=second.pk).update(created_at=timezone.now() - dt.timedelta(days=100))
    Action.objects.filter(plan=second).update(created_at=timezone.now() - dt.timedelta(days=100))
    board = dashboards.dashboard(director, today=today)
    for point in board.trend[:-1]:
        plans = [p for p in (plan, second) if p.live_from <= point.day]
        expected = Counter()
        for p in plans:
            p.refresh_from_db()
            expected.update(_counted_directly(p, point.day))
        assert point.counts == {r.value: expected.get(r.value, 0) for r in RAG_ORDER}, point.day
    assert board.trend[-1].counts == board.summary.rag_counts


def test_an_audience_reads_the_same_actions_as_the_people_it_stands_for(
    world, director, member, officer, clerk, plan_manager, partner_officer, outsider
):
    for person in (director, member, officer, clerk, plan_manager, partner_officer, outsider):
        audience = dashboards.audience_of(person)
        assert set(audience.actions().values_list("pk", flat=True)) == set(
            Action.objects.for_user(person).values_list("pk", flat=True)
        ), person.role
    no_agency = UserFactory(role="partner_officer", agency=None)
    assert dashboards.audience_of(no_agency) is None and not Action.objects.for_user(no_agency).exists()


def test_a_closed_plan_ends_on_its_closing_day_stored_like_a_month_end(client, director, today):
    closed_on = today - dt.timedelta(days=40)
    plan = PlanFactory(
        slug="closed-plan", status=PlanStatus.CLOSED, live_from=today - dt.timedelta(days=150), closed_on=closed_on
    )
    ActionFactory(plan=plan, due_date=today - dt.timedelta(days=400))
    client.force_login(director)
    response = client.get(reverse("actionplans:plan_dashboard", args=[plan.slug]))
    trend = response.context["board"].trend
    assert trend[-1].day == closed_on and not trend[-1].is_today and trend[-1].label == f"{closed_on:%-d %b %Y}"
    assert set(RagSnapshot.objects.filter(plan=plan).values_list("day", flat=True)) == {p.day for p in trend}
    assert trend[-1].counts == _counted_directly(plan, closed_on)
    assert "as it stood on the day it closed" in response.content.decode()


def test_breakdown_numbers_escape_their_labels():
    from actionplans.dashboards import BreakdownRow, Figure
    from actionplans.templatetags.dashboard_tags import breakdown_cells

    row = BreakdownRow(
        label="Head of <MASH> & QA",
        total=Figure(3, (("plan", "p-1"),)),
        rag=[(rag, Figure(3 if rag == RAG.RED else 0, (("plan", "p-1"), ("rag", rag.value)))) for rag in RAG_ORDER],
    )
    html = breakdown_cells(row)
    assert html.count("<td ") == len(RAG_ORDER) + 1
    assert "red actions, Head of &lt;MASH&gt; &amp; QA" in html and "<MASH>" not in html
    assert 'href="/actions/?plan=p-1&amp;rag=red"' in html
