"""Who may see and change what: the one access rule every page, download, export, report,
dashboard, reminder and the navigation apply. Anything outside a person's scope is a 404,
never a 403, so that its existence is not disclosed.

Two primitives, everything else derived from them:

- **Whose actions a person sees** (:class:`Audience`, :func:`audience_of`): the
  partnership-wide roles (officer, plan manager, director, clerk, member, admin) see every
  action; a partner officer only the actions their agency leads or supports (none without
  an agency). Signed out or inactive: nothing. A plan, inspection, finding, section,
  measure, agency, post, paper or schedule is seen through the actions it reaches
  (:data:`RULES`, read by :func:`visible_to`).
- **Which plans a person manages** (:func:`managed_plans`, :func:`can_manage_plan`): an
  admin every plan, a plan manager the plans that name them.

The writes, ``can_<verb>(user, obj)``:

- An action can be updated (progress, evidence, a date request) by the current holders of
  its lead post, its delegates, the plan's managers and admins; a partner officer by anyone
  of the agency that leads or supports it. The read-only roles (director, clerk, member)
  update nothing.
- Only a manager of the action's plan edits it, decides its revised dates and reopens it
  once signed off; a director, senior across the partnership, may also sign it off. Being
  the action's lead, or having asked for the date oneself, is checked by the services on
  top of these (actionplans.actions.services).
- A measure's values are recorded by whoever may update its action; a whole-plan
  measure's by the plan's managers.
- Clerks, directors, plan managers and admins request papers and schedule them; plan
  managers and admins record inspections, create and import plans, and hand posts over.

Each rule here has a query form (for lists and 404s) and, where a caller holds rows
already, a Python form beside it (:meth:`Audience.sees`, :func:`can_manage_plan`);
tests/test_access_rules.py holds the two to agree, role by role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from actionplans.models import Action, Plan
from partners.choices import Role
from partners.roles import PARTNERSHIP_MANAGER_ROLES as PARTNERSHIP_MANAGER_ROLES
from partners.roles import can_manage_partnership as can_manage_partnership
from partners.roles import is_signed_in as is_signed_in

READ_ONLY_ROLES = {Role.MEMBER, Role.CLERK, Role.DIRECTOR}
# Request papers and schedule them.
REPORT_REQUESTER_ROLES = {Role.CLERK, Role.DIRECTOR, Role.PLAN_MANAGER, Role.ADMIN}
# PARTNERSHIP_MANAGER_ROLES, is_signed_in and can_manage_partnership are role-only, defined in
# partners.roles (below the actions, so partners' own writes ask them) and part of this rule.


def is_agency_scoped(user) -> bool:
    """Whether a person sees only their agency's share of the partnership."""
    return getattr(user, "role", None) == Role.PARTNER_OFFICER and not getattr(user, "is_superuser", False)


# --- Primitive 1: whose actions a person sees ------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """A share of the actions: every action (``agency_id`` None, the partnership-wide roles),
    or the actions one agency leads or supports (its partner officers). One audience stands
    for everyone of a kind, so the dashboards store a month's counts once per audience."""

    agency_id: int | None = None

    @property
    def sees_everything(self) -> bool:
        return self.agency_id is None

    def actions_q(self) -> Q:
        """The condition on an action (empty for everything)."""
        if self.agency_id is None:
            return Q()
        supports = Action.partner_agencies.through.objects.filter(action_id=OuterRef("pk"), agency_id=self.agency_id)
        return Q(lead_post__agency_id=self.agency_id) | Exists(supports)

    def actions(self, actions: QuerySet | None = None) -> QuerySet:
        actions = Action.objects.all() if actions is None else actions
        return actions if self.agency_id is None else actions.filter(self.actions_q())

    def sees(self, action: Action) -> bool:
        """:meth:`actions_q` on a loaded action (its lead post and, prefetched, its
        supporting agencies): for the reminders, which hold the rows already."""
        if self.agency_id is None:
            return True
        lead_agency = action.lead_post.agency_id if action.lead_post_id else None
        return lead_agency == self.agency_id or any(a.pk == self.agency_id for a in action.partner_agencies.all())


def audience_of(user) -> Audience | None:
    """The share of the actions a person sees; None where they see no action."""
    if not is_signed_in(user):
        return None
    if is_agency_scoped(user):
        return Audience(user.agency_id) if user.agency_id else None
    return Audience(None)


# --- Everything a person sees, derived from the actions ---------------------------------------

Rule = Callable[[object, Audience, QuerySet], QuerySet]


def _actions(user, audience: Audience, actions: QuerySet) -> QuerySet:
    return audience.actions(actions)


def _plans(user, audience: Audience, plans: QuerySet) -> QuerySet:
    """A plan with an action the person sees (every plan for the partnership-wide roles)."""
    if audience.sees_everything:
        return plans
    return plans.filter(Exists(audience.actions(Action.objects.filter(plan_id=OuterRef("pk")))))


def _inspections(user, audience: Audience, inspections: QuerySet) -> QuerySet:
    """Every inspection (the letters are published); for a partner officer, those answered
    by a plan they see."""
    if audience.sees_everything:
        return inspections
    return inspections.filter(Exists(_plans(user, audience, Plan.objects.filter(inspections=OuterRef("pk")))))


def _agencies(user, audience: Audience, agencies: QuerySet) -> QuerySet:
    """Every agency; for a partner officer, their own and those leading or supporting an
    action they see."""
    if audience.sees_everything:
        return agencies
    visible = audience.actions()
    leads = visible.filter(lead_post__agency_id=OuterRef("pk"))
    supports = visible.filter(partner_agencies=OuterRef("pk"))
    return agencies.filter(Q(pk=audience.agency_id) | Exists(leads) | Exists(supports))


def _measures(user, audience: Audience, measures: QuerySet) -> QuerySet:
    """Measures of plans the person sees; one tied to an action only if they see the action."""
    if audience.sees_everything:
        return measures
    return measures.filter(plan__in=_plans(user, audience, Plan.objects.all())).filter(
        Q(action__isnull=True) | Q(action__in=audience.actions())
    )


def _report_jobs(user, audience: Audience, jobs: QuerySet) -> QuerySet:
    """Papers and exports of the plans a person sees. A paper covers every action of its plan,
    other agencies' too, so an agency-scoped person gets only those they asked for themselves
    (none, as they cannot request papers)."""
    if audience.sees_everything:
        return jobs
    return jobs.filter(plan__in=_plans(user, audience, Plan.objects.all()), requested_by=user)


def _through(path: str, label: str) -> Rule:
    """What is seen through the ``path`` to a model with its own rule (``label``)."""

    def rule(user, audience: Audience, queryset: QuerySet) -> QuerySet:
        if audience.sees_everything:
            return queryset
        target = queryset.model._meta.get_field(path).related_model
        return queryset.filter(**{f"{path}__in": RULES[label](user, audience, target.objects.all())})

    return rule


# Every scoped model, by its label, and how it reaches the actions. Keyed by label rather
# than by class so that the reports app's models are scoped here without this module
# importing reports (the layers go one way: partners -> inspections -> actionplans -> reports).
RULES: dict[str, Rule] = {
    "actionplans.Action": _actions,
    "actionplans.Plan": _plans,
    "actionplans.Section": _through("plan", "actionplans.Plan"),
    "actionplans.Measure": _measures,
    "inspections.Inspection": _inspections,
    "inspections.Finding": _through("inspection", "inspections.Inspection"),
    "partners.Agency": _agencies,
    "partners.Post": _through("agency", "partners.Agency"),
    "reports.ReportJob": _report_jobs,
    "reports.ReportSchedule": _through("plan", "actionplans.Plan"),
}


def visible_to(user, queryset: QuerySet) -> QuerySet:
    """``queryset`` narrowed to what ``user`` may see: nothing signed out or inactive.
    A model without a rule is refused (LookupError), never shown unscoped."""
    label = queryset.model._meta.label
    if label not in RULES:
        raise LookupError(f"actionplans.access has no rule for {label}")
    audience = audience_of(user)
    if audience is None:
        return queryset.none()
    return RULES[label](user, audience, queryset)


# --- Primitive 2: which plans a person manages ------------------------------------------------


def _manages_every_plan(user) -> bool:
    return is_signed_in(user) and (user.is_superuser or user.role == Role.ADMIN)


def _manages_named_plans(user) -> bool:
    return is_signed_in(user) and user.role == Role.PLAN_MANAGER


def managed_plans(user, plans: QuerySet | None = None) -> QuerySet:
    """The plans a person manages: every plan for an admin, the plans that name them for a
    plan manager, none for anyone else."""
    plans = Plan.objects.all() if plans is None else plans
    if _manages_every_plan(user):
        return plans
    if _manages_named_plans(user):
        return plans.filter(managers=user)
    return plans.none()


def can_manage_plan(user, plan: Plan) -> bool:
    """:func:`managed_plans` for one plan: its sections, actions, managers, import."""
    if _manages_every_plan(user):
        return True
    return _manages_named_plans(user) and plan.managers.filter(pk=user.pk).exists()


# --- The writes ------------------------------------------------------------------------------


def can_update_action(user, action: Action) -> bool:
    """Whether ``user`` may record progress, evidence or a date request on ``action``."""
    if not is_signed_in(user) or user.role in READ_ONLY_ROLES:
        return False
    if can_manage_plan(user, action.plan):
        return True
    if is_agency_scoped(user):
        return visible_to(user, type(action).objects.filter(pk=action.pk)).exists()
    if action.delegates.filter(pk=user.pk).exists():
        return True
    return bool(
        action.lead_post_id
        and action.lead_post.holdings.current(timezone.localdate()).filter(person=user).exists()
    )


def can_edit_action(user, action: Action) -> bool:
    """A manager of the action's plan changes the action's own fields."""
    return can_manage_plan(user, action.plan)


def can_decide_revision(user, action: Action) -> bool:
    """A manager of the action's plan decides its revised dates (where the plan asks for
    four eyes, not one they asked for themselves: actionplans.actions.services)."""
    return can_manage_plan(user, action.plan)


def can_reopen_action(user, action: Action) -> bool:
    """A manager of the action's plan reopens it once signed off, with a reason."""
    return can_manage_plan(user, action.plan)


def can_sign_off(user, action: Action) -> bool:
    """A manager of the action's plan, or a director (senior across the partnership), signs
    off its delivery and outcome; never its lead (actionplans.actions.services)."""
    if not is_signed_in(user):
        return False
    return user.role == Role.DIRECTOR or can_manage_plan(user, action.plan)


def can_record_measure_value(user, measure) -> bool:
    """Whoever may update the measure's action; for a measure of the whole plan, its managers."""
    if measure.action_id:
        return can_update_action(user, measure.action)
    return can_manage_plan(user, measure.plan)


def can_update_actions(user) -> bool:
    """Whether a person's role updates actions at all (everyone but the read-only roles):
    they have a My actions page and are told what of theirs is overdue."""
    return is_signed_in(user) and (user.is_superuser or user.role not in READ_ONLY_ROLES)


def can_request_reports(user) -> bool:
    """Clerks, directors, plan managers and admins request papers and schedule them."""
    return is_signed_in(user) and (user.is_superuser or user.role in REPORT_REQUESTER_ROLES)

