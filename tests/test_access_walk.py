"""The access-control walk (issue #8): every URL in the URL conf, as every role, as a
partner officer of an agency with a share of the partnership, as one of an agency with
none, and signed out, finds no page, download or export that shows an object out of the
person's scope.

How it works:

- :func:`url_patterns` lists every pattern of ``get_resolver()``, namespaces and all.
  Each of ours must be in :data:`SPECS` and walked by at least one case of :data:`CASES`
  (``test_every_url_pattern_is_walked`` fails for a new URL the table does not know);
  allauth's and the admin's are walked as groups (the admin as everyone but the
  administrator, whom tests/test_admin.py takes through every admin page), and
  :data:`EXCLUDED` names any pattern left out, with its reason.
- One world is built per module (two plans, inspections, findings, actions, progress
  updates, evidence files and links, date revisions, measures and values, sign-offs,
  papers with stored files, schedules, an import under way). Whatever the agency-scoped
  people must not see carries a marker (``ZQ...``) and the roles allowed to see it; the
  rule is written out here from the domain (docs/domain.md, actionplans/access.py's
  docstring), not by calling the permission functions, so the test does not just agree
  with the code it checks.
- Each case says which roles see its object (else 404), which roles the page lets in
  (else 403) and what those get; signed out is a redirect to sign in (or a 405), never a
  page. Every response, decoded (HTML, JSON, CSV, XLSX with openpyxl, DOCX with
  python-docx, PDF with pypdf), is searched for the markers and the addresses of the
  objects the role must not see; an empty POST must write nothing (row counts of every
  table of ours and of the change histories, before and after).
- :data:`KNOWN_LEAKS` are strict xfails: leaks found that need a product decision.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from actionplans import models as ap
from actionplans.actions.services import EvidenceLink, evidence_attach
from actionplans.actions.tables import ActionTable
from actionplans.choices import ActionStatus, Decision, PlanStatus, SignOffStage
from inspections.choices import FindingKind
from partners.choices import BodyKind, Role, Sector
from reports.choices import ReportFormat, ReportKind
from reports.models import ScheduleMode
from reports.services import report_job_create, report_job_run, schedule_create
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
    ProgressUpdateFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# --- Who is who --------------------------------------------------------------------------

ANON = "anonymous"
PARTNER = "partner"  # partner officer of the police, who lead or support some actions
OUTSIDER = "outsider"  # partner officer of a health trust with nothing in any plan
# Partnership-wide roles read every plan and action.
WIDE = frozenset({"officer", "manager", "director", "clerk", "member", "admin"})
SIGNED_IN = WIDE | {PARTNER, OUTSIDER}
ROLES = (ANON, *sorted(SIGNED_IN))
# The mixed plan, and what in it the police lead or support.
SEES_MIX = WIDE | {PARTNER}
# The health trust and its post: its own officer and the partnership-wide roles.
SEES_C = WIDE | {OUTSIDER}
NOBODY: frozenset[str] = frozenset()
MANAGERS = frozenset({"manager", "admin"})  # manager manages both plans
REQUESTERS = frozenset({"clerk", "director", "manager", "admin"})
SIGNERS = frozenset({"manager", "director", "admin"})

TODAY = timezone.localdate()
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


# --- The URL conf --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str | None  # "namespace:name", or None for an unnamed pattern
    routes: tuple[str, ...]  # the pattern strings from the root down
    pattern: URLPattern

    @property
    def route(self) -> str:
        return "".join(self.routes)

    @property
    def key(self) -> str:
        return self.name or self.route

    @property
    def group(self) -> str:
        if self.name and self.name.startswith("admin:") or self.routes[0] == "admin/":
            return "admin"
        if self.pattern.lookup_str.startswith("allauth."):
            return "allauth"
        return "ours"


def url_patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def walk(resolver: URLResolver, routes: tuple[str, ...], namespaces: tuple[str, ...]) -> None:
        for item in resolver.url_patterns:
            here = (*routes, str(item.pattern))
            if isinstance(item, URLResolver):
                walk(item, here, (*namespaces, item.namespace) if item.namespace else namespaces)
            else:
                name = ":".join((*namespaces, item.name)) if item.name else None
                found.append(Pattern(name, here, item))

    walk(get_resolver(), (), ())
    return found


PATTERNS = url_patterns()


def fill_route(routes: tuple[str, ...], values: dict[str, str]) -> str:
    """The path of a pattern with each parameter given a value: the route converters
    (``<int:pk>``) and the regex groups (``(?P<key>...)``) alike."""
    parts = []
    for route in routes:
        if route.startswith("^") or "(?P<" in route:
            route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], route)
            # Unnamed groups (simple_history's "^([^/]+)/history/([^/]+)/$"): the object, then others.
            positional = iter([values["object_id"], *["999999"] * 5])
            route = re.sub(r"\((?!\?)[^)]*\)", lambda m, given=positional: next(given), route)
        else:
            route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)
        parts.append(route.lstrip("^").rstrip("$").replace("\\", ""))
    return "/" + "".join(parts)


# --- What each of our pages does -------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What a person the page lets in gets: for a GET, and for an empty POST (None: a page
    that only reads, whose view treats a POST as a GET, so none is sent). ``post_writes``:
    an empty POST is a real submission for those let in (a confirmation)."""

    get: int = 200
    post: int | None = None
    post_writes: bool = False
    public: bool = False


FORM = Spec(post=200)  # a POST with nothing in it shows the form again with its errors

SPECS: dict[str, Spec] = {
    "home": Spec(),
    "healthz": Spec(public=True),
    "accessibility": Spec(public=True),
    "privacy": Spec(public=True),
    "theme_css": Spec(public=True),
    "actionplans:my_actions": Spec(),
    "actionplans:action_detail": Spec(),
    "actionplans:progress_create": FORM,
    "actionplans:revision_request": FORM,
    "actionplans:revision_decide": FORM,
    "actionplans:sign_off": FORM,
    "actionplans:action_reopen": FORM,
    "actionplans:evidence_download": Spec(),
    "actionplans:action_list": Spec(),
    "actionplans:action_export": Spec(),
    "actionplans:dashboard": Spec(),
    "actionplans:plan_dashboard": Spec(),
    "actionplans:measure_detail": Spec(),
    "actionplans:measure_value_add": FORM,
    "actionplans:measure_values_upload": FORM,
    "actionplans:plan_list": Spec(),
    "actionplans:plan_create": FORM,
    "actionplans:plan_detail": Spec(),
    "actionplans:plan_edit": FORM,
    "actionplans:plan_status": FORM,
    "actionplans:partner_sign_off_create": FORM,
    "actionplans:board_sign_off_create": FORM,
    "actionplans:section_create": FORM,
    "actionplans:section_edit": FORM,
    # POST only; with no direction the service refuses and the page goes back to the plan.
    "actionplans:section_move": Spec(get=405, post=302),
    "actionplans:section_order": FORM,
    "actionplans:action_create": FORM,
    "actionplans:action_edit": FORM,
    "actionplans:import_start": FORM,
    "actionplans:import_mapping": FORM,
    "actionplans:import_preview": Spec(post=405),
    "actionplans:import_commit": Spec(get=405, post=200),
    "inspections:inspection_list": Spec(),
    "inspections:inspection_create": FORM,
    "inspections:inspection_detail": Spec(),
    "inspections:inspection_update": FORM,
    "inspections:inspection_report": Spec(),
    "inspections:findings_paste": FORM,
    "inspections:coverage": Spec(),
    "inspections:finding_update": FORM,
    "inspections:finding_actions": FORM,
    "partners:agency_list": Spec(),
    "partners:agency_detail": Spec(),
    "partners:post_detail": Spec(),
    "partners:post_reassign": FORM,
    "reports:job_list": Spec(post=405),
    "reports:job_create": FORM,
    "reports:job_detail": Spec(post=405),
    "reports:job_status": Spec(post=405),
    "reports:job_download": Spec(post=405),
    "reports:schedule_list": Spec(post=405),
    "reports:schedule_create": FORM,
    "reports:schedule_edit": FORM,
    # The POST is the confirmation: it deletes, for those who may.
    "reports:schedule_delete": Spec(post=302, post_writes=True),
}

# Patterns not walked at all, each with its reason ("name" or the route of an unnamed one).
# None so far: keep it that way, or short.
EXCLUDED: dict[str, str] = {}


# --- The world ---------------------------------------------------------------------------------


@dataclass(repr=False)
class World:
    users: dict[str, object]
    sessions: dict[str, str]
    objects: dict[str, object]
    # marker -> the roles that may see it (the partnership-wide roles see everything but
    # another person's import); out-of-scope addresses are markers too.
    markers: dict[str, frozenset[str]] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"<World of {len(self.objects)} objects and {len(self.markers)} markers>"

    def forbidden(self, role: str) -> list[str]:
        return [m for m, seen in self.markers.items() if role not in seen]

    def client(self, role: str) -> Client:
        """The role's client with only its session cookie. One client for the module: a new
        one loads the middleware again, and WhiteNoise's costs a scan of the static files."""
        client = self.__dict__.setdefault("_client", Client())
        client.cookies.clear()
        if role != ANON:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def _txt(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def build_world() -> World:
    objects: dict[str, object] = {}
    markers: dict[str, frozenset[str]] = {}

    def mark(tag: str, seen: frozenset[str]) -> str:
        marker = f"ZQ{tag}"
        assert marker not in markers
        markers[marker] = seen
        return marker

    def keep(**found):
        objects.update(found)

    # Agencies: A the council, B the police (a partner in the mixed plan), C a health trust
    # with nothing in any plan, D probation (leads an action of the council's own plan only).
    council = AgencyFactory(name=f"{mark('AgencyA', SEES_MIX)} Alpha County Council", short_name="ACC",
                            sector=Sector.LOCAL_AUTHORITY)
    police = AgencyFactory(name=f"{mark('AgencyB', SEES_MIX)} Bravo Police", short_name="BRP", sector=Sector.POLICE)
    health = AgencyFactory(name=f"{mark('AgencyC', SEES_C)} Charlie Health", short_name="CHT", sector=Sector.HEALTH)
    probation = AgencyFactory(name=f"{mark('AgencyD', WIDE)} Delta Probation", short_name="DPS",
                              sector=Sector.PROBATION)
    keep(council=council, police=police, health=health, probation=probation)

    def person(role, agency, email, **extra):
        return UserFactory(email=email, full_name=email.split("@")[0].title(), role=role, agency=agency, **extra)

    users = {
        "officer": person(Role.OFFICER, council, "officer@walk.test"),
        PARTNER: person(Role.PARTNER_OFFICER, police, "partner@walk.test"),
        OUTSIDER: person(Role.PARTNER_OFFICER, health, "outsider@walk.test"),
        "manager": person(Role.PLAN_MANAGER, council, "manager@walk.test"),
        "director": person(Role.DIRECTOR, council, "director@walk.test"),
        "clerk": person(Role.CLERK, council, "clerk@walk.test"),
        "member": person(Role.MEMBER, council, "member@walk.test"),
        "admin": person(Role.ADMIN, council, "admin@walk.test", is_staff=True, is_superuser=True),
    }
    manager = users["manager"]

    # Posts; agency A is in the police officer's scope (it leads an action the police
    # support), so its posts are too; D's and C's are not.
    post_a1 = PostFactory(agency=council, title="Head of the MASH")
    post_a2 = PostFactory(agency=council, title="Principal Social Worker")
    post_b = PostFactory(agency=police, title=f"{mark('PostB', SEES_MIX)} Detective Inspector")
    post_c = PostFactory(agency=health, title=f"{mark('PostC', SEES_C)} Named Nurse")
    post_d = PostFactory(agency=probation, title=f"{mark('PostD', WIDE)} Head of Probation")
    PostHoldingFactory(post=post_a1, person=users["officer"])
    PostHoldingFactory(post=post_b, person=users[PARTNER])
    PostHoldingFactory(post=post_c, person=users[OUTSIDER])
    keep(post_a1=post_a1, post_b=post_b, post_c=post_c, post_d=post_d)

    board = GovernanceBodyFactory(name="Safeguarding Partnership Board", kind=BodyKind.BOARD)
    meeting = MeetingFactory(body=board, date=TODAY + dt.timedelta(days=40), title="Quarterly board")

    # Inspections: the joint one is answered by both plans, the other by the council's only.
    i_mix = InspectionFactory(title=f"{mark('InspMix', SEES_MIX)} Joint targeted area inspection",
                              summary="A joint inspection.")
    i_mix.report_file.save("letter.pdf", ContentFile(f"%PDF-1.4 {mark('LetterMix', SEES_MIX)}".encode()))
    i_a = InspectionFactory(title=f"{mark('InspA', WIDE)} Focused visit", summary=mark("InspAsummary", WIDE))
    i_a.report_file.save("letter.pdf", ContentFile(f"%PDF-1.4 {mark('LetterA', WIDE)}".encode()))
    f_mix = FindingFactory(inspection=i_mix, text=f"{mark('FindingMix', SEES_MIX)} Thresholds are not understood.",
                           kind=FindingKind.AREA_FOR_IMPROVEMENT)
    f_a = FindingFactory(inspection=i_a, text=f"{mark('FindingA', WIDE)} Supervision is not regular.",
                         kind=FindingKind.PRIORITY_ACTION)
    keep(i_mix=i_mix, i_a=i_a, f_mix=f_mix, f_a=f_a)

    # The mixed plan: the police see it, and in it what they lead or support.
    mix = PlanFactory(title=f"{mark('PlanMix', SEES_MIX)} Joint improvement plan", slug="joint-plan",
                      introduction=mark("PlanMixIntro", SEES_MIX), status=PlanStatus.LIVE,
                      live_from=TODAY - dt.timedelta(days=200), plan_date=TODAY - dt.timedelta(days=210),
                      monitoring_body=board)
    mix.inspections.add(i_mix)
    mix.managers.add(manager)
    sec_mix_1 = SectionFactory(plan=mix, number="1", title=f"{mark('SecMixOnlyA', WIDE)} Front door", order=1)
    sec_mix_2 = SectionFactory(plan=mix, number="2", title=f"{mark('SecMixShared', SEES_MIX)} Strategy", order=2)
    a_mix_a = ActionFactory(
        plan=mix, section=sec_mix_1, reference="1.1", order=1, lead_post=post_a1,
        description=f"{mark('ActMixA', WIDE)} Audit MASH referrals zebra", outcome=mark("OutcomeMixA", WIDE),
        due_date=TODAY - dt.timedelta(days=20), status=ActionStatus.IN_PROGRESS,
    )
    a_mix_b = ActionFactory(
        plan=mix, section=sec_mix_2, reference="2.1", order=2, lead_post=post_b,
        description=f"{mark('ActMixB', SEES_MIX)} Police attend strategy meetings",
        due_date=TODAY + dt.timedelta(days=20),
    )
    a_mix_sup = ActionFactory(
        plan=mix, section=sec_mix_2, reference="2.2", order=3, lead_post=post_a2,
        description=f"{mark('ActMixSup', SEES_MIX)} Joint training, police support",
        due_date=TODAY + dt.timedelta(days=90),
    )
    a_mix_sup.partner_agencies.add(police)
    # "See 1.1": links between an action the police see and one they do not, both ways.
    ap.ActionLink.objects.create(from_action=a_mix_b, to_action=a_mix_a)
    ap.ActionLink.objects.create(from_action=a_mix_a, to_action=a_mix_sup)
    ap.PartnerSignOff.objects.create(plan=mix, agency=police, person_name="Chief Constable", post_title="CC",
                                     signed_on=TODAY - dt.timedelta(days=205))
    keep(mix=mix, sec_mix_1=sec_mix_1, sec_mix_2=sec_mix_2, a_mix_a=a_mix_a, a_mix_b=a_mix_b, a_mix_sup=a_mix_sup)

    # The council's own plan: nothing in it is led or supported by the police.
    plan_a = PlanFactory(title=f"{mark('PlanA', WIDE)} Council improvement plan", slug="council-plan",
                         introduction=mark("PlanAIntro", WIDE), status=PlanStatus.LIVE,
                         live_from=TODAY - dt.timedelta(days=100), plan_date=TODAY - dt.timedelta(days=110),
                         monitoring_body=board)
    plan_a.inspections.add(i_a, i_mix)
    plan_a.managers.add(manager)
    sec_a = SectionFactory(plan=plan_a, number="1", title=f"{mark('SecA', WIDE)} Supervision", order=1)
    a_a1 = ActionFactory(
        plan=plan_a, section=sec_a, reference="1.1", order=1, lead_post=post_a1,
        description=f"{mark('ActA1', WIDE)} Monthly supervision zebra audit", due_date=TODAY - dt.timedelta(days=5),
    )
    a_a_d = ActionFactory(
        plan=plan_a, section=sec_a, reference="1.2", order=2, lead_post=post_d,
        description=f"{mark('ActAD', WIDE)} Probation case audit", due_date=TODAY + dt.timedelta(days=10),
    )
    ap.PartnerSignOff.objects.create(plan=plan_a, agency=council, person_name=mark("SignOffPersonA", WIDE),
                                     post_title="DCS", signed_on=TODAY - dt.timedelta(days=105))
    ap.BoardSignOff.objects.create(plan=plan_a, body=board, signed_on=TODAY - dt.timedelta(days=104),
                                   minute_reference=mark("MinuteA", WIDE))
    keep(plan_a=plan_a, sec_a=sec_a, a_a1=a_a1, a_a_d=a_a_d)

    for action in (a_mix_a, a_mix_b, a_a1):
        action.findings.add(f_mix)
    a_a1.findings.add(f_a)

    # Progress, evidence (real uploaded files, through the service), date revisions, sign-offs.
    ProgressUpdateFactory(action=a_mix_a, author=users["officer"], narrative=mark("UpdateMixA", WIDE),
                          as_of=TODAY - dt.timedelta(days=3), proposed_rag="amber")
    ProgressUpdateFactory(action=a_mix_b, author=users[PARTNER], narrative=mark("UpdateMixB", SEES_MIX),
                          as_of=TODAY - dt.timedelta(days=2), proposed_rag="green")
    ProgressUpdateFactory(action=a_a1, author=users["officer"], narrative=mark("UpdateA1", WIDE),
                          as_of=TODAY - dt.timedelta(days=4), proposed_rag="red")

    def evidence(action, seen, tag):
        file_ev, link_ev = evidence_attach(
            action=action, added_by=manager, description=mark(f"Evidence{tag}", seen),
            files=[_txt("minutes.txt", f"{mark(f'EvidenceFile{tag}', seen)} minutes of the meeting\n")],
            links=[EvidenceLink(url=f"https://example.org/{mark(f'EvidenceLink{tag}', seen)}", description="Link")],
        )
        return file_ev, link_ev

    ev_mix_a, _ = evidence(a_mix_a, WIDE, "MixA")
    ev_mix_b, ev_link_mix_b = evidence(a_mix_b, SEES_MIX, "MixB")
    ev_a1, _ = evidence(a_a1, WIDE, "A1")
    keep(ev_mix_a=ev_mix_a, ev_mix_b=ev_mix_b, ev_link_mix_b=ev_link_mix_b, ev_a1=ev_a1)

    def revision(action, by, reason, **extra):
        return ap.DueDateRevision.objects.create(
            action=action, old_date=action.due_date, new_date=action.due_date + dt.timedelta(days=60),
            reason=reason, requested_by=by, **extra,
        )

    rev_mix_a = revision(a_mix_a, users["officer"], mark("RevisionMixA", WIDE))
    rev_mix_b = revision(a_mix_b, users[PARTNER], mark("RevisionMixB", SEES_MIX))
    rev_a1 = revision(a_a1, users["officer"], mark("RevisionA1", WIDE), decision=Decision.APPROVED,
                      decided_by=manager, decided_at=timezone.now(), decision_note=mark("DecisionA1", WIDE))
    keep(rev_mix_a=rev_mix_a, rev_mix_b=rev_mix_b, rev_a1=rev_a1)
    ap.ActionSignOff.objects.create(action=a_a1, stage=SignOffStage.DELIVERED, signed_by=users["director"],
                                    note=mark("SignOffNoteA1", WIDE))

    # Measures: of a hidden action, of a police action, of the whole mixed plan, of plan A.
    def measure(plan, action, name, note):
        m = MeasureFactory(plan=plan, action=action, name=name, baseline_value=40, target_value=80,
                           target_date=TODAY + dt.timedelta(days=300))
        ap.MeasureValue.objects.create(measure=m, period_start=TODAY.replace(day=1) - dt.timedelta(days=92),
                                       value=55, note=note, recorded_by=manager)
        return m

    keep(
        m_mix_a=measure(mix, a_mix_a, mark("MeasureMixA", WIDE), mark("ValueMixA", WIDE)),
        m_mix_b=measure(mix, a_mix_b, mark("MeasureMixB", SEES_MIX), "police figures"),
        m_mix_plan=measure(mix, None, mark("MeasureMixPlan", SEES_MIX), "plan figures"),
        m_a=measure(plan_a, None, mark("MeasureA", WIDE), mark("ValueA", WIDE)),
    )

    # Papers, made by the real renderers as the clerk asked for them, and schedules.
    def paper(plan, kind, fmt):
        job = report_job_create(plan=plan, kind=kind, format=fmt, requested_by=users["clerk"], body=board,
                                meeting=meeting)
        return report_job_run(job_id=job.pk)

    keep(
        job_mix_pdf=paper(mix, ReportKind.COMMITTEE, ReportFormat.PDF),
        job_mix_xlsx=paper(mix, ReportKind.ACTIONS_EXPORT, ReportFormat.XLSX),
        job_a_docx=paper(plan_a, ReportKind.COMMITTEE, ReportFormat.DOCX),
    )

    def schedule(plan, recipient):
        return schedule_create(plan=plan, body=board, kind=ReportKind.COMMITTEE, format=ReportFormat.PDF,
                               mode=ScheduleMode.BEFORE_EACH_MEETING, recipients=[recipient], created_by=users["clerk"])

    # Email addresses are kept in lower case: this marker is one.
    markers["zqschedulea@walk.test"] = WIDE
    keep(sched_mix=schedule(mix, "board@walk.test"), sched_a=schedule(plan_a, "zqschedulea@walk.test"))

    # Sessions: one per person, made once; each test sends the cookie from a new client,
    # and its writes to the session are rolled back with the rest of the test.
    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        if role == "manager":
            objects["import_token"] = _start_import(client, mark("ImportFile", frozenset({"manager"})))

    world = World(users=users, sessions=sessions, objects=objects, markers=markers)
    _mark_addresses(world)
    return world


def _start_import(client: Client, marker: str) -> str:
    """An import under way in the plan manager's session, with its columns chosen."""
    content = f"Ref,Action,Lead,Due date\n1.1,{marker} Check the front door,Head of the MASH,31/12/2030\n"
    upload = SimpleUploadedFile("plan.csv", content.encode(), content_type="text/csv")
    fields = {"target": "new", "sheet": "", "title": "", "slug": "", "inspection": "", "file": upload}
    response = client.post(reverse("actionplans:import_start"), fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    token = re.match(r"^/import/([\w-]+)/columns/$", response["Location"]).group(1)
    mapping = {"column_0": "reference", "column_1": "action", "column_2": "lead", "column_3": "due"}
    response = client.post(reverse("actionplans:import_mapping", args=[token]), mapping)
    assert response.status_code == 302, response.content.decode()[:2000]
    return token


def _mark_addresses(world: World) -> None:
    """The address of every object is a marker too, seen by whoever sees the object: a link
    to a hidden action tells its number even without its words. A link starts with a quote."""
    o = world
    addresses = {
        "actionplans:action_detail": [(o.a_mix_a, WIDE), (o.a_a1, WIDE), (o.a_a_d, WIDE),
                                      (o.a_mix_b, SEES_MIX), (o.a_mix_sup, SEES_MIX)],
        "actionplans:evidence_download": [(o.ev_mix_a, WIDE), (o.ev_a1, WIDE), (o.ev_mix_b, SEES_MIX)],
        "actionplans:measure_detail": [(o.m_mix_a, WIDE), (o.m_a, WIDE), (o.m_mix_b, SEES_MIX),
                                       (o.m_mix_plan, SEES_MIX)],
        "inspections:inspection_detail": [(o.i_a, WIDE), (o.i_mix, SEES_MIX)],
        "inspections:finding_update": [(o.f_a, WIDE), (o.f_mix, SEES_MIX)],
        "partners:agency_detail": [(o.probation, WIDE), (o.health, SEES_C), (o.council, SEES_MIX),
                                   (o.police, SEES_MIX)],
        "partners:post_detail": [(o.post_d, WIDE), (o.post_c, SEES_C), (o.post_b, SEES_MIX),
                                 (o.post_a1, SEES_MIX)],
        "reports:job_detail": [(o.job_a_docx, WIDE), (o.job_mix_pdf, SEES_MIX), (o.job_mix_xlsx, SEES_MIX)],
        "reports:schedule_edit": [(o.sched_a, WIDE), (o.sched_mix, SEES_MIX)],
    }
    for name, items in addresses.items():
        for obj, seen in items:
            world.markers['"' + reverse(name, args=[obj.pk])] = seen
    world.markers['"' + reverse("actionplans:plan_detail", args=[o.plan_a.slug])] = WIDE
    world.markers['"' + reverse("actionplans:plan_detail", args=[o.mix.slug])] = SEES_MIX


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end; each
    test runs in a savepoint of it (pytest-django's ``db``), so a POST that writes is undone."""
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


# --- The cases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    label: str
    args: Callable[[World], list] = lambda w: []
    query: str = ""
    seen: frozenset[str] = SIGNED_IN  # who finds the object (else 404), checked first
    allowed: frozenset[str] = SIGNED_IN  # who the page lets in (else 403)
    found: frozenset[str] | None = None  # who finds what is looked up after the role check
    missing: int = 404  # what those who do not find it get

    @property
    def id(self) -> str:
        return self.name if self.label == "-" else f"{self.name}[{self.label}]"

    def url(self, world: World) -> str:
        return reverse(self.name, args=self.args(world)) + (f"?{self.query}" if self.query else "")

    def expected(self, role: str, method: str) -> set[int]:
        spec = SPECS[self.name]
        code = spec.get if method == "GET" else spec.post
        if role == ANON:
            return {200} if spec.public else {302, 405}
        if code == 405:
            return {405}
        if role not in self.seen:
            return {self.missing}
        if role not in self.allowed:
            return {403}
        if self.found is not None and role not in self.found:
            return {self.missing}
        return {code}


def C(name, label="", args=lambda w: [], **kw) -> Case:
    return Case(name=name, label=label or "-", args=args, **kw)


def pick(cases: list[Case], *labels: str) -> list[Case]:
    """Some of a family of cases, where the others would add nothing for this page."""
    chosen = [case for case in cases if case.label in labels]
    assert len(chosen) == len(labels)
    return chosen


def update_cases(name: str) -> list[Case]:
    """Someone who may update the action: its plan's managers, the holder of its lead post,
    and the partner officers of the agency that leads or supports it."""
    return [
        C(name, "hidden-action-in-mixed-plan", lambda w: [w.a_mix_a.pk], seen=WIDE, allowed=MANAGERS | {"officer"}),
        C(name, "police-action", lambda w: [w.a_mix_b.pk], seen=SEES_MIX, allowed=MANAGERS | {PARTNER}),
        C(name, "police-supported-action", lambda w: [w.a_mix_sup.pk], seen=SEES_MIX, allowed=MANAGERS | {PARTNER}),
        C(name, "council-plan-action", lambda w: [w.a_a1.pk], seen=WIDE, allowed=MANAGERS | {"officer"}),
    ]


def plan_cases(name: str, allowed=MANAGERS) -> list[Case]:
    return [
        C(name, "mixed-plan", lambda w: [w.mix.slug], seen=SEES_MIX, allowed=allowed),
        C(name, "council-plan", lambda w: [w.plan_a.slug], seen=WIDE, allowed=allowed),
    ]


def section_cases(name: str) -> list[Case]:
    # The plan is found and its manager checked before the section is looked up.
    return [
        C(name, "hidden-section", lambda w: [w.mix.slug, w.sec_mix_1.pk], seen=SEES_MIX, allowed=MANAGERS),
        C(name, "shared-section", lambda w: [w.mix.slug, w.sec_mix_2.pk], seen=SEES_MIX, allowed=MANAGERS),
        C(name, "council-section", lambda w: [w.plan_a.slug, w.sec_a.pk], seen=WIDE, allowed=MANAGERS),
        C(name, "other-plans-section", lambda w: [w.mix.slug, w.sec_a.pk], seen=SEES_MIX, allowed=MANAGERS,
          found=NOBODY),
    ]


def measure_cases(name: str, record: bool) -> list[Case]:
    def allowed(who):
        return who if record else SIGNED_IN

    return [
        C(name, "hidden-action-measure", lambda w: [w.m_mix_a.pk], seen=WIDE, allowed=allowed(MANAGERS | {"officer"})),
        C(name, "police-action-measure", lambda w: [w.m_mix_b.pk], seen=SEES_MIX, allowed=allowed(MANAGERS | {PARTNER})),
        C(name, "mixed-plan-measure", lambda w: [w.m_mix_plan.pk], seen=SEES_MIX, allowed=allowed(MANAGERS)),
        C(name, "council-plan-measure", lambda w: [w.m_a.pk], seen=WIDE, allowed=allowed(MANAGERS)),
    ]


def inspection_cases(name: str, allowed=SIGNED_IN) -> list[Case]:
    return [
        C(name, "joint-inspection", lambda w: [w.i_mix.pk], seen=SEES_MIX, allowed=allowed),
        C(name, "council-inspection", lambda w: [w.i_a.pk], seen=WIDE, allowed=allowed),
    ]


def agency_cases(name: str, objects: tuple[str, ...], allowed=SIGNED_IN) -> list[Case]:
    council, police, health, probation = objects
    return [
        C(name, "council", lambda w: [getattr(w, council).pk], seen=SEES_MIX, allowed=allowed),
        C(name, "police", lambda w: [getattr(w, police).pk], seen=SEES_MIX, allowed=allowed),
        C(name, "health", lambda w: [getattr(w, health).pk], seen=SEES_C, allowed=allowed),
        C(name, "probation", lambda w: [getattr(w, probation).pk], seen=WIDE, allowed=allowed),
    ]


def job_cases(name: str) -> list[Case]:
    # A paper or export holds every action of its plan, so partner officers (who see only
    # their agency's actions) get none, even of a plan they see.
    return [
        C(name, "mixed-plan-paper", lambda w: [w.job_mix_pdf.pk], seen=WIDE),
        C(name, "mixed-plan-export", lambda w: [w.job_mix_xlsx.pk], seen=WIDE),
        C(name, "council-plan-paper", lambda w: [w.job_a_docx.pk], seen=WIDE),
    ]


def import_cases(name: str) -> list[Case]:
    # Another person's import (or none) is "gone": the importer is sent back to the start.
    return [
        C(name, "managers-import", lambda w: [w.import_token], allowed=MANAGERS, found=frozenset({"manager"}),
          missing=302),
        C(name, "no-such-import", lambda w: ["no-such-token"], allowed=MANAGERS, found=NOBODY, missing=302),
    ]


ALL_COLUMNS = "&".join(f"columns={name}" for name, _ in ActionTable.column_choices())

CASES: list[Case] = [
    C("home"), C("healthz"), C("accessibility"), C("privacy"), C("theme_css"),
    C("actionplans:my_actions"),
    *[C("actionplans:action_detail", label, args, seen=seen) for label, args, seen in [
        ("hidden-action-in-mixed-plan", lambda w: [w.a_mix_a.pk], WIDE),
        ("police-action", lambda w: [w.a_mix_b.pk], SEES_MIX),
        ("police-supported-action", lambda w: [w.a_mix_sup.pk], SEES_MIX),
        ("council-plan-action", lambda w: [w.a_a1.pk], WIDE),
        ("probation-action", lambda w: [w.a_a_d.pk], WIDE),
    ]],
    *update_cases("actionplans:progress_create"),
    *pick(update_cases("actionplans:revision_request"), "hidden-action-in-mixed-plan", "police-supported-action"),
    C("actionplans:revision_decide", "hidden-revision", lambda w: [w.a_mix_a.pk, w.rev_mix_a.pk], seen=WIDE,
      allowed=MANAGERS),
    C("actionplans:revision_decide", "police-revision", lambda w: [w.a_mix_b.pk, w.rev_mix_b.pk], seen=SEES_MIX,
      allowed=MANAGERS),
    C("actionplans:revision_decide", "decided-revision", lambda w: [w.a_a1.pk, w.rev_a1.pk], seen=WIDE,
      allowed=MANAGERS),
    # A visible action's address with a hidden action's revision.
    C("actionplans:revision_decide", "revision-of-another-action", lambda w: [w.a_mix_b.pk, w.rev_mix_a.pk],
      seen=NOBODY),
    C("actionplans:sign_off", "hidden-action", lambda w: [w.a_mix_a.pk], seen=WIDE, allowed=SIGNERS),
    C("actionplans:sign_off", "police-action", lambda w: [w.a_mix_b.pk], seen=SEES_MIX, allowed=SIGNERS),
    C("actionplans:action_reopen", "hidden-action", lambda w: [w.a_mix_a.pk], seen=WIDE, allowed=MANAGERS),
    C("actionplans:action_reopen", "signed-off-action", lambda w: [w.a_a1.pk], seen=WIDE, allowed=MANAGERS),
    C("actionplans:evidence_download", "hidden-action-file", lambda w: [w.ev_mix_a.pk], seen=WIDE),
    C("actionplans:evidence_download", "police-action-file", lambda w: [w.ev_mix_b.pk], seen=SEES_MIX),
    C("actionplans:evidence_download", "council-plan-file", lambda w: [w.ev_a1.pk], seen=WIDE),
    C("actionplans:evidence_download", "a-link-has-no-file", lambda w: [w.ev_link_mix_b.pk], seen=NOBODY),
    # The actions table and its downloads; a filter naming something out of scope is not a
    # valid choice (the page says so; a download goes back to the page).
    C("actionplans:action_list", "all"),
    C("actionplans:action_list", "every-column", query=f"{ALL_COLUMNS}&per_page=100"),
    C("actionplans:action_list", "mixed-plan", query="plan=joint-plan", seen=SEES_MIX, missing=200),
    C("actionplans:action_list", "council-plan", query="plan=council-plan", seen=WIDE, missing=200),
    C("actionplans:action_list", "probation-agency", query="agency=DPS", seen=WIDE, missing=200),
    C("actionplans:action_list", "search", query="q=zebra"),
    C("actionplans:action_list", "overdue-by-rag", query="overdue=yes&sort=rag"),
    C("actionplans:action_export", "csv", query="format=csv"),
    C("actionplans:action_export", "xlsx-mixed-plan", query="format=xlsx&plan=joint-plan", seen=SEES_MIX,
      missing=302),
    C("actionplans:action_export", "csv-council-plan", query="format=csv&plan=council-plan", seen=WIDE,
      missing=302),
    C("actionplans:action_export", "csv-probation-agency", query="format=csv&agency=DPS", seen=WIDE, missing=302),
    C("actionplans:action_export", "csv-search", query="format=csv&q=zebra"),
    C("actionplans:action_export", "xlsx-every-column", query=f"format=xlsx&{ALL_COLUMNS}"),
    C("actionplans:dashboard"),
    *plan_cases("actionplans:plan_dashboard", allowed=SIGNED_IN),
    *measure_cases("actionplans:measure_detail", record=False),
    *measure_cases("actionplans:measure_value_add", record=True),
    *pick(measure_cases("actionplans:measure_values_upload", record=True), "hidden-action-measure",
          "police-action-measure"),
    C("actionplans:plan_list"),
    C("actionplans:plan_create", allowed=MANAGERS),
    *plan_cases("actionplans:plan_detail", allowed=SIGNED_IN),
    *plan_cases("actionplans:plan_edit"),
    *plan_cases("actionplans:plan_status"),
    *plan_cases("actionplans:partner_sign_off_create"),
    *plan_cases("actionplans:board_sign_off_create"),
    *plan_cases("actionplans:section_create"),
    *section_cases("actionplans:section_edit"),
    *pick(section_cases("actionplans:section_move"), "hidden-section", "council-section", "other-plans-section"),
    *pick(section_cases("actionplans:section_order"), "hidden-section", "council-section", "other-plans-section"),
    *plan_cases("actionplans:action_create"),
    C("actionplans:action_edit", "hidden-action", lambda w: [w.mix.slug, w.a_mix_a.pk], seen=SEES_MIX,
      allowed=MANAGERS),
    C("actionplans:action_edit", "police-action", lambda w: [w.mix.slug, w.a_mix_b.pk], seen=SEES_MIX,
      allowed=MANAGERS),
    C("actionplans:action_edit", "council-plan-action", lambda w: [w.plan_a.slug, w.a_a1.pk], seen=WIDE,
      allowed=MANAGERS),
    C("actionplans:action_edit", "other-plans-action", lambda w: [w.mix.slug, w.a_a1.pk], seen=SEES_MIX,
      allowed=MANAGERS, found=NOBODY),
    # Importing is for plan managers and admins, checked before the plan is looked up.
    C("actionplans:import_start", allowed=MANAGERS),
    C("actionplans:import_start", "into-council-plan", query="plan=council-plan", allowed=MANAGERS),
    *import_cases("actionplans:import_mapping"),
    *import_cases("actionplans:import_preview"),
    *import_cases("actionplans:import_commit"),
    C("inspections:inspection_list"),
    C("inspections:inspection_create", allowed=MANAGERS),
    *inspection_cases("inspections:inspection_detail"),
    *inspection_cases("inspections:inspection_update", allowed=MANAGERS),
    *inspection_cases("inspections:inspection_report"),
    *inspection_cases("inspections:findings_paste", allowed=MANAGERS),
    *inspection_cases("inspections:coverage"),
    C("inspections:finding_update", "joint-finding", lambda w: [w.f_mix.pk], seen=SEES_MIX, allowed=MANAGERS),
    C("inspections:finding_update", "council-finding", lambda w: [w.f_a.pk], seen=WIDE, allowed=MANAGERS),
    C("inspections:finding_actions", "joint-finding", lambda w: [w.f_mix.pk], seen=SEES_MIX, allowed=MANAGERS),
    C("inspections:finding_actions", "council-finding", lambda w: [w.f_a.pk], seen=WIDE, allowed=MANAGERS),
    C("partners:agency_list"),
    *agency_cases("partners:agency_detail", ("council", "police", "health", "probation")),
    *agency_cases("partners:post_detail", ("post_a1", "post_b", "post_c", "post_d")),
    *pick(agency_cases("partners:post_reassign", ("post_a1", "post_b", "post_c", "post_d"), allowed=MANAGERS),
          "council", "health", "probation"),
    C("reports:job_list"),
    C("reports:job_list", "council-plan", query="plan=council-plan"),
    C("reports:job_create", allowed=REQUESTERS),
    C("reports:job_create", "council-plan", query="plan=council-plan&kind=committee", allowed=REQUESTERS),
    *job_cases("reports:job_detail"),
    *pick(job_cases("reports:job_status"), "mixed-plan-paper", "council-plan-paper"),
    *job_cases("reports:job_download"),
    C("reports:schedule_list", allowed=REQUESTERS),
    C("reports:schedule_create", allowed=REQUESTERS),
    C("reports:schedule_create", "council-plan", query="plan=council-plan", allowed=REQUESTERS),
    *[C(name, label, args, seen=seen, allowed=REQUESTERS) for name in ("reports:schedule_edit", "reports:schedule_delete")
      for label, args, seen in [("mixed-plan", lambda w: [w.sched_mix.pk], SEES_MIX),
                                ("council-plan", lambda w: [w.sched_a.pk], WIDE)]],
]

# Known leaks, each a product decision to take; strict, so that fixing one fails the test
# until its line here goes.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}


def _walk_params():
    for case in CASES:
        for role in ROLES:
            reason = KNOWN_LEAKS.get((case.id, role))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(case, role, id=f"{case.id}-{role}", marks=marks)


# --- Reading what came back ----------------------------------------------------------------


def body_text(response) -> str:
    """Everything a person could read in the response: the headers that name things, and the
    body decoded as what it is."""
    # A streamed response is closed by the test client once read, without closing the database
    # connection; closing it again here would (on PostgreSQL, the world's transaction with it).
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join([response.get("Location", ""), response.get("Content-Disposition", ""), decoded(data)])


@functools.lru_cache(maxsize=32)
def decoded(data: bytes) -> str:
    """The text of a page, or of a PDF, XLSX or DOCX file (the same paper is downloaded by
    every role: it is read once)."""
    parts = [data.decode("utf-8", "replace")]
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        with contextlib.suppress(PdfReadError):  # a stored letter that only starts like a PDF
            parts += [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    elif data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            # Every XML part without its tags, so that text split across runs reads whole.
            parts += [re.sub(r"<[^>]+>", "", archive.read(n).decode("utf-8", "replace"))
                      for n in names if n.endswith(".xml")]
        if "xl/workbook.xml" in names:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(data), read_only=True)
            parts += [str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                      for cell in row if cell is not None]
        elif "word/document.xml" in names:
            from docx import Document

            document = Document(io.BytesIO(data))
            parts += [p.text for p in document.paragraphs]
            parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


TABLES = sorted(
    {
        model._meta.db_table
        for app in ("partners", "inspections", "actionplans", "reports", "django_celery_beat")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }
)


def row_counts() -> tuple[int, ...]:
    """Rows in every table of ours and their change histories (an edit adds a history row)."""
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in TABLES)  # noqa: S608 - model tables
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def changed_tables(before, after) -> list[str]:
    return [f"{t}: {b} -> {a}" for t, b, a in zip(TABLES, before, after, strict=True) if a != b]


def check_response(world: World, role: str, what: str, response, expected: set[int]) -> None:
    assert response.status_code < 500, f"{what} as {role}: {response.status_code}"
    assert response.status_code in expected, (
        f"{what} as {role}: {response.status_code}, expected {sorted(expected)}"
        + (f" (to {response['Location']})" if response.has_header("Location") else "")
    )
    text = body_text(response)
    leaked = [m for m in world.forbidden(role) if m in text]
    assert not leaked, f"{what} as {role} shows what is out of their scope: {leaked}"


# --- The walk ------------------------------------------------------------------------------


def test_every_url_pattern_is_walked():
    """A new URL cannot escape the walk: ours must be in SPECS and have a case."""
    ours = {p.key for p in PATTERNS if p.group == "ours"}
    unknown = sorted(ours - set(SPECS) - set(EXCLUDED))
    assert not unknown, f"URL patterns the walk does not know: add them to SPECS and CASES: {unknown}"
    stale = sorted(set(SPECS) - ours)
    assert not stale, f"SPECS names patterns that no longer exist: {stale}"
    walked = {case.name for case in CASES}
    assert not sorted(set(SPECS) - walked), f"patterns with no case: {sorted(set(SPECS) - walked)}"
    assert set(EXCLUDED) <= {p.key for p in PATTERNS}, "EXCLUDED names patterns that no longer exist"
    assert {p.group for p in PATTERNS} == {"ours", "allauth", "admin"}


def test_every_marker_shows_to_those_who_may_see_it(world):
    """The administrator finds every marker on the pages and in the files of the world (and
    the plan manager their import's), so that the walk not finding one means something: a
    marker nobody is shown would make it pass for nothing."""
    w = world
    pages = [
        reverse("partners:agency_list"),
        *[reverse("partners:agency_detail", args=[a.pk]) for a in (w.council, w.police, w.health, w.probation)],
        *[reverse(name, args=[p.slug]) for p in (w.mix, w.plan_a)
          for name in ("actionplans:plan_detail", "actionplans:plan_edit")],
        *[reverse("actionplans:action_detail", args=[a.pk]) for a in (w.a_mix_a, w.a_mix_b, w.a_mix_sup, w.a_a1, w.a_a_d)],
        *[reverse("actionplans:evidence_download", args=[e.pk]) for e in (w.ev_mix_a, w.ev_mix_b, w.ev_a1)],
        *[reverse("actionplans:measure_detail", args=[m.pk]) for m in (w.m_mix_a, w.m_mix_b, w.m_mix_plan, w.m_a)],
        *[reverse(name, args=[i.pk]) for i in (w.i_mix, w.i_a)
          for name in ("inspections:inspection_detail", "inspections:inspection_report")],
        *[reverse("reports:schedule_edit", args=[x.pk]) for x in (w.sched_mix, w.sched_a)],
    ]
    seen = ""
    for page in pages:
        response = w.client("admin").get(page)
        assert response.status_code == 200, page
        seen += body_text(response)
    texts = [m for m, who in w.markers.items() if not m.startswith('"') and "admin" in who]
    assert not [m for m in texts if m not in seen], "markers the administrator is never shown"
    response = w.client("manager").get(reverse("actionplans:import_mapping", args=[w.import_token]))
    assert "ZQImportFile" in body_text(response)
    # The papers are read as text: PDF, XLSX and DOCX alike.
    for job, marker in ((w.job_mix_pdf, "ZQActMixA"), (w.job_mix_xlsx, "ZQActMixA"), (w.job_a_docx, "ZQActA1")):
        paper = body_text(w.client("admin").get(reverse("reports:job_download", args=[job.pk])))
        assert marker in paper, job
    assert len(w.forbidden(PARTNER)) > 40 and len(w.forbidden(OUTSIDER)) > len(w.forbidden(PARTNER))


@pytest.mark.parametrize("case,role", list(_walk_params()))
def test_walk(world, case: Case, role: str):
    client = world.client(role)
    url = case.url(world)
    response = client.get(url)
    check_response(world, role, f"GET {url}", response, case.expected(role, "GET"))
    if role == ANON and response.status_code == 302:
        assert response["Location"].startswith(LOGIN), response["Location"]

    if SPECS[case.name].post is None:
        return
    before = row_counts()
    response = world.client(role).post(url, {})
    check_response(world, role, f"POST {url}", response, case.expected(role, "POST"))
    if role == ANON and response.status_code == 302:
        assert response["Location"].startswith(LOGIN), response["Location"]
    writes_allowed = SPECS[case.name].post_writes and response.status_code in (200, 302) and (
        role in case.allowed and role in case.seen and (case.found is None or role in case.found)
    )
    changes = changed_tables(before, row_counts())
    assert writes_allowed or not changes, f"an empty POST to {url} as {role} wrote: {changes}"


# --- allauth's pages and the admin, as groups --------------------------------------------------

ALLAUTH = [p for p in PATTERNS if p.group == "allauth" and p.key not in EXCLUDED]
ADMIN = [p for p in PATTERNS if p.group == "admin" and p.key not in EXCLUDED]
FILL = {
    "key": "no-such-key", "uidb36": "zz", "pk": "999999", "id": "999999", "object_id": "999999",
    "url": "no-such-page/", "app_label": "actionplans",
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("pattern", ALLAUTH, ids=lambda p: p.key)
def test_allauth_pages(world, pattern: Pattern, role: str):
    """Signing in, out and MFA: whatever they answer, never an error and nothing of a plan."""
    path = fill_route(pattern.routes, FILL)
    assert resolve(path).func is pattern.pattern.callback
    for method in ("get", "post"):
        before = row_counts()
        response = getattr(world.client(role), method)(path, **({"data": {}} if method == "post" else {}))
        check_response(world, role, f"{method.upper()} {path}", response, set(range(200, 500)))
        assert not changed_tables(before, row_counts()), f"{method.upper()} {path} as {role} wrote"


@pytest.fixture(scope="module")
def admin_paths(world) -> list[tuple[Pattern, str]]:
    """Every admin pattern filled: a model's pages get one of its rows, out of the partner
    officer's scope where the world has one; the other parameters harmless values."""
    from django.contrib.contenttypes.models import ContentType

    w = world
    out_of_scope = {
        model._meta.label: obj.pk
        for model, obj in [
            (ap.Plan, w.plan_a), (ap.Section, w.sec_a), (ap.Action, w.a_a1), (ap.Evidence, w.ev_a1),
            (ap.DueDateRevision, w.rev_a1), (ap.Measure, w.m_a), (type(w.i_a), w.i_a), (type(w.f_a), w.f_a),
            (type(w.probation), w.probation), (type(w.post_d), w.post_d), (type(w.job_a_docx), w.job_a_docx),
            (type(w.sched_a), w.sched_a),
        ]
    }
    found = []
    for pattern in ADMIN:
        values = dict(FILL, content_type_id=str(ContentType.objects.get_for_model(ap.Plan).pk))
        if "content_type_id" in pattern.route:  # "view on site"
            values["object_id"] = str(w.plan_a.pk)
        for model in admin.site._registry:
            if pattern.routes[1:2] == (f"{model._meta.app_label}/{model._meta.model_name}/",):
                row = out_of_scope.get(model._meta.label) or model._default_manager.values_list("pk", flat=True).last()
                values["object_id"] = values["id"] = str(row or "999999")
        path = fill_route(pattern.routes, values)
        assert resolve(path).func is pattern.pattern.callback, (pattern.key, path)
        found.append((pattern, path))
    return found


# The administrator is not walked through the admin: tests/test_admin.py opens every admin
# page of every model as an administrator, and the admin is theirs to see whole.
ADMIN_ROLES = [role for role in ROLES if role != "admin"]


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_pages(world, admin_paths, role: str):
    """Every admin page sends everyone who is not staff to the admin's sign-in page, and
    shows nothing on the way."""
    problems = []
    for pattern, path in admin_paths:
        # The admin's refusal does not depend on the method: POSTs are sent by those least in scope.
        methods = ("get", "post") if role in (ANON, PARTNER, OUTSIDER) else ("get",)
        for method in methods:
            before = row_counts()
            response = getattr(world.client(role), method)(path)
            what = f"{method.upper()} {path}"
            try:
                check_response(world, role, what, response, set(range(200, 500)))
            except AssertionError as exc:
                problems.append(str(exc))
                continue
            if pattern.name != "admin:login":
                # Signing out sends them to the admin's index, which sends them to sign in.
                to = "/admin/" if pattern.name == "admin:logout" else ADMIN_LOGIN
                if not (response.status_code == 302 and response["Location"].startswith(to)):
                    problems.append(f"{what} as {role}: {response.status_code}, not sent to the admin's sign-in")
            if changed_tables(before, row_counts()):
                problems.append(f"{what} as {role} wrote: {changed_tables(before, row_counts())}")
    assert not problems, "\n".join(problems)
