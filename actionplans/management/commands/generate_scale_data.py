"""``manage.py generate_scale_data [--scale 1.0] [--seed 42]``: a county partnership at the size
docs/domain.md designs for, to prove the pages, papers and imports at that size.

At ``--scale 1.0``: 30 agencies, 400 people, 20 plans over about eight years, 5,000 actions
(in numbered sections, led by posts that people hold, with partner agencies, findings,
due-date revisions, links and sign-offs), 100,000 progress updates, 30,000 evidence links
and measures with their periodic values. ``--scale 0.1`` is a tenth of every volume (a
size SQLite handles in seconds); small scales keep a floor of each kind of row so that
every page has something to show.

The same ``--seed`` (and ``--today``) gives the same rows: every choice comes from
``random.Random`` seeded from the seed and what is being chosen, never from the clock. Plan
sizes are uneven on purpose: the first plan holds a tenth of the actions (500 at full
scale) and the second a hundredth (50), the sizes the Ofsted-ready paper is measured at.

Rows are written with ``bulk_create``, not through ``actionplans.actions.services``: the services
record "now", write history rows and enqueue emails, whereas this replays years of
invented history that nobody should be emailed about, and must load 100,000 updates in
minutes. So there are no change-history rows for the generated data.

Everyone's password is unusable except the bench logins, one per role,
``bench-<role>@scale.example`` with the password ``bench-password-123``. MFA is required of
every account but load_demo's: run the server with ``MFA_REQUIRED=false`` to sign in as
them. The bench officer holds two lead posts and is a delegate on some actions, so
"My actions" has work in it; the actions they lead in live plans carry every kind of
record (revision, measure, link, partner, finding, updates, evidence).

It refuses a database that already has plans unless ``--force`` (then the scale data is
added beside them), and always refuses one that already holds its own data.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from actionplans.choices import (
    RAG,
    ActionStatus,
    Decision,
    Direction,
    EvidenceKind,
    Frequency,
    MeasureUnit,
    PlanStatus,
    ReviewCadence,
    ReviewState,
    SignOffStage,
)
from actionplans.models import (
    Action,
    ActionLink,
    ActionSignOff,
    BoardSignOff,
    DueDateRevision,
    Evidence,
    GlossaryTerm,
    Measure,
    MeasureValue,
    PartnerSignOff,
    Plan,
    ProgressUpdate,
    Section,
)
from inspections.choices import FindingKind, Grade, InspectionKind, Inspectorate
from inspections.models import Finding, Inspection, Judgement
from partners.choices import BodyKind, Role, Sector
from partners.models import Agency, GovernanceBody, Meeting, Post, PostHolding, User

EMAIL_DOMAIN = "scale.example"
BENCH_PASSWORD = "bench-password-123"  # noqa: S105 - a published bench password, by design
BENCH_ROLES = [
    Role.OFFICER, Role.PARTNER_OFFICER, Role.PLAN_MANAGER, Role.DIRECTOR, Role.CLERK, Role.MEMBER, Role.ADMIN,
]
SLUG_PREFIX = "scale-"
AREA = "Scaleshire"
BATCH = 2000

# The volumes of docs/domain.md's "Scale designed for", at --scale 1.0.
FULL = {"agencies": 30, "users": 400, "posts": 300, "plans": 20, "actions": 5000, "updates": 100_000, "evidence": 30_000}
# Shares of all actions in the first two plans: the 500- and 50-action plans of the bench.
BIG_PLAN_SHARE, SMALL_PLAN_SHARE = 0.10, 0.01
# Every this-many actions of a plan, one is led by the bench officer (and the same offset
# plus half has them as a delegate).
BENCH_LEAD_EVERY = 50


def bench_email(role: str) -> str:
    return f"bench-{role}@{EMAIL_DOMAIN}"


# --- What the partnership is called and writes ---------------------------------------------

AGENCIES = [
    ("Scaleshire County Council", "SCC", Sector.LOCAL_AUTHORITY),
    ("Scaleshire Constabulary", "SCon", Sector.POLICE),
    ("Scaleshire Integrated Care Board", "SICB", Sector.HEALTH),
    ("Scaleshire University Hospitals NHS Foundation Trust", "SUH", Sector.HEALTH),
    ("Scaleshire Health and Care NHS Foundation Trust", "SHC", Sector.HEALTH),
    ("Probation Service (Scaleshire)", "SPS", Sector.PROBATION),
    ("Scaleshire Youth Justice Service", "SYJS", Sector.YOUTH_JUSTICE),
    ("Scaleshire Schools Forum", "SSF", Sector.EDUCATION),
    ("Scaleshire Council for Voluntary Service", "SCVS", Sector.VOLUNTARY),
    ("Scaleshire Fire and Rescue Service", "SFRS", Sector.OTHER),
    ("North Scaleshire District Council", "NSDC", Sector.LOCAL_AUTHORITY),
    ("South Scaleshire District Council", "SSDC", Sector.LOCAL_AUTHORITY),
    ("Scaleshire City Council", "SCiC", Sector.LOCAL_AUTHORITY),
    ("Scaleshire Community Health Services NHS Trust", "SCHS", Sector.HEALTH),
    ("Scaleshire Ambulance Service NHS Trust", "SAS", Sector.HEALTH),
    ("Scaleshire Further Education College", "SFEC", Sector.EDUCATION),
    ("North Scaleshire Academy Trust", "NSAT", Sector.EDUCATION),
    ("South Scaleshire Learning Partnership", "SSLP", Sector.EDUCATION),
    ("Scaleshire Women's Aid", "SWA", Sector.VOLUNTARY),
    ("Scaleshire Young Carers", "SYC", Sector.VOLUNTARY),
    ("Scaleshire Family Support Network", "SFSN", Sector.VOLUNTARY),
    ("Scaleshire Housing Association", "SHA", Sector.OTHER),
    ("Office of the Scaleshire Police and Crime Commissioner", "SPCC", Sector.POLICE),
    ("Scaleshire Children and Family Court Advisory Service", "SCFC", Sector.OTHER),
    ("Scaleshire Mental Health Alliance", "SMHA", Sector.VOLUNTARY),
    ("Scaleshire Diocesan Board of Education", "SDBE", Sector.EDUCATION),
    ("Scaleshire Substance Misuse Service", "SSMS", Sector.HEALTH),
    ("Scaleshire Early Years Alliance", "SEYA", Sector.EDUCATION),
    ("Scaleshire Sports and Youth Trust", "SSYT", Sector.VOLUNTARY),
    ("Scaleshire Independent Visitors Scheme", "SIVS", Sector.VOLUNTARY),
]

COUNCIL_POSTS = [
    "Principal Social Worker", "Service Manager, MASH", "Director of Children's Services",
    "Deputy Director, Children's Social Care", "Head of Safeguarding", "Head of Quality Assurance",
    "Head of Early Help", "Service Manager, Assessment", "Service Manager, Children in Care",
    "Service Manager, Care Leavers", "Head of Performance and Information", "Workforce Development Manager",
    "Independent Reviewing Service Manager", "Local Authority Designated Officer", "Virtual School Head",
    "Strategic Safeguarding Partnerships Manager", "Child Exploitation Coordinator", "Domestic Abuse Coordinator",
    "Head of Children with Disabilities", "Fostering Service Manager",
]
COUNCIL_NUMBERED_POSTS = ["Team Manager, Locality", "Practice Lead, Locality", "Senior Practitioner, Locality"]
SECTOR_POSTS = {
    Sector.POLICE: ["Detective Superintendent, Public Protection", "Detective Chief Inspector, Child Abuse Investigation",
                    "Head of MASH (Police)", "Missing Persons Coordinator", "Inspector, Partnerships"],
    Sector.HEALTH: ["Designated Nurse for Safeguarding Children", "Named Doctor for Safeguarding", "Head of Safeguarding",
                    "Named Nurse, Looked After Children", "Associate Director of Nursing"],
    Sector.EDUCATION: ["Designated Safeguarding Lead", "Head of Inclusion", "Education Safeguarding Adviser",
                       "Chair of Headteachers' Forum"],
    Sector.PROBATION: ["Head of Probation Delivery Unit", "Senior Probation Officer, Public Protection"],
    Sector.YOUTH_JUSTICE: ["Head of Youth Justice", "Youth Justice Team Manager"],
    Sector.VOLUNTARY: ["Chief Executive", "Service Manager", "Safeguarding Lead"],
    Sector.OTHER: ["Group Manager, Community Safety", "Safeguarding Lead", "Head of Service"],
    Sector.LOCAL_AUTHORITY: ["Head of Community Safety", "Housing Options Manager", "Safeguarding Lead"],
}

FIRST_NAMES = [
    "Aisha", "Alan", "Amelia", "Andrew", "Anna", "Ben", "Bethan", "Carl", "Catherine", "Chloe", "Claire", "Daniel",
    "David", "Deborah", "Eleanor", "Emma", "Fatima", "Gareth", "Grace", "Hannah", "Harjit", "Helen", "Ian", "Imran",
    "Jack", "James", "Jane", "Joanne", "John", "Karen", "Kate", "Liam", "Lucy", "Mark", "Mary", "Matthew", "Megan",
    "Michael", "Mohammed", "Natalie", "Neil", "Nicola", "Olivia", "Owen", "Paul", "Priya", "Rachel", "Rebecca",
    "Richard", "Robert", "Ruth", "Sarah", "Simon", "Sophie", "Stephen", "Susan", "Thomas", "Victoria", "Wendy", "Zara",
]
SURNAMES = [
    "Adams", "Ahmed", "Ali", "Allen", "Bailey", "Baker", "Begum", "Bell", "Brown", "Campbell", "Carter", "Chapman",
    "Clarke", "Cole", "Cooper", "Davies", "Dixon", "Edwards", "Evans", "Fisher", "Fletcher", "Foster", "Green",
    "Griffiths", "Hall", "Harris", "Hill", "Hughes", "Hussain", "Jackson", "James", "Jenkins", "Johnson", "Jones",
    "Kaur", "Kelly", "Khan", "King", "Knight", "Lee", "Lewis", "Marshall", "Martin", "Mason", "Mills", "Mitchell",
    "Moore", "Morgan", "Morris", "Murphy", "Murray", "Owen", "Palmer", "Parker", "Patel", "Phillips", "Price",
    "Richards", "Roberts", "Robinson", "Rogers", "Shaw", "Singh", "Smith", "Stevens", "Taylor", "Thomas", "Thompson",
    "Turner", "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young",
]

THEMES = [
    "Front door and MASH", "Early help", "Assessment", "Child protection", "Children in care", "Care leavers",
    "Supervision and management oversight", "Workforce", "Quality assurance", "Voice of the child",
    "Domestic abuse", "Child exploitation", "Neglect", "Missing children", "Health of children in care",
    "Education of children in care", "Disabled children", "Partnership working", "Performance information",
    "Private fostering",
]
SUBJECTS = [
    "the threshold document", "the multi-agency referral form", "the supervision policy", "return home interviews",
    "strategy discussion arrangements", "the neglect toolkit", "chronologies in case records",
    "the quality assurance framework", "the performance scorecard", "step-up and step-down arrangements",
    "initial health assessments", "pathway plans", "the exploitation screening tool", "MARAC referrals",
    "child protection conference minutes", "the early help assessment", "personal education plans",
    "the missing children protocol", "case transfer arrangements", "the escalation policy",
    "life-story work", "the practice standards", "management oversight records", "the audit programme",
]
VERBS = [
    "Review", "Introduce", "Embed", "Audit", "Deliver training on", "Refresh", "Strengthen", "Publish",
    "Implement", "Agree with partners", "Relaunch", "Monitor the use of", "Simplify", "Evaluate",
]
CONTEXTS = [
    "across all locality teams", "with police and health partners", "so that decisions are recorded within 24 hours",
    "for all newly qualified social workers", "through the Safeguarding Children Partnership",
    "with schools and early years settings", "in every children in care review", "with the voluntary sector",
    "using the learning from recent audits", "so that children's views are recorded and acted on",
    "with a named lead in each agency", "and report progress to the Executive Group each quarter",
]
OUTCOMES = [
    "Children receive a timely and proportionate response when concerns are first raised.",
    "Plans are specific, measurable and reviewed, and families understand them.",
    "Managers' oversight is visible on every case and decisions are explained.",
    "Partners share information promptly and decisions are made together.",
    "Children's wishes and feelings shape the plans made for them.",
    "Fewer children are re-referred within twelve months.",
    "Children in care have their health needs assessed and met on time.",
    "Care leavers are in suitable accommodation and in education, employment or training.",
    "Practitioners recognise and respond to neglect at an earlier stage.",
    "Children at risk of exploitation are identified and protected earlier.",
]
MEASURES = [
    "{pct}% of audited cases rated good or better, from audits of {n} cases a quarter.",
    "{pct}% of assessments completed within 45 working days.",
    "Timeliness of strategy discussions rises each quarter.",
    "{pct}% of staff have completed the training within six months.",
    "Re-referrals within twelve months fall below {pct}%.",
    "Benchmarked against statistical neighbours each quarter.",
    "{pct}% response rate to the practitioner survey, with improving results.",
    "Every child's plan reviewed within timescale; exceptions reported monthly.",
]
NARRATIVES = [
    "Audit of {n} cases completed; {pct}% met the standard, up from {pct2}% last quarter.",
    "Training delivered to {n} staff across {m} teams; feedback was positive.",
    "Slippage because of {reason}; a revised timetable has been agreed with the service manager.",
    "The task and finish group met and agreed the revised {subject}.",
    "Data for the quarter shows timeliness at {pct}% against a target of {target}%.",
    "Partners have confirmed their contribution and a joint briefing has gone to all teams.",
    "A dip sample of {n} cases found that {subject} is now used consistently in most teams.",
    "Draft circulated for consultation; comments due back before the next Executive Group.",
    "Practice week held with managers; learning has been fed into the practice standards.",
    "The new arrangements went live; early feedback from practitioners is being collected.",
    "Progress is slower than planned in two localities; extra management capacity has been found.",
    "Evidence of impact is still being gathered through the quarterly audit programme.",
]
REASONS = [
    "vacancies in the team", "the recruitment of agency staff", "a delay in the IT system change",
    "competing priorities in the MASH", "the need for additional resource", "a change of lead officer",
]
REVISION_REASONS = [
    "Additional resource needed before this can be completed.",
    "The lead post was vacant for three months after a restructure.",
    "Dependent on the case recording system upgrade, which has been rescheduled.",
    "Partners asked for a longer consultation on the draft.",
    "Training capacity was diverted to the new front door arrangements.",
]
EVIDENCE_DESCRIPTIONS = [
    "Audit report", "Minutes of the Executive Group", "Training attendance register", "Performance data extract",
    "Revised policy document", "Briefing note to staff", "Practitioner survey results", "Case sample summary",
]
FINDING_PROBLEMS = [
    "The quality of {subject} is too variable and managers do not always identify weaknesses.",
    "Partners do not consistently understand or apply {subject}.",
    "{subject_cap} are not always timely, which leaves some children at risk for too long.",
    "Children's experiences are not always recorded in {subject}.",
    "Senior leaders do not have a clear enough understanding of {subject} across the partnership.",
]
STRENGTHS = [
    "Leaders have a clear understanding of the strengths and weaknesses of practice.",
    "Partners work well together at the front door and information is shared promptly.",
    "Social workers know their children well and speak about them with warmth.",
    "Children in care are supported by stable placements and committed carers.",
]
MEASURE_NAMES = [
    ("Assessments completed within 45 working days", MeasureUnit.PERCENT, Direction.HIGHER_IS_BETTER),
    ("Re-referrals within 12 months", MeasureUnit.PERCENT, Direction.LOWER_IS_BETTER),
    ("Audited cases rated good or better", MeasureUnit.PERCENT, Direction.HIGHER_IS_BETTER),
    ("Initial health assessments within 20 working days", MeasureUnit.PERCENT, Direction.HIGHER_IS_BETTER),
    ("Children subject to a child protection plan", MeasureUnit.RATE, Direction.LOWER_IS_BETTER),
    ("Average days from referral to strategy discussion", MeasureUnit.DAYS, Direction.LOWER_IS_BETTER),
    ("Care leavers in education, employment or training", MeasureUnit.PERCENT, Direction.HIGHER_IS_BETTER),
    ("Return home interviews offered within 72 hours", MeasureUnit.PERCENT, Direction.HIGHER_IS_BETTER),
    ("Staff completing exploitation training", MeasureUnit.COUNT, Direction.HIGHER_IS_BETTER),
    ("Practitioner survey score", MeasureUnit.SCORE, Direction.HIGHER_IS_BETTER),
]
GLOSSARY = [
    ("EHA", "Early Help Assessment"), ("ICB", "Integrated Care Board"),
    ("ILACS", "Inspection of Local Authority Children's Services"), ("IRO", "Independent Reviewing Officer"),
    ("JTAI", "Joint Targeted Area Inspection"), ("LADO", "Local Authority Designated Officer"),
    ("MARAC", "Multi-Agency Risk Assessment Conference"), ("MASH", "Multi-Agency Safeguarding Hub"),
    ("PEP", "Personal Education Plan"), ("RHI", "Return Home Interview"),
    ("WSoA", "Written Statement of Action"),
]
BODIES = [
    # name, short name, kind, parent
    ("Scaleshire Cabinet", "Cabinet", BodyKind.CABINET, None),
    ("Scaleshire Children's Services Scrutiny Committee", "CSSC", BodyKind.SCRUTINY, None),
    ("Scaleshire Safeguarding Children Partnership", "SSCP", BodyKind.BOARD, None),
    ("Scaleshire Safeguarding Children Executive Group", "SSCEG", BodyKind.EXECUTIVE_GROUP,
     "Scaleshire Safeguarding Children Partnership"),
    ("Scaleshire Quality and Performance Sub-group", "QPS", BodyKind.SUBGROUP, "Scaleshire Safeguarding Children Partnership"),
    ("Scaleshire Learning and Development Sub-group", "LDS", BodyKind.SUBGROUP, "Scaleshire Safeguarding Children Partnership"),
    ("Scaleshire Child Exploitation Sub-group", "CES", BodyKind.SUBGROUP, "Scaleshire Safeguarding Children Partnership"),
    ("Scaleshire Neglect Task and Finish Group", "NTF", BodyKind.TASK_AND_FINISH, "Scaleshire Safeguarding Children Partnership"),
]
INSPECTION_KINDS = [
    InspectionKind.ILACS_FULL, InspectionKind.FOCUSED_VISIT, InspectionKind.ILACS_SHORT, InspectionKind.SIF,
    InspectionKind.JTAI, InspectionKind.SAFEGUARDING_LAC,
]
RAG_WEIGHTS_OPEN = ([RAG.RED, RAG.AMBER, RAG.GREEN, ""], [15, 40, 35, 10])
RAG_WEIGHTS_OVERDUE = ([RAG.RED, RAG.AMBER, RAG.GREEN, ""], [45, 35, 10, 10])


# --- Arithmetic that keeps totals exact --------------------------------------------------


def apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` by the largest remainder: whole numbers
    that add up to ``total`` exactly (nothing for a zero weight)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted((i for i, w in enumerate(weights) if w > 0), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


@dataclass(frozen=True)
class Sizes:
    agencies: int
    users: int
    posts: int
    plans: int
    actions: int
    updates: int
    evidence: int

    @classmethod
    def for_scale(cls, scale: float) -> Sizes:
        def n(name: str, floor: int) -> int:
            return max(floor, round(FULL[name] * scale))

        agencies = min(len(AGENCIES), n("agencies", 4))
        plans = n("plans", 2)
        return cls(
            agencies=agencies,
            users=n("users", len(BENCH_ROLES) + 2 * agencies),
            posts=n("posts", agencies + 3),
            plans=plans,
            actions=n("actions", 4 * plans),
            updates=n("updates", 0),
            evidence=n("evidence", 0),
        )


# --- The plan as data, before it is written ---------------------------------------------


@dataclass
class ActionSpec:
    index: int  # in the plan, from 0
    section: int  # index into the plan's sections
    reference: str
    lead_post: Post
    status: str
    start: dt.date
    due: dt.date | None
    original_due: dt.date | None
    due_text: str
    ends: dt.date  # the last day anything can be recorded on it
    featured: bool = False
    partners: list[Agency] = field(default_factory=list)
    findings: list[int] = field(default_factory=list)
    delegates: list[User] = field(default_factory=list)
    revisions: list[dict[str, Any]] = field(default_factory=list)
    description: str = ""
    outcome: str = ""
    success_measure: str = ""


@dataclass
class PlanSpec:
    index: int
    slug: str
    title: str
    status: str
    plan_date: dt.date
    live_from: dt.date | None
    closed_on: dt.date | None
    inspections: list[dict[str, Any]]
    sections: list[dict[str, Any]]
    actions: list[ActionSpec]
    cadence: int

    @property
    def last_day(self) -> dt.date:
        return self.closed_on or dt.date.max


class ScaleData:
    """Builds the partnership in the database, step by step, inside the caller's transaction."""

    def __init__(self, *, sizes: Sizes, seed: int, today: dt.date, password_hash: str, log) -> None:
        self.sizes = sizes
        self.seed = seed
        self.today = today
        self.yesterday = today - dt.timedelta(days=1)
        self.bench_password_hash = password_hash
        self.log = log
        self.counts: dict[str, int] = {}
        self.agencies: list[Agency] = []
        self.people: list[User] = []
        self.bench: dict[str, User] = {}
        self.posts_by_agency: dict[int, list[Post]] = {}
        self.holders: dict[int, list[tuple[User, dt.date, dt.date | None]]] = {}
        self.bodies: dict[str, GovernanceBody] = {}

    def rng(self, *what: object) -> random.Random:
        """A generator for one named part of the data: the same seed and name give the
        same sequence, whatever else was generated before it."""
        return random.Random(":".join([str(self.seed), *map(str, what)]))

    def _count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def _bulk(self, model, rows: list, name: str | None = None) -> list:
        created = model.objects.bulk_create(rows, batch_size=BATCH)
        self._count(name or model._meta.verbose_name_plural, len(rows))
        return created

    # --- The partnership ---------------------------------------------------------------

    def build(self) -> None:
        started = time.monotonic()
        self.build_agencies()
        self.build_people()
        self.build_posts()
        self.build_bodies()
        self.log(f"Partnership: {time.monotonic() - started:.1f}s")
        specs = [self.plan_spec(k) for k in range(self.sizes.plans)]
        eligible = [sum(a.status != ActionStatus.NOT_STARTED for a in spec.actions) for spec in specs]
        update_budgets = apportion(self.sizes.updates, [float(e) for e in eligible])
        evidence_budgets = apportion(self.sizes.evidence, [float(e) for e in eligible])
        for spec, updates, evidence in zip(specs, update_budgets, evidence_budgets, strict=True):
            self.write_plan(spec, updates, evidence)
            self.log(f"Plan {spec.index + 1}/{len(specs)} {spec.slug}: {len(spec.actions)} actions, "
                     f"{updates} updates, {evidence} evidence ({time.monotonic() - started:.1f}s)")
        GlossaryTerm.objects.bulk_create(
            [GlossaryTerm(term=t, meaning=m) for t, m in GLOSSARY], ignore_conflicts=True
        )

    def build_agencies(self) -> None:
        rows = [Agency(name=name, short_name=short, sector=sector) for name, short, sector in AGENCIES[: self.sizes.agencies]]
        self.agencies = self._bulk(Agency, rows)
        self.council, self.police = self.agencies[0], self.agencies[1]

    def build_people(self) -> None:
        rng = self.rng("people")
        joined = _at(self.today - dt.timedelta(days=3 * 365), 9)
        people: list[User] = []
        for role in BENCH_ROLES:
            agency = self.police if role == Role.PARTNER_OFFICER else self.council
            people.append(User(
                email=bench_email(role), full_name=f"Bench {role.replace('_', ' ')}",
                role=role, agency=agency, password=self.bench_password_hash,
                is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN, date_joined=joined,
            ))
        # Half of everyone works for the council; the rest are spread over the partners.
        others = self.agencies[1:]
        remaining = self.sizes.users - len(people)
        in_council = remaining // 2
        per_agency = apportion(remaining - in_council, [1.0] * len(others))
        homes = [self.council] * in_council + [a for a, k in zip(others, per_agency, strict=True) for _ in range(k)]
        council_roles = ([Role.OFFICER, Role.PLAN_MANAGER, Role.DIRECTOR, Role.CLERK, Role.MEMBER, Role.ADMIN],
                         [70, 8, 6, 5, 9, 2])
        partner_roles = ([Role.PARTNER_OFFICER, Role.DIRECTOR, Role.MEMBER], [80, 8, 12])
        for n, agency in enumerate(homes, start=1):
            roles, weights = council_roles if agency.pk == self.council.pk else partner_roles
            role = rng.choices(roles, weights)[0]
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            people.append(User(
                email=f"{first.lower()}.{last.lower()}.{n}@{EMAIL_DOMAIN}", full_name=f"{first} {last}",
                role=role, agency=agency, is_staff=role == Role.ADMIN, date_joined=joined,
                # Unusable, as set_unusable_password makes it, but from the seed.
                password=UNUSABLE_PASSWORD_PREFIX + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=40)),
            ))
        self.people = self._bulk(User, people, "people")
        self.bench = {p.role: p for p in self.people[: len(BENCH_ROLES)]}
        # The bench logins sign in through the form, which takes only a verified address:
        # theirs are, as an administrator's accounts are (partners.services.account_email_confirm).
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=p, email=p.email, verified=True, primary=True) for p in self.bench.values()]
        )
        self.managers = [p for p in self.people if p.role == Role.PLAN_MANAGER]
        self.signers = [p for p in self.people if p.role in (Role.PLAN_MANAGER, Role.DIRECTOR) and p.agency_id == self.council.pk]

    def build_posts(self) -> None:
        rng = self.rng("posts")
        council_posts = max(3, round(self.sizes.posts * 0.4))
        per_partner = apportion(self.sizes.posts - council_posts, [1.0] * (len(self.agencies) - 1))
        rows: list[Post] = []
        for agency, count in zip(self.agencies, [council_posts, *per_partner], strict=True):
            count = max(1, count)
            if agency.pk == self.council.pk:
                titles = COUNCIL_POSTS[:count]
                n = 0
                while len(titles) < count:
                    n += 1
                    titles += [f"{t} {n}" for t in COUNCIL_NUMBERED_POSTS][: count - len(titles)]
            else:
                pool = SECTOR_POSTS[agency.sector]
                titles = [pool[i % len(pool)] + (f" {i // len(pool) + 1}" if i >= len(pool) else "") for i in range(count)]
            rows += [Post(agency=agency, title=title) for title in titles]
        posts = self._bulk(Post, rows)
        for post in posts:
            self.posts_by_agency.setdefault(post.agency_id, []).append(post)
        self.council_posts = self.posts_by_agency[self.council.pk]
        self.partner_posts = [p for p in posts if p.agency_id != self.council.pk]

        leaders = {Role.OFFICER, Role.PARTNER_OFFICER, Role.PLAN_MANAGER, Role.DIRECTOR}
        staff: dict[int, list[User]] = {}
        for person in self.people[len(BENCH_ROLES):]:
            if person.role in leaders:
                staff.setdefault(person.agency_id, []).append(person)
        everyone_here: dict[int, list[User]] = {}
        for person in self.people[len(BENCH_ROLES):]:
            everyone_here.setdefault(person.agency_id, []).append(person)
        fallback = staff.get(self.council.pk) or [self.bench[Role.OFFICER]]
        holdings: list[PostHolding] = []
        for post in posts:
            pool = staff.get(post.agency_id) or everyone_here.get(post.agency_id) or fallback
            if post.pk in (self.council_posts[0].pk, self.council_posts[1].pk):
                holder = self.bench[Role.OFFICER]
            elif post.pk == self.posts_by_agency[self.police.pk][0].pk:
                holder = self.bench[Role.PARTNER_OFFICER]
            else:
                holder = rng.choice(pool)
            started = self.today - dt.timedelta(days=rng.randint(200, 1500))
            history: list[tuple[User, dt.date, dt.date | None]] = []
            if rng.random() < 0.25:
                # Posts change hands in restructures: an earlier holder, until the current one began.
                before = rng.choice(pool)
                earlier = started - dt.timedelta(days=rng.randint(400, 1800))
                ended = started - dt.timedelta(days=1)
                holdings.append(PostHolding(post=post, person=before, started_on=earlier, ended_on=ended))
                history.append((before, earlier, ended))
            holdings.append(PostHolding(post=post, person=holder, started_on=started))
            history.append((holder, started, None))
            self.holders[post.pk] = history
        self._bulk(PostHolding, holdings, "post holdings")

    def holder_on(self, post: Post, day: dt.date) -> User:
        history = self.holders[post.pk]
        for person, started, ended in history:
            if started <= day and (ended is None or day <= ended):
                return person
        return history[0][0]

    def build_bodies(self) -> None:
        for name, short, kind, parent in BODIES:
            body = GovernanceBody(
                name=name, short_name=short, kind=kind, agency=self.council,
                parent=self.bodies[parent] if parent else None,
            )
            self.bodies[name] = self._bulk(GovernanceBody, [body], "governance bodies")[0]
        # Each body meets once a month (the third Tuesday), two years back and six months on.
        meetings = []
        first = _month_start(self.today - dt.timedelta(days=730))
        for body in self.bodies.values():
            month = first
            while month <= _add_months(_month_start(self.today), 6):
                day = month + dt.timedelta(days=(1 - month.weekday()) % 7 + 14)
                meetings.append(Meeting(body=body, date=day, title=f"{body.short_name} {day:%B %Y}"))
                month = _add_months(month, 1)
        self._bulk(Meeting, meetings)

    # --- One plan, as data -------------------------------------------------------------

    @cached_property
    def plan_sizes(self) -> list[int]:
        n, plans = self.sizes.actions, self.sizes.plans
        small = max(1, round(n * SMALL_PLAN_SHARE))
        if plans == 2:
            return [n - small, small]
        big = max(1, round(n * BIG_PLAN_SHARE))
        rng = self.rng("plan-sizes")
        rest = apportion(n - big - small, [rng.uniform(0.6, 1.4) for _ in range(plans - 2)])
        return [big, small, *[max(1, r) for r in rest]][:plans]

    def plan_spec(self, k: int) -> PlanSpec:
        rng = self.rng("plan", k)
        n_actions = self.plan_sizes[k]
        # The first two plans (the big and the small) are recent; the rest go back ~8 years.
        age = {0: 400, 1: 200}.get(k, 150 + 150 * k + rng.randint(0, 60))
        plan_date = self.today - dt.timedelta(days=age)
        live_from = plan_date + dt.timedelta(days=rng.randint(20, 45))
        closed_on = None
        if age > 950:
            status, closed_on = PlanStatus.CLOSED, plan_date + dt.timedelta(days=rng.randint(700, 900))
        elif k == 2:
            status = PlanStatus.SUBMITTED
        else:
            status = PlanStatus.LIVE
        kind = InspectionKind.JTAI if k == 0 else INSPECTION_KINDS[k % len(INSPECTION_KINDS)]
        year = (plan_date - dt.timedelta(days=80)).year
        inspections = [self.inspection_spec(rng, kind, plan_date, f"{AREA} {InspectionKind(kind).label} {year}")]
        if k % 4 == 3:
            inspections.append(self.inspection_spec(
                rng, InspectionKind.MONITORING_VISIT, plan_date - dt.timedelta(days=200),
                f"{AREA} monitoring visit {year - 1}", findings=rng.randint(3, 6),
            ))
        findings_needed = min(60, max(3, round(n_actions / 6)))
        inspections[0]["findings"] = findings_needed
        sections = self.section_specs(rng, n_actions)
        end = min(closed_on or self.yesterday, self.yesterday)
        actions = self.action_specs(rng, k, n_actions, sections, live_from, end, status)
        return PlanSpec(
            index=k, slug=f"{SLUG_PREFIX}{k + 1:02d}-{InspectionKind(kind).value.replace('_', '-')}-{year}",
            title=f"{AREA} {InspectionKind(kind).label} {year}: improvement plan",
            status=status, plan_date=plan_date, live_from=live_from, closed_on=closed_on,
            inspections=inspections, sections=sections, actions=actions,
            cadence=rng.choices([ReviewCadence.MONTHLY, ReviewCadence.QUARTERLY], [80, 20])[0],
        )

    def inspection_spec(self, rng, kind, plan_date, title, findings: int = 0) -> dict[str, Any]:
        published = plan_date - dt.timedelta(days=rng.randint(60, 100))
        onsite_to = published - dt.timedelta(days=rng.randint(20, 35))
        graded = kind in (InspectionKind.ILACS_FULL, InspectionKind.SIF, InspectionKind.ILACS_SHORT)
        inspectorates = (
            [Inspectorate.OFSTED, Inspectorate.CQC, Inspectorate.HMICFRS, Inspectorate.HMI_PROBATION]
            if kind == InspectionKind.JTAI else [Inspectorate.OFSTED]
        )
        return {
            "title": title, "kind": kind, "inspectorates": inspectorates, "onsite_to": onsite_to,
            "onsite_from": onsite_to - dt.timedelta(days=rng.choice([4, 9, 14])), "published_on": published,
            "wsoa_due_on": published + dt.timedelta(days=70) if kind in (InspectionKind.JTAI, InspectionKind.ILACS_FULL) else None,
            "overall_grade": rng.choice([Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE, Grade.GOOD]) if graded else "",
            "findings": findings, "strengths": rng.randint(2, 4),
        }

    def section_specs(self, rng, n_actions: int) -> list[dict[str, Any]]:
        """Numbered sections ("2", "2.1"); actions go in the leaves (a section with no
        sub-sections, or a sub-section)."""
        tops = min(8, max(1, round(n_actions / 60)))
        themes = rng.sample(THEMES, tops)
        sections: list[dict[str, Any]] = []
        for t, theme in enumerate(themes, start=1):
            children = rng.choice([0, 0, 1, 2, 3]) if n_actions >= 30 else 0
            sections.append({"number": str(t), "title": theme, "parent": None, "leaf": not children})
            for c in range(1, children + 1):
                sections.append({
                    "number": f"{t}.{c}", "title": f"{theme}: {rng.choice(SUBJECTS)}",
                    "parent": len(sections) - c, "leaf": True,
                })
        for order, section in enumerate(sections, start=1):
            section["order"] = order
        return sections

    def action_specs(self, rng, k, n_actions, sections, live_from, end, plan_status) -> list[ActionSpec]:
        leaves = [i for i, s in enumerate(sections) if s["leaf"]]
        per_leaf = apportion(n_actions, [rng.uniform(0.5, 1.5) for _ in leaves])
        # A leaf with no actions would print an empty section: give each at least one.
        for i in range(len(per_leaf)):
            if per_leaf[i] == 0 and max(per_leaf) > 1:
                per_leaf[per_leaf.index(max(per_leaf))] -= 1
                per_leaf[i] = 1
        live = plan_status != PlanStatus.CLOSED
        bench_posts = self.council_posts[:2]
        actions: list[ActionSpec] = []
        for leaf, count in zip(leaves, per_leaf, strict=True):
            for position in range(1, count + 1):
                j = len(actions)
                featured = live and j % BENCH_LEAD_EVERY == 0
                if j % BENCH_LEAD_EVERY == 0:
                    lead = bench_posts[(j // BENCH_LEAD_EVERY) % 2]
                elif rng.random() < 0.6:
                    lead = rng.choice(self.council_posts)
                else:
                    lead = rng.choice(self.partner_posts or self.council_posts)
                start = live_from + dt.timedelta(days=rng.randint(0, 60))
                due = start + dt.timedelta(days=rng.randint(60, 540))
                if not live:
                    due = min(due, end - dt.timedelta(days=10))
                    due = max(due, start)
                no_date = rng.random() < 0.03 and not featured
                spec = ActionSpec(
                    index=j, section=leaf, reference=f"{sections[leaf]['number']}.{position}", lead_post=lead,
                    status="", start=start, due=None if no_date else due, original_due=None,
                    due_text="Ongoing" if no_date else self.due_text(rng, due), ends=end, featured=featured,
                )
                self.describe(rng, spec, sections[leaf]["title"])
                self.revise(rng, spec)
                spec.status = self.status_for(rng, spec, plan_status)
                if spec.status in (ActionStatus.DELIVERED, ActionStatus.OUTCOME_EVIDENCED) and spec.due:
                    spec.ends = min(end, max(start, spec.due + dt.timedelta(days=rng.randint(-30, 20))))
                self.involve(rng, spec, live)
                actions.append(spec)
        return actions

    def due_text(self, rng, due: dt.date) -> str:
        style = rng.randint(0, 4)
        if style == 0:
            return f"{due:%d/%m/%Y}"
        if style == 1:
            return f"{due:%B %Y}"
        if style == 2:
            return f"{due:%b-%y}"
        if style == 3:
            return f"By end of {due:%B %Y}"
        return f"{due:%m/%Y}"

    def describe(self, rng, spec: ActionSpec, theme: str) -> None:
        subject = rng.choice(SUBJECTS)
        spec.description = f"{rng.choice(VERBS)} {subject} {rng.choice(CONTEXTS)}."
        if rng.random() < 0.4:
            spec.description += f" {theme} lead to report progress to the Executive Group."
        spec.outcome = rng.choice(OUTCOMES)
        spec.success_measure = rng.choice(MEASURES).format(pct=rng.choice([60, 75, 80, 85, 90, 95, 100]), n=rng.choice([20, 30, 50]))

    def revise(self, rng, spec: ActionSpec) -> None:
        """Due-date revisions: about one action in eight, every featured one."""
        spec.original_due = spec.due
        if spec.due is None or not (spec.featured or rng.random() < 0.12):
            return
        due = spec.due
        for n in range(1 if spec.featured else rng.choice([1, 1, 1, 2])):
            latest = min(due, spec.ends) - dt.timedelta(days=5)
            requested = _between(rng, spec.start + dt.timedelta(days=20), latest)
            if requested >= self.yesterday:
                return
            new_date = due + dt.timedelta(days=rng.randint(30, 180))
            decision = rng.choices([Decision.APPROVED, Decision.DECLINED, Decision.PENDING], [75, 10, 15])[0]
            if spec.featured:
                decision = Decision.APPROVED
            decided = min(requested + dt.timedelta(days=rng.randint(1, 14)), self.yesterday)
            spec.revisions.append({
                "old_date": due, "new_date": new_date, "reason": rng.choice(REVISION_REASONS),
                "requested_on": requested, "decision": decision,
                "decided_on": None if decision == Decision.PENDING else decided,
            })
            if decision == Decision.APPROVED:
                due = new_date
            elif decision == Decision.PENDING:
                break
            if n == 0 and rng.random() < 0.5:
                break
        spec.due = due

    def status_for(self, rng, spec: ActionSpec, plan_status: str) -> str:
        done, delivered = ActionStatus.OUTCOME_EVIDENCED, ActionStatus.DELIVERED
        going, waiting = ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED
        if spec.featured:
            return going
        if plan_status == PlanStatus.CLOSED:
            return rng.choices([done, delivered, going], [85, 10, 5])[0]
        if spec.start >= self.today:
            return waiting
        if spec.due and spec.due < self.today:
            return rng.choices([done, delivered, going, waiting], [45, 25, 25, 5])[0]
        return rng.choices([done, delivered, going, waiting], [5, 10, 65, 20])[0]

    def involve(self, rng, spec: ActionSpec, live: bool) -> None:
        """Partner agencies, delegates and the findings are chosen when the plan is written."""
        lead_agency = spec.lead_post.agency_id
        others = [a for a in self.agencies if a.pk != lead_agency]
        how_many = rng.choices([0, 1, 2, 3], [25, 40, 25, 10])[0]
        if spec.featured:
            how_many = max(1, how_many)
        spec.partners = rng.sample(others, min(how_many, len(others)))
        if live and spec.index % BENCH_LEAD_EVERY == BENCH_LEAD_EVERY // 2:
            spec.delegates.append(self.bench[Role.OFFICER])
        elif rng.random() < 0.05:
            spec.delegates.append(rng.choice(self.people[len(BENCH_ROLES):]))

    # --- One plan, written ---------------------------------------------------------------

    def write_plan(self, spec: PlanSpec, update_budget: int, evidence_budget: int) -> None:
        rng = self.rng("plan-rows", spec.index)
        exec_group = self.bodies["Scaleshire Safeguarding Children Executive Group"]
        plan = self._bulk(Plan, [Plan(
            title=spec.title, slug=spec.slug, status=spec.status, plan_date=spec.plan_date,
            live_from=spec.live_from, closed_on=spec.closed_on, monitoring_body=exec_group,
            review_cadence_days=spec.cadence, uses_blue=spec.index % 5 != 4,
            introduction=(f"This plan answers the {spec.inspections[0]['title']}. It was agreed by the "
                          f"{AREA} Safeguarding Children Partnership and is monitored by its Executive Group."),
        )])[0]
        managers = [self.bench[Role.PLAN_MANAGER]] if spec.status != PlanStatus.CLOSED else []
        managers += rng.sample(self.managers, min(2, len(self.managers)))
        Plan.managers.through.objects.bulk_create(
            [Plan.managers.through(plan_id=plan.pk, user_id=pk) for pk in sorted({m.pk for m in managers})]
        )
        findings = self.write_inspections(spec, plan, rng)
        sections = self.write_sections(spec, plan, findings)
        actions = self.write_actions(spec, plan, sections, findings, rng)
        updates = self.write_updates(spec, actions, update_budget, rng)
        self.write_evidence(spec, actions, updates, evidence_budget, rng)
        self.write_measures(spec, plan, actions, rng)
        self.write_sign_offs(spec, plan, rng)

    def write_inspections(self, spec: PlanSpec, plan: Plan, rng) -> list[Finding]:
        """The inspections the plan answers, their judgements and findings. Returns the
        findings an action can answer (not the strengths), the first inspection's first."""
        answerable: list[Finding] = []
        for i, data in enumerate(spec.inspections):
            inspection = self._bulk(Inspection, [Inspection(
                title=data["title"], kind=data["kind"], inspectorates=data["inspectorates"], area=AREA,
                onsite_from=data["onsite_from"], onsite_to=data["onsite_to"], published_on=data["published_on"],
                wsoa_due_on=data["wsoa_due_on"], overall_grade=data["overall_grade"],
                report_url=f"https://reports.{EMAIL_DOMAIN}/{spec.slug}/{i + 1}",
                summary="Inspection of services for children in need of help and protection.",
            )])[0]
            Plan.inspections.through.objects.create(plan_id=plan.pk, inspection_id=inspection.pk)
            if data["overall_grade"]:
                self._bulk(Judgement, [
                    Judgement(inspection=inspection, area="Overall effectiveness", grade=data["overall_grade"]),
                    Judgement(inspection=inspection, area="The experiences and progress of children who need help and protection",
                              grade=rng.choice(Grade.values)),
                ])
            rows = [
                Finding(inspection=inspection, kind=FindingKind.STRENGTH, text=text, order=n,
                        theme=rng.choice(THEMES), paragraphs=str(n * 3 + 1))
                for n, text in enumerate(STRENGTHS[: data["strengths"]], start=1)
            ]
            for _ in range(data["findings"]):
                subject = rng.choice(SUBJECTS)
                text = rng.choice(FINDING_PROBLEMS).format(subject=subject, subject_cap=subject[0].upper() + subject[1:])
                kind = rng.choices(
                    [FindingKind.AREA_FOR_IMPROVEMENT, FindingKind.RECOMMENDATION, FindingKind.PRIORITY_ACTION], [60, 30, 10]
                )[0]
                rows.append(Finding(
                    inspection=inspection, kind=kind, text=text, theme=rng.choice(THEMES), order=len(rows) + 1,
                    paragraphs=", ".join(str(p) for p in sorted(rng.sample(range(10, 120), rng.randint(1, 2)))),
                    inspectorates=data["inspectorates"][: rng.randint(1, len(data["inspectorates"]))],
                ))
            created = self._bulk(Finding, rows)
            answerable += [f for f in created if f.kind != FindingKind.STRENGTH]
        return answerable

    def write_sections(self, spec: PlanSpec, plan: Plan, findings: list[Finding]) -> list[Section]:
        sections: list[Section | None] = [None] * len(spec.sections)
        leaf_n = 0
        for parents_first in (True, False):
            rows, where = [], []
            for i, data in enumerate(spec.sections):
                if (data["parent"] is None) != parents_first:
                    continue
                issues = ""
                if data["leaf"] and findings:
                    issues = findings[leaf_n % len(findings)].text
                    leaf_n += 1
                rows.append(Section(
                    plan=plan, number=data["number"], title=data["title"], order=data["order"], issues_raised=issues,
                    parent=None if data["parent"] is None else sections[data["parent"]],
                ))
                where.append(i)
            for i, section in zip(where, self._bulk(Section, rows), strict=True):
                sections[i] = section
        return sections  # type: ignore[return-value]

    def write_actions(self, spec, plan, sections, findings, rng) -> list[Action]:
        rows = [
            Action(
                plan=plan, section=sections[a.section], reference=a.reference, order=a.index + 1,
                description=a.description, outcome=a.outcome, success_measure=a.success_measure,
                lead_post=a.lead_post, start_date=a.start, due_date=a.due, original_due_date=a.original_due,
                due_text=a.due_text, status=a.status,
            )
            for a in spec.actions
        ]
        actions = self._bulk(Action, rows)
        through = Action.partner_agencies.through
        self._bulk(through, [through(action_id=action.pk, agency_id=agency.pk)
                             for action, a in zip(actions, spec.actions, strict=True) for agency in a.partners],
                   "action partner agencies")
        through = Action.delegates.through
        self._bulk(through, [through(action_id=action.pk, user_id=person.pk)
                             for action, a in zip(actions, spec.actions, strict=True) for person in a.delegates],
                   "action delegates")

        # Findings: every finding is answered by at least one action, bar about one in twenty
        # (the coverage page's "unanswered"); an action answers one or two.
        answers: set[tuple[int, int]] = set()
        if findings:
            for n, finding in enumerate(findings):
                if rng.random() < 0.05 and n:
                    continue
                answers.add((actions[min(len(actions) - 1, n * len(actions) // len(findings))].pk, finding.pk))
            for action in actions:
                for finding in rng.sample(findings, min(len(findings), rng.choice([1, 1, 1, 1, 2]))):
                    answers.add((action.pk, finding.pk))
        through = Action.findings.through
        self._bulk(through, [through(action_id=a, finding_id=f) for a, f in sorted(answers)], "action findings")

        # "See 2.3": a few actions point at another; each featured one at the next action.
        links = set()
        for i, (action, a) in enumerate(zip(actions, spec.actions, strict=True)):
            if len(actions) < 2:
                break
            if a.featured or rng.random() < 0.03:
                other = actions[(i + 1) % len(actions)] if a.featured else rng.choice(actions)
                if other.pk != action.pk:
                    links.add((action.pk, other.pk))
        self._bulk(ActionLink, [ActionLink(from_action_id=f, to_action_id=t, note="See also") for f, t in sorted(links)])

        revisions = []
        for action, a in zip(actions, spec.actions, strict=True):
            for r in a.revisions:
                requester = self.holder_on(a.lead_post, r["requested_on"])
                revisions.append(DueDateRevision(
                    action=action, old_date=r["old_date"], new_date=r["new_date"], reason=r["reason"],
                    requested_by=requester, requested_at=_at(r["requested_on"], 11), decision=r["decision"],
                    decided_by=rng.choice(self.managers) if r["decided_on"] else None,
                    decided_at=_at(r["decided_on"], 16) if r["decided_on"] else None,
                    decision_note="Agreed at the Executive Group." if r["decision"] == Decision.APPROVED else "",
                ))
        self._bulk(DueDateRevision, revisions, "due-date revisions")

        sign_offs = []
        for action, a in zip(actions, spec.actions, strict=True):
            lead = self.holder_on(a.lead_post, a.ends)
            signers = [p for p in self.signers if p.pk != lead.pk] or self.managers
            stages = {ActionStatus.DELIVERED: [SignOffStage.DELIVERED],
                      ActionStatus.OUTCOME_EVIDENCED: [SignOffStage.DELIVERED, SignOffStage.OUTCOME_EVIDENCED]}
            for n, stage in enumerate(stages.get(a.status, [])):
                day = min(a.ends + dt.timedelta(days=2 + 20 * n), self.yesterday)
                sign_offs.append(ActionSignOff(action=action, stage=stage, signed_by=rng.choice(signers),
                                               signed_at=_at(day, 14 + n), note="Evidence seen."))
        self._bulk(ActionSignOff, sign_offs, "action sign-offs")
        return actions

    def write_updates(self, spec: PlanSpec, actions: list[Action], budget: int, rng) -> list[list[ProgressUpdate]]:
        """Dated updates on every action that has started, oldest first; returns each
        action's updates (saved, with their ids) for the evidence to point at."""
        weights = [0.0 if a.status == ActionStatus.NOT_STARTED else rng.uniform(0.5, 1.5) * (2 if a.featured else 1)
                   for a in spec.actions]
        counts = apportion(budget, weights)
        per_action: list[list[ProgressUpdate]] = []
        pending: list[ProgressUpdate] = []
        complete = (ActionStatus.DELIVERED, ActionStatus.OUTCOME_EVIDENCED)
        for action, a, count in zip(actions, spec.actions, counts, strict=True):
            first = min(a.start + dt.timedelta(days=7), a.ends)
            days = sorted(_between(rng, first, a.ends) for _ in range(count))
            mine = []
            for n, day in enumerate(days):
                last = n == count - 1
                status = a.status if last and a.status in complete else ActionStatus.IN_PROGRESS
                if last and a.status == ActionStatus.OUTCOME_EVIDENCED:
                    proposed = RAG.BLUE
                elif last and a.status == ActionStatus.DELIVERED:
                    proposed = RAG.GREEN
                else:
                    overdue = a.due is not None and day > a.due
                    proposed = rng.choices(*(RAG_WEIGHTS_OVERDUE if overdue else RAG_WEIGHTS_OPEN))[0]
                created = _at(day, rng.randint(8, 17), rng.randint(0, 59))
                state = ReviewState.APPROVED
                if last and a.status not in complete:
                    state = rng.choices([ReviewState.APPROVED, ReviewState.SUBMITTED, ReviewState.RETURNED], [73, 25, 2])[0]
                reviewed = min(day + dt.timedelta(days=rng.randint(1, 5)), self.yesterday)
                narrative = " ".join(
                    rng.choice(NARRATIVES).format(
                        n=rng.randint(5, 60), m=rng.randint(2, 12), pct=rng.randint(40, 98), pct2=rng.randint(30, 90),
                        target=rng.choice([80, 85, 90, 95]), reason=rng.choice(REASONS), subject=rng.choice(SUBJECTS),
                    )
                    for _ in range(rng.randint(1, 3))
                )
                update = ProgressUpdate(
                    action=action, as_of=day, author=a.delegates[0] if a.delegates and rng.random() < 0.3
                    else self.holder_on(a.lead_post, day),
                    narrative=narrative, proposed_rag=proposed, status=status, review_state=state,
                    reviewed_by=rng.choice(self.managers) if state != ReviewState.SUBMITTED else None,
                    reviewed_at=_at(reviewed, 17) if state != ReviewState.SUBMITTED else None,
                    created_at=created,
                )
                mine.append(update)
                pending.append(update)
            per_action.append(mine)
            if len(pending) >= BATCH * 5:
                self._bulk(ProgressUpdate, pending, "progress updates")
                pending = []
        self._bulk(ProgressUpdate, pending, "progress updates")
        return per_action

    def write_evidence(self, spec, actions, updates, budget: int, rng) -> None:
        counts = apportion(budget, [float(len(u)) for u in updates])
        rows: list[Evidence] = []
        kinds = (list(EvidenceKind.values), [30, 25, 15, 15, 10, 5])
        for action, a, mine, count in zip(actions, spec.actions, updates, counts, strict=True):
            for n in range(count):
                update = rng.choice(mine) if mine and rng.random() < 0.6 else None
                day = update.as_of if update else _between(rng, min(a.start + dt.timedelta(days=7), a.ends), a.ends)
                rows.append(Evidence(
                    action=action, update=update, kind=rng.choices(*kinds)[0],
                    url=f"https://intranet.{EMAIL_DOMAIN}/evidence/{spec.slug}/{a.reference}/{n + 1}",
                    description=f"{rng.choice(EVIDENCE_DESCRIPTIONS)}, {a.reference}", evidence_date=day,
                    added_by=update.author if update else self.holder_on(a.lead_post, day),
                    added_at=_at(day, rng.randint(9, 17)),
                ))
            if len(rows) >= BATCH * 5:
                self._bulk(Evidence, rows)
                rows = []
        self._bulk(Evidence, rows)

    def write_measures(self, spec: PlanSpec, plan: Plan, actions: list[Action], rng) -> None:
        featured = [action for action, a in zip(actions, spec.actions, strict=True) if a.featured]
        count = max(len(featured), min(20, max(1, round(len(actions) / 25))))
        baseline_date = spec.live_from or spec.plan_date
        last = min(spec.closed_on or self.today, self.today)
        measures, value_plans = [], []
        for n in range(count):
            name, unit, direction = MEASURE_NAMES[n % len(MEASURE_NAMES)]
            if n >= len(MEASURE_NAMES):
                name = f"{name} ({n // len(MEASURE_NAMES) + 1})"
            top = {MeasureUnit.PERCENT: 100, MeasureUnit.DAYS: 40, MeasureUnit.RATE: 80,
                   MeasureUnit.COUNT: 500, MeasureUnit.SCORE: 10}[unit]
            baseline = Decimal(rng.uniform(top * 0.3, top * 0.7)).quantize(Decimal("0.01"))
            better = Decimal(1 if direction == Direction.HIGHER_IS_BETTER else -1)
            target = min(Decimal(top), max(Decimal(0), baseline + better * Decimal(top * 0.15))).quantize(Decimal("0.01"))
            frequency = rng.choices([Frequency.QUARTERLY, Frequency.MONTHLY], [80, 20])[0]
            action = featured[n] if n < len(featured) else (rng.choice(actions) if rng.random() < 0.6 else None)
            measures.append(Measure(
                plan=plan, action=action, name=name, unit=unit, direction=direction, frequency=frequency,
                baseline_value=baseline, baseline_date=baseline_date, target_value=target,
                target_date=_add_months(baseline_date, 24), source="Case recording system extract",
                england_average=(baseline + 5).quantize(Decimal("0.01")) if unit == MeasureUnit.PERCENT and baseline < 95 else None,
                statistical_neighbours=(baseline + 3).quantize(Decimal("0.01")) if unit == MeasureUnit.PERCENT and baseline < 97 else None,
            ))
            value_plans.append((baseline, target, top, frequency))
        measures = self._bulk(Measure, measures)
        values = []
        for measure, (baseline, target, top, frequency) in zip(measures, value_plans, strict=True):
            step = 3 if frequency == Frequency.QUARTERLY else 1
            period = _month_start(baseline_date)
            period = period.replace(month=(period.month - 1) // step * step + 1)
            n = 0
            while True:
                period_end = _add_months(period, step) - dt.timedelta(days=1)
                recorded = period_end + dt.timedelta(days=15)
                if recorded >= last:
                    break
                n += 1
                trend = baseline + (target - baseline) * Decimal(min(1.0, n / 8))
                value = trend + Decimal(rng.uniform(-0.05, 0.05) * top)
                value = min(Decimal(top), max(Decimal(0), value)).quantize(Decimal("0.01"))
                values.append(MeasureValue(
                    measure=measure, period_start=period, value=value, recorded_by=self.holder_on(self.council_posts[0], recorded),
                    recorded_at=_at(recorded, 10),
                ))
                period = _add_months(period, step)
        self._bulk(MeasureValue, values, "measure values")

    def write_sign_offs(self, spec: PlanSpec, plan: Plan, rng) -> None:
        signed_on = (spec.live_from or spec.plan_date) - dt.timedelta(days=rng.randint(5, 15))
        agencies = [self.council, *rng.sample(self.agencies[1:], min(len(self.agencies) - 1, rng.randint(2, 4)))]
        rows = []
        for agency in agencies:
            post = self.posts_by_agency[agency.pk][0]
            rows.append(PartnerSignOff(plan=plan, agency=agency, person_name=self.holder_on(post, signed_on).full_name,
                                       post_title=post.title, signed_on=signed_on))
        self._bulk(PartnerSignOff, rows, "partner sign-offs")
        board = self.bodies["Scaleshire Safeguarding Children Partnership"]
        self._bulk(BoardSignOff, [BoardSignOff(plan=plan, body=board, signed_on=signed_on,
                                               minute_reference=f"SSCP/{signed_on:%y}/{rng.randint(10, 99)}")],
                   "board sign-offs")


class Command(BaseCommand):
    help = (
        "Generate a county partnership at the scale docs/domain.md designs for (30 agencies, 400 people, "
        "20 plans, 5,000 actions, 100,000 progress updates, 30,000 evidence links at --scale 1.0), "
        "deterministically from --seed. Bench logins: bench-<role>@scale.example, password "
        f"{BENCH_PASSWORD} (run the server with MFA_REQUIRED=false)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Share of the full volumes: 1.0 for PostgreSQL, 0.1 for SQLite (default 1.0).")
        parser.add_argument("--seed", type=int, default=42, help="The same seed gives the same rows (default 42).")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="The day the data is generated as of, YYYY-MM-DD (default today).")
        parser.add_argument("--force", action="store_true",
                            help="Add the data to a database that already has plans.")

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale must be more than 0 and at most 10 (1.0 is the county scale of docs/domain.md).")
        if User.objects.filter(email__iendswith="@" + EMAIL_DOMAIN).exists() or Plan.objects.filter(
            slug__startswith=SLUG_PREFIX
        ).exists():
            raise CommandError(
                f"This database already holds generated scale data (people @{EMAIL_DOMAIN}, plans {SLUG_PREFIX}*). "
                "Generate into a fresh database: create it, run migrate, then this command."
            )
        existing = Plan.objects.count()
        if existing and not options["force"]:
            raise CommandError(
                f"This database already has {existing} plan{'s' if existing != 1 else ''}. The scale data is meant "
                "for a database of its own (create one, run migrate, then this command); add --force to put it "
                "beside the plans already there."
            )
        sizes = Sizes.for_scale(scale)
        today = options["today"] or timezone.localdate()
        started = time.monotonic()
        # One hash for all the bench logins, salted from the seed so that reruns match.
        password_hash = make_password(BENCH_PASSWORD, salt=f"bench{options['seed']:x}scale")
        verbose = options["verbosity"] >= 2
        data = ScaleData(
            sizes=sizes, seed=options["seed"], today=today, password_hash=password_hash,
            log=(lambda line: self.stdout.write(line)) if verbose else (lambda line: None),
        )
        with transaction.atomic():
            data.build()
        self.report(data, time.monotonic() - started)

    def report(self, data: ScaleData, seconds: float) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(f"Generated the {AREA} partnership (seed {data.seed}, as of {data.today:%d %B %Y}) "
                                 f"in {seconds:.1f}s:"))
        for name, count in data.counts.items():
            write(f"  {count:>8,} {name}")
        write("")
        write(f"Bench logins (password for all: {BENCH_PASSWORD}; run the server with MFA_REQUIRED=false):")
        for role in BENCH_ROLES:
            write(f"  {bench_email(role)}")
