"""The actions table: every filter, sort and column choice, scoped per role by the one rule,
paginated, bookmarkable, with a query count that does not grow with the number of actions
and a filter form with no dropdown of more than 200 options."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans.actions.tables import ActionTable
from actionplans.choices import ActionStatus
from actionplans.models import Action, ProgressUpdate
from inspections.models import Finding
from partners.models import Post, PostHolding, User
from tests.factories import (
    ActionFactory,
    FindingFactory,
    InspectionFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    ProgressUpdateFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
LIST = reverse("actionplans:action_list")
EVERY_COLUMN = [name for name, _ in ActionTable.column_choices()]


@pytest.fixture
def world(council, police, officer, partner_officer, plan_manager):
    """Five actions that between them answer every filter differently."""
    plan = PlanFactory(title="Testshire JTAI plan", slug="testshire-jtai")
    older = PlanFactory(title="Older plan", slug="older-plan", plan_date=dt.date(2014, 1, 1))
    front = SectionFactory(plan=plan, number="1", title="Front door", order=1)
    practice = SectionFactory(plan=plan, number="2", title="Standards of practice", order=2)
    assessments = SectionFactory(plan=plan, number="2.1", title="Assessments", parent=practice, order=3)
    psw = PostFactory(agency=council, title="Principal Social Worker")
    PostHoldingFactory(post=psw, person=officer)
    head = PostFactory(agency=council, title="Head of Service")
    detective = PostFactory(agency=police, title="Detective Superintendent")
    PostHoldingFactory(post=detective, person=partner_officer)
    thresholds = FindingFactory(text="Thresholds are not understood by partners.", paragraphs="17, 42")

    red = ActionFactory(plan=plan, section=front, reference="1.1", order=1, lead_post=detective,
                        description="Relaunch the thresholds matrix", due_date=TODAY - 10 * DAY)
    red.findings.add(thresholds)
    red.partner_agencies.add(council)
    red.delegates.add(plan_manager)
    # Its lead proposes green, but an overdue action that is not complete is red.
    ProgressUpdateFactory(action=red, as_of=TODAY - 2 * DAY, proposed_rag="green", narrative="Matrix drafted.")

    amber = ActionFactory(plan=plan, section=front, reference="1.2", order=2, lead_post=psw,
                          description="Brief every school on the matrix", due_date=TODAY + 40 * DAY)
    amber.partner_agencies.add(police)
    amber.findings.add(thresholds)
    ProgressUpdateFactory(action=amber, as_of=TODAY - 5 * DAY, proposed_rag="amber", narrative="Half the schools briefed.")

    green = ActionFactory(plan=plan, section=assessments, reference="2.1.1", order=3, lead_post=psw,
                          description="Train managers in assessment", due_date=TODAY + 20 * DAY)
    green.due_date = TODAY + 80 * DAY  # a revised date; the original stays
    green.save()
    ProgressUpdateFactory(action=green, as_of=TODAY - 3 * DAY, proposed_rag="green",
                          narrative="Audit of 50 cases shows better plans.")

    delivered = ActionFactory(plan=plan, section=practice, reference="2.2", order=4, lead_post=head,
                              description="Publish the practice standards", due_date=TODAY - 30 * DAY,
                              status=ActionStatus.DELIVERED)

    unrated = ActionFactory(plan=older, section=None, reference="A1", order=1, lead_post=psw,
                            description="Set up the audit panel", outcome="Fewer repeat referrals",
                            success_measure="Quarterly audit of 40 cases", start_date=TODAY - 100 * DAY,
                            due_date=TODAY + 200 * DAY, status=ActionStatus.NOT_STARTED)
    return {"plan": plan, "older": older, "red": red, "amber": amber, "green": green,
            "delivered": delivered, "unrated": unrated}


def rows(client, query="", **params):
    response = client.get(LIST + query, params)
    assert response.status_code == 200
    return [row.record.reference for row in response.context["table"].paginated_rows]


# --- who sees what -------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, world):
    for url in (LIST, reverse("actionplans:action_export")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("officer", {"1.1", "1.2", "2.1.1", "2.2", "A1"}),
        ("plan_manager", {"1.1", "1.2", "2.1.1", "2.2", "A1"}),
        ("director", {"1.1", "1.2", "2.1.1", "2.2", "A1"}),
        ("clerk", {"1.1", "1.2", "2.1.1", "2.2", "A1"}),
        ("member", {"1.1", "1.2", "2.1.1", "2.2", "A1"}),
        ("admin_user", {"1.1", "1.2", "2.1.1", "2.2", "A1"}),
        # The police lead 1.1 and support 1.2.
        ("partner_officer", {"1.1", "1.2"}),
        ("outsider", set()),
    ],
)
def test_the_table_is_scoped_by_the_one_rule_per_role(client, request, world, role, expected):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert set(rows(client)) == expected
    assert expected == set(Action.objects.for_user(user).values_list("reference", flat=True))


def test_a_partner_officer_cannot_filter_to_a_plan_they_cannot_see(client, world, outsider):
    client.force_login(outsider)
    response = client.get(LIST, {"plan": "testshire-jtai"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert list(response.context["table"].paginated_rows) == []
    # The plan's name is not disclosed in the plan dropdown either.
    assert "Testshire JTAI plan" not in response.content.decode()


def test_the_navigation_links_to_the_table(client, world, director):
    client.force_login(director)
    assert f'href="{LIST}"' in client.get("/").content.decode()


# --- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["1.1", "1.2", "2.1.1", "2.2", "A1"]),
        ({"plan": "testshire-jtai"}, ["1.1", "1.2", "2.1.1", "2.2"]),
        ({"plan": "older-plan"}, ["A1"]),
        ({"section": "2"}, ["2.1.1", "2.2"]),  # section 2 and its sub-sections
        ({"section": "2.1"}, ["2.1.1"]),
        ({"section": "front"}, ["1.1", "1.2"]),
        ({"agency": "TP"}, ["1.1", "1.2"]),  # leads 1.1, supports 1.2
        ({"agency": "TCC"}, ["1.1", "1.2", "2.1.1", "2.2", "A1"]),
        ({"lead": "principal social"}, ["1.2", "2.1.1", "A1"]),
        ({"lead": "head of service"}, ["2.2"]),
        ({"person": "officer"}, ["1.2", "2.1.1", "A1"]),  # holds the PSW post
        ({"person": "partner@example.test"}, ["1.1"]),
        ({"person": "manager"}, ["1.1"]),  # a delegate
        ({"finding": "thresholds"}, ["1.1", "1.2"]),
        ({"finding": "42"}, ["1.1", "1.2"]),  # a report paragraph
        ({"finding": "4"}, []),
        ({"rag": "red"}, ["1.1"]),
        ({"rag": "green"}, ["2.1.1", "2.2"]),
        ({"rag": ["red", "amber"]}, ["1.1", "1.2"]),
        ({"rag": "not_rated"}, ["A1"]),
        ({"status": "delivered"}, ["2.2"]),
        ({"status": ["not_started", "delivered"]}, ["2.2", "A1"]),
        ({"overdue": "yes"}, ["1.1"]),  # 2.2 is past its date but delivered
        ({"overdue": "no"}, ["1.2", "2.1.1", "2.2", "A1"]),
        ({"revised": "yes"}, ["2.1.1"]),
        ({"revised": "no"}, ["1.1", "1.2", "2.2", "A1"]),
        ({"due_from": (TODAY + 30 * DAY).strftime("%d/%m/%Y")}, ["1.2", "2.1.1", "A1"]),
        ({"due_to": (TODAY - DAY).isoformat()}, ["1.1", "2.2"]),
        ({"due_from": (TODAY + 30 * DAY).isoformat(), "due_to": (TODAY + 90 * DAY).isoformat()}, ["1.2", "2.1.1"]),
        ({"q": "matrix"}, ["1.1", "1.2"]),  # the action
        ({"q": "repeat referrals"}, ["A1"]),  # the outcome, every word
        ({"q": "quarterly"}, ["A1"]),  # the success measure
        ({"q": '"50 cases"'}, ["2.1.1"]),  # a progress update, as a phrase
        ({"q": "2.2"}, ["2.2"]),  # a reference
        ({"q": "nothing-like-this"}, []),
        ({"rag": "red", "overdue": "yes", "agency": "TP"}, ["1.1"]),
    ],
)
def test_each_filter(client, director, world, params, expected):
    client.force_login(director)
    assert rows(client, **params) == expected


def test_a_bad_date_is_explained_and_shows_no_rows(client, director, world):
    client.force_login(director)
    response = client.get(LIST, {"due_from": "31/02/2026"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "Enter a real date, day first" in body
    assert 'href="#id_due_from"' in body
    assert "Download Excel" not in body


def test_selected_filters_are_tags_that_each_remove_one_value(client, director, world):
    client.force_login(director)
    response = client.get(LIST, {"rag": ["red", "amber"], "agency": "TP", "sort": "-due"})
    tags = {t["text"]: t["url"] for g in response.context["filter_tags"] for t in g["tags"]}
    assert set(tags) == {"Red", "Amber", "Testshire Police"}
    assert "rag=amber" in tags["Red"] and "rag=red" not in tags["Red"] and "sort=-due" in tags["Red"]
    assert "agency=" not in tags["Testshire Police"]
    assert rows(client, tags["Red"][len(LIST):]) == ["1.2"]
    assert "rag" not in response.context["clear_url"] and "sort=-due" in response.context["clear_url"]


# --- sorting, columns, pages ---------------------------------------------------------------


@pytest.mark.parametrize("column", EVERY_COLUMN)
def test_every_column_sorts_both_ways(client, director, world, column):
    client.force_login(director)
    up = rows(client, sort=column, columns=EVERY_COLUMN)
    down = rows(client, sort=f"-{column}", columns=EVERY_COLUMN)
    assert sorted(up) == sorted(down) == ["1.1", "1.2", "2.1.1", "2.2", "A1"]


def test_sorting_by_rag_follows_red_amber_green_blue_not_rated(client, director, world):
    client.force_login(director)
    assert rows(client, sort="rag") == ["1.1", "1.2", "2.1.1", "2.2", "A1"]
    assert rows(client, sort="-rag")[0] == "A1"
    assert rows(client, sort="due") == ["2.2", "1.1", "1.2", "2.1.1", "A1"]
    assert rows(client, sort="-due") == ["A1", "2.1.1", "1.2", "1.1", "2.2"]


def test_sorted_heading_is_a_link_with_aria_sort(client, director, world):
    client.force_login(director)
    body = client.get(LIST, {"sort": "-due", "rag": "red"}).content.decode()
    heading = re.search(r'<th[^>]*aria-sort="([a-z]+)"[^>]*>\s*<a[^>]*href="([^"]+)"[^>]*>Due', body)
    assert heading, "the Due heading carries aria-sort and is a link"
    assert heading.group(1) == "descending"
    assert "sort=due" in heading.group(2) and "rag=red" in heading.group(2)
    assert body.count("aria-sort=") == 1


def test_default_columns_and_chosen_columns(client, director, world):
    client.force_login(director)
    response = client.get(LIST)
    shown = [c.name for c in response.context["table"].columns]
    assert shown == ["ref", "action", "rag", "due", "status", "last_update", "lead", "plan"]
    response = client.get(LIST, {"columns": ["partners", "ref", "findings", "no-such-column"]})
    assert [c.name for c in response.context["table"].columns] == ["ref", "findings", "partners"]
    body = response.content.decode()
    assert 'value="partners" checked' in body and 'value="action">' in body
    assert "Thresholds are not understood" in body and "TCC" in body


def test_every_column_draws_its_cells(client, director, world):
    client.force_login(director)
    body = client.get(LIST, {"columns": EVERY_COLUMN, "sort": "ref"}).content.decode()
    for text in ("Relaunch the thresholds matrix", "Testshire JTAI plan", "2.1 Assessments",
                 "17, 42. Thresholds are not understood", "Principal Social Worker (TCC)", "Officer",
                 "Fewer repeat referrals", "Quarterly audit of 40 cases", "(overdue)", "revised from",
                 'app-rag--red">Red<', 'app-rag--not_rated">Not yet rated<', "Delivered", "None yet"):
        assert text in body, text


def test_pages_of_results_in_govuk_pagination(client, director, world):
    plan = world["plan"]
    Action.objects.bulk_create(
        Action(plan=plan, reference=f"9.{n:03d}", order=100 + n, description=f"More {n}") for n in range(110)
    )
    client.force_login(director)
    first = client.get(LIST)
    assert len(first.context["table"].paginated_rows) == 25
    body = first.content.decode()
    assert 'class="govuk-pagination"' in body and 'aria-current="page"' in body and 'rel="next"' in body
    assert len(rows(client, page=5)) == 115 - 4 * 25
    assert len(rows(client, page=99)) == 115 - 4 * 25  # past the end: the last page
    assert len(rows(client, per_page=10)) == 10
    assert len(rows(client, per_page=100000)) == 100  # never more than 100 a page
    assert len(rows(client, per_page=0)) == 1
    assert len(rows(client, per_page="many")) == 25


def test_the_form_keeps_every_choice_so_the_url_is_bookmarkable(client, director, world):
    client.force_login(director)
    params = {"q": "matrix", "plan": "testshire-jtai", "rag": "red", "overdue": "yes", "lead": "detective",
              "due_to": (TODAY + DAY).strftime("%d/%m/%Y"), "sort": "-due", "per_page": "10", "columns": ["ref", "rag"]}
    body = client.get(LIST, params).content.decode()
    for fragment in ('name="q" value="matrix"', 'value="testshire-jtai" selected', 'value="red" checked',
                     'name="overdue" type="radio" value="yes" checked', 'name="lead" value="detective"',
                     'name="sort" value="-due"', 'name="per_page" value="10"', 'value="rag" checked'):
        assert fragment in body, fragment
    assert rows(client, **params) == ["1.1"]


# --- performance and the size of the form --------------------------------------------------


def _bulk_actions(plan, sections, posts, agencies, findings, author, count, start):
    actions = Action.objects.bulk_create(
        Action(
            plan=plan, section=sections[i % len(sections)], reference=f"B{start + i}", order=1000 + start + i,
            description=f"Bulk action {start + i}", lead_post=posts[i % len(posts)],
            due_date=TODAY + (i % 90 - 30) * DAY, original_due_date=TODAY + (i % 90 - 30 - 7 * (i % 2)) * DAY,
            status=[ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED, ActionStatus.DELIVERED][i % 3],
        )
        for i in range(count)
    )
    Action.partner_agencies.through.objects.bulk_create(
        Action.partner_agencies.through(action_id=a.pk, agency_id=agencies[i % len(agencies)].pk)
        for i, a in enumerate(actions)
    )
    Action.findings.through.objects.bulk_create(
        Action.findings.through(action_id=a.pk, finding_id=findings[i % len(findings)].pk)
        for i, a in enumerate(actions)
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(action=a, as_of=TODAY - (i % 20) * DAY, author=author, narrative=f"Update on {a.reference}",
                       proposed_rag=["red", "amber", "green", ""][i % 4], status=ActionStatus.IN_PROGRESS)
        for i, a in enumerate(actions)
    )


def _queries(client, params):
    client.get(LIST, params)  # warm the session, content types and the like
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("role", ["director", "partner_officer"])
def test_query_count_is_the_same_for_10_and_500_actions(client, request, council, police, officer, role):
    user = request.getfixturevalue(role)
    plan = PlanFactory(slug="big-plan")
    sections = [SectionFactory(plan=plan, number=str(n), order=n) for n in range(1, 4)]
    posts = [PostFactory(agency=agency, title=f"Lead {n}") for n, agency in enumerate([council, police, council])]
    for post in posts:
        PostHoldingFactory(post=post, person=officer)
    findings = [FindingFactory() for _ in range(3)]
    client.force_login(user)
    every = {"columns": EVERY_COLUMN, "per_page": "100"}
    cases = [
        {},
        every,
        {**every, "sort": "-rag", "rag": ["red", "amber", "green"], "q": "bulk", "plan": "big-plan",
         "agency": "TP", "section": "1", "lead": "lead", "person": "officer", "finding": "finding",
         "overdue": "yes", "revised": "yes", "status": ["in_progress", "not_started"],
         "due_from": (TODAY - 60 * DAY).isoformat()},
        {**every, "sort": "lead_person"},
        {**every, "sort": "partners"},
        {**every, "sort": "findings"},
    ]
    _bulk_actions(plan, sections, posts, [council, police], findings, officer, 10, 0)
    small = [_queries(client, params) for params in cases]
    assert all(len(r.context["table"].paginated_rows) > 0 for _, r in small)
    _bulk_actions(plan, sections, posts, [council, police], findings, officer, 490, 10)
    large = [_queries(client, params) for params in cases]
    assert [n for n, _ in large] == [n for n, _ in small]
    assert len(large[1][1].context["table"].paginated_rows) == 100
    # And the numbers are small: the session (read and saved), the user and their agency,
    # the chosen plan and agency, the two dropdowns and their lengths, the count, the page
    # and one query per prefetched relation.
    assert max(n for n, _ in large) <= 17


def test_no_dropdown_in_the_filters_has_more_than_200_options(client, director, council, officer):
    plan = PlanFactory(slug="wide-plan")
    posts = Post.objects.bulk_create(Post(agency=council, title=f"Post number {n}") for n in range(250))
    people = User.objects.bulk_create(
        User(email=f"p{n}@example.test", full_name=f"Person {n}", role="officer", agency=council) for n in range(250)
    )
    PostHolding.objects.bulk_create(PostHolding(post=p, person=u) for p, u in zip(posts, people, strict=True))
    inspection = InspectionFactory()
    Finding.objects.bulk_create(Finding(inspection=inspection, kind="recommendation", text=f"Finding {n}") for n in range(250))
    sections = [SectionFactory(plan=plan, number=str(n + 1), order=n) for n in range(210)]
    ActionFactory(plan=plan, section=sections[0], lead_post=posts[0])
    client.force_login(director)
    body = client.get(LIST).content.decode()
    selects = re.findall(r'<select name="([a-z_]+)".*?</select>', body, re.S)
    assert set(selects) <= {"plan", "agency"}
    for block in re.findall(r"<select.*?</select>", body, re.S):
        assert block.count("<option") <= 200
    # Large choices are searched by text instead.
    for name in ("lead", "person", "finding", "section", "q"):
        assert f'<input type="text" name="{name}"' in body


def test_the_address_keeps_only_what_was_chosen(client, director, world):
    client.force_login(director)
    sent = {"q": "", "plan": "", "rag": "red", "overdue": "yes", "due_from": "", "columns": list(ActionTable.default_columns)}
    response = client.get(LIST, sent)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?rag=red&overdue=yes"
    assert client.get(response["Location"]).status_code == 200


def test_a_list_of_more_than_200_agencies_is_typed_not_chosen(client, director, council):
    plan = PlanFactory(slug="many-schools")
    from partners.models import Agency

    schools = Agency.objects.bulk_create(
        Agency(name=f"School {n}", short_name=f"SCH{n}", sector="education") for n in range(205)
    )
    posts = Post.objects.bulk_create(Post(agency=school, title="Headteacher") for school in schools)
    Action.objects.bulk_create(
        Action(plan=plan, reference=f"S{n}", order=n, description=f"School action {n}", lead_post=post)
        for n, post in enumerate(posts)
    )
    client.force_login(director)
    body = client.get(LIST).content.decode()
    assert '<select name="agency"' not in body
    assert '<input type="text" name="agency"' in body and "type its short name" in body
    assert rows(client, agency="SCH7") == ["S7"]
