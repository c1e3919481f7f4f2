"""Which actions answer a finding: a write on the actions' side (the links are the actions'
``findings``), so it lives above them. Only the managers of the action's plan
(``actionplans.access.can_manage_plan``) may write it."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from actionplans.access import can_manage_plan
from actionplans.models import Action, Plan
from inspections.models import Finding

logger = logging.getLogger(__name__)


def finding_actions_link(*, finding: Finding, linked_by, plan: Plan, actions: Iterable[Action]) -> list[Action]:
    """Say which actions of ``plan`` answer ``finding``: the ticked actions are linked and
    the plan's other actions unlinked. Links to actions of other plans are left alone.

    Only the plan's managers may do this. Linking the first action of a plan to a finding
    records that the plan answers the finding's inspection.
    """
    if not can_manage_plan(linked_by, plan):
        raise PermissionDenied("Only the plan's managers can say which of its actions answer a finding.")
    chosen = list(actions)
    strays = [a.reference for a in chosen if a.plan_id != plan.pk]
    if strays:
        raise ValidationError(f"These actions are not in {plan}: {', '.join(strays)}.")
    through = Action.findings.through
    with transaction.atomic():
        wanted = {a.pk for a in chosen}
        current = set(
            through.objects.filter(finding=finding, action__plan=plan).values_list("action_id", flat=True)
        )
        through.objects.filter(finding=finding, action_id__in=current - wanted).delete()
        through.objects.bulk_create(
            [through(finding_id=finding.pk, action_id=pk) for pk in sorted(wanted - current)]
        )
        if wanted:
            plan.inspections.add(finding.inspection_id)
    logger.info(
        "finding %s: %s actions of plan %s linked, %s unlinked, by user %s",
        finding.pk, len(wanted - current), plan.pk, len(current - wanted), linked_by.pk,
    )
    return chosen
