"""Pages for action plans. Each view scopes its objects with the one permission rule
(actionplans.access) so anything out of scope is a 404, and each POST validates a form
and calls exactly one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from actionplans.access import (
    can_decide_revision,
    can_reopen_action,
    can_sign_off,
    can_update_action,
)
from actionplans.actions import selectors, services
from actionplans.actions.forms import (
    ProgressUpdateForm,
    ReopenForm,
    RevisionDecisionForm,
    RevisionRequestForm,
    SignOffForm,
)
from actionplans.models import Action, DueDateRevision, Evidence
from foundation.uploads import UploadRejected, safe_download_name
from foundation.web import add_service_errors, private_file_response


def _scoped_action(request, pk: int) -> Action:
    return get_object_or_404(Action.objects.for_user(request.user).select_related("plan", "lead_post"), pk=pk)




@login_required
def my_actions(request):
    today = timezone.localdate()
    groups = selectors.my_actions(request.user, today)
    return render(request, "actionplans/my_actions.html", {"groups": groups, "today": today})


@login_required
def action_detail(request, pk: int):
    today = timezone.localdate()
    action = selectors.action_for_page(request.user, pk, today)
    user = request.user
    pending_revision = next((r for r in action.revisions.all() if r.decision == "pending"), None)
    context = {
        "action": action,
        "today": today,
        "history": selectors.action_history(action),
        "can_update": can_update_action(user, action),
        "can_decide_revision": can_decide_revision(user, action),
        "own_revision_refusal": pending_revision
        and services.revision_own_request_refusal(revision=pending_revision, person=user),
        "can_sign_off": can_sign_off(user, action),
        "can_reopen": can_reopen_action(user, action),
        "pending_revision": pending_revision,
    }
    return render(request, "actionplans/action_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def progress_update_create(request, pk: int):
    action = _scoped_action(request, pk)
    if not can_update_action(request.user, action):
        raise PermissionDenied
    form = ProgressUpdateForm(
        request.POST or None, request.FILES or None, initial={"as_of": timezone.localdate(), "status": action.status},
        statuses=services.update_statuses_for(action),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.progress_update_create(
                action=action, author=request.user, narrative=data["narrative"], proposed_rag=data["proposed_rag"],
                status=data["status"], as_of=data["as_of"], files=data["files"], links=data["links"],
            )
        except UploadRejected as exc:
            form.add_error("files", str(exc.message))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your update has been recorded.")
            return redirect("actionplans:action_detail", pk=action.pk)
    return render(request, "actionplans/progress_form.html", {"action": action, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def revision_request(request, pk: int):
    action = _scoped_action(request, pk)
    if not can_update_action(request.user, action):
        raise PermissionDenied
    form = RevisionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.due_date_revision_request(
                action=action, requested_by=request.user,
                new_date=form.cleaned_data["new_date"], reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your request for a revised date has been sent to the plan's managers.")
            return redirect("actionplans:action_detail", pk=action.pk)
    return render(request, "actionplans/revision_form.html", {"action": action, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def revision_decide(request, pk: int, revision_pk: int):
    action = _scoped_action(request, pk)
    revision = get_object_or_404(DueDateRevision.objects.select_related("requested_by"), pk=revision_pk, action=action)
    if not can_decide_revision(request.user, action):
        raise PermissionDenied
    revision.action = action
    refusal = services.revision_own_request_refusal(revision=revision, person=request.user)
    form = RevisionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.due_date_revision_decide(
                revision=revision, decided_by=request.user,
                approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The decision has been recorded and the lead told.")
            return redirect("actionplans:action_detail", pk=action.pk)
    context = {"action": action, "revision": revision, "form": form, "refusal": refusal}
    return render(request, "actionplans/revision_decide.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request, pk: int):
    action = _scoped_action(request, pk)
    if not can_sign_off(request.user, action):
        raise PermissionDenied
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_sign_off(
                action=action, stage=form.cleaned_data["stage"], signed_by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The action has been signed off.")
            return redirect("actionplans:action_detail", pk=action.pk)
    return render(request, "actionplans/sign_off_form.html", {"action": action, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def action_reopen(request, pk: int):
    action = _scoped_action(request, pk)
    if not can_reopen_action(request.user, action):
        raise PermissionDenied
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_reopen(action=action, reopened_by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The action has been reopened and its sign-off withdrawn.")
            return redirect("actionplans:action_detail", pk=action.pk)
    return render(request, "actionplans/reopen_form.html", {"action": action, "form": form})


@login_required
def evidence_download(request, pk: int):
    """Evidence files are never served from a public URL: only here, after the scope check."""
    evidence = get_object_or_404(
        Evidence.objects.filter(action__in=Action.objects.for_user(request.user)).exclude(file=""), pk=pk
    )
    return private_file_response(
        evidence.file, content_type=evidence.content_type,
        disposition=safe_download_name(evidence.original_name or "evidence"),
    )

