"""``manage.py load_demo``: build the demo partnership from the Oxfordshire JTAI 2016 plan.

The data is in :mod:`actionplans.demo_data`; this command turns it into rows. The plan's
calendar is moved forward by whole months so that the plan went live about eleven
months before the day the command first runs, with a year of progress behind it and
meetings still to come. The shift is anchored on that first load: a later run reads it
back from the plan's ``live_from``, so the demo never drifts out of step with itself.

Running it again changes nothing: every row is found by its natural key and saved only
when it differs (an unchanged save would still add a history row), and the history of
the plan (progress updates, revisions, evidence, sign-offs, measure values) is written
only in the run that creates the plan.

It writes rows directly (each ``full_clean()``-ed) rather than through
``actionplans.actions.services``: the services record "now" and enqueue notification emails,
whereas the demo replays a backdated year of history that nobody should be emailed about.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.utils import timezone

from actionplans import demo_data as data
from actionplans.choices import Decision, PlanStatus, ReviewCadence, ReviewState
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
from actionplans.rag import rag_counts
from inspections.models import Finding, Inspection
from partners.models import Agency, GovernanceBody, Meeting, Post, PostHolding, User
from partners.services import account_email_confirm


def _in_christmas_break(day: dt.date) -> bool:
    """Boards and committees do not meet between Christmas and the new year."""
    return (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 2)


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The nth given weekday of a month (the last one where the month has fewer)."""
    first = dt.date(year, month, 1)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    while day.month != month:
        day -= dt.timedelta(days=7)
    return day


class DemoCalendar:
    """The plan's 2016-17 dates moved forward by ``shift_months`` whole months.

    Whole months keep the plan's shape: "08/2017" stays the end of a month, a meeting on
    the third Tuesday stays on a third Tuesday, and nothing lands on a weekend where the
    papers had a working day.
    """

    def __init__(self, shift_months: int, now: dt.datetime) -> None:
        self.shift_months = shift_months
        self.now = now
        self.today = timezone.localdate(now)

    @classmethod
    def for_load(cls, now: dt.datetime, live_from: dt.date | None) -> DemoCalendar:
        """Anchor on the loaded plan's ``live_from`` if there is one, else on today."""
        original = data.ORIGINAL_LIVE_FROM
        if live_from is not None:
            live = _month_index(live_from.year, live_from.month)
        else:
            today = timezone.localdate(now)
            live = _month_index(today.year, today.month) - data.MONTHS_LIVE
        return cls(live - _month_index(original.year, original.month), now)

    def month(self, year: int, month: int) -> tuple[int, int]:
        index = _month_index(year, month) + self.shift_months
        return index // 12, index % 12 + 1

    def date(self, original: dt.date) -> dt.date:
        """The same day of the shifted month; the last day of a month stays the last."""
        year, month = self.month(original.year, original.month)
        if original.day == _last_day(original.year, original.month):
            return dt.date(year, month, _last_day(year, month))
        return dt.date(year, month, min(original.day, _last_day(year, month)))

    def month_end(self, year_month: tuple[int, int]) -> dt.date:
        """A plan's "MM/YYYY" completion date: the end of that (shifted) month."""
        year, month = self.month(*year_month)
        return dt.date(year, month, _last_day(year, month))

    def month_start(self, year_month: tuple[int, int]) -> dt.date:
        year, month = self.month(*year_month)
        return dt.date(year, month, 1)

    def working_day(self, original: dt.date) -> dt.date:
        """The shifted date, brought back to the Friday if it falls at a weekend."""
        day = self.date(original)
        return day - dt.timedelta(days=max(0, day.weekday() - 4))

    def meeting_day(self, original: dt.date) -> dt.date:
        """The same nth weekday (third Tuesday, say) in the shifted month."""
        year, month = self.month(original.year, original.month)
        return _nth_weekday(year, month, original.weekday(), (original.day - 1) // 7 + 1)

    def past_day(self, original: dt.date) -> dt.date:
        """A working day for something that has happened: never after today."""
        return min(self.working_day(original), self.today)

    def at(self, day: dt.date, hour: int = 10) -> dt.datetime:
        """A moment on ``day``, never in the future."""
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        return min(moment, self.now)


def _upsert(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any] | None = None,
    create_only: dict[str, Any] | None = None,
) -> tuple[Any, bool]:
    """Find a row by its natural key; create it, or save it only if ``values`` differ.

    ``create_only`` fields are set when the row is created and left alone afterwards:
    they are the ones the plan's own history moves on (an action's status and due date).
    """
    values = values or {}
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **values, **(create_only or {}))
        row.full_clean()
        row.save()
        return row, True
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(row, name, value)
        row.full_clean()
        row.save()
    return row, False


def _decimal(value: str) -> Decimal | None:
    return Decimal(value) if value else None


class DemoPartnership:
    """Builds the demo partnership in the database, step by step, inside one transaction."""

    def __init__(self, now: dt.datetime) -> None:
        existing = Plan.objects.filter(slug=data.PLAN_SLUG).only("live_from").first()
        self.cal = DemoCalendar.for_load(now, existing.live_from if existing else None)
        self.agencies: dict[str, Agency] = {}
        self.people: dict[str, User] = {}
        self.posts: dict[tuple[str, str], Post] = {}
        self.bodies: dict[str, GovernanceBody] = {}
        self.actions: dict[str, Action] = {}
        self.findings_by_section: dict[str, Finding] = {}
        self.plan_created = False

    def load(self) -> Plan:
        self.load_agencies()
        self.load_people()
        self.load_posts()
        self.load_bodies()
        self.load_meetings()
        inspection = self.load_inspection()
        plan = self.load_plan(inspection)
        self.load_sections_and_actions(plan)
        self.load_links()
        if self.plan_created:
            # The plan's history is written once, with the plan: there is no natural key
            # for "the third update on 1.3", and a second copy would double the trail.
            for spec in data.ACTIONS:
                self.load_history(self.actions[spec["reference"]], spec)
        self.load_measures(plan)
        self.load_glossary()
        return plan

    # --- The partnership ---------------------------------------------------------------

    def load_agencies(self) -> None:
        for spec in data.AGENCIES:
            agency, _ = _upsert(
                Agency,
                {"name": spec["name"]},
                {"short_name": spec["short_name"], "sector": spec["sector"], "is_active": True},
            )
            self.agencies[spec["short_name"]] = agency

    def load_people(self) -> None:
        for spec in data.DEMO_USERS:
            self.people[spec["email"]] = self._person(spec, can_sign_in=True)
        for spec in data.PEOPLE:
            self.people[spec["email"]] = self._person(spec, can_sign_in=False)

    def _person(self, spec: dict[str, Any], *, can_sign_in: bool) -> User:
        wanted = {
            "full_name": spec["full_name"],
            "role": spec["role"],
            "agency": self.agencies[spec["agency"]],
            "is_staff": spec.get("is_staff", False),
            "is_superuser": spec.get("is_superuser", False),
            "is_active": True,
            # The one mark that exempts an account from MFA (partners/mfa.py).
            "is_demo": True,
        }
        person = User.objects.filter(email=spec["email"]).first()
        created = person is None
        if created:
            person = User(email=spec["email"])
        changed = created
        for name, value in wanted.items():
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed = True
        if can_sign_in:
            if created or not person.check_password(data.DEMO_PASSWORD):
                person.set_password(data.DEMO_PASSWORD)
                changed = True
        elif created or person.has_usable_password():
            # Named post holders make the demo real, but only the demo logins sign in.
            person.set_unusable_password()
            changed = True
        if changed:
            person.full_clean(exclude=["password"])
            person.save()
            account_email_confirm(user=person)
        return person

    def load_posts(self) -> None:
        for spec in data.POSTS:
            post, _ = _upsert(
                Post,
                {"agency": self.agencies[spec["agency"]], "title": spec["title"]},
                {"is_active": True},
            )
            self.posts[(spec["agency"], spec["title"])] = post
            for email, started, ended in spec["holders"]:
                _upsert(
                    PostHolding,
                    {
                        "post": post,
                        "person": self.people[email],
                        "started_on": self.cal.working_day(started),
                    },
                    {"ended_on": self.cal.date(ended) if ended else None},
                )

    def holder_on(self, lead: tuple[str, str], original_day: dt.date) -> User:
        """Who held a post on a day of the plan's own calendar (the first holder if several)."""
        holders = next(p["holders"] for p in data.POSTS if (p["agency"], p["title"]) == lead)
        for email, started, ended in holders:
            if started <= original_day and (ended is None or original_day <= ended):
                return self.people[email]
        return self.people[holders[-1][0]]

    def load_bodies(self) -> None:
        for spec in data.GOVERNANCE_BODIES:
            body, _ = _upsert(
                GovernanceBody,
                {"name": spec["name"]},
                {
                    "short_name": spec["short_name"],
                    "kind": spec["kind"],
                    "parent": self.bodies[spec["parent"]] if spec["parent"] else None,
                    "agency": self.agencies[spec["agency"]],
                    "papers_due_working_days": spec["papers_due_working_days"],
                },
            )
            self.bodies[spec["name"]] = body

    def load_meetings(self) -> None:
        """Each body's meetings from before the plan was written to a few months ahead."""
        live_from = self.cal.working_day(data.ORIGINAL_LIVE_FROM)
        meetings: dict[tuple[str, dt.date], tuple[str, str]] = {}
        first = _month_index(data.MEETINGS_FROM.year, data.MEETINGS_FROM.month)
        last = _month_index(data.MEETINGS_TO.year, data.MEETINGS_TO.month)
        for spec in data.GOVERNANCE_BODIES:
            if spec["schedule"] is None:
                continue
            nth, weekday, months = spec["schedule"]
            for index in range(first, last + 1):
                year, month = index // 12, index % 12 + 1
                if month not in months:
                    continue
                day = _nth_weekday(*self.cal.month(year, month), weekday, nth)
                if _in_christmas_break(day):
                    continue
                title = data.PROGRESS_MEETING_TITLES.get((spec["name"], (year, month)), "")
                if not title and spec["name"] == data.PLAN["monitoring_body"] and day >= live_from:
                    title = data.MONITORING_MEETING_TITLE
                meetings[(spec["name"], day)] = (title, spec["location"])
        locations = {spec["name"]: spec["location"] for spec in data.GOVERNANCE_BODIES}
        for name, original in data.BOARD_SIGN_OFFS:
            meetings[(name, self.cal.meeting_day(original))] = (
                data.SIGN_OFF_MEETING_TITLE,
                locations[name],
            )
        for (name, day), (title, location) in sorted(meetings.items()):
            _upsert(
                Meeting,
                {"body": self.bodies[name], "date": day},
                {"title": title, "location": location},
            )

    # --- The inspection and the plan ---------------------------------------------------

    def load_inspection(self) -> Inspection:
        spec = data.INSPECTION
        inspection, _ = _upsert(
            Inspection,
            {"title": spec["title"], "area": spec["area"], "kind": spec["kind"]},
            {
                "inspectorates": spec["inspectorates"],
                "onsite_from": self.cal.meeting_day(spec["onsite_from"]),
                "onsite_to": self.cal.meeting_day(spec["onsite_to"]),
                "published_on": self.cal.meeting_day(spec["published_on"]),
                "wsoa_due_on": self.cal.working_day(spec["wsoa_due_on"]),
                "summary": spec["summary"],
            },
        )
        order = 0
        for theme, text in data.STRENGTHS:
            order += 1
            _upsert(
                Finding,
                {"inspection": inspection, "order": order},
                {"kind": "strength", "text": text, "theme": theme},
            )
        for number, _title, _parent, issues, theme in data.SECTIONS:
            if not issues:
                continue
            order += 1
            finding, _ = _upsert(
                Finding,
                {"inspection": inspection, "order": order},
                {"kind": "area_for_improvement", "text": issues, "theme": theme},
            )
            self.findings_by_section[number] = finding
        return inspection

    def load_plan(self, inspection: Inspection) -> Plan:
        spec = data.PLAN
        introduction = spec["introduction"].format(
            inspected=f"{inspection.onsite_from:%B %Y}",
            letter=f"{inspection.published_on.day} {inspection.published_on:%B}",
        )
        plan, self.plan_created = _upsert(
            Plan,
            {"slug": data.PLAN_SLUG},
            {
                "title": spec["title"].format(year=inspection.onsite_from.year),
                "status": PlanStatus.LIVE,
                "introduction": introduction,
                "monitoring_body": self.bodies[spec["monitoring_body"]],
                "review_cadence_days": ReviewCadence.MONTHLY,
                "uses_blue": True,
                "plan_date": self.cal.working_day(spec["plan_date"]),
                "live_from": self.cal.working_day(data.ORIGINAL_LIVE_FROM),
            },
        )
        plan.inspections.add(inspection)
        plan.managers.add(self.people[spec["manager"]])
        for short_name, person_name, post_title, signed in data.PARTNER_SIGN_OFFS:
            _upsert(
                PartnerSignOff,
                {"plan": plan, "agency": self.agencies[short_name]},
                {
                    "person_name": person_name,
                    "post_title": post_title,
                    "signed_on": self.cal.meeting_day(signed),
                },
            )
        for body_name, signed in data.BOARD_SIGN_OFFS:
            _upsert(
                BoardSignOff,
                {
                    "plan": plan,
                    "body": self.bodies[body_name],
                    "signed_on": self.cal.meeting_day(signed),
                },
            )
        return plan

    def load_sections_and_actions(self, plan: Plan) -> None:
        sections: dict[str, Section] = {}
        for order, (number, title, parent, issues, _theme) in enumerate(data.SECTIONS, start=1):
            sections[number], _ = _upsert(
                Section,
                {"plan": plan, "number": number},
                {
                    "title": title,
                    "parent": sections[parent] if parent else None,
                    "issues_raised": issues,
                    "order": order,
                },
            )
        for order, spec in enumerate(data.ACTIONS, start=1):
            original_due, current_due = self.due_dates(spec)
            action, _ = _upsert(
                Action,
                {"plan": plan, "reference": spec["reference"]},
                {
                    "section": sections[spec["section"]],
                    "order": order,
                    "description": spec["description"],
                    "outcome": spec["outcome"],
                    "success_measure": spec["success_measure"],
                    "lead_post": self.posts[spec["lead"]],
                    "lead_text": spec.get("lead_text", ""),
                    "due_text": spec["due_text"],
                    "start_date": self.cal.month_start(spec["start"]) if "start" in spec else None,
                    "original_due_date": original_due,
                },
                # The status is that of the latest update; the due date that of the last
                # approved revision. Both move with the plan's history after the first load.
                create_only={"due_date": current_due, "status": spec["updates"][-1][2]},
            )
            self.actions[spec["reference"]] = action
            action.findings.add(self.findings_by_section[spec["section"]])
            for section_number in spec.get("also_answers", []):
                action.findings.add(self.findings_by_section[section_number])
            action.partner_agencies.add(*(self.agencies[name] for name in spec.get("partners", [])))
            action.delegates.add(*(self.people[email] for email in spec.get("delegates", [])))

    def due_dates(self, spec: dict[str, Any]) -> tuple[dt.date | None, dt.date | None]:
        """The first due date, and the due date after every approved revision."""
        if "due" not in spec:
            return None, None
        original = current = self.cal.month_end(spec["due"])
        for _requested, new_due, _reason, decided in spec.get("revisions", []):
            if decided is not None:
                current = self.cal.month_end(new_due)
        return original, current

    def load_links(self) -> None:
        for from_reference, to_reference, note in data.ACTION_LINKS:
            _upsert(
                ActionLink,
                {
                    "from_action": self.actions[from_reference],
                    "to_action": self.actions[to_reference],
                },
                {"note": note},
            )

    # --- The plan's history: a year of progress ----------------------------------------

    def load_history(self, action: Action, spec: dict[str, Any]) -> None:
        manager = self.people[data.MANAGER]
        # This month's updates still await the plan manager's approval; older ones were approved.
        this_month = self.cal.today.replace(day=1)
        updates: dict[dt.date, ProgressUpdate] = {}
        for original_day, rag, status, narrative, *author in spec["updates"]:
            as_of = self.cal.past_day(original_day)
            awaiting = as_of >= this_month
            update = ProgressUpdate(
                action=action,
                as_of=as_of,
                author=self.people[author[0]]
                if author
                else self.holder_on(spec["lead"], original_day),
                narrative=narrative,
                proposed_rag=rag,
                status=status,
                review_state=ReviewState.SUBMITTED if awaiting else ReviewState.APPROVED,
                reviewed_by=None if awaiting else manager,
                reviewed_at=None if awaiting else self.cal.at(as_of + dt.timedelta(days=2), 15),
                created_at=self.cal.at(as_of),
            )
            update.full_clean()
            update.save()
            updates[original_day] = update

        old_date = self.cal.month_end(spec["due"]) if "due" in spec else None
        for requested, new_due, reason, decided in spec.get("revisions", []):
            new_date = self.cal.month_end(new_due)
            revision = DueDateRevision(
                action=action,
                old_date=old_date,
                new_date=new_date,
                reason=reason,
                requested_by=self.holder_on(spec["lead"], requested),
                requested_at=self.cal.at(self.cal.past_day(requested), 11),
            )
            if decided is not None:
                revision.decision = Decision.APPROVED
                revision.decided_by = manager
                revision.decided_at = self.cal.at(self.cal.past_day(decided), 16)
                revision.decision_note = "Agreed at the Safeguarding Children Executive Group."
                old_date = new_date
            revision.full_clean()
            revision.save()

        for original_day, kind, description, url in spec.get("evidence", []):
            update = updates.get(original_day)
            evidence = Evidence(
                action=action,
                update=update,
                kind=kind,
                url=url,
                description=description,
                evidence_date=self.cal.past_day(original_day),
                added_by=update.author if update else self.holder_on(spec["lead"], original_day),
                added_at=self.cal.at(self.cal.past_day(original_day), 12),
            )
            evidence.full_clean()
            evidence.save()

        for stage, email, signed, note in spec.get("sign_offs", []):
            sign_off = ActionSignOff(
                action=action,
                stage=stage,
                signed_by=self.people[email],
                signed_at=self.cal.at(self.cal.past_day(signed), 14),
                note=note,
            )
            sign_off.full_clean()
            sign_off.save()

    # --- Measures and glossary -----------------------------------------------------------

    def quarters(self) -> list[dt.date]:
        """Calendar quarters from the one the plan went live in, that ended before today."""
        live_from = self.cal.working_day(data.ORIGINAL_LIVE_FROM)
        start = dt.date(live_from.year, (live_from.month - 1) // 3 * 3 + 1, 1)
        quarters = []
        while True:
            year, month = divmod(start.month + 2, 12)
            next_start = dt.date(start.year + year, month + 1, 1)
            if next_start > self.cal.today:
                return quarters
            quarters.append(start)
            start = next_start

    def load_measures(self, plan: Plan) -> None:
        manager = self.people[data.MANAGER]
        quarters = self.quarters()
        for spec in data.MEASURES:
            measure, _ = _upsert(
                Measure,
                {"plan": plan, "name": spec["name"]},
                {
                    "action": self.actions[spec["action"]] if spec["action"] else None,
                    "unit": spec["unit"],
                    "direction": spec["direction"],
                    "frequency": "quarterly",
                    "baseline_value": _decimal(spec["baseline_value"]),
                    "baseline_date": self.cal.date(spec["baseline_date"]),
                    "target_value": _decimal(spec["target_value"]),
                    "target_date": self.cal.date(spec["target_date"]),
                    "england_average": _decimal(spec["england_average"]),
                    "statistical_neighbours": _decimal(spec["statistical_neighbours"]),
                    "source": spec["source"],
                },
            )
            if not self.plan_created:
                continue
            for period_start, value in zip(quarters, spec["values"], strict=False):
                recorded = self.cal.at(period_start + dt.timedelta(days=110))
                measure_value = MeasureValue(
                    measure=measure,
                    period_start=period_start,
                    value=Decimal(value),
                    recorded_by=manager,
                    recorded_at=recorded,
                )
                measure_value.full_clean()
                measure_value.save()

    def load_glossary(self) -> None:
        for term, meaning in data.GLOSSARY:
            # The glossary is shared by every plan: add the demo's terms, but leave a
            # meaning someone has since edited alone.
            if not GlossaryTerm.objects.filter(term=term).exists():
                glossary_term = GlossaryTerm(term=term, meaning=meaning)
                glossary_term.full_clean()
                glossary_term.save()


class Command(BaseCommand):
    help = (
        "Load the demo partnership: the Oxfordshire JTAI 2016 action plan, live for about eleven "
        "months, with its agencies, posts, people, boards, meetings, a year of progress and the demo "
        "logins. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            loader = DemoPartnership(timezone.now())
            plan = loader.load()
        self.report(plan, loader)

    def report(self, plan: Plan, loader: DemoPartnership) -> None:
        today = loader.cal.today
        actions = plan.actions.all()
        write = self.stdout.write
        if loader.plan_created:
            write(self.style.SUCCESS(f"Loaded the demo plan “{plan.title}” (/{plan.slug})."))
        else:
            write(
                self.style.SUCCESS(
                    f"The demo plan “{plan.title}” was already loaded; brought up to date."
                )
            )
        write(f"Live from {plan.live_from:%d %B %Y}; today is {today:%d %B %Y}.")
        meetings = Meeting.objects.filter(body__in=loader.bodies.values())
        write(
            f"{len(loader.agencies)} agencies, {len(loader.posts)} posts, {len(loader.people)} people, "
            f"{len(loader.bodies)} governance bodies with {meetings.filter(date__lt=today).count()} past and "
            f"{meetings.filter(date__gte=today).count()} upcoming meetings."
        )
        write(
            f"{plan.sections.count()} sections, {actions.count()} actions, "
            f"{ProgressUpdate.objects.filter(action__plan=plan).count()} progress updates, "
            f"{DueDateRevision.objects.filter(action__plan=plan).count()} due-date revisions, "
            f"{Evidence.objects.filter(action__plan=plan).count()} evidence links, "
            f"{plan.measures.count()} measures."
        )
        rag = rag_counts(actions, today)
        overdue = sum(action.is_overdue(today) for action in actions)
        write(
            "RAG today: "
            + ", ".join(f"{value} {count}" for value, count in rag.items())
            + f"; {overdue} overdue."
        )
        write("")
        write("Demo logins (password for all: demo-password):")
        width = max(len(spec["email"]) for spec in data.DEMO_USERS)
        write(f"  {'email'.ljust(width)}  {'role'.ljust(16)}  password")
        for spec in data.DEMO_USERS:
            write(f"  {spec['email'].ljust(width)}  {spec['role'].ljust(16)}  {data.DEMO_PASSWORD}")
