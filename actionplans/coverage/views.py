"""The coverage matrix of an inspection (which actions answer each finding, with their RAG)
and ticking, from a finding, the actions of a plan that answer it. Pages that show actions,
so above them; their URL names stay in the ``inspections`` namespace
(actionplans/coverage/urls.py, joined to inspections.urls in config/urls.py) and their
templates keep their inspections/ names."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from actionplans.access import can_manage_partnership, can_manage_plan
from actionplans.coverage import selectors as coverage_selectors
from actionplans.coverage.forms import FindingActionsForm
from actionplans.coverage.services import finding_actions_link
from actionplans.models import Plan
from foundation.web import add_service_errors
from inspections import selectors as inspection_selectors


def _require_recorder(user) -> None:
    if not can_manage_partnership(user):
        raise PermissionDenied("Only plan managers record inspections and their findings.")


@login_required
def coverage(request, pk: int):
    today = timezone.localdate()
    inspection = inspection_selectors.inspection_for_user(request.user, pk)
    context = {
        "inspection": inspection,
        "coverage": coverage_selectors.finding_coverage(request.user, inspection, today),
        "can_link": can_manage_partnership(request.user),
    }
    return render(request, "inspections/coverage.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def finding_actions(request, pk: int):
    """Tick the actions of a plan that answer this finding (from the finding's side)."""
    today = timezone.localdate()
    finding = inspection_selectors.finding_for_user(request.user, pk)
    _require_recorder(request.user)
    plans = coverage_selectors.plans_for_linking(request.user, finding.inspection)
    chosen_slug = request.POST.get("plan") or request.GET.get("plan")
    plan = None
    if chosen_slug:
        plan = get_object_or_404(Plan.objects.all(), slug=chosen_slug)
        if not can_manage_plan(request.user, plan):
            raise PermissionDenied("Only the plan's managers can say which of its actions answer a finding.")
    elif plans:
        plan = plans[0]
    actions = coverage_selectors.actions_to_link(request.user, plan, today) if plan else []
    linked = coverage_selectors.linked_action_ids(finding, plan) if plan else set()
    form = FindingActionsForm(
        request.POST or None, action_ids=[a.pk for a in actions], initial={"actions": sorted(linked)}
    )
    if request.method == "POST" and plan and form.is_valid():
        ticked = set(form.cleaned_data["actions"])
        try:
            finding_actions_link(
                finding=finding, linked_by=request.user, plan=plan, actions=[a for a in actions if a.pk in ticked]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            count = len(ticked)
            messages.success(
                request,
                f"{count} action{'s' if count != 1 else ''} of {plan.title} now answer{'s' if count == 1 else ''} this finding.",
            )
            return redirect(_coverage_url(finding))
    ticked = set(form.data.getlist("actions")) if form.is_bound else {str(pk) for pk in linked}
    context = {
        "finding": finding,
        "plans": plans,
        "plan": plan,
        "actions": actions,
        "ticked": ticked,
        "form": form,
    }
    return render(request, "inspections/finding_actions.html", context)


def _coverage_url(finding) -> str:
    return f"{reverse('inspections:coverage', args=[finding.inspection_id])}#finding-{finding.pk}"
