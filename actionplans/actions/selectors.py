"""Reads of action plans that cross relations, each with its select/prefetch beside the
query so that a page's query count does not grow with the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import chain

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from actionplans import access, rules
from actionplans.models import (
    Action,
    ActionLink,
    ActionSignOff,
    DueDateRevision,
    Evidence,
    Measure,
    MeasureValue,
    Plan,
    ProgressUpdate,
)
from actionplans.rag import annotate_rag
from actionplans.rules import COMPLETE_STATUSES, latest_updates, open_q
from inspections.models import Finding
from partners.models import PostHolding


def actions_for_list(user, today: dt.date) -> QuerySet:
    """Actions a person may see, with RAG, last update date and what a list row shows."""
    return annotate_rag(
        Action.objects.for_user(user)
        .select_related("plan", "section", "lead_post__agency")
        .annotate(last_update_on=Subquery(latest_updates().values("as_of")[:1])),
        today,
    )


@dataclass
class MyActions:
    overdue: list[Action] = field(default_factory=list)
    due_soon: list[Action] = field(default_factory=list)
    update_needed: list[Action] = field(default_factory=list)
    other: list[Action] = field(default_factory=list)

    # The one "due soon" window (actionplans.rules), in words where the page shows the group.
    due_soon_heading = f"Due soon: in the next {rules.DUE_SOON_DAYS} days"
    due_soon_empty = f"Nothing due in the next {rules.DUE_SOON_DAYS} days."

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.due_soon) + len(self.update_needed) + len(self.other)


def my_actions(user, today: dt.date) -> MyActions:
    """The actions a person leads (through the posts they hold now) or is a delegate on,
    in four groups: overdue; due soon (actionplans.rules.DUE_SOON_DAYS); no update within the plan's review
    cadence; the rest. Complete actions are left out: there is nothing more to do."""
    holds_lead_post = PostHolding.objects.current(today).filter(post=OuterRef("lead_post"), person=user)
    mine = (
        actions_for_list(user, today)
        # What the page shows of each: its plan and lead post (not its section or agency).
        .select_related(None)
        .select_related("plan", "lead_post")
        .filter(Q(Exists(holds_lead_post)) | Q(delegates=user))
        .filter(open_q())
        .distinct()
        .order_by("due_date", "plan_id", "order")
    )
    groups = MyActions()
    for action in mine:
        if action.is_overdue(today):
            groups.overdue.append(action)
        elif rules.is_due_soon(status=action.status, due_date=action.due_date, today=today):
            groups.due_soon.append(action)
        elif rules.needs_update(
            status=action.status, last_update_on=action.last_update_on, cadence_days=action.plan.review_cadence_days, today=today
        ):
            groups.update_needed.append(action)
        else:
            groups.other.append(action)
    return groups


def action_for_page(user, pk: int, today: dt.date) -> Action:
    """Everything the action page shows, in a fixed number of queries; 404 out of scope."""
    evidence = Evidence.objects.select_related("added_by").order_by("-evidence_date", "id")
    visible = Action.objects.for_user(user)
    queryset = (
        annotate_rag(visible, today)
        .select_related("plan", "section__parent", "lead_post__agency")
        .prefetch_related(
            "partner_agencies",
            Prefetch("findings", queryset=Finding.objects.select_related("inspection")),
            "delegates",
            Prefetch("revisions", queryset=DueDateRevision.objects.select_related("requested_by", "decided_by")),
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.select_related("author", "reviewed_by").prefetch_related(
                    Prefetch("evidence", queryset=evidence)
                ),
            ),
            Prefetch("evidence", queryset=evidence, to_attr="all_evidence"),
            Prefetch("sign_offs", queryset=ActionSignOff.objects.select_related("signed_by", "withdrawn_by")),
            Prefetch(
                "measures",
                queryset=Measure.objects.prefetch_related(
                    Prefetch("values", queryset=MeasureValue.objects.order_by("period_start"), to_attr="values_in_order")
                ),
            ),
            # "See 1.1" names the other action: only those the person may see.
            Prefetch("links_out", queryset=ActionLink.objects.filter(to_action__in=visible).select_related("to_action")),
            Prefetch("links_in", queryset=ActionLink.objects.filter(from_action__in=visible).select_related("from_action")),
            Prefetch(
                "lead_post__holdings",
                queryset=PostHolding.objects.current(today).select_related("person"),
                to_attr="current_holdings",
            ),
        )
    )
    return get_object_or_404(queryset, pk=pk)


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    what: str
    changes: list[str]


def action_history(action: Action) -> list[HistoryEntry]:
    """The change history of an action and of everything recorded on it, newest first."""
    models = [
        ("Action", Action.history.filter(id=action.pk)),
        ("Progress update", ProgressUpdate.history.filter(action_id=action.pk)),
        ("Evidence", Evidence.history.filter(action_id=action.pk)),
        ("Due date revision", DueDateRevision.history.filter(action_id=action.pk)),
        ("Sign-off", ActionSignOff.history.filter(action_id=action.pk)),
    ]
    verbs = {"+": "created", "~": "changed", "-": "deleted"}
    records = chain.from_iterable(
        ((label, r) for r in qs.select_related("history_user").order_by("history_date")) for label, qs in models
    )
    entries: list[HistoryEntry] = []
    previous: dict[tuple[str, int], object] = {}
    for label, record in records:
        key = (label, record.id)
        changes: list[str] = []
        prior = previous.get(key)
        if prior is not None and record.history_type == "~":
            for change in record.diff_against(prior, excluded_fields=["version"]).changes:
                name = record.instance_type._meta.get_field(change.field).verbose_name
                changes.append(f"{name}: “{_short(change.old)}” → “{_short(change.new)}”")
        previous[key] = record
        if record.history_type == "~" and not changes:
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user_id else "System or import",
                what=f"{label} {verbs.get(record.history_type, 'changed')}",
                changes=changes,
            )
        )
    return sorted(entries, key=lambda e: e.when, reverse=True)


def _short(value, limit: int = 80) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plans_for_list(user) -> QuerySet:
    return access.visible_to(user, Plan.objects.all()).order_by("-plan_date")


@dataclass(frozen=True)
class WaitingItem:
    label: str
    url: str


def waiting_for(user, today: dt.date) -> list[WaitingItem]:
    """What awaits a person on their home page: decisions for managers, overdue work for leads."""
    from django.urls import reverse

    items: list[WaitingItem] = []
    if access.can_manage_partnership(user):
        managed = Action.objects.filter(plan__in=access.managed_plans(user))
        revisions = (
            DueDateRevision.objects.filter(action__in=managed, decision="pending")
            # Four eyes (services.revision_own_request_refusal): not one they asked for.
            .exclude(requested_by=user, action__plan__revision_four_eyes=True)
            .select_related("action").order_by("requested_at")
        )
        for revision in revisions[:20]:
            items.append(WaitingItem(
                f"Decide a revised date for {revision.action.reference} (to {revision.new_date:%d %B %Y})",
                reverse("actionplans:revision_decide", args=[revision.action_id, revision.pk]),
            ))
        # A claim made before a sign-off was withdrawn (the action reopened) awaits nothing.
        withdrawn_since = ActionSignOff.objects.filter(action=OuterRef("action"), withdrawn_at__gte=OuterRef("created_at"))
        claims = (
            ProgressUpdate.objects.filter(action__in=managed, status__in=COMPLETE_STATUSES)
            .exclude(action__status=F("status")).exclude(Exists(withdrawn_since))
            .select_related("action").order_by("as_of")
        )
        for update in claims[:20]:
            items.append(WaitingItem(
                f"Sign off {update.action.reference}: {update.get_status_display().lower()} says {update.author_display}",
                reverse("actionplans:sign_off", args=[update.action_id]),
            ))
    if access.can_update_actions(user):
        mine = my_actions(user, today)
        if mine.overdue:
            items.append(WaitingItem(f"{len(mine.overdue)} of your actions are overdue", reverse("actionplans:my_actions") + "#overdue"))
        if mine.update_needed:
            items.append(WaitingItem(f"{len(mine.update_needed)} of your actions need an update", reverse("actionplans:my_actions") + "#update-needed"))
    return items
