"""Writes to action plans. Every change a person makes goes through one of these functions,
from the browser, the admin, the importer, a command or a task alike: each checks who may
do it, validates, writes inside one transaction, and queues its notifications on commit.

The change history itself is written by django-simple-history on every save.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from actionplans.access import (
    can_decide_revision,
    can_edit_action,
    can_manage_plan,
    can_reopen_action,
    can_sign_off,
    can_update_action,
)
from actionplans.choices import RAG, ActionStatus, Decision, EvidenceKind, ReviewState, SignOffStage
from actionplans.models import (
    Action,
    ActionSignOff,
    DueDateRevision,
    Evidence,
    ProgressUpdate,
)
from foundation.dates import record_date_problem

logger = logging.getLogger(__name__)

# Statuses a lead may record directly; completion needs a sign-off (action_sign_off).
RECORDABLE_STATUSES = {ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS}


class StaleEdit(ValidationError):
    """Someone else saved first. ``changes`` lists what they changed, for the message."""

    def __init__(self, message: str, changes: list[str]):
        super().__init__(message)
        self.changes = changes


@dataclass(frozen=True)
class EvidenceLink:
    url: str
    description: str = ""


def _notify(kind: str, object_id: int) -> None:
    """Write the event's emails to the outbox in the caller's transaction: they exist
    exactly when the change does, and reach the worker when the queue can take them (now,
    or from the outbox's sweep if the queue is down; the change is saved either way)."""
    from actionplans.notifications import build_notice, send_notice

    notice = build_notice(kind, object_id)
    if notice is not None:
        send_notice(notice)


def _delete_stored_files(names: Sequence[str], *, why: str = "a rolled-back change") -> None:
    """Remove evidence files from storage (disk or the object store alike): files written
    for rows that were rolled back, or of evidence deleted. A file that cannot be removed is
    logged, not raised: the caller is already raising the error that matters, or its
    transaction has committed."""
    storage = Evidence._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not remove the stored file %s of %s", name, why)


def evidence_file_remove_on_commit(sender, instance: Evidence, using: str = "default", **kwargs) -> None:
    """Connected to ``post_delete`` of Evidence (actionplans.apps): a deleted evidence row's
    file goes from storage once the deletion commits, and stays if it is rolled back.

    A signal rather than a service because it must see every way a row goes: the admin's
    delete page and bulk delete, an action's or plan's deletion cascading to its evidence,
    and a queryset's ``delete()``. (Backups keep the file until they expire.)"""
    name = instance.file.name if instance.file else ""
    if name:
        transaction.on_commit(lambda: _delete_stored_files([name], why="deleted evidence"), using=using)


def _require_can_update(user, action: Action) -> None:
    if not can_update_action(user, action):
        raise PermissionDenied("You cannot update this action.")


def _changes_since(action: Action, version: int) -> list[str]:
    """What changed on an action since the version a form was built on, as sentences."""
    seen = action.history.filter(version=version).order_by("-history_date").first()
    latest = action.history.order_by("-history_date").select_related("history_user").first()
    if seen is None or latest is None:
        return []
    who = str(latest.history_user) if latest.history_user_id else "someone else"
    changes = []
    for change in latest.diff_against(seen, excluded_fields=["version"]).changes:
        label = Action._meta.get_field(change.field).verbose_name
        changes.append(f"{label.capitalize()}: “{change.old}” became “{change.new}” ({who}).")
    return changes


def _check_version(action: Action, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != action.version:
        raise StaleEdit(
            "Someone else changed this action while you were editing it. Nothing of yours was saved: "
            "check their changes and make yours again.",
            _changes_since(action, expected_version),
        )


def _save_action(action: Action, fields: list[str]) -> None:
    """Save and raise the version, so that a form built on the old version is refused."""
    action.version += 1
    action.save(update_fields=[*fields, "version", "updated_at"])


def evidence_attach(
    *,
    action: Action,
    added_by,
    files: Sequence = (),
    links: Sequence[EvidenceLink] = (),
    description: str = "",
    update: ProgressUpdate | None = None,
    evidence_date: dt.date | None = None,
) -> list[Evidence]:
    """Check every file first, then store them all; a rejected file stores nothing at all.

    Files are saved under server-generated names in private storage. If anything fails after
    a file has been written, the written files are removed again with the rolled-back rows.
    """
    from foundation.uploads import check_upload, scan_upload

    _require_can_update(added_by, action)
    checked = [check_upload(f) for f in files]  # raises UploadRejected naming the file
    for item in checked:
        scan_upload(item)
    saved: list[Evidence] = []
    written: list[str] = []
    try:
        with transaction.atomic():
            for item in checked:
                evidence = Evidence(
                    action=action,
                    update=update,
                    kind=EvidenceKind.DOCUMENT,
                    original_name=item.display_name,
                    content_type=item.content_type,
                    size_bytes=item.size,
                    sha256=item.sha256,
                    evidence_date=evidence_date or timezone.localdate(),
                    description=description or item.display_name,
                    added_by=added_by,
                )
                evidence.file.save("upload", ContentFile(item.data), save=False)
                written.append(evidence.file.name)
                evidence.full_clean()
                evidence.save()
                saved.append(evidence)
            for link in links:
                evidence = Evidence(
                    action=action,
                    update=update,
                    kind=EvidenceKind.LINK,
                    url=link.url,
                    evidence_date=evidence_date or timezone.localdate(),
                    description=link.description or link.url,
                    added_by=added_by,
                )
                evidence.full_clean()
                evidence.save()
                saved.append(evidence)
    except BaseException:
        _delete_stored_files(written)
        raise
    return saved


def update_statuses_for(action: Action) -> list[str]:
    """The statuses a progress update may give ``action``, for the form and the service alike.

    Before sign-off, any: delivered and complete are then a claim for a sign-off. Once
    signed off, never back (reopening is :func:`action_reopen`, by a manager of the plan):
    an update on a delivered action keeps it delivered or claims its outcome evidenced,
    and one on a complete action keeps it complete.
    """
    if action.status == ActionStatus.OUTCOME_EVIDENCED:
        return [ActionStatus.OUTCOME_EVIDENCED]
    if action.status == ActionStatus.DELIVERED:
        return [ActionStatus.DELIVERED, ActionStatus.OUTCOME_EVIDENCED]
    return list(ActionStatus.values)


def progress_update_create(
    *,
    action: Action,
    author,
    narrative: str,
    proposed_rag: str,
    status: str,
    as_of: dt.date | None = None,
    files: Sequence = (),
    links: Sequence[EvidenceLink] = (),
) -> ProgressUpdate:
    """Record dated progress with its evidence, all or nothing.

    A lead may say an action is delivered or its outcome evidenced: the update records the
    claim, and the action's status changes only when someone else signs it off.
    """
    _require_can_update(author, action)
    today = timezone.localdate()
    as_of = as_of or today
    if problem := record_date_problem(as_of, what="the date of an update", today=today):
        raise ValidationError({"as_of": problem})
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose a status."})
    if proposed_rag == RAG.BLUE and status != ActionStatus.OUTCOME_EVIDENCED:
        raise ValidationError({"proposed_rag": "Blue means complete: only propose it with the status “Complete: outcome evidenced”."})
    if proposed_rag == RAG.GREEN and action.is_overdue(today) and status in RECORDABLE_STATUSES:
        raise ValidationError(
            {"proposed_rag": "This action is past its due date and not delivered, so it cannot be green. "
             "Propose red or amber, or ask for a revised date."}
        )
    if status not in RECORDABLE_STATUSES and not files and not links and not action.evidence.exists():
        raise ValidationError({"status": "Attach at least one piece of evidence to say the action is delivered or its outcome evidenced."})
    attached: list[Evidence] = []
    try:
        with transaction.atomic():
            action = Action.objects.select_for_update().get(pk=action.pk)
            if status not in update_statuses_for(action):
                raise ValidationError({"status": (
                    f"This action has been signed off as {action.get_status_display().lower()}: an update cannot "
                    "move it back. If it needs more work, a manager of the plan can reopen it, giving the reason."
                )})
            update = ProgressUpdate(
                action=action,
                as_of=as_of,
                author=author,
                narrative=narrative.strip(),
                proposed_rag=proposed_rag,
                status=status,
                review_state=ReviewState.APPROVED if can_manage_plan(author, action.plan) else ReviewState.SUBMITTED,
            )
            update.full_clean()
            update.save()
            attached = evidence_attach(
                action=action, added_by=author, files=files, links=links, update=update, evidence_date=as_of
            )
            if status in RECORDABLE_STATUSES and action.status != status:
                action.status = status
                _save_action(action, ["status"])
    except BaseException:
        # evidence_attach removes its files when it fails; when what follows it fails (or the
        # commit does), the evidence rows are rolled back and their files must go too.
        _delete_stored_files([evidence.file.name for evidence in attached if evidence.file])
        raise
    if update.review_state == ReviewState.SUBMITTED:
        _notify("update_submitted", update.pk)
    if status not in RECORDABLE_STATUSES and status != action.status:
        _notify("sign_off_requested", update.pk)
    return update


def progress_update_review(*, update: ProgressUpdate, reviewer, approve: bool) -> ProgressUpdate:
    if not can_manage_plan(reviewer, update.action.plan):
        raise PermissionDenied("Only the plan's managers review updates.")
    with transaction.atomic():
        update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
        update.review_state = ReviewState.APPROVED if approve else ReviewState.RETURNED
        update.reviewed_by = reviewer
        update.reviewed_at = timezone.now()
        update.version = F("version") + 1
        update.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "version"])
        update.refresh_from_db()
    return update


def due_date_revision_request(*, action: Action, requested_by, new_date: dt.date, reason: str) -> DueDateRevision:
    """The lead asks for more time; a plan manager decides."""
    _require_can_update(requested_by, action)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the action needs a new date."})
    if new_date == action.due_date:
        raise ValidationError({"new_date": "The new date is the same as the current due date."})
    if new_date < timezone.localdate():
        raise ValidationError({"new_date": "The new date must be today or later."})
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.revisions.filter(decision=Decision.PENDING).exists():
            raise ValidationError("A revised date is already awaiting a decision for this action.")
        revision = DueDateRevision(
            action=action, old_date=action.due_date, new_date=new_date, reason=reason, requested_by=requested_by
        )
        revision.full_clean()
        revision.save()
    _notify("revision_requested", revision.pk)
    return revision


def revision_own_request_refusal(*, revision: DueDateRevision, person) -> str:
    """Why ``person`` may not decide ``revision`` under its plan's four-eyes rule, naming who
    can; empty when they may (the plan has the rule off, or someone else asked)."""
    plan = revision.action.plan
    if not plan.revision_four_eyes or revision.requested_by_id is None or revision.requested_by_id != person.pk:
        return ""
    others = [m.full_name for m in plan.managers.filter(is_active=True).exclude(pk=person.pk).order_by("full_name")]
    who = f"another manager of this plan ({', '.join(others)}) or an administrator" if others else (
        "an administrator, or a manager added to the plan (it has no other manager)"
    )
    return (
        "You cannot decide this revised date because you asked for it: this plan has revised dates decided by "
        f"someone else: {who}."
    )


def due_date_revision_decide(*, revision: DueDateRevision, decided_by, approve: bool, note: str = "") -> DueDateRevision:
    """Approving moves the action's due date; its original due date never moves. Where the
    plan has four eyes on revised dates (``Plan.revision_four_eyes``), whoever asked cannot
    decide."""
    if not can_decide_revision(decided_by, revision.action):
        raise PermissionDenied("Only the plan's managers decide revised dates.")
    with transaction.atomic():
        revision = DueDateRevision.objects.select_for_update().select_related("action__plan").get(pk=revision.pk)
        if revision.decision != Decision.PENDING:
            raise ValidationError("This request has already been decided.")
        refusal = revision_own_request_refusal(revision=revision, person=decided_by)
        if refusal:
            raise ValidationError(refusal)
        revision.decision = Decision.APPROVED if approve else Decision.DECLINED
        revision.decided_by = decided_by
        revision.decided_at = timezone.now()
        revision.decision_note = note.strip()
        revision.full_clean()
        revision.save()
        if approve:
            action = revision.action
            action.due_date = revision.new_date
            action.full_clean()
            _save_action(action, ["due_date"])
    _notify("revision_decided", revision.pk)
    return revision


def action_sign_off(*, action: Action, stage: str, signed_by, note: str = "") -> ActionSignOff:
    """Sign off delivery, or the evidenced outcome, of an action.

    Needs at least one piece of evidence and a manager of the action's plan, a director or
    an admin (actionplans.access.can_sign_off) who is not the lead (not a holder of the
    lead post, nor a delegate). Outcome evidenced needs delivery signed off first. A
    sign-off withdrawn by :func:`action_reopen` no longer counts.
    """
    if stage not in SignOffStage.values:
        raise ValidationError({"stage": "Choose delivered or outcome evidenced."})
    if not can_sign_off(signed_by, action):
        raise PermissionDenied("Only a manager of this action's plan, or a director, can sign it off.")
    today = timezone.localdate()
    is_lead = bool(
        action.lead_post_id and action.lead_post.holdings.current(today).filter(person=signed_by).exists()
    ) or action.delegates.filter(pk=signed_by.pk).exists()
    if is_lead:
        raise ValidationError("Sign-off must be by someone other than the action's lead.")
    if not action.evidence.exists():
        raise ValidationError("Attach at least one piece of evidence before signing this action off.")
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        in_force = action.sign_offs.in_force()
        if stage == SignOffStage.OUTCOME_EVIDENCED and not in_force.filter(stage=SignOffStage.DELIVERED).exists():
            raise ValidationError("Sign off delivery before signing off the evidenced outcome.")
        if in_force.filter(stage=stage).exists():
            raise ValidationError("This stage has already been signed off.")
        sign_off = ActionSignOff(action=action, stage=stage, signed_by=signed_by, note=note.strip())
        sign_off.full_clean()
        sign_off.save()
        action.status = ActionStatus.DELIVERED if stage == SignOffStage.DELIVERED else ActionStatus.OUTCOME_EVIDENCED
        _save_action(action, ["status"])
    _notify("signed_off", sign_off.pk)
    return sign_off


def action_update(*, action: Action, editor, expected_version: int | None, **fields) -> Action:
    """Change an action's own fields, refusing a save based on a stale copy."""
    if not can_edit_action(editor, action):
        raise PermissionDenied("Only the plan's managers edit actions.")
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        _check_version(current, expected_version)
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        _save_action(current, list(fields))
    return current


def action_reopen(*, action: Action, reopened_by, reason: str) -> Action:
    """Take a signed-off (delivered or complete) action back to in progress, for a reason.

    Only a manager of the action's plan may (actionplans.access.can_reopen_action). Each
    sign-off in force is withdrawn, not deleted: it keeps who signed it, and gains who
    withdrew it, when and why, so the action page and its change history show both. The
    action can then be updated and signed off again.
    """
    if not can_reopen_action(reopened_by, action):
        raise PermissionDenied("Only a manager of this action's plan can reopen it.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the action is being reopened."})
    now = timezone.now()
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        sign_offs = list(action.sign_offs.in_force().select_for_update())
        if not action.is_complete and not sign_offs:
            raise ValidationError("This action has not been signed off: there is nothing to reopen.")
        for sign_off in sign_offs:
            sign_off.withdrawn_at = now
            sign_off.withdrawn_by = reopened_by
            sign_off.withdrawal_reason = reason
            sign_off._history_user = reopened_by
            sign_off.full_clean()
            sign_off.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        action.status = ActionStatus.IN_PROGRESS
        action._history_user = reopened_by
        _save_action(action, ["status"])
        if sign_offs:
            _notify("reopened", sign_offs[0].pk)
    return action
