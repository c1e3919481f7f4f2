"""The weekly reminder: one email to each lead (current holders of the lead post, and
delegates) with their overdue actions, those due soon (in the next 30 days) and those needing an
update; none for a lead with nothing to do; built in the same number of queries for 10
actions as for 100; sent once a week however often the beat fires, through the email
outbox (its key, not the cache, is what makes it once)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans.choices import ActionStatus, PlanStatus, ReviewCadence
from actionplans.reminders import reminders_for, send_reminders
from actionplans.tasks import send_weekly_reminders
from partners.choices import DeliveryStatus, Role
from partners.models import EmailDelivery
from tests.factories import (
    ActionFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    ProgressUpdateFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 2)  # a Monday
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _fresh(action, days_ago: int = 5):
    ProgressUpdateFactory(action=action, as_of=TODAY - days_ago * DAY, author=None, author_name="Imported")
    return action


@pytest.fixture
def live_plan(db):
    return PlanFactory(title="JTAI plan", status=PlanStatus.LIVE, review_cadence_days=ReviewCadence.MONTHLY)


@pytest.fixture
def world(live_plan, council, police, officer, partner_officer):
    section = SectionFactory(plan=live_plan)
    psw = PostFactory(agency=council, title="Principal Social Worker")
    PostHoldingFactory(post=psw, person=officer, started_on=dt.date(2020, 1, 1))
    former = UserFactory(email="former@example.test", full_name="Former Holder", agency=council)
    PostHoldingFactory(post=psw, person=former, started_on=dt.date(2018, 1, 1), ended_on=dt.date(2019, 12, 31))

    def action(reference, **values):
        values.setdefault("lead_post", psw)
        values.setdefault("due_date", dt.date(2026, 3, 31))
        return ActionFactory(plan=live_plan, section=section, reference=reference, **values)

    overdue = _fresh(action("1.1", due_date=TODAY - 3 * DAY))
    due_soon = _fresh(action("1.2", due_date=TODAY + 14 * DAY))
    stale = action("1.3")
    ProgressUpdateFactory(action=stale, as_of=TODAY - 45 * DAY, author=None, author_name="Imported")
    never_updated = action("1.4")
    _fresh(action("1.5"))  # fine: due next year, updated last week
    _fresh(action("1.6", due_date=TODAY - 30 * DAY, status=ActionStatus.DELIVERED))  # complete
    _fresh(action("1.7", due_date=TODAY + 31 * DAY))  # due, but not within the 30 days of "due soon"

    # A draft plan commits nobody yet.
    draft = PlanFactory(status=PlanStatus.DRAFT)
    ActionFactory(plan=draft, section=SectionFactory(plan=draft), reference="D1", lead_post=psw,
                  due_date=TODAY - 10 * DAY)

    # A delegate (a plan manager) on a police-led action due soon; the police post's holder.
    di = PostFactory(agency=police, title="Detective Inspector, MASH")
    PostHoldingFactory(post=di, person=partner_officer)
    delegate = UserFactory(email="delegate@example.test", full_name="Dee Legate", role=Role.PLAN_MANAGER, agency=council)
    police_action = _fresh(action("2.1", lead_post=di, due_date=TODAY + 2 * DAY))
    police_action.delegates.add(delegate)

    # A partner officer of another agency made a delegate on a council action is not told of it.
    stranger = UserFactory(email="stranger@example.test", full_name="Stan Ger", role=Role.PARTNER_OFFICER)
    overdue.delegates.add(stranger)

    # A lead with nothing to do, and a post holder who cannot sign in.
    quiet = UserFactory(email="quiet@example.test", full_name="Quiet Lead", agency=council)
    quiet_post = PostFactory(agency=council, title="Head of Quality")
    PostHoldingFactory(post=quiet_post, person=quiet)
    _fresh(action("3.1", lead_post=quiet_post))
    no_account = UserFactory(email="no-account@example.test", full_name="No Account", agency=council)
    no_account.set_unusable_password()
    no_account.save()
    dormant = PostFactory(agency=council, title="Service Manager")
    PostHoldingFactory(post=dormant, person=no_account)
    action("3.2", lead_post=dormant, due_date=TODAY - 1 * DAY)

    return {"overdue": overdue, "due_soon": due_soon, "stale": stale, "never": never_updated,
            "police": police_action, "delegate": delegate}


def _references(actions) -> list[str]:
    return [a.reference for a in actions]


def test_each_lead_gets_their_three_groups(world, officer, partner_officer):
    reminders = {r.person.email: r for r in reminders_for(TODAY)}

    assert set(reminders) == {officer.email, partner_officer.email, "delegate@example.test"}
    mine = reminders[officer.email]
    assert _references(mine.overdue) == ["1.1"]
    assert _references(mine.due_soon) == ["1.2"]
    assert sorted(_references(mine.update_needed)) == ["1.3", "1.4"]
    assert _references(reminders["delegate@example.test"].due_soon) == ["2.1"]
    assert _references(reminders[partner_officer.email].due_soon) == ["2.1"]


def test_one_email_per_lead_with_links_and_none_for_a_lead_with_nothing(
    world, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_reminders(today=TODAY)

    assert sent == 3 and len(mail.outbox) == 3
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(["officer@example.test", "partner@example.test", "delegate@example.test"])
    assert not any(r in recipients for r in ("quiet@example.test", "former@example.test", "no-account@example.test",
                                             "stranger@example.test"))

    message = next(m for m in mail.outbox if m.to == [officer.email])
    assert message.subject == "Your actions this week: 1 overdue, 1 due in the next 30 days, 2 need an update"
    body = message.body
    overdue_at, soon_at, update_at = (body.index(h) for h in (
        "Overdue (1)", "Due soon: in the next 30 days (1)", "Needing an update (none within the plan's review cycle) (2)"))
    assert overdue_at < body.index("- 1.1:") < soon_at < body.index("- 1.2:") < update_at < body.index("- 1.3:")
    assert f"http://127.0.0.1:8000/actions/{world['overdue'].pk}/" in body
    assert "http://127.0.0.1:8000/my-actions/" in body
    assert "no update yet" in body  # 1.4 has never been updated
    assert not re.search(r"- 1\.[567]:", body)


def test_nobody_is_emailed_when_nothing_is_due(live_plan, officer, council, django_capture_on_commit_callbacks):
    post = PostFactory(agency=council)
    PostHoldingFactory(post=post, person=officer)
    _fresh(ActionFactory(plan=live_plan, lead_post=post, due_date=TODAY + 60 * DAY))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=TODAY) == 0
    assert mail.outbox == [] and not EmailDelivery.objects.exists()


def _leads_with_actions(n: int, plan, agency):
    section = SectionFactory(plan=plan)
    for i in range(n):
        post = PostFactory(agency=agency)
        PostHoldingFactory(post=post, person=UserFactory(agency=agency))
        action = ActionFactory(plan=plan, section=section, lead_post=post, due_date=TODAY + (i % 20 - 5) * DAY)
        action.delegates.add(UserFactory(agency=agency))
        if i % 3:
            ProgressUpdateFactory(action=action, as_of=TODAY - (i % 50) * DAY, author=None, author_name="Imported")


def test_building_the_reminders_takes_the_same_queries_for_10_and_100_actions(council):
    counts = []
    for n in (10, 100):
        plan = PlanFactory(status=PlanStatus.LIVE)
        _leads_with_actions(n, plan, council)
        reminders_for(TODAY)  # warm
        with CaptureQueriesContext(connection) as queries:
            reminders = reminders_for(TODAY)
            for reminder in reminders:  # what the email reads
                [(a.plan.title, a.reference, a.due_date, a.last_update_on) for a in
                 reminder.overdue + reminder.due_soon + reminder.update_needed]
        assert reminders
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_weekly_task_sends_once_a_week(world, django_capture_on_commit_callbacks):
    def beat(day: dt.date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return send_weekly_reminders.delay(day.isoformat()).get()

    assert beat(TODAY) == 3
    assert beat(TODAY + 2 * DAY) == 0  # same ISO week
    assert len(mail.outbox) == 3
    assert beat(TODAY + 7 * DAY) == 3
    assert len(mail.outbox) == 6


def test_running_the_batch_twice_in_a_week_sends_nothing_the_second_time(
    world, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=TODAY) == 3
    assert len(mail.outbox) == 3
    first = {d.recipient: d for d in EmailDelivery.objects.all()}
    assert {d.status for d in first.values()} == {DeliveryStatus.SENT}
    assert first[officer.email].key == f"reminder:2025-W23:user:{officer.pk}"
    assert all(d.attempts == 1 and d.sent_at for d in first.values())
    sent = {m.to[0]: m for m in mail.outbox}
    assert sent[officer.email].extra_headers["Message-ID"] == first[officer.email].message_id

    # The cache that used to guard the week is flushed: the outbox still knows.
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert send_reminders(today=TODAY + 3 * DAY) == 0
    assert callbacks == []  # nothing pending, so no task was even queued
    assert len(mail.outbox) == 3
    assert EmailDelivery.objects.count() == 3


def test_a_lead_who_becomes_due_later_in_the_week_is_reminded_once(
    world, live_plan, council, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=TODAY)
    newcomer = UserFactory(email="newcomer@example.test", agency=council)
    post = PostFactory(agency=council, title="Head of Early Help")
    PostHoldingFactory(post=post, person=newcomer)
    ActionFactory(plan=live_plan, lead_post=post, due_date=TODAY - DAY)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=TODAY + DAY) == 1  # only the lead not yet reminded this week
    assert [m.to for m in mail.outbox[3:]] == [["newcomer@example.test"]]
