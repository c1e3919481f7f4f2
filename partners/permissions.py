"""Who may see and change what: the one scoping rule every page, download, export and
report applies. Anything outside a person's scope is a 404, never a 403, so that its
existence is not disclosed.

- Partnership-wide roles (officer, plan manager, director, clerk, member, admin) read
  every plan and action.
- A partner officer reads only the actions their agency leads or supports, and the plans
  those actions belong to.
- An action can be updated by the current holders of its lead post, its delegates, the
  plan's managers and admins; a partner officer by anyone of the agency that leads or
  supports it.
- Who manages what: a plan manager manages the plans that name them (an admin every
  plan). Only a manager of the action's plan edits it, decides its revised dates and
  reopens it once signed off; a director, senior across the partnership, may also sign
  it off. Being the action's lead, or having asked for the date oneself, is checked by
  the services on top of these (actionplans.services).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from partners.choices import Role

READ_ONLY_ROLES = {Role.MEMBER, Role.CLERK, Role.DIRECTOR}
# Request papers and schedule them.
REPORT_REQUESTER_ROLES = {Role.CLERK, Role.DIRECTOR, Role.PLAN_MANAGER, Role.ADMIN}
# Record inspections, create plans, hand posts to new holders.
PARTNERSHIP_MANAGER_ROLES = {Role.PLAN_MANAGER, Role.ADMIN}


def is_agency_scoped(user) -> bool:
    """Whether a person sees only their agency's share of the partnership."""
    return user.role == Role.PARTNER_OFFICER and not user.is_superuser


def actions_visible_to(user, actions: QuerySet) -> QuerySet:
    if not (user and user.is_authenticated and user.is_active):
        return actions.none()
    if not is_agency_scoped(user):
        return actions
    if user.agency_id is None:
        return actions.none()
    from actionplans.models import Action

    supports = Action.partner_agencies.through.objects.filter(action_id=OuterRef("pk"), agency_id=user.agency_id)
    return actions.filter(Q(lead_post__agency_id=user.agency_id) | Exists(supports))


def plans_visible_to(user, plans: QuerySet) -> QuerySet:
    if not (user and user.is_authenticated and user.is_active):
        return plans.none()
    if not is_agency_scoped(user):
        return plans
    from actionplans.models import Action

    visible = actions_visible_to(user, Action.objects.filter(plan_id=OuterRef("pk")))
    return plans.filter(Exists(visible))


def report_jobs_visible_to(user, jobs: QuerySet) -> QuerySet:
    """Papers and exports of the plans a person sees. A paper covers every action of its
    plan, other agencies' too, so an agency-scoped person gets only those they asked for
    themselves (none, as they cannot request papers)."""
    from actionplans.models import Plan

    jobs = jobs.filter(plan__in=plans_visible_to(user, Plan.objects.all()))
    if not (user and user.is_authenticated) or not is_agency_scoped(user):
        return jobs
    return jobs.filter(requested_by=user)


def is_plan_manager(user, plan) -> bool:
    if not (user and user.is_authenticated):
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return user.role == Role.PLAN_MANAGER and plan.managers.filter(pk=user.pk).exists()


def can_update_action(user, action) -> bool:
    """Whether ``user`` may record progress, evidence or a date request on ``action``."""
    if not (user and user.is_authenticated and user.is_active) or user.role in READ_ONLY_ROLES:
        return False
    if is_plan_manager(user, action.plan):
        return True
    if is_agency_scoped(user):
        return actions_visible_to(user, type(action).objects.filter(pk=action.pk)).exists()
    if action.delegates.filter(pk=user.pk).exists():
        return True
    return bool(
        action.lead_post_id
        and action.lead_post.holdings.current(timezone.localdate()).filter(person=user).exists()
    )


def can_edit_action(user, action) -> bool:
    """A manager of the action's plan changes the action's own fields."""
    return is_plan_manager(user, action.plan)


def can_decide_revision(user, action) -> bool:
    """A manager of the action's plan decides its revised dates (where the plan asks for
    four eyes, not one they asked for themselves: actionplans.services)."""
    return is_plan_manager(user, action.plan)


def can_reopen_action(user, action) -> bool:
    """A manager of the action's plan reopens it once signed off, with a reason."""
    return is_plan_manager(user, action.plan)


def can_sign_off(user, action) -> bool:
    """A manager of the action's plan, or a director (senior across the partnership), signs
    off its delivery and outcome; never its lead (actionplans.services)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.role == Role.DIRECTOR or is_plan_manager(user, action.plan)


def can_manage_partnership(user) -> bool:
    """Plan managers and admins record inspections, create plans and change post holders."""
    return bool(
        user and user.is_authenticated and user.is_active
        and (user.is_superuser or user.role in PARTNERSHIP_MANAGER_ROLES)
    )


def inspections_visible_to(user, inspections: QuerySet) -> QuerySet:
    """Every inspection for partnership-wide roles; for a partner officer, those answered by a
    plan they can see."""
    if not (user and user.is_authenticated and user.is_active):
        return inspections.none()
    if not is_agency_scoped(user):
        return inspections
    from actionplans.models import Plan

    answering = plans_visible_to(user, Plan.objects.filter(inspections=OuterRef("pk")))
    return inspections.filter(Exists(answering))


def agencies_visible_to(user, agencies: QuerySet) -> QuerySet:
    """Every agency for partnership-wide roles; for a partner officer, their own agency and
    those leading or supporting an action they can see."""
    if not (user and user.is_authenticated and user.is_active):
        return agencies.none()
    if not is_agency_scoped(user):
        return agencies
    from actionplans.models import Action

    visible = actions_visible_to(user, Action.objects.all())
    leads = visible.filter(lead_post__agency_id=OuterRef("pk"))
    supports = visible.filter(partner_agencies=OuterRef("pk"))
    return agencies.filter(Q(pk=user.agency_id) | Exists(leads) | Exists(supports))


def can_request_reports(user) -> bool:
    """Clerks, directors, plan managers and admins request papers and schedule them."""
    return bool(
        user and user.is_authenticated and user.is_active
        and (user.is_superuser or user.role in REPORT_REQUESTER_ROLES)
    )
