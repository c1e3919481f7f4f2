"""Who is told what by email, and the words they are told it in.

Plan managers hear when an update, a date request or a sign-off awaits them; the lead
hears when their request is decided or their action signed off or reopened. Built from ids so a task
can run it long after the request, on another machine; sent through the email outbox
(partners.email_outbox), one email per event and recipient however often the task runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actionplans.models import Action, ActionSignOff, DueDateRevision, ProgressUpdate
from partners.email_outbox import OutgoingEmail, email_enqueue


@dataclass(frozen=True)
class Notice:
    subject: str
    recipients: list[str]
    action: Action
    lines: list[str]
    key: str  # the event: "notification:<kind>:<object id>"; the outbox adds the recipient


def _managers(action: Action) -> list[str]:
    return sorted(action.plan.managers.filter(is_active=True).values_list("email", flat=True))


def _leads(action: Action) -> list[str]:
    emails = set(action.delegates.filter(is_active=True).values_list("email", flat=True))
    if action.lead_post_id:
        holdings = action.lead_post.holdings.current(timezone.localdate()).select_related("person")
        emails |= {h.person.email for h in holdings if h.person.is_active and h.person.has_usable_password()}
    return sorted(emails)


def build_notice(kind: str, object_id: int) -> Notice | None:
    """The notice for an event, or None when the object has gone or nobody is to be told."""
    key = f"notification:{kind}:{object_id}"
    if kind in ("update_submitted", "sign_off_requested"):
        update = ProgressUpdate.objects.select_related("action__plan", "author").filter(pk=object_id).first()
        if update is None:
            return None
        action = update.action
        if kind == "update_submitted":
            subject = f"Update to approve: {action.reference}"
            lines = [f"{update.author_display} recorded progress on {update.as_of:%d %B %Y}:", update.narrative]
        else:
            subject = f"Sign-off requested: {action.reference}"
            lines = [f"{update.author_display} says this action is {update.get_status_display().lower()}.",
                     "It needs a sign-off by a manager of this plan or a director, who is not its lead."]
        return Notice(subject, _managers(action), action, lines, key)
    if kind in ("revision_requested", "revision_decided"):
        revision = DueDateRevision.objects.select_related("action__plan", "requested_by").filter(pk=object_id).first()
        if revision is None:
            return None
        action = revision.action
        old = f"{revision.old_date:%d %B %Y}" if revision.old_date else "no date"
        if kind == "revision_requested":
            return Notice(
                f"Revised date requested: {action.reference}", _managers(action), action,
                [f"{revision.requested_by} asks to move the due date from {old} to {revision.new_date:%d %B %Y}.",
                 f"Reason: {revision.reason}"],
                key,
            )
        recipients = sorted({*_leads(action), *([revision.requested_by.email] if revision.requested_by_id else [])})
        return Notice(
            f"Revised date {revision.get_decision_display().lower()}: {action.reference}", recipients, action,
            [f"Your request to move the due date to {revision.new_date:%d %B %Y} was {revision.get_decision_display().lower()}.",
             *( [f"Note: {revision.decision_note}"] if revision.decision_note else [])],
            key,
        )
    if kind == "signed_off":
        sign_off = ActionSignOff.objects.select_related("action__plan", "signed_by").filter(pk=object_id).first()
        if sign_off is None:
            return None
        return Notice(
            f"Signed off ({sign_off.get_stage_display().lower()}): {sign_off.action.reference}",
            _leads(sign_off.action), sign_off.action,
            [f"{sign_off.signed_by} signed off this action as {sign_off.get_stage_display().lower()}."],
            key,
        )
    if kind == "reopened":
        # One withdrawn sign-off stands for the reopening: each is withdrawn once.
        sign_off = ActionSignOff.objects.select_related("action__plan", "withdrawn_by").filter(pk=object_id).first()
        if sign_off is None or not sign_off.is_withdrawn:
            return None
        return Notice(
            f"Reopened: {sign_off.action.reference}", _leads(sign_off.action), sign_off.action,
            [f"{sign_off.withdrawn_by} reopened this action: it is in progress again and its sign-off is withdrawn.",
             f"Reason: {sign_off.withdrawal_reason}"],
            key,
        )
    raise ValueError(f"Unknown notification kind {kind!r}")


def send_notice(notice: Notice) -> int:
    """Queue the notice in the outbox, one email per recipient. Returns how many were
    queued now: none when this event's notice was queued before (a redelivered task)."""
    if not notice.recipients:
        return 0
    url = settings.SITE_URL + reverse("actionplans:action_detail", args=[notice.action.pk])
    context = {"notice": notice, "action": notice.action, "url": url, "PARTNERSHIP_NAME": settings.PARTNERSHIP_NAME}
    body = render_to_string("email/notice.txt", context)
    emails = [
        OutgoingEmail(key=f"{notice.key}:{recipient}", recipient=recipient, subject=notice.subject, body=body)
        for recipient in notice.recipients
        if recipient
    ]
    return email_enqueue(emails=emails).created
