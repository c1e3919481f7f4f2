"""The officer's pages, per role: allowed, refused (403) and out of scope (404)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans.choices import ActionStatus
from tests.factories import (
    ActionFactory,
    EvidenceFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    ProgressUpdateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(plan_manager):
    plan = PlanFactory(title="Testshire JTAI plan", slug="testshire-jtai")
    plan.managers.add(plan_manager)
    return plan


@pytest.fixture
def council_action(plan, council, officer):
    post = PostFactory(agency=council, title="Principal Social Worker")
    PostHoldingFactory(post=post, person=officer)
    return ActionFactory(plan=plan, lead_post=post, reference="1.1", description="Relaunch the thresholds matrix")


@pytest.fixture
def police_action(plan, police, partner_officer):
    post = PostFactory(agency=police, title="Detective Superintendent")
    PostHoldingFactory(post=post, person=partner_officer)
    return ActionFactory(plan=plan, lead_post=post, reference="2.1", description="Review police information sharing")


PAGES = ["actionplans:action_detail", "actionplans:progress_create", "actionplans:revision_request", "actionplans:sign_off"]


def test_anonymous_people_are_sent_to_sign_in(client, council_action):
    for name in PAGES:
        response = client.get(reverse(name, args=[council_action.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "page", "expected"),
    [
        ("officer", "actionplans:action_detail", 200),
        ("officer", "actionplans:progress_create", 200),
        ("officer", "actionplans:revision_request", 200),
        ("officer", "actionplans:sign_off", 403),
        ("plan_manager", "actionplans:progress_create", 200),
        ("plan_manager", "actionplans:sign_off", 200),
        ("director", "actionplans:action_detail", 200),
        ("director", "actionplans:progress_create", 403),
        ("director", "actionplans:sign_off", 200),
        ("clerk", "actionplans:action_detail", 200),
        ("clerk", "actionplans:progress_create", 403),
        ("member", "actionplans:action_detail", 200),
        ("member", "actionplans:revision_request", 403),
        ("partner_officer", "actionplans:action_detail", 404),
        ("partner_officer", "actionplans:progress_create", 404),
        ("outsider", "actionplans:action_detail", 404),
    ],
)
def test_council_action_pages_per_role(client, request, council_action, police_action, role, page, expected):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(page, args=[council_action.pk])).status_code == expected


def test_a_partner_officer_can_open_and_update_their_agencys_action(client, partner_officer, police_action):
    client.force_login(partner_officer)
    assert client.get(reverse("actionplans:action_detail", args=[police_action.pk])).status_code == 200
    assert client.get(reverse("actionplans:progress_create", args=[police_action.pk])).status_code == 200


def test_a_partner_officer_sees_an_action_their_agency_supports(client, partner_officer, police, council_action):
    council_action.partner_agencies.add(police)
    client.force_login(partner_officer)
    assert client.get(reverse("actionplans:action_detail", args=[council_action.pk])).status_code == 200


def test_evidence_download_is_refused_outside_scope(client, officer, outsider, council_action, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    evidence = EvidenceFactory.build(action=council_action, url="", original_name="audit.pdf", content_type="application/pdf")
    evidence.file.save("x", ContentFile(b"%PDF-1.4 test"), save=True)
    url = reverse("actionplans:evidence_download", args=[evidence.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert "attachment" in response["Content-Disposition"] and "audit.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")  # not replaced by the site policy


def test_my_actions_groups_overdue_due_soon_and_update_needed(client, officer, council, plan):
    today = timezone.localdate()
    post = PostFactory(agency=council, title="Head of Safeguarding")
    PostHoldingFactory(post=post, person=officer)
    overdue = ActionFactory(plan=plan, lead_post=post, due_date=today - dt.timedelta(days=3), reference="O")
    soon = ActionFactory(plan=plan, lead_post=post, due_date=today + dt.timedelta(days=10), reference="S")
    stale = ActionFactory(plan=plan, lead_post=post, due_date=today + dt.timedelta(days=200), reference="U")
    fresh = ActionFactory(plan=plan, lead_post=post, due_date=today + dt.timedelta(days=200), reference="F")
    ProgressUpdateFactory(action=fresh, as_of=today - dt.timedelta(days=2))
    ProgressUpdateFactory(action=stale, as_of=today - dt.timedelta(days=90))
    ActionFactory(plan=plan, lead_post=post, status=ActionStatus.OUTCOME_EVIDENCED, reference="DONE")
    ActionFactory(plan=plan, reference="NOT-MINE")

    client.force_login(officer)
    response = client.get(reverse("actionplans:my_actions"))
    groups = response.context["groups"]
    assert [a.reference for a in groups.overdue] == ["O"]
    assert [a.reference for a in groups.due_soon] == ["S"]
    assert [a.reference for a in groups.update_needed] == ["U"]
    assert [a.reference for a in groups.other] == ["F"]
    assert overdue.description in response.content.decode()
    assert soon.pk and b"Red" in response.content  # the overdue action shows its RAG as text


def _build(plan, post, n):
    for _ in range(n):
        action = ActionFactory(plan=plan, lead_post=post)
        ProgressUpdateFactory(action=action)
        EvidenceFactory(action=action)


def _count_queries(client, url):
    client.get(url)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_my_actions_query_count_does_not_grow(client, officer, council, plan):
    post = PostFactory(agency=council)
    PostHoldingFactory(post=post, person=officer)
    client.force_login(officer)
    _build(plan, post, 10)
    small = _count_queries(client, reverse("actionplans:my_actions"))
    _build(plan, post, 190)
    assert _count_queries(client, reverse("actionplans:my_actions")) == small


def test_action_page_query_count_does_not_grow_with_updates(client, officer, council_action):
    client.force_login(officer)
    url = reverse("actionplans:action_detail", args=[council_action.pk])
    for _ in range(10):
        ProgressUpdateFactory(action=council_action)
        EvidenceFactory(action=council_action)
    small = _count_queries(client, url)
    for _ in range(190):
        ProgressUpdateFactory(action=council_action)
        EvidenceFactory(action=council_action)
    assert _count_queries(client, url) == small


def test_the_action_page_shows_each_measure_with_its_latest_value(client, officer, council_action):
    import datetime as dt

    from actionplans.models import MeasureValue
    from tests.factories import MeasureFactory

    measure = MeasureFactory(plan=council_action.plan, action=council_action, name="Referrals answered in 24 hours")
    MeasureValue.objects.create(measure=measure, period_start=dt.date(2026, 4, 1), value=61)
    MeasureValue.objects.create(measure=measure, period_start=dt.date(2026, 7, 1), value=74)
    client.force_login(officer)
    response = client.get(reverse("actionplans:action_detail", args=[council_action.pk]))
    assert response.status_code == 200
    assert "Referrals answered in 24 hours" in response.content.decode()
    assert "74.00 (Jul 2026)" in response.content.decode()
