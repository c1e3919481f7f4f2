"""Pages that build and run a plan: the list of plans, the plan page, and the plan
managers' forms for the plan, its status, sections, actions and sign-offs.

Each view finds its plan through the one scoping rule (out of scope is a 404), checks
that the person manages the plan (otherwise a 403), and on POST validates a form and
calls exactly one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from actionplans.access import can_manage_partnership, can_manage_plan
from actionplans.actions.services import StaleEdit
from actionplans.choices import PlanStatus
from actionplans.models import Plan, Section
from actionplans.plans import selectors as plan_selectors
from actionplans.plans import services as plan_services
from actionplans.plans.forms import (
    ActionForm,
    ActionsOrderForm,
    BoardSignOffForm,
    PartnerSignOffForm,
    PlanForm,
    PlanStatusForm,
    SectionForm,
)
from foundation.web import add_service_errors


def _managed_plan(request, slug: str) -> Plan:
    """The plan, if in the person's scope (else 404) and managed by them (else 403)."""
    plan = plan_selectors.visible_plan(request.user, slug)
    if not can_manage_plan(request.user, plan):
        raise PermissionDenied("Only the plan's managers change the plan.")
    return plan


def _section(plan: Plan, pk: int) -> Section:
    return get_object_or_404(plan.sections.select_related("parent"), pk=pk)


def plan_detail_url(plan: Plan, anchor: str = "") -> str:
    url = reverse("actionplans:plan_detail", args=[plan.slug])
    return f"{url}#{anchor}" if anchor else url


# --- Reading -------------------------------------------------------------------------


@login_required
def plan_list(request):
    today = timezone.localdate()
    context = {
        "rows": plan_selectors.plans_for_list(request.user, today),
        "can_create": can_manage_partnership(request.user),
        "today": today,
    }
    return render(request, "actionplans/plan_list.html", context)


@login_required
def plan_detail(request, slug: str):
    today = timezone.localdate()
    page = plan_selectors.plan_for_page(request.user, slug, today)
    plan = page.plan
    context = {
        "page": page,
        "plan": plan,
        "today": today,
        "can_manage": page.managed and plan.status != PlanStatus.CLOSED,
        "next_status": plan_services.NEXT_STATUS.get(plan.status),
    }
    return render(request, "actionplans/plan_detail.html", context)


# --- The plan ------------------------------------------------------------------------


def _plan_form_values(form: PlanForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"], "slug": data["slug"], "inspections": data["inspections"],
        "introduction": data["introduction"], "monitoring_body": data["monitoring_body"],
        "review_cadence_days": data["review_cadence_days"], "uses_blue": data["uses_blue"],
        "revision_four_eyes": data["revision_four_eyes"],
        "plan_date": data["plan_date"], "managers": data["managers"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    if not can_manage_partnership(request.user):
        raise PermissionDenied("Only plan managers create plans.")
    initial = {"plan_date": timezone.localdate(), "uses_blue": True, "revision_four_eyes": True,
               "managers": [request.user.pk]}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_services.plan_create(created_by=request.user, **_plan_form_values(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The plan has been created as a draft. Add its sections and actions next.")
            return redirect("actionplans:plan_detail", slug=plan.slug)
    return render(request, "actionplans/plan_form.html", {"form": form, "plan": None})


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, slug: str):
    plan = _managed_plan(request, slug)
    form = PlanForm(request.POST or None, initial=PlanForm.initial_for(plan))
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_services.plan_update(plan=plan, changed_by=request.user, **_plan_form_values(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The plan's details have been saved.")
            return redirect("actionplans:plan_detail", slug=plan.slug)
    return render(request, "actionplans/plan_form.html", {"form": form, "plan": plan})


@login_required
@require_http_methods(["GET", "POST"])
def plan_status(request, slug: str):
    plan = _managed_plan(request, slug)
    next_status = plan_services.NEXT_STATUS.get(plan.status)
    form = PlanStatusForm(request.POST or None, initial={"status": next_status})
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_services.plan_status_move(plan=plan, to_status=form.cleaned_data["status"], changed_by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)  # the status field is hidden: say it above the button
        else:
            messages.success(request, f"The plan is now {plan.get_status_display().lower()}.")
            return redirect("actionplans:plan_detail", slug=plan.slug)
    context = {
        "form": form,
        "plan": plan,
        "next_status": PlanStatus(next_status) if next_status else None,
        "action_count": plan.actions.count(),
        "partner_sign_off_count": plan.partner_sign_offs.count(),
        "board_sign_off_count": plan.board_sign_offs.count(),
        "history": plan_selectors.plan_status_history(plan),
    }
    return render(request, "actionplans/plan_status.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def partner_sign_off_create(request, slug: str):
    plan = _managed_plan(request, slug)
    form = PartnerSignOffForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.partner_sign_off_add(plan=plan, added_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['agency']}'s sign-off has been recorded.")
            return redirect(f"{plan_detail_url(plan)}#sign-offs")
    return render(request, "actionplans/plan_sign_off_form.html", {"form": form, "plan": plan, "kind": "partner"})


@login_required
@require_http_methods(["GET", "POST"])
def board_sign_off_create(request, slug: str):
    plan = _managed_plan(request, slug)
    form = BoardSignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.board_sign_off_add(plan=plan, added_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['body']}'s sign-off has been recorded.")
            return redirect(f"{plan_detail_url(plan)}#sign-offs")
    return render(request, "actionplans/plan_sign_off_form.html", {"form": form, "plan": plan, "kind": "board"})


# --- Sections ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def section_create(request, slug: str):
    plan = _managed_plan(request, slug)
    form = SectionForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            section = plan_services.section_create(plan=plan, created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Section {section.number} has been added.")
            return redirect(plan_detail_url(plan, f"section-{section.pk}"))
    return render(request, "actionplans/section_form.html", {"form": form, "plan": plan, "section": None})


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request, slug: str, pk: int):
    plan = _managed_plan(request, slug)
    section = _section(plan, pk)
    initial = {"number": section.number, "title": section.title, "parent": section.parent_id,
               "issues_raised": section.issues_raised}
    form = SectionForm(request.POST or None, plan=plan, section=section, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            section = plan_services.section_update(section=section, changed_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Section {section.number} has been saved.")
            return redirect(plan_detail_url(plan, f"section-{section.pk}"))
    return render(request, "actionplans/section_form.html", {"form": form, "plan": plan, "section": section})


@login_required
@require_POST
def section_move(request, slug: str, pk: int):
    plan = _managed_plan(request, slug)
    section = _section(plan, pk)
    try:
        plan_services.section_move(section=section, changed_by=request.user, direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(plan_detail_url(plan, f"section-{section.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def section_order(request, slug: str, pk: int):
    plan = _managed_plan(request, slug)
    section = _section(plan, pk)
    actions = plan_selectors.managed_actions(plan, section)
    form = ActionsOrderForm(request.POST or None, section=section, actions=actions)
    if request.method == "POST" and form.is_valid():
        try:
            changed = plan_services.actions_renumber(
                section=section, changed_by=request.user, ordered_actions=form.ordered_actions(),
                renumber_references=form.cleaned_data["renumber"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Section {section.number}'s actions are in their new order ({len(changed)} changed).")
            return redirect(plan_detail_url(plan, f"section-{section.pk}"))
    return render(request, "actionplans/section_order.html", {"form": form, "plan": plan, "section": section})


# --- Actions -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request, slug: str):
    plan = _managed_plan(request, slug)
    initial = {}
    section_pk = request.GET.get("section", "")
    if section_pk.isdigit() and plan.sections.filter(pk=section_pk).exists():
        initial["section"] = int(section_pk)
    form = ActionForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = plan_services.action_create(
                plan=plan, created_by=request.user, **form.service_fields(),
                partner_agencies=data["partner_agencies"], findings=list(data.get("findings", [])), related=data["related"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Action {action.reference} has been added.")
            if "add_another" in request.POST:
                url = f"{request.path}?section={action.section_id}" if action.section_id else request.path
                return redirect(url)
            return redirect(plan_detail_url(plan, f"action-{action.pk}"))
    return render(request, "actionplans/action_form.html", {"form": form, "plan": plan, "action": None})


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, slug: str, pk: int):
    plan = _managed_plan(request, slug)
    action = plan_selectors.action_for_edit(request.user, plan, pk)
    form = ActionForm(request.POST or None, plan=plan, action=action)
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = plan_services.action_edit(
                action=action, editor=request.user, expected_version=data["version"],
                fields=form.service_fields(), partner_agencies=data["partner_agencies"],
                findings=list(data.get("findings", [])), related=data["related"],
            )
        except StaleEdit as exc:
            # Nothing was saved: show what the other person changed, on a form of the action as it is now.
            stale = exc
            action = plan_selectors.action_for_edit(request.user, plan, pk)
            form = ActionForm(plan=plan, action=action)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Action {action.reference} has been saved.")
            return redirect(plan_detail_url(plan, f"action-{action.pk}"))
    context = {"form": form, "plan": plan, "action": action, "stale": stale}
    return render(request, "actionplans/action_form.html", context, status=409 if stale else 200)
