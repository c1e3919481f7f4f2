"""Agencies and posts pages, per role (allowed, 403, 404), scoped by the one rule; and a
post changing hands from its page, moving its actions to the new holder at once."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans.actions.selectors import my_actions
from partners.models import PostHolding
from tests.factories import (
    ActionFactory,
    AgencyFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ROLES = ["officer", "partner_officer", "plan_manager", "director", "clerk", "member", "outsider", "admin_user"]


@pytest.fixture
def plan(plan_manager):
    plan = PlanFactory(title="Testshire JTAI plan", slug="testshire-jtai")
    plan.managers.add(plan_manager)
    return plan


@pytest.fixture
def council_post(council, officer):
    post = PostFactory(agency=council, title="Principal Social Worker")
    PostHoldingFactory(post=post, person=officer, started_on=dt.date(2020, 1, 1))
    return post


@pytest.fixture
def police_post(police, partner_officer):
    post = PostFactory(agency=police, title="Detective Inspector, MASH")
    PostHoldingFactory(post=post, person=partner_officer, started_on=dt.date(2021, 1, 1))
    return post


@pytest.fixture
def actions(plan, council_post, police_post, police):
    council_led = ActionFactory(plan=plan, lead_post=council_post, reference="1.1",
                                description="Relaunch the thresholds matrix", due_date=TODAY + dt.timedelta(days=200))
    council_led_police_support = ActionFactory(plan=plan, lead_post=council_post, reference="1.2",
                                               description="Joint audit of referrals", due_date=TODAY + dt.timedelta(days=200))
    council_led_police_support.partner_agencies.add(police)
    police_led = ActionFactory(plan=plan, lead_post=police_post, reference="2.1",
                               description="Review police information sharing", due_date=TODAY - dt.timedelta(days=5))
    return council_led, council_led_police_support, police_led


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_opens_the_list_of_agencies(client, request, actions, role):
    assert _get(client, request.getfixturevalue(role), reverse("partners:agency_list")).status_code == 200


@pytest.mark.parametrize(
    ("role", "expected"),
    [("officer", 200), ("partner_officer", 200), ("plan_manager", 200), ("director", 200), ("clerk", 200),
     ("member", 200), ("outsider", 404), ("admin_user", 200)],
)
@pytest.mark.parametrize("page", ["agency", "post"])
def test_the_councils_agency_and_post_pages_per_role(client, request, actions, council, council_post, role, expected, page):
    # The partner officer's agency supports a council action, so the council is in their scope.
    url = reverse("partners:agency_detail", args=[council.pk]) if page == "agency" else reverse("partners:post_detail", args=[council_post.pk])
    assert _get(client, request.getfixturevalue(role), url).status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [("officer", 403), ("partner_officer", 403), ("plan_manager", 200), ("director", 403), ("clerk", 403),
     ("member", 403), ("outsider", 404), ("admin_user", 200)],
)
def test_changing_who_holds_a_post_per_role(client, request, actions, council_post, director, role, expected):
    url = reverse("partners:post_reassign", args=[council_post.pk])
    user = request.getfixturevalue(role)
    assert _get(client, user, url).status_code == expected
    response = client.post(url, {"new_person_query": "director@example.test", "on": TODAY.strftime("%d/%m/%Y")})
    assert response.status_code == (302 if expected == 200 else expected)


def test_an_agency_with_nothing_in_the_partner_officers_plans_is_out_of_scope(client, actions, partner_officer, other_agency, police):
    html = _get(client, partner_officer, reverse("partners:agency_list")).content.decode()
    assert "Testshire Police" in html and "Testshire County Council" in html and "Elsewhere NHS Trust" not in html
    assert client.get(reverse("partners:agency_detail", args=[other_agency.pk])).status_code == 404
    assert client.get(reverse("partners:agency_detail", args=[police.pk])).status_code == 200


def test_the_outsider_sees_only_their_own_agency(client, actions, outsider, other_agency):
    html = _get(client, outsider, reverse("partners:agency_list")).content.decode()
    assert "Elsewhere NHS Trust" in html and "Testshire Police" not in html
    assert client.get(reverse("partners:agency_detail", args=[other_agency.pk])).status_code == 200


def test_the_list_counts_actions_led_and_supported_by_rag(client, actions, director):
    ProgressUpdateFactory(action=actions[0], proposed_rag="amber")
    html = _get(client, director, reverse("partners:agency_list")).content.decode()
    council_row = html[html.index("Testshire County Council"):html.index("Testshire Police")]
    police_row = html[html.index("Testshire Police"):]
    assert re.search(r"Amber</strong>\s*1", council_row) and re.search(r"Not yet rated</strong>\s*1", council_row)
    assert re.search(r"Red</strong>\s*1", police_row)  # its own, overdue
    assert re.search(r"Not yet rated</strong>\s*1", police_row)  # the one it supports


def test_a_partner_officer_counts_only_actions_in_their_scope(client, actions, partner_officer):
    html = _get(client, partner_officer, reverse("partners:agency_detail", args=[actions[0].lead_post.agency_id])).content.decode()
    assert "Joint audit of referrals" in html and "Relaunch the thresholds matrix" not in html


def test_the_agency_page_lists_posts_people_and_actions(client, actions, council, director, officer):
    html = _get(client, director, reverse("partners:agency_detail", args=[council.pk])).content.decode()
    for text in ["Principal Social Worker", officer.full_name, "Relaunch the thresholds matrix", "Joint audit of referrals",
                 director.full_name, "Director / senior leader"]:
        assert text in html


def test_a_manager_reassigns_a_post_and_its_actions_move(client, actions, council_post, plan_manager, officer, council):
    newcomer = UserFactory(full_name="Nadia Newcomer", email="nadia@example.test", agency=council)
    UserFactory(full_name="Nadia Other", email="nadia.other@example.test", agency=council)
    client.force_login(plan_manager)
    url = reverse("partners:post_reassign", args=[council_post.pk])
    data = {"new_person_query": "Nadia", "on": TODAY.strftime("%d/%m/%Y")}
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and "2 people match “Nadia”: choose one." in html
    assert html.count('name="new_person"') == 2
    response = client.post(url, {**data, "new_person": newcomer.pk})
    assert response.status_code == 302 and response["Location"] == reverse("partners:post_detail", args=[council_post.pk])
    old = PostHolding.objects.get(post=council_post, person=officer)
    assert old.ended_on == TODAY - dt.timedelta(days=1)
    mine = my_actions(newcomer, TODAY)
    assert {a.pk for a in mine.due_soon + mine.update_needed + mine.other + mine.overdue} == {actions[0].pk, actions[1].pk}
    assert my_actions(officer, TODAY).total == 0
    html = client.get(response["Location"]).content.decode()
    holders = html[html.index('id="current-holders"'):]
    assert holders.index("Nadia Newcomer") < holders.index("</dd>")
    history = html[html.index("Who has held this post"):]
    yesterday = TODAY - dt.timedelta(days=1)
    assert officer.full_name in history and f"{yesterday.day} {yesterday:%B %Y}" in history


def test_agency_pages_cost_the_same_queries_however_many_actions(client, actions, council, council_post, director, plan):
    client.force_login(director)
    urls = [reverse("partners:agency_list"), reverse("partners:agency_detail", args=[council.pk]),
            reverse("partners:post_detail", args=[council_post.pk])]
    before = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        before.append(len(queries))
    for i in range(20):
        action = ActionFactory(plan=plan, lead_post=council_post, reference=f"9.{i}")
        action.partner_agencies.add(AgencyFactory())
        PostHoldingFactory(post=PostFactory(agency=council), person=UserFactory(agency=council))
    after = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        after.append(len(queries))
    assert before == after
