"""The weekly reminder to each lead: what is overdue, what is due soon (due within
actionplans.rules.DUE_SOON_DAYS, 30 days, the window My actions and the dashboards use),
and what needs an update (none within the plan's review cadence), with links.

A lead is whoever holds an action's lead post today, and the action's delegates. Only
the open actions of plans that are approved, submitted or live are counted: a draft plan
commits nobody yet, and a closed one is finished. Each action is listed once, in the
first group it belongs to (overdue, then due soon, then needing an update), as on the
"My actions" page. Nobody is emailed when they have nothing in the three groups.

:func:`reminders_for` builds every reminder in one pass over the open actions, with a
fixed number of queries however many actions and people there are; :func:`send_reminders`
puts them in the email outbox (partners.email_outbox), one per lead per ISO week
(actionplans.tasks.send_weekly_reminders runs it on Mondays). The outbox key is what
makes it once a week: a second run in the same week, or the batch redelivered after its
worker died, queues only the leads not already reminded that week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Subquery
from django.template.loader import render_to_string
from django.urls import reverse

from actionplans import access, rules
from actionplans.choices import PlanStatus
from actionplans.models import Action
from actionplans.rules import COMPLETE_STATUSES
from partners.email_outbox import OutgoingEmail, email_enqueue
from partners.models import PostHolding, User

REMINDED_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.SUBMITTED, PlanStatus.LIVE)


@dataclass
class Reminder:
    person: User
    overdue: list[Action] = field(default_factory=list)
    due_soon: list[Action] = field(default_factory=list)
    update_needed: list[Action] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.due_soon) + len(self.update_needed)

    @property
    def subject(self) -> str:
        parts = []
        if self.overdue:
            parts.append(f"{len(self.overdue)} overdue")
        if self.due_soon:
            parts.append(f"{len(self.due_soon)} due in the next {rules.DUE_SOON_DAYS} days")
        if self.update_needed:
            parts.append(f"{len(self.update_needed)} need{'s' if len(self.update_needed) == 1 else ''} an update")
        return "Your actions this week: " + ", ".join(parts)


def _group(action: Action, today: dt.date) -> str | None:
    if rules.is_overdue(status=action.status, due_date=action.due_date, today=today):
        return "overdue"
    if rules.is_due_soon(status=action.status, due_date=action.due_date, today=today):
        return "due_soon"
    if rules.needs_update(
        status=action.status, last_update_on=action.last_update_on, cadence_days=action.plan.review_cadence_days, today=today
    ):
        return "update_needed"
    return None


def _can_be_emailed(person: User) -> bool:
    # People recorded as post holders without an account (has no usable password) are
    # not emailed, as in actionplans.notifications.
    return bool(person.is_active and person.email and person.has_usable_password())


def reminders_for(today: dt.date) -> list[Reminder]:
    """One reminder per lead with anything overdue, due soon or needing an update,
    ordered by name; each group in due-date order."""
    actions = (
        Action.objects.filter(plan__status__in=REMINDED_PLAN_STATUSES)
        .exclude(status__in=COMPLETE_STATUSES)
        .annotate(last_update_on=Subquery(rules.latest_updates().values("as_of")[:1]))
        .select_related("plan", "lead_post")
        .prefetch_related(
            Prefetch(
                "lead_post__holdings",
                queryset=PostHolding.objects.current(today).select_related("person"),
                to_attr="current_holdings",
            ),
            Prefetch("delegates", queryset=User.objects.filter(is_active=True), to_attr="active_delegates"),
            "partner_agencies",
        )
        .order_by("due_date", "plan_id", "order", "id")
    )
    reminders: dict[int, Reminder] = {}
    for action in actions:
        group = _group(action, today)
        if group is None:
            continue
        people = {d.pk: d for d in action.active_delegates}
        if action.lead_post_id:
            people.update({h.person_id: h.person for h in action.lead_post.current_holdings})
        for person in people.values():
            if not _can_be_emailed(person):
                continue
            audience = access.audience_of(person)
            if audience is None or not audience.sees(action):
                continue
            reminder = reminders.setdefault(person.pk, Reminder(person=person))
            getattr(reminder, group).append(action)
    return sorted(reminders.values(), key=lambda r: (r.person.full_name, r.person.pk))


def reminder_key(person: User, today: dt.date) -> str:
    """The outbox key of a person's reminder for the ISO week of ``today``."""
    year, week, _ = today.isocalendar()
    return f"reminder:{year}-W{week:02d}:user:{person.pk}"


def reminder_email(reminder: Reminder, *, today: dt.date) -> OutgoingEmail:
    def link(action: Action) -> str:
        return settings.SITE_URL + reverse("actionplans:action_detail", args=[action.pk])

    groups = [
        ("Overdue", reminder.overdue),
        (f"Due soon: in the next {rules.DUE_SOON_DAYS} days", reminder.due_soon),
        ("Needing an update (none within the plan's review cycle)", reminder.update_needed),
    ]
    context = {
        "reminder": reminder,
        "today": today,
        "groups": [(heading, [(a, link(a)) for a in actions]) for heading, actions in groups if actions],
        "my_actions_url": settings.SITE_URL + reverse("actionplans:my_actions"),
        "PARTNERSHIP_NAME": settings.PARTNERSHIP_NAME,
    }
    body = render_to_string("email/reminder.txt", context)
    return OutgoingEmail(
        key=reminder_key(reminder.person, today), recipient=reminder.person.email, subject=reminder.subject, body=body
    )


def send_reminders(*, today: dt.date) -> int:
    """Queue every lead's reminder for this week in the outbox, each sent by its own task
    once this commits. Returns how many were queued now: none for a lead already reminded
    this week."""
    reminders = reminders_for(today)
    return email_enqueue(emails=[reminder_email(r, today=today) for r in reminders]).created
