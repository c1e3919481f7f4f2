"""``manage.py load_demo``: the Oxfordshire JTAI 2016 demo partnership, live today, with a
year of progress, mixed RAG, the demo logins, and nothing changed by a second run."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from actionplans.access import visible_to
from actionplans.choices import ActionStatus, Decision
from actionplans.models import (
    Action,
    ActionLink,
    DueDateRevision,
    Evidence,
    GlossaryTerm,
    Measure,
    MeasureValue,
    Plan,
    ProgressUpdate,
)
from actionplans.rag import rag_counts
from inspections.models import Finding, Inspection
from partners.models import GovernanceBody, Meeting, PostHolding, User

DEMO_LOGINS = {
    "officer@demo.example": "officer",
    "partner@demo.example": "partner_officer",
    "manager@demo.example": "plan_manager",
    "director@demo.example": "director",
    "clerk@demo.example": "clerk",
    "member@demo.example": "member",
    "admin@demo.example": "admin",
}


# Each run hashes the seven demo passwords; the cost of the real hasher is not under test.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PLAN_SLUG = "oxfordshire-jtai-2016"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for a class of read-only tests: a load takes seconds. It is
    loaded in a transaction that is rolled back after the class, so later tests start
    from an empty database; each test still runs in its own savepoint (``db``)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        load_demo()
        yield Plan.objects.get(slug=PLAN_SLUG)
        transaction.set_rollback(True)


def row_counts() -> dict[str, int]:
    """Rows in every table, history tables included (an unchanged save adds a history row)."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


class TestTheDemoPartnership:
    """Read-only checks of one load, shared by the class (see ``demo``)."""

    def test_builds_the_oxfordshire_plan_from_the_sample(self, db, demo):
        inspection = Inspection.objects.get()
        assert inspection.kind == "jtai"
        assert set(inspection.inspectorates) == {"ofsted", "cqc", "hmicfrs", "hmi_probation"}
        assert inspection.onsite_from < inspection.published_on < inspection.wsoa_due_on
        assert demo.sections.filter(parent__isnull=True).count() == 3
        assert demo.sections.filter(parent__isnull=False).count() == 5
        assert demo.actions.count() == 24
        assert ActionLink.objects.count() == 2
        assert set(ActionLink.objects.values_list("note", flat=True)) == {
            "See 2.3 for audit work and observations."
        }
        references = list(demo.actions.values_list("reference", flat=True))
        assert references[:9] == [f"1.{n}" for n in range(1, 10)]
        assert references[9:] == [
            "2.1.1", "2.1.2",
            "2.2.1", "2.2.2", "2.2.3", "2.2.4", "2.2.5", "2.2.6",
            "2.3.1", "2.3.2", "2.3.3", "2.3.4", "2.3.5",
            "3.1.1", "3.2.1",
        ]  # fmt: skip
        first = demo.actions.get(reference="1.1")
        assert first.description.startswith(
            "Children's Social Care, Police, Health to lead on the remodeling"
        )
        assert first.lead_post.title == "Chair of MASH Steering Group"
        assert first.due_text == "08/2017"

    def test_findings_are_the_inspectors_words_and_actions_answer_them(self, db, demo):
        areas = Finding.objects.filter(kind="area_for_improvement")
        assert areas.count() == 6
        assert areas.filter(text__contains="75% of referrals lead to NFA").exists()
        assert Finding.objects.filter(kind="strength").count() >= 4
        assert not demo.actions.filter(findings__isnull=True).exists()
        assert demo.sections.get(number="2.2").issues_raised.startswith("Recording of discussions")

    def test_the_plan_is_live_with_its_governance_and_sign_offs(self, db, demo):
        assert demo.status == "live"
        assert demo.monitoring_body.name == "Safeguarding Children Executive Group"
        assert demo.review_cadence_days == 30
        assert demo.uses_blue is True
        assert demo.introduction
        assert demo.partner_sign_offs.count() == 10
        assert demo.board_sign_offs.count() == 5
        assert list(demo.managers.values_list("email", flat=True)) == ["manager@demo.example"]
        assert (
            GlossaryTerm.objects.filter(
                term__in=["MASH", "CSC", "TON", "NPS", "CRC", "CSE", "ASYE", "AiA", "OSCB", "LSCB"]
            ).count()
            == 10
        )

    def test_the_plan_went_live_about_eleven_months_ago(self, db, demo):
        today = timezone.localdate()
        assert months_between(demo.live_from, today) == 11
        assert demo.plan_date < demo.live_from

    def test_due_dates_keep_their_offset_from_the_plan(self, db, demo):
        # The sample's plan went live in 08/2016: "08/2017" is twelve months on, at month end.
        action = demo.actions.get(reference="1.1")
        assert months_between(demo.live_from, action.original_due_date) == 12
        assert (action.original_due_date + dt.timedelta(days=1)).day == 1
        ongoing = demo.actions.get(reference="1.6")
        assert ongoing.due_text == "From 09/2016"
        assert ongoing.due_date is None
        assert months_between(demo.live_from, ongoing.start_date) == 1

    def test_every_demo_login_signs_in_with_the_demo_password(self, db, demo):
        for email, role in DEMO_LOGINS.items():
            user = authenticate(username=email, password="demo-password")
            assert user is not None, email
            assert user.role == role
            assert user.full_name
        admin = User.objects.get(email="admin@demo.example")
        assert admin.is_staff and admin.is_superuser
        # Post holders who are not demo logins exist, but cannot sign in.
        others = User.objects.exclude(email__in=DEMO_LOGINS)
        assert others.exists()
        assert not any(person.has_usable_password() for person in others)

    def test_the_demo_people_are_marked_demo_accounts_with_verified_addresses(self, db, demo):
        from allauth.account.models import EmailAddress

        # The flag, not the address, is what exempts an account from MFA (partners/mfa.py).
        assert not User.objects.filter(is_demo=False).exists()
        for email in DEMO_LOGINS:
            assert EmailAddress.objects.filter(email=email, verified=True, primary=True).exists(), email

    def test_demo_logins_hold_posts_that_lead_or_support_actions(self, db, demo):
        officer = User.objects.get(email="officer@demo.example")
        assert demo.actions.filter(lead_post__holdings__person=officer).exists()
        partner = User.objects.get(email="partner@demo.example")
        assert (
            PostHolding.objects.current()
            .filter(person=partner, post__agency__short_name="TVP")
            .exists()
        )
        assert demo.actions.filter(partner_agencies=partner.agency).exists()

    def test_rag_is_mixed_today(self, db, demo):
        counts = rag_counts(demo.actions.all(), timezone.localdate())
        assert sum(counts.values()) == 24
        assert counts["red"] >= 3
        assert counts["amber"] >= 1
        assert counts["green"] >= 3
        assert counts["blue"] >= 3

    def test_status_is_the_latest_updates_and_no_update_is_in_the_future(self, db, demo):
        today = timezone.localdate()
        for action in demo.actions.all():
            latest = action.updates.order_by("-as_of", "-created_at").first()
            assert latest is not None, action.reference
            assert action.status == latest.status, action.reference
        assert not ProgressUpdate.objects.filter(as_of__gt=today).exists()
        assert ProgressUpdate.objects.count() >= 24 * 3
        assert ProgressUpdate.objects.filter(review_state="approved").exists()
        assert ProgressUpdate.objects.filter(review_state="submitted").exists()

    def test_some_actions_are_overdue_and_some_dates_were_revised(self, db, demo):
        today = timezone.localdate()
        assert any(action.is_overdue(today) for action in demo.actions.all())
        approved = DueDateRevision.objects.filter(decision=Decision.APPROVED)
        assert approved.exists()
        for revision in approved.select_related("action"):
            assert revision.action.original_due_date != revision.action.due_date
            assert revision.decided_by is not None
            assert revision.reason
        # Revisions chain: each old date is the due date before it.
        chained = demo.actions.get(reference="2.3.1")
        dates = list(chained.revisions.order_by("requested_at").values_list("old_date", "new_date"))
        assert len(dates) == 2
        assert dates[0][0] == chained.original_due_date
        assert dates[1][0] == dates[0][1]
        assert dates[1][1] == chained.due_date
        pending = DueDateRevision.objects.get(decision=Decision.PENDING)
        assert pending.action.due_date == pending.action.original_due_date == pending.old_date

    def test_outcome_evidenced_actions_are_signed_off_by_someone_other_than_the_lead(
        self, db, demo
    ):
        evidenced = demo.actions.filter(status=ActionStatus.OUTCOME_EVIDENCED)
        assert evidenced.exists()
        for action in evidenced:
            leads = set(action.lead_post.holdings.values_list("person_id", flat=True))
            sign_off = action.sign_offs.get(stage="outcome_evidenced")
            assert sign_off.signed_by_id not in leads, action.reference
            assert sign_off.signed_by.email in {"director@demo.example", "manager@demo.example"}
            assert action.evidence.filter(kind="link").exclude(url="").exists(), action.reference
        assert demo.actions.filter(status=ActionStatus.DELIVERED).exists()

    def test_measures_have_quarterly_values(self, db, demo):
        measures = Measure.objects.filter(plan=demo)
        assert 3 <= measures.count() <= 5
        nfa = measures.get(name__startswith="Referrals leading to NFA")
        assert nfa.direction == "down"
        assert nfa.baseline_value == 75
        for measure in measures:
            starts = list(measure.values.values_list("period_start", flat=True))
            assert len(starts) >= 3, measure.name
            assert all(start.day == 1 and start.month in (1, 4, 7, 10) for start in starts)
            assert max(starts) < timezone.localdate()

    def test_governance_bodies_have_past_and_upcoming_meetings(self, db, demo):
        today = timezone.localdate()
        for name in [
            "Oxfordshire County Council Cabinet",
            "Performance Scrutiny Committee",
            "Safeguarding Children Executive Group",
            "Oxfordshire Safeguarding Children Board",
        ]:
            meetings = Meeting.objects.filter(body__name=name)
            assert meetings.filter(date__lt=today).exists(), name
            assert meetings.filter(date__gte=today).exists(), name
            assert not meetings.filter(date__week_day__in=[1, 7]).exists(), name
            assert not meetings.filter(date__month=12, date__day__gte=22).exists(), name
        assert (
            GovernanceBody.objects.get(
                name="Safeguarding Children Executive Group"
            ).parent.short_name
            == "OSCB"
        )

    def test_partner_officer_sees_only_the_actions_of_their_agency(self, db, demo):
        partner = User.objects.get(email="partner@demo.example")
        visible = visible_to(partner, Action.objects.filter(plan=demo)).count()
        assert 0 < visible < 24


def test_running_twice_changes_nothing(db):
    first = load_demo()
    counts = row_counts()
    updated = dict(Action.objects.values_list("reference", "updated_at"))
    second = load_demo()
    assert row_counts() == counts
    assert dict(Action.objects.values_list("reference", "updated_at")) == updated
    assert "Loaded the demo plan" in first
    assert "officer@demo.example" in first and "demo-password" in first
    assert "already loaded" in second
    # A run weeks later keeps the calendar of the first load rather than moving the plan.
    live_from = Plan.objects.get(slug=PLAN_SLUG).live_from
    with time_machine.travel(timezone.now() + dt.timedelta(days=75), tick=False):
        load_demo()
    assert Plan.objects.get(slug=PLAN_SLUG).live_from == live_from
    assert row_counts() == counts


# The first of a month (updates dated later that month are brought back to today) and a
# leap day late in the evening UTC (a different local date in summer).
@pytest.mark.parametrize("moment", ["2027-01-01T09:00:00+00:00", "2028-02-29T23:30:00+00:00"])
def test_loads_a_live_plan_on_any_day(db, moment):
    with time_machine.travel(dt.datetime.fromisoformat(moment), tick=False):
        load_demo()
        today = timezone.localdate()
        plan = Plan.objects.get(slug=PLAN_SLUG)
        assert months_between(plan.live_from, today) == 11
        counts = rag_counts(plan.actions.all(), today)
        assert counts["red"] and counts["amber"] and counts["green"] and counts["blue"]
        assert not ProgressUpdate.objects.filter(as_of__gt=today).exists()
        assert not ProgressUpdate.objects.filter(reviewed_at__gt=timezone.now()).exists()
        assert not Evidence.objects.filter(evidence_date__gt=today).exists()
        assert not MeasureValue.objects.filter(recorded_at__gt=timezone.now()).exists()
