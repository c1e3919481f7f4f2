"""The submission walk: every form of ours that changes data, sent filled in as a person
would fill it (a VALID POST, CSRF token and all), by every role, and the database checked
for who may change what.

tests/test_access_walk.py sends every page an empty POST, which proves nothing about a
form that a refused person fills in properly. Here:

- :data:`SUBMISSIONS` has one entry per URL pattern of ours that accepts a POST that
  writes (every pattern whose access-walk :data:`~tests.test_access_walk.SPECS` entry takes
  a POST other than 405); ``test_every_post_url_is_submitted`` fails for a new one.
- The form is read from its page, as the browser would have it (the page as the role sees
  it where it shows them the form, else as someone who may sees it: the administrator, or
  the plan manager whose import it is), given real values, and sent with the CSRF token of
  the role's own session by a client that enforces CSRF (a POST without one is a 403).
- :data:`ROLES`: the action's lead (an officer holding its lead post), an officer who is
  not, partner officers of the agency that leads the action, of one that only supports it,
  and of an unrelated agency, the plan's manager and the manager of ANOTHER plan (a draft),
  a director, a clerk, a board member and an administrator.
- Each entry says, from the rules (actionplans/access.py's docstring and README "Using
  it"), who finds the object (else 404) and who may make the change (else 403). Those who
  may get a redirect and the change is in the database; the others get their 404 or 403
  and not one row of ours, nor of the change histories, moves. The sets are written out
  here from those rules, not by calling the permission functions, so that the walk does
  not just agree with the code it checks. One more outcome: another plan manager holding
  someone else's import is sent back to the start, nothing saved.
- Two rules a valid form must not get round, as their own tests: a progress update never
  takes a signed-off action back to in progress (reopening is the manager's own step,
  ``actionplans:action_reopen``), and under the plan's four eyes on revised dates the
  person who asked for one cannot decide it.

The world is built once for the module and each submission runs in a savepoint of it, so
every one starts from the same data: a live plan (its manager, a section, actions in no
section, one delivered and signed off, a pending revised date, a measure, evidence, a
paper schedule) and a draft plan with another manager.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from actionplans import models as ap
from actionplans.actions.services import EvidenceLink, evidence_attach
from actionplans.choices import ActionStatus, PlanStatus, SignOffStage
from actionplans.dashboard_views import _signed as _signed_csv
from inspections.choices import FindingKind, InspectionKind, Inspectorate
from inspections.models import Finding, Inspection
from partners.choices import BodyKind, Role, Sector
from partners.models import PostHolding
from reports.choices import ReportFormat, ReportKind
from reports.models import ReportJob, ReportSchedule, ScheduleMode
from reports.services import schedule_create
from tests.factories import (
    ActionFactory,
    AgencyFactory,
    FindingFactory,
    GovernanceBodyFactory,
    InspectionFactory,
    MeasureFactory,
    MeetingFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    SectionFactory,
    UserFactory,
)
from tests.test_access_walk import PATTERNS, SPECS, changed_tables, row_counts

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

# --- Who is who ------------------------------------------------------------------------------

LEAD = "officer-lead"  # an officer holding the lead post of the actions walked
OFFICER = "officer"  # an officer who is not their lead
P_LEAD = "partner-lead"  # partner officer of the agency that leads them (the council)
P_SUPPORT = "partner-support"  # partner officer of the police, who only support them
P_OTHER = "partner-other"  # partner officer of a health trust with nothing in any plan
MANAGER = "manager"  # manages the live plan, where the actions walked are
MANAGER_2 = "other-manager"  # manages only the draft plan
DIRECTOR, CLERK, MEMBER, ADMIN = "director", "clerk", "member", "admin"
ROLES = (LEAD, OFFICER, P_LEAD, P_SUPPORT, P_OTHER, MANAGER, MANAGER_2, DIRECTOR, CLERK, MEMBER, ADMIN)

EVERYONE = frozenset(ROLES)
PARTNERS = frozenset({P_LEAD, P_SUPPORT, P_OTHER})
# Who finds the live plan and its actions: everyone but the unrelated agency's officer.
SEES_LIVE = EVERYONE - {P_OTHER}
# The draft plan's one action is led by probation, which nobody here works for.
SEES_DRAFT = EVERYONE - PARTNERS
# Record progress, evidence, measure values and date requests on the actions walked: their
# lead, partner officers of the agencies leading or supporting them, the plan's managers, admins.
UPDATERS = frozenset({LEAD, P_LEAD, P_SUPPORT, MANAGER, ADMIN})
LIVE_MANAGERS = frozenset({MANAGER, ADMIN})
DRAFT_MANAGERS = frozenset({MANAGER_2, ADMIN})
# Record inspections, create and import plans, change who holds a post: any plan manager.
PARTNERSHIP_MANAGERS = frozenset({MANAGER, MANAGER_2, ADMIN})
# Sign off an action: the plan's managers, any director, admins (never its lead).
SIGNERS = frozenset({MANAGER, DIRECTOR, ADMIN})
# Request and schedule papers.
REQUESTERS = frozenset({MANAGER, MANAGER_2, DIRECTOR, CLERK, ADMIN})


# --- The world -------------------------------------------------------------------------------


@dataclass(repr=False)
class World:
    users: dict
    sessions: dict
    o: dict

    def __getattr__(self, name):
        try:
            return self.__dict__["o"][name]
        except KeyError:
            raise AttributeError(name) from None


def _txt(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def build_world() -> World:
    council = AgencyFactory(name="Alpha County Council", short_name="ACC", sector=Sector.LOCAL_AUTHORITY)
    police = AgencyFactory(name="Bravo Police", short_name="BRP", sector=Sector.POLICE)
    health = AgencyFactory(name="Charlie Health", short_name="CHT", sector=Sector.HEALTH)
    probation = AgencyFactory(name="Delta Probation", short_name="DPS", sector=Sector.PROBATION)

    def person(role, agency, email, **extra):
        return UserFactory(email=email, full_name=email.split("@")[0].title(), role=role, agency=agency, **extra)

    users = {
        LEAD: person(Role.OFFICER, council, "lead@submit.test"),
        OFFICER: person(Role.OFFICER, council, "officer@submit.test"),
        P_LEAD: person(Role.PARTNER_OFFICER, council, "partner-lead@submit.test"),
        P_SUPPORT: person(Role.PARTNER_OFFICER, police, "partner-support@submit.test"),
        P_OTHER: person(Role.PARTNER_OFFICER, health, "partner-other@submit.test"),
        MANAGER: person(Role.PLAN_MANAGER, council, "manager@submit.test"),
        MANAGER_2: person(Role.PLAN_MANAGER, council, "manager2@submit.test"),
        DIRECTOR: person(Role.DIRECTOR, council, "director@submit.test"),
        CLERK: person(Role.CLERK, council, "clerk@submit.test"),
        MEMBER: person(Role.MEMBER, council, "member@submit.test"),
        ADMIN: person(Role.ADMIN, council, "admin@submit.test", is_staff=True, is_superuser=True),
    }
    post_lead = PostFactory(agency=council, title="Head of the MASH")
    post_spare = PostFactory(agency=council, title="Principal Social Worker")
    post_probation = PostFactory(agency=probation, title="Head of Probation")
    PostHoldingFactory(post=post_lead, person=users[LEAD])

    board = GovernanceBodyFactory(name="Safeguarding Partnership Board", kind=BodyKind.BOARD)
    MeetingFactory(body=board, date=TODAY + dt.timedelta(days=40), title="Quarterly board")
    inspection = InspectionFactory(title="Joint targeted area inspection", summary="A joint inspection.")
    finding = FindingFactory(inspection=inspection, text="Thresholds are not understood.",
                             kind=FindingKind.AREA_FOR_IMPROVEMENT)

    live = PlanFactory(title="Live improvement plan", slug="live-plan", status=PlanStatus.LIVE,
                       live_from=TODAY - dt.timedelta(days=200), plan_date=TODAY - dt.timedelta(days=210),
                       monitoring_body=board)
    live.inspections.add(inspection)
    live.managers.add(users[MANAGER])
    section = SectionFactory(plan=live, number="1", title="Front door", order=1)
    SectionFactory(plan=live, number="2", title="Supervision", order=2)

    def action(plan, reference, order, section=None, lead=post_lead, **extra):
        extra.setdefault("status", ActionStatus.IN_PROGRESS)
        made = ActionFactory(plan=plan, section=section, reference=reference, order=order, lead_post=lead,
                             description=f"Action {reference}", due_date=TODAY + dt.timedelta(days=60), **extra)
        if plan == live:
            made.partner_agencies.add(police)
        return made

    # The actions walked are in no section (the plan's loose actions); one more is in the section.
    x = action(live, "A1", 1)  # progress, sign-off, measure, date decision
    y = action(live, "A2", 2)  # date request (X already has one pending)
    in_section = action(live, "1.1", 3, section=section)
    in_section_2 = action(live, "1.2", 4, section=section)
    in_section.findings.add(finding)
    # Delivered, signed off by the director: a manager of the plan may reopen it.
    delivered = action(live, "A3", 5, status=ActionStatus.DELIVERED)
    ap.ActionSignOff.objects.create(action=delivered, stage=SignOffStage.DELIVERED, signed_by=users[DIRECTOR],
                                    note="Audit shows it.")
    evidence_attach(action=x, added_by=users[MANAGER], description="Minutes",
                    files=[_txt("minutes.txt", "minutes of the meeting\n")],
                    links=[EvidenceLink(url="https://example.org/minutes", description="Link")])
    revision = ap.DueDateRevision.objects.create(
        action=x, old_date=x.due_date, new_date=x.due_date + dt.timedelta(days=30), reason="Staff shortage",
        requested_by=users[LEAD],
    )
    measure = MeasureFactory(plan=live, action=x, name="Referrals audited", baseline_value=40, target_value=80,
                             target_date=TODAY + dt.timedelta(days=300))
    plan_measure = MeasureFactory(plan=live, action=None, name="Re-referrals", baseline_value=20, target_value=15,
                                  target_date=TODAY + dt.timedelta(days=300))

    draft = PlanFactory(title="Draft improvement plan", slug="draft-plan", status=PlanStatus.DRAFT,
                        plan_date=TODAY - dt.timedelta(days=10), monitoring_body=board)
    draft.inspections.add(inspection)
    draft.managers.add(users[MANAGER_2])
    draft_action = action(draft, "D1", 1, lead=post_probation)

    schedule = schedule_create(plan=live, body=board, kind=ReportKind.COMMITTEE, format=ReportFormat.PDF,
                               mode=ScheduleMode.BEFORE_EACH_MEETING, recipients=["board@submit.test"],
                               created_by=users[CLERK])

    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    objects = {name: value for name, value in locals().items() if isinstance(value, Model)}
    return World(users=users, sessions=sessions, o=objects)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module in a transaction rolled back at its end; each test runs in a
    savepoint of it, so every submission starts from the same world."""
    storage = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path_factory.mktemp("private"), "base_url": "/no-public-url/"},
        },
    }
    overrides = override_settings(
        STORAGES=storage, MFA_REQUIRED=False, CELERY_TASK_ALWAYS_EAGER=True,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), overrides, transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


# --- Reading a form as the browser has it ---------------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms of a page: each a dict of its fields' values as a browser would send
    them without the submit buttons (checked boxes and radios, selected options, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_multiple = False
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": {}}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.setdefault(name, []).append(a.get("value", "on"))
                return
            fields.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in a
            self._select_first, self._select_chosen = None, False
            fields.setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._form["fields"][self._select].append(value)
                self._select_chosen = True

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select and self._form is not None:
            if not self._select_chosen and not self._select_multiple and self._select_first is not None:
                self._form["fields"][self._select].append(self._select_first)
            self._select = None


def page_form(html: str, path: str) -> dict[str, list[str]] | None:
    """The page's form that posts to ``path`` (or to itself): the one with most fields."""
    parser = _Forms()
    parser.feed(html)
    candidates = [f for f in parser.forms if f["method"] == "post" and f["action"].split("?")[0] in ("", path)]
    return max(candidates, key=lambda f: len(f["fields"]))["fields"] if candidates else None


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def form_errors(html: str) -> str:
    """What a form page says is wrong, for a failure's message."""
    found = re.findall(r'class="govuk-error-(?:message|summary__list)"[^>]*>(.*?)</(?:p|ul)>', html, re.S)
    return " | ".join(re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found) or html[-1500:]


def client_for(world: World, role: str) -> Client:
    """The role's browser: a client that checks CSRF tokens as a real request is checked,
    with the role's session. One a role for the module (a new client loads the middleware
    again, and WhiteNoise's scans the static files)."""
    clients = world.__dict__.setdefault("_clients", {})
    if role not in clients:
        clients[role] = Client(enforce_csrf_checks=True)
        clients[role].cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return clients[role]


# --- The submissions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """One form of ours, filled in.

    ``url(w)`` the address; ``values(w)`` the fields to set over what the page shows (a value
    of None removes a field); ``effect(w)`` what the change is in the database, read before
    and after (it must differ for those who may, and not for the others; None where the
    step keeps its work in the session, and ``lands`` says where its redirect goes);
    ``seen`` who finds the object (else 404); ``may`` who may make the change (else 403);
    ``gone`` who are sent back to the start with nothing done (someone else's import).
    ``prepare`` is what must happen first in the role's session (an import under way),
    returning the URL's argument; ``form_page(w, url, client)`` the page that holds the form
    (the URL itself by default); ``reader`` who reads the form for those whose page is
    refused."""

    name: str
    label: str  # which of the pattern's objects, where a pattern is submitted more than once
    url: Callable[[World], str]
    values: Callable[[World], dict]
    effect: Callable[[World], object] | None
    may: frozenset[str]
    seen: frozenset[str] = EVERYONE
    gone: frozenset[str] = frozenset()
    lands: str = ""
    prepare: Callable[[World, str, Client], str] | None = None
    form_page: Callable[[World, str, Client], object] | None = None
    reader: str = ADMIN

    def expected(self, role: str) -> int:
        if role not in self.seen:
            return 404
        if role in self.gone:
            return 302
        if role not in self.may:
            return 403
        return 302

    def writes(self, role: str) -> bool:
        return self.expected(role) == 302 and role not in self.gone


def _rows(model, **filters):
    return lambda w: model.objects.filter(**{k: (v(w) if callable(v) else v) for k, v in filters.items()}).count()


def _field(model, pk, *names):
    return lambda w: tuple(model.objects.filter(pk=pk(w)).values_list(*names).get())


def _date(days: int) -> str:
    return (TODAY + dt.timedelta(days=days)).strftime("%d/%m/%Y")


def _live(name, *extra):
    return lambda w: reverse(name, args=[w.live.slug, *[e(w) for e in extra]])


CSV = "Ref,Action,Lead,Due date\n9.1,Check the front door,Head of the MASH,31/12/2030\n"


def _import_start(world: World, role: str, client: Client, *, mapped: bool) -> str:
    """An import into the live plan, under way in the role's own session; those who may not
    start one are handed the plan manager's (someone else's import)."""
    if role not in LIVE_MANAGERS:
        return _import_start(world, MANAGER, client_for(world, MANAGER), mapped=mapped)
    url = reverse("actionplans:import_start") + f"?plan={world.live.slug}"
    page = client.get(url).content.decode()
    data = dict(page_form(page, reverse("actionplans:import_start")) or {})
    data.update(csrfmiddlewaretoken=csrf_token(page), target=str(world.live.pk),
                file=SimpleUploadedFile("plan.csv", CSV.encode(), content_type="text/csv"))
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    token = re.match(r"^/import/([\w-]+)/columns/$", response["Location"]).group(1)
    if mapped:
        page = client.get(response["Location"]).content.decode()
        mapping = {"csrfmiddlewaretoken": csrf_token(page), "column_0": "reference", "column_1": "action",
                   "column_2": "lead", "column_3": "due"}
        response = client.post(reverse("actionplans:import_mapping", args=[token]), mapping)
        assert response.status_code == 302, response.content.decode()[:3000]
    return token


SUBMISSIONS: list[Submission] = [
    # --- The officer's daily work on an action (README "Using it") ---
    Submission(
        "actionplans:progress_create", "-", lambda w: reverse("actionplans:progress_create", args=[w.x.pk]),
        lambda w: {"as_of": _date(0), "narrative": "Audit of 40 referrals done.", "proposed_rag": "amber",
                   "status": ActionStatus.IN_PROGRESS, "links": ""},
        _rows(ap.ProgressUpdate, action=lambda w: w.x), may=UPDATERS, seen=SEES_LIVE,
    ),
    Submission(
        "actionplans:revision_request", "-", lambda w: reverse("actionplans:revision_request", args=[w.y.pk]),
        lambda w: {"new_date": _date(120), "reason": "The new team starts in spring."},
        _rows(ap.DueDateRevision, action=lambda w: w.y), may=UPDATERS, seen=SEES_LIVE,
    ),
    # Revised dates are decided by the plan's managers only (not another plan's, nor a director).
    Submission(
        "actionplans:revision_decide", "-",
        lambda w: reverse("actionplans:revision_decide", args=[w.x.pk, w.revision.pk]),
        lambda w: {"decision": "approve", "note": "Agreed at the board."},
        _field(ap.DueDateRevision, lambda w: w.revision.pk, "decision"), may=LIVE_MANAGERS, seen=SEES_LIVE,
    ),
    # Sign-off: the plan's managers and any director (never another plan's manager).
    Submission(
        "actionplans:sign_off", "-", lambda w: reverse("actionplans:sign_off", args=[w.x.pk]),
        lambda w: {"stage": "delivered", "note": "Audit shows thresholds applied."},
        _field(ap.Action, lambda w: w.x.pk, "status"), may=SIGNERS, seen=SEES_LIVE,
    ),
    # Reopening a signed-off action: a manager of its plan, with a reason (not a director).
    Submission(
        "actionplans:action_reopen", "-", lambda w: reverse("actionplans:action_reopen", args=[w.delivered.pk]),
        lambda w: {"reason": "The audit sample was too small."},
        _field(ap.Action, lambda w: w.delivered.pk, "status"), may=LIVE_MANAGERS, seen=SEES_LIVE,
    ),
    Submission(
        "actionplans:measure_value_add", "-", lambda w: reverse("actionplans:measure_value_add", args=[w.measure.pk]),
        lambda w: {"period_start": TODAY.replace(day=1).strftime("%d/%m/%Y"), "value": "61", "note": "Q figures"},
        _rows(ap.MeasureValue, measure=lambda w: w.measure), may=UPDATERS, seen=SEES_LIVE,
    ),
    Submission(
        "actionplans:measure_values_upload", "-",
        lambda w: reverse("actionplans:measure_values_upload", args=[w.measure.pk]),
        # The confirmation that saves: the previewed file, signed as the preview page sends it back.
        lambda w: {"csv_text": _signed_csv(f"{TODAY.replace(day=1):%d/%m/%Y},63,Q figures\n")},
        _rows(ap.MeasureValue, measure=lambda w: w.measure), may=UPDATERS, seen=SEES_LIVE,
    ),
    # --- Building and running a plan: its managers (creating one: any plan manager) ---
    Submission(
        "actionplans:plan_create", "-", lambda w: reverse("actionplans:plan_create"),
        lambda w: {"title": "A new plan", "slug": "a-new-plan", "plan_date": _date(0)},
        _rows(ap.Plan), may=PARTNERSHIP_MANAGERS,
    ),
    Submission(
        "actionplans:plan_edit", "-", _live("actionplans:plan_edit"),
        lambda w: {"title": "Live improvement plan, revised"},
        _field(ap.Plan, lambda w: w.live.pk, "title"), may=LIVE_MANAGERS, seen=SEES_LIVE,
    ),
    Submission(
        "actionplans:plan_status", "-", lambda w: reverse("actionplans:plan_status", args=[w.draft.slug]),
        lambda w: {}, _field(ap.Plan, lambda w: w.draft.pk, "status"), may=DRAFT_MANAGERS, seen=SEES_DRAFT,
    ),
    Submission(
        "actionplans:partner_sign_off_create", "-",
        lambda w: reverse("actionplans:partner_sign_off_create", args=[w.draft.slug]),
        lambda w: {"agency": str(w.police.pk), "person_name": "Chief Constable", "post_title": "CC",
                   "signed_on": _date(-1)},
        _rows(ap.PartnerSignOff, plan=lambda w: w.draft), may=DRAFT_MANAGERS, seen=SEES_DRAFT,
    ),
    Submission(
        "actionplans:board_sign_off_create", "-",
        lambda w: reverse("actionplans:board_sign_off_create", args=[w.draft.slug]),
        lambda w: {"body": str(w.board.pk), "signed_on": _date(-1), "minute_reference": "M/12"},
        _rows(ap.BoardSignOff, plan=lambda w: w.draft), may=DRAFT_MANAGERS, seen=SEES_DRAFT,
    ),
    Submission(
        "actionplans:section_create", "-", _live("actionplans:section_create"),
        lambda w: {"number": "3", "title": "Missing children"},
        _rows(ap.Section, plan=lambda w: w.live), may=LIVE_MANAGERS, seen=SEES_LIVE,
    ),
    Submission(
        "actionplans:section_edit", "-", _live("actionplans:section_edit", lambda w: w.section.pk),
        lambda w: {"title": "Front door and MASH"},
        _field(ap.Section, lambda w: w.section.pk, "title"), may=LIVE_MANAGERS, seen=SEES_LIVE,
    ),
    Submission(
        "actionplans:section_move", "-", _live("actionplans:section_move", lambda w: w.section.pk),
        lambda w: {"direction": "down"},
        _field(ap.Section, lambda w: w.section.pk, "order"), may=LIVE_MANAGERS, seen=SEES_LIVE,
        # POST only: its buttons are on the plan's page.
        form_page=lambda w, url, client: client.get(reverse("actionplans:plan_detail", args=[w.live.slug])),
    ),
    Submission(
        "actionplans:section_order", "-", _live("actionplans:section_order", lambda w: w.section.pk),
        lambda w: {f"position_{w.in_section.pk}": "2", f"position_{w.in_section_2.pk}": "1", "renumber": "on"},
        _field(ap.Action, lambda w: w.in_section.pk, "order", "reference"), may=LIVE_MANAGERS, seen=SEES_LIVE,
    ),
    Submission(
        "actionplans:action_create", "-", _live("actionplans:action_create"),
        lambda w: {"reference": "A9", "description": "Audit strategy meetings", "lead_post": str(w.post_spare.pk),
                   "due_text": _date(90), "outcome": "Meetings are quorate."},
        _rows(ap.Action, plan=lambda w: w.live), may=LIVE_MANAGERS, seen=SEES_LIVE,
    ),
    Submission(
        "actionplans:action_edit", "-", _live("actionplans:action_edit", lambda w: w.x.pk),
        lambda w: {"description": "Audit MASH referrals monthly"},
        _field(ap.Action, lambda w: w.x.pk, "description"), may=LIVE_MANAGERS, seen=SEES_LIVE,
    ),
    # --- Importing into the live plan: its managers; an import is its importer's own ---
    Submission(
        "actionplans:import_start", "-",
        lambda w: reverse("actionplans:import_start") + f"?plan={w.live.slug}",
        lambda w: {"target": str(w.live.pk),
                   "file": SimpleUploadedFile("plan.csv", CSV.encode(), content_type="text/csv")},
        # Starting keeps the upload in the session: what it does is go on to the columns.
        None, may=LIVE_MANAGERS, lands=r"^/import/[\w-]+/columns/$",
    ),
    # Another plan manager holding someone else's import token finds no import.
    Submission(
        "actionplans:import_mapping", "-", lambda w: "",
        lambda w: {"column_0": "reference", "column_1": "action", "column_2": "lead", "column_3": "due"},
        None, may=LIVE_MANAGERS, gone=frozenset({MANAGER_2}), lands=r"^/import/[\w-]+/check/$",
        prepare=lambda w, r, c: _import_start(w, r, c, mapped=False), reader=MANAGER,
    ),
    Submission(
        "actionplans:import_commit", "-", lambda w: "", lambda w: {},
        _rows(ap.Action, plan=lambda w: w.live), may=LIVE_MANAGERS, gone=frozenset({MANAGER_2}),
        prepare=lambda w, r, c: _import_start(w, r, c, mapped=True), reader=MANAGER,
        # The form is on the preview page, and posts to the commit address.
        form_page=lambda w, url, client: client.get(url.replace("/save/", "/check/")),
    ),
    # --- Inspections and findings: plan managers; linking actions: that plan's managers ---
    Submission(
        "inspections:inspection_create", "-", lambda w: reverse("inspections:inspection_create"),
        lambda w: {"title": "Focused visit", "kind": InspectionKind.values[0], "inspectorates": [Inspectorate.values[0]],
                   "area": "Alpha", "published_on": _date(-3)},
        _rows(Inspection), may=PARTNERSHIP_MANAGERS,
    ),
    Submission(
        "inspections:inspection_update", "-", lambda w: reverse("inspections:inspection_update", args=[w.inspection.pk]),
        lambda w: {"title": "Joint targeted area inspection (JTAI)"},
        _field(Inspection, lambda w: w.inspection.pk, "title"), may=PARTNERSHIP_MANAGERS, seen=SEES_LIVE,
    ),
    Submission(
        "inspections:findings_paste", "-", lambda w: reverse("inspections:findings_paste", args=[w.inspection.pk]),
        lambda w: {"intent": "save"},
        _rows(Finding, inspection=lambda w: w.inspection), may=PARTNERSHIP_MANAGERS, seen=SEES_LIVE,
        # Saving is the second press: the form is the preview's, with its fingerprint.
        form_page=lambda w, url, client: client.post(url, {
            "csrfmiddlewaretoken": csrf_token(client.get(url).content.decode()), "kind": "area_for_improvement",
            "text": "1. Strategy meetings are not timely.\n2. Return interviews are not offered.", "intent": "preview"}),
    ),
    Submission(
        "inspections:finding_update", "-", lambda w: reverse("inspections:finding_update", args=[w.finding.pk]),
        lambda w: {"text": "Thresholds are not understood by partners."},
        _field(Finding, lambda w: w.finding.pk, "text"), may=PARTNERSHIP_MANAGERS, seen=SEES_LIVE,
    ),
    Submission(
        "inspections:finding_actions", "-",
        lambda w: reverse("inspections:finding_actions", args=[w.finding.pk]) + f"?plan={w.live.slug}",
        lambda w: {"actions": [str(w.in_section.pk), str(w.x.pk)]},
        _rows(ap.Action.findings.through, finding_id=lambda w: w.finding.pk), may=LIVE_MANAGERS, seen=SEES_LIVE,
    ),
    # --- Who holds a post: plan managers ---
    Submission(
        "partners:post_reassign", "-", lambda w: reverse("partners:post_reassign", args=[w.post_spare.pk]),
        lambda w: {"new_person_query": "officer@submit.test", "new_person": str(w.users[OFFICER].pk), "on": _date(0)},
        _rows(PostHolding, post=lambda w: w.post_spare), may=PARTNERSHIP_MANAGERS, seen=SEES_LIVE,
    ),
    # --- Papers and schedules: clerks, directors, plan managers, admins ---
    Submission(
        "reports:job_create", "-", lambda w: reverse("reports:job_create") + f"?plan={w.live.slug}",
        lambda w: {"plan": str(w.live.pk), "kind": ReportKind.ACTIONS_EXPORT, "format": ReportFormat.CSV},
        _rows(ReportJob), may=REQUESTERS,
    ),
    Submission(
        "reports:schedule_create", "-", lambda w: reverse("reports:schedule_create") + f"?plan={w.live.slug}",
        lambda w: {"plan": str(w.live.pk), "body": str(w.board.pk), "kind": ReportKind.COMMITTEE,
                   "format": ReportFormat.PDF, "recipients": "clerk@submit.test"},
        _rows(ReportSchedule), may=REQUESTERS,
    ),
    Submission(
        "reports:schedule_edit", "-", lambda w: reverse("reports:schedule_edit", args=[w.schedule.pk]),
        lambda w: {"recipients": "board@submit.test\nchair@submit.test"},
        _field(ReportSchedule, lambda w: w.schedule.pk, "recipients"), may=REQUESTERS, seen=SEES_LIVE,
    ),
    Submission(
        "reports:schedule_delete", "-", lambda w: reverse("reports:schedule_delete", args=[w.schedule.pk]),
        lambda w: {}, _rows(ReportSchedule), may=REQUESTERS, seen=SEES_LIVE,
    ),
]

# The same forms again where the object changes who may: a whole-plan measure (its plan's
# managers only), the draft plan's action (its own manager, not the live plan's), and a live
# plan's action reached through the draft plan's address (nobody finds it there).
SUBMISSIONS += [
    Submission(
        "actionplans:measure_value_add", "whole-plan-measure",
        lambda w: reverse("actionplans:measure_value_add", args=[w.plan_measure.pk]),
        lambda w: {"period_start": TODAY.replace(day=1).strftime("%d/%m/%Y"), "value": "18", "note": "Q figures"},
        _rows(ap.MeasureValue, measure=lambda w: w.plan_measure), may=LIVE_MANAGERS, seen=SEES_LIVE,
    ),
    Submission(
        "actionplans:progress_create", "draft-plan-action",
        lambda w: reverse("actionplans:progress_create", args=[w.draft_action.pk]),
        lambda w: {"as_of": _date(0), "narrative": "Drafting the audit tool.", "proposed_rag": "amber",
                   "status": ActionStatus.IN_PROGRESS, "links": ""},
        _rows(ap.ProgressUpdate, action=lambda w: w.draft_action), may=DRAFT_MANAGERS, seen=SEES_DRAFT,
    ),
    Submission(
        "actionplans:action_edit", "draft-plan-action",
        lambda w: reverse("actionplans:action_edit", args=[w.draft.slug, w.draft_action.pk]),
        lambda w: {"description": "Probation case audit, quarterly"},
        _field(ap.Action, lambda w: w.draft_action.pk, "description"), may=DRAFT_MANAGERS, seen=SEES_DRAFT,
    ),
    Submission(
        "actionplans:action_edit", "live-action-through-draft-plan",
        lambda w: reverse("actionplans:action_edit", args=[w.draft.slug, w.x.pk]),
        lambda w: {"description": "Moved by the wrong manager"},
        _field(ap.Action, lambda w: w.x.pk, "description"),
        # The draft plan's managers find no such action in it; everyone else is refused the plan.
        may=DRAFT_MANAGERS, seen=SEES_DRAFT - DRAFT_MANAGERS, reader=MANAGER,
        form_page=lambda w, url, client: client.get(
            reverse("actionplans:action_edit", args=[w.live.slug, w.x.pk])),
    ),
]

BY_NAME = {s.name: s for s in SUBMISSIONS}


def post_urls() -> set[str]:
    """The URL patterns of ours that take a POST which can write (from the access walk's table,
    which itself fails for a pattern it does not know)."""
    ours = {p.key for p in PATTERNS if p.group == "ours"}
    return {name for name, spec in SPECS.items() if name in ours and spec.post not in (None, 405)}


def test_every_post_url_is_submitted():
    assert len({(s.name, s.label) for s in SUBMISSIONS}) == len(SUBMISSIONS), "a label tells each apart"
    missing = sorted(post_urls() - set(BY_NAME))
    assert not missing, f"POST URLs the submission walk does not submit: add them to SUBMISSIONS: {missing}"
    stale = sorted(set(BY_NAME) - post_urls())
    assert not stale, f"SUBMISSIONS names patterns that take no POST: {stale}"


def test_a_post_without_the_csrf_token_is_refused(world):
    before = row_counts()
    client = client_for(world, MANAGER)
    response = client.post(reverse("actionplans:section_create", args=[world.live.slug]),
                           {"number": "2", "title": "Supervision"})
    assert response.status_code == 403
    assert not changed_tables(before, row_counts())


def _form_page(submission: Submission, world: World, url: str, client: Client):
    return submission.form_page(world, url, client) if submission.form_page else client.get(url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("submission", SUBMISSIONS,
                         ids=lambda s: s.name if s.label == "-" else f"{s.name}[{s.label}]")
def test_submission(world, submission: Submission, role: str):
    w = world
    client = client_for(w, role)
    url = reverse(submission.name, args=[submission.prepare(w, role, client)]) if submission.prepare \
        else submission.url(w)
    path = url.split("?")[0]
    # The form as the browser has it: the role's own page where it shows them the form, else
    # the page as someone who may sees it; the CSRF token always of the role's own session.
    page = _form_page(submission, w, url, client)
    form = page_form(page.content.decode(), path) if page.status_code == 200 else None
    if form is None:
        reader = _form_page(submission, w, url, client_for(w, submission.reader))
        form = page_form(reader.content.decode(), path) if reader.status_code == 200 else None
        assert form is not None, f"{submission.name}: no form on its page as {submission.reader}"
        page = client.get(reverse("home"))
    data = dict(form)
    for key, value in submission.values(w).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    data["csrfmiddlewaretoken"] = csrf_token(page.content.decode())

    before = row_counts()
    effect = submission.effect(w) if submission.effect else None
    response = client.post(url, data)
    expected = submission.expected(role)
    detail = form_errors(response.content.decode(errors="replace")) if response.status_code == 200 else ""
    assert response.status_code == expected, (
        f"{submission.name} as {role}: {response.status_code}, expected {expected}\n{detail}"
    )
    if submission.writes(role):
        location = response["Location"]
        assert not location.startswith(("/accounts/", "/import/")) or re.match(submission.lands or "$^", location), (
            f"{submission.name} as {role}: sent to {location}"
        )
        if submission.effect:
            assert submission.effect(w) != effect, f"{submission.name} as {role}: redirected but nothing changed"
    else:
        if submission.effect:
            assert submission.effect(w) == effect, f"{submission.name} as {role} changed it"
        assert not changed_tables(before, row_counts()), f"{submission.name} as {role} wrote"
        if role in submission.gone:
            assert response["Location"] == reverse("actionplans:import_start"), response["Location"]


# --- The rules a submission must not get round ---------------------------------------------------


def _post_form(world: World, role: str, url: str, values: dict, *, reader: str = ADMIN):
    """A valid submission of ``url``'s form as ``role``, the form read as the walk reads it."""
    client = client_for(world, role)
    page = client.get(url)
    form = page_form(page.content.decode(), url) if page.status_code == 200 else None
    if form is None:
        form = page_form(client_for(world, reader).get(url).content.decode(), url)
        page = client.get(reverse("home"))
    return client.post(url, {**form, **values, "csrfmiddlewaretoken": csrf_token(page.content.decode())})


@pytest.mark.parametrize("role", sorted(UPDATERS))
def test_a_progress_update_never_reopens_a_signed_off_action(world, role):
    """Saying "in progress" on a delivered action is refused; reopening is a manager's own
    step (actionplans:action_reopen), which withdraws the sign-off with a reason."""
    w = world
    before = row_counts()
    response = _post_form(w, role, reverse("actionplans:progress_create", args=[w.delivered.pk]), {
        "as_of": _date(0), "narrative": "Back to work on it.", "proposed_rag": "amber",
        "status": ActionStatus.IN_PROGRESS, "links": "",
    })
    assert response.status_code == 200, response.status_code
    w.delivered.refresh_from_db()
    assert w.delivered.status == ActionStatus.DELIVERED
    assert not changed_tables(before, row_counts())


@pytest.mark.parametrize("role", [MANAGER, ADMIN])
def test_who_asked_for_a_revised_date_does_not_decide_it_under_four_eyes(world, role):
    """The plan asks for four eyes on revised dates (the default): its manager asked for this
    one, so they may not decide it; an administrator (or another manager of the plan) may."""
    w = world
    assert w.live.revision_four_eyes
    revision = ap.DueDateRevision.objects.create(
        action=w.y, old_date=w.y.due_date, new_date=w.y.due_date + dt.timedelta(days=45),
        reason="The manager's own request", requested_by=w.users[MANAGER],
    )
    before = row_counts()
    response = _post_form(w, role, reverse("actionplans:revision_decide", args=[w.y.pk, revision.pk]),
                          {"decision": "approve", "note": ""})
    revision.refresh_from_db()
    if role == MANAGER:
        assert response.status_code == 200, response.status_code  # the page says who can
        assert revision.decision == "pending"
        assert not changed_tables(before, row_counts())
    else:
        assert response.status_code == 302, form_errors(response.content.decode())
        assert revision.decision == "approved"
