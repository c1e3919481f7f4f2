"""Writes that build and run a plan: the plan itself and its status, its sections, its
actions' places, numbers and links, and the partners' and boards' sign-offs.

Same house rules as actionplans.actions.services: keyword-only arguments, a permission check,
``full_clean`` and one transaction per change. django-simple-history records who changed
what and when; each service names the person with ``_history_user`` so that the record is
right from the importer, a command or a test as much as from the browser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Max, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.text import slugify

from actionplans.access import can_edit_action, can_manage_partnership, can_manage_plan
from actionplans.actions import services
from actionplans.choices import PlanStatus, ReviewCadence
from actionplans.models import (
    Action,
    ActionLink,
    BoardSignOff,
    PartnerSignOff,
    Plan,
    Section,
)
from partners.models import Agency, GovernanceBody, Post, User

# A plan moves forward one step at a time, never back.
STATUS_ORDER = [PlanStatus.DRAFT, PlanStatus.APPROVED, PlanStatus.SUBMITTED, PlanStatus.LIVE, PlanStatus.CLOSED]
NEXT_STATUS = dict(zip(STATUS_ORDER, STATUS_ORDER[1:], strict=False))
# Paths under /plans/ that a plan's slug must not take.
RESERVED_SLUGS = {"new"}


# --- Permission ----------------------------------------------------------------------




def _require_manager(user, plan: Plan) -> None:
    if not can_manage_plan(user, plan):
        raise PermissionDenied("Only the plan's managers change the plan.")


def _require_open(plan: Plan) -> None:
    if plan.status == PlanStatus.CLOSED:
        raise ValidationError("This plan is closed: it can no longer be changed.")


def _save(instance, user, **kwargs) -> None:
    instance._history_user = user
    instance.full_clean()
    instance.save(**kwargs)


# --- The plan ------------------------------------------------------------------------


def _unique_slug(title: str, slug: str = "", exclude_pk: int | None = None) -> str:
    base = slugify(slug or title)[:70].strip("-") or "plan"
    taken = Plan.objects.exclude(pk=exclude_pk).filter(slug__startswith=base).values_list("slug", flat=True)
    taken = set(taken) | RESERVED_SLUGS
    if slug:
        if slugify(slug) != slug:
            raise ValidationError({"slug": "Use only lower-case letters, numbers and hyphens."})
        if slug in taken:
            raise ValidationError({"slug": "Another plan already uses this web address, or it is reserved."})
        return slug
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def plan_create(
    *,
    created_by: User,
    title: str,
    slug: str = "",
    inspections: Iterable = (),
    introduction: str = "",
    monitoring_body: GovernanceBody | None = None,
    review_cadence_days: int = ReviewCadence.MONTHLY,
    uses_blue: bool = True,
    revision_four_eyes: bool = True,
    plan_date: dt.date | None = None,
    managers: Iterable[User] = (),
) -> Plan:
    """A new draft plan; whoever creates it manages it, with any other managers named."""
    if not can_manage_partnership(created_by):
        raise PermissionDenied("Only plan managers create plans.")
    title = title.strip()
    with transaction.atomic():
        plan = Plan(
            title=title,
            slug=_unique_slug(title, slug.strip()),
            status=PlanStatus.DRAFT,
            introduction=introduction.strip(),
            monitoring_body=monitoring_body,
            review_cadence_days=review_cadence_days,
            uses_blue=uses_blue,
            revision_four_eyes=revision_four_eyes,
            plan_date=plan_date or timezone.localdate(),
        )
        _save(plan, created_by)
        plan.inspections.set(inspections)
        plan.managers.set({created_by, *managers})
    return plan


def plan_update(
    *,
    plan: Plan,
    changed_by: User,
    title: str,
    slug: str,
    inspections: Iterable,
    introduction: str,
    monitoring_body: GovernanceBody | None,
    review_cadence_days: int,
    uses_blue: bool,
    plan_date: dt.date,
    managers: Iterable[User],
    revision_four_eyes: bool | None = None,
) -> Plan:
    """Change a plan's details. Its status moves only by :func:`plan_status_move`."""
    _require_manager(changed_by, plan)
    _require_open(plan)
    managers = list(managers)
    if not managers:
        raise ValidationError({"managers": "A plan needs at least one manager."})
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        plan.title = title.strip()
        slug = slug.strip()
        if slug and slug != plan.slug:
            plan.slug = _unique_slug(title, slug, plan.pk)
        plan.introduction = introduction.strip()
        plan.monitoring_body = monitoring_body
        plan.review_cadence_days = review_cadence_days
        plan.uses_blue = uses_blue
        if revision_four_eyes is not None:
            plan.revision_four_eyes = revision_four_eyes
        plan.plan_date = plan_date
        _save(plan, changed_by)
        plan.inspections.set(inspections)
        plan.managers.set(managers)
    return plan


def plan_status_move(*, plan: Plan, to_status: str, changed_by: User) -> Plan:
    """Move a plan one step forward: draft, approved, submitted, live, closed.

    The history row the save writes records who moved it and when; going live and closing
    also date the plan (``live_from``, ``closed_on``) where it has no date yet.
    """
    _require_manager(changed_by, plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        expected = NEXT_STATUS.get(plan.status)
        if to_status != expected:
            current = PlanStatus(plan.status).label.lower()
            if expected is None:
                raise ValidationError({"status": f"This plan is {current}: its status cannot change any more."})
            raise ValidationError(
                {"status": f"This plan is {current}: it can only move to {PlanStatus(expected).label.lower()}."}
            )
        if plan.status == PlanStatus.DRAFT and not plan.actions.exists():
            raise ValidationError({"status": "Add at least one action before the plan is approved."})
        today = timezone.localdate()
        plan.status = to_status
        if to_status == PlanStatus.LIVE and plan.live_from is None:
            plan.live_from = today
        if to_status == PlanStatus.CLOSED and plan.closed_on is None:
            plan.closed_on = today
        _save(plan, changed_by)
    return plan


# --- Sign-offs -----------------------------------------------------------------------


def partner_sign_off_add(
    *, plan: Plan, added_by: User, agency: Agency, person_name: str, post_title: str, signed_on: dt.date
) -> PartnerSignOff:
    """A partner agency signs up to the plan: who signed, in what post, for which agency, when."""
    _require_manager(added_by, plan)
    _require_open(plan)
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The date of a sign-off cannot be in the future."})
    if plan.partner_sign_offs.filter(agency=agency).exists():
        raise ValidationError({"agency": f"{agency} has already signed this plan off."})
    with transaction.atomic():
        sign_off = PartnerSignOff(
            plan=plan, agency=agency, person_name=person_name.strip(), post_title=post_title.strip(),
            signed_on=signed_on,
        )
        _save(sign_off, added_by)
    return sign_off


def board_sign_off_add(
    *, plan: Plan, added_by: User, body: GovernanceBody, signed_on: dt.date, minute_reference: str = ""
) -> BoardSignOff:
    """A board or committee approved the plan at its meeting on ``signed_on``."""
    _require_manager(added_by, plan)
    _require_open(plan)
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The date of a sign-off cannot be in the future."})
    if plan.board_sign_offs.filter(body=body, signed_on=signed_on).exists():
        raise ValidationError({"body": f"{body} has already signed this plan off on that date."})
    with transaction.atomic():
        sign_off = BoardSignOff(plan=plan, body=body, signed_on=signed_on, minute_reference=minute_reference.strip())
        _save(sign_off, added_by)
    return sign_off


# --- Sections ------------------------------------------------------------------------


def _check_section_parent(plan: Plan, parent: Section | None, section: Section | None = None) -> None:
    if parent is None:
        return
    if parent.plan_id != plan.pk:
        raise ValidationError({"parent": "The parent section must be in the same plan."})
    if parent.parent_id:
        raise ValidationError({"parent": "Sections nest one level only (2 and 2.1, not 2.1.1)."})
    if section is not None and section.pk:
        if parent.pk == section.pk:
            raise ValidationError({"parent": "A section cannot sit inside itself."})
        if section.children.exists():
            raise ValidationError({"parent": "This section has sub-sections, so it cannot be a sub-section itself."})


def _check_section_number(plan: Plan, number: str, exclude_pk: int | None = None) -> None:
    if plan.sections.exclude(pk=exclude_pk).filter(number=number).exists():
        raise ValidationError({"number": f"The plan already has a section {number}."})


def section_create(
    *,
    plan: Plan,
    created_by: User,
    number: str,
    title: str,
    parent: Section | None = None,
    issues_raised: str = "",
) -> Section:
    """A section at the end of its parent (or of the plan)."""
    _require_manager(created_by, plan)
    _require_open(plan)
    number = number.strip()
    _check_section_parent(plan, parent)
    _check_section_number(plan, number)
    with transaction.atomic():
        last = plan.sections.filter(parent=parent).aggregate(m=Max("order"))["m"] or 0
        section = Section(
            plan=plan, parent=parent, number=number, title=title.strip(), issues_raised=issues_raised.strip(),
            order=last + 1,
        )
        section.full_clean()
        section.save()
    return section


def section_update(
    *, section: Section, changed_by: User, number: str, title: str, parent: Section | None, issues_raised: str
) -> Section:
    plan = section.plan
    _require_manager(changed_by, plan)
    _require_open(plan)
    number = number.strip()
    _check_section_parent(plan, parent, section)
    _check_section_number(plan, number, section.pk)
    with transaction.atomic():
        section = Section.objects.select_for_update().get(pk=section.pk)
        moved = section.parent_id != (parent.pk if parent else None)
        section.number = number
        section.title = title.strip()
        section.parent = parent
        section.issues_raised = issues_raised.strip()
        if moved:
            section.order = (plan.sections.filter(parent=parent).aggregate(m=Max("order"))["m"] or 0) + 1
        section.full_clean()
        section.save()
    return section


def section_move(*, section: Section, changed_by: User, direction: str) -> Section:
    """Swap a section with the one before ("up") or after ("down") it under the same parent."""
    plan = section.plan
    _require_manager(changed_by, plan)
    _require_open(plan)
    if direction not in ("up", "down"):
        raise ValidationError("Move a section up or down.")
    with transaction.atomic():
        siblings = list(
            Section.objects.select_for_update().filter(plan=plan, parent_id=section.parent_id).order_by("order", "id")
        )
        index = next(i for i, s in enumerate(siblings) if s.pk == section.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings, start=1):
            if sibling.order != position:
                sibling.order = position
                sibling.save(update_fields=["order"])
    return next(s for s in siblings if s.pk == section.pk)


# --- Actions -------------------------------------------------------------------------


def _next_reference(plan: Plan, section: Section | None) -> str:
    """The next free number in a section ("2.1" -> "2.1.4"), or in the plan without one."""
    prefix = f"{section.number}." if section else ""
    taken = set(plan.actions.values_list("reference", flat=True))
    n = plan.actions.filter(section=section).count() + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _check_findings(plan: Plan, findings: Sequence, action: Action | None = None) -> None:
    allowed = set(plan.inspections.values_list("findings", flat=True))
    if action is not None:
        allowed |= set(action.findings.values_list("pk", flat=True))
    stray = [f for f in findings if f.pk not in allowed]
    if stray:
        raise ValidationError({"findings": "Link only findings of the inspections this plan answers."})


def action_create(
    *,
    plan: Plan,
    created_by: User,
    description: str,
    section: Section | None = None,
    reference: str = "",
    outcome: str = "",
    success_measure: str = "",
    lead_post: Post | None = None,
    lead_text: str = "",
    partner_agencies: Iterable[Agency] = (),
    start_date: dt.date | None = None,
    due_date: dt.date | None = None,
    due_text: str = "",
    findings: Sequence = (),
    related: Sequence[Action] = (),
) -> Action:
    """A new action at the end of its section, numbered next in it unless given a reference."""
    _require_manager(created_by, plan)
    _require_open(plan)
    if section is not None and section.plan_id != plan.pk:
        raise ValidationError({"section": "The section must be in the same plan."})
    _check_findings(plan, findings)
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=plan.pk)  # one numbering at a time
        reference = reference.strip() or _next_reference(plan, section)
        if plan.actions.filter(reference=reference).exists():
            raise ValidationError({"reference": f"The plan already has an action {reference}."})
        last = plan.actions.filter(section=section).aggregate(m=Max("order"))["m"] or 0
        action = Action(
            plan=plan, section=section, reference=reference, order=last + 1,
            description=description.strip(), outcome=outcome.strip(), success_measure=success_measure.strip(),
            lead_post=lead_post, lead_text=lead_text.strip(), start_date=start_date, due_date=due_date,
            original_due_date=due_date, due_text=due_text.strip(),
        )
        _save(action, created_by)
        action.partner_agencies.set(partner_agencies)
        action.findings.set(findings)
        _links_set(action, related)
    return action


def action_edit(
    *,
    action: Action,
    editor: User,
    expected_version: int | None,
    fields: dict,
    partner_agencies: Iterable[Agency],
    findings: Sequence,
    related: Sequence[Action],
) -> Action:
    """Change an action's fields (through :func:`services.action_update`, which refuses a
    stale version) and its partners, findings and related actions, all or nothing.

    While the plan is a draft its due dates are still being agreed, so a change moves the
    original due date too. Once approved, a due date moves only by a revised-date request,
    which keeps the original.
    """
    plan = action.plan
    if not can_edit_action(editor, action):
        raise PermissionDenied("Only the plan's managers edit actions.")
    _require_open(plan)
    fields = dict(fields)
    if "due_date" in fields and fields["due_date"] != action.due_date:
        if plan.status != PlanStatus.DRAFT and action.due_date is not None:
            raise ValidationError(
                {"due_date": "The plan has been approved: ask for a revised date, so that the original is kept."}
            )
        if plan.status == PlanStatus.DRAFT:
            fields["original_due_date"] = fields["due_date"] or action.original_due_date
    section = fields.get("section", action.section)
    if section is not None and section.plan_id != plan.pk:
        raise ValidationError({"section": "The section must be in the same plan."})
    reference = fields.get("reference", action.reference).strip()
    if reference != action.reference and plan.actions.exclude(pk=action.pk).filter(reference=reference).exists():
        raise ValidationError({"reference": f"The plan already has an action {reference}."})
    _check_findings(plan, findings, action)
    with transaction.atomic():
        if section != action.section:
            fields["order"] = (plan.actions.filter(section=section).aggregate(m=Max("order"))["m"] or 0) + 1
        updated = services.action_update(
            action=action, editor=editor, expected_version=expected_version, **fields
        )
        updated.partner_agencies.set(partner_agencies)
        updated.findings.set(findings)
        _links_set(updated, related)
    return updated


def actions_renumber(
    *, section: Section, changed_by: User, ordered_actions: Sequence[Action], renumber_references: bool = True
) -> list[Action]:
    """Put a section's actions in the given order and, if asked, number them 1, 2, 3…
    after the section ("2.1.1", "2.1.2"). Every action whose place or number changes gets
    a new version, so a form opened before the change is refused rather than undoing it.
    Returns the actions that changed."""
    plan = section.plan
    _require_manager(changed_by, plan)
    _require_open(plan)
    with transaction.atomic():
        current = {a.pk: a for a in Action.objects.select_for_update().filter(section=section)}
        if sorted(a.pk for a in ordered_actions) != sorted(current):
            raise ValidationError("Give every action of the section exactly one place.")
        wanted = {}
        for position, given in enumerate(ordered_actions, start=1):
            action = current[given.pk]
            reference = f"{section.number}.{position}" if renumber_references else action.reference
            wanted[action.pk] = (position, reference)
        if renumber_references:
            clash = sorted(
                plan.actions.exclude(section=section)
                .filter(reference__in=[ref for _, ref in wanted.values()])
                .values_list("reference", flat=True)
            )
            if clash:
                raise ValidationError(
                    f"Another section already has action {', '.join(clash)}: renumber that one first."
                )
            # References are unique in a plan: clear the way before giving out the new ones.
            # (An update() writes no history; the saves below record old -> new.)
            Action.objects.filter(pk__in=current).update(
                reference=Concat(Value("~"), Cast("pk", CharField()), output_field=CharField())
            )
        changed = []
        for pk, (position, reference) in wanted.items():
            action = current[pk]
            moved = action.order != position or action.reference != reference
            if not moved and not renumber_references:
                continue
            action.order = position
            action.reference = reference
            if moved:
                action.version += 1
                changed.append(action)
            action._history_user = changed_by
            action.save(update_fields=["order", "reference", "version", "updated_at"])
    return changed


def action_links_set(*, action: Action, changed_by: User, related: Sequence[Action]) -> None:
    """Say which other actions of the plan this one points to ("See 2.3")."""
    _require_manager(changed_by, action.plan)
    _require_open(action.plan)
    with transaction.atomic():
        _links_set(action, related)


def _links_set(action: Action, related: Sequence[Action]) -> None:
    wanted = {a.pk for a in related}
    if action.pk in wanted:
        raise ValidationError({"related": "An action cannot refer to itself."})
    if any(a.plan_id != action.plan_id for a in related):
        raise ValidationError({"related": "Related actions must be in the same plan."})
    existing = set(action.links_out.values_list("to_action_id", flat=True))
    action.links_out.exclude(to_action_id__in=wanted).delete()
    ActionLink.objects.bulk_create(ActionLink(from_action=action, to_action_id=pk) for pk in wanted - existing)
