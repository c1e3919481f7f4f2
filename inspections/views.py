"""Pages for inspections and their findings. Each view scopes its objects with the one
permission rule (an inspection out of scope is a 404), refuses a person whose role may
not make the change (403), and each POST validates a form and calls exactly one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from foundation.uploads import UploadRejected, safe_download_name
from foundation.web import add_service_errors, private_file_response
from inspections import selectors, services
from inspections.forms import FindingForm, FindingsPasteForm, InspectionForm
from partners.roles import can_manage_partnership


def _require_recorder(user) -> None:
    if not can_manage_partnership(user):
        raise PermissionDenied("Only plan managers record inspections and their findings.")


@login_required
def inspection_list(request):
    today = timezone.localdate()
    context = {
        "inspections": selectors.inspections_for_list(request.user, today),
        "can_record": can_manage_partnership(request.user),
        "today": today,
    }
    return render(request, "inspections/inspection_list.html", context)


@login_required
def inspection_detail(request, pk: int):
    today = timezone.localdate()
    page = selectors.inspection_for_page(request.user, pk, today)
    context = {"page": page, "inspection": page.inspection, "can_record": can_manage_partnership(request.user)}
    return render(request, "inspections/inspection_detail.html", context)


@login_required
def inspection_report(request, pk: int):
    """The stored letter or report: never from a public URL, only here after the scope check."""
    inspection = selectors.inspection_for_user(request.user, pk)
    if not inspection.report_file:
        raise Http404("This inspection has no stored report.")
    extension = inspection.report_file.name.rpartition(".")[2].lower()
    content_type = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc": "application/msword",
    }.get(extension, "application/octet-stream")
    name = inspection.report_original_name or f"{slugify(inspection.title)[:80] or 'inspection-report'}.{extension}"
    return private_file_response(inspection.report_file, content_type=content_type, disposition=safe_download_name(name))


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request):
    _require_recorder(request.user)
    form = InspectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_create(
                created_by=request.user,
                details=form.details(),
                judgements=form.cleaned_data["judgements"],
                report_file=form.cleaned_data["report_file"],
            )
        except UploadRejected as exc:
            form.add_error("report_file", exc.message)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The inspection has been recorded. Now add what the inspectors found.")
            return redirect("inspections:findings_paste", pk=inspection.pk)
    return render(request, "inspections/inspection_form.html", {"form": form, "inspection": None})


@login_required
@require_http_methods(["GET", "POST"])
def inspection_update(request, pk: int):
    inspection = selectors.inspection_for_user(request.user, pk)
    _require_recorder(request.user)
    form = InspectionForm(
        request.POST or None,
        request.FILES or None,
        initial=InspectionForm.initial_from(inspection),
        has_report_file=bool(inspection.report_file),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_update(
                inspection=inspection,
                updated_by=request.user,
                details=form.details(),
                judgements=form.cleaned_data["judgements"],
                report_file=form.cleaned_data["report_file"],
                remove_report_file=form.cleaned_data.get("remove_report_file", False),
            )
        except UploadRejected as exc:
            form.add_error("report_file", exc.message)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The inspection has been changed.")
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    return render(request, "inspections/inspection_form.html", {"form": form, "inspection": inspection})


@login_required
@require_http_methods(["GET", "POST"])
def findings_paste(request, pk: int):
    """Paste findings, check the preview, then save them all or none."""
    inspection = selectors.inspection_for_user(request.user, pk)
    _require_recorder(request.user)
    existing = inspection.findings.values_list("text", flat=True)
    form = FindingsPasteForm(
        request.POST or None, existing_texts=existing, initial={"kind": "area_for_improvement"}
    )
    can_save = False
    if request.method == "POST":
        valid = form.is_valid()
        wants_save = request.POST.get("intent") == "save"
        if valid and wants_save and form.was_previewed():
            try:
                created = services.findings_bulk_create(
                    inspection=inspection, created_by=request.user, findings=form.result.findings
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{len(created)} finding{'s' if len(created) != 1 else ''} saved.")
                return redirect("inspections:inspection_detail", pk=inspection.pk)
        elif valid and wants_save:
            messages.info(request, "The findings changed since the preview. Check the new preview, then save.")
        if valid and not form.errors:
            can_save = True
            data = form.data.copy()
            data["checked"] = form.fingerprint()
            form.data = data
    context = {
        "inspection": inspection,
        "form": form,
        "preview": _preview_rows(form.result) if form.result else None,
        "can_save": can_save,
        "count": len(form.result.findings) if form.result else 0,
    }
    return render(request, "inspections/findings_paste.html", context)


def _preview_rows(result) -> list[dict]:
    """Every line read, in order: the finding it gave, or its problems."""
    rows: dict[int, dict] = {}
    for finding in result.findings:
        rows[finding.line] = {"line": finding.line, "finding": finding, "problems": []}
    for problem in result.problems:
        rows.setdefault(problem.line, {"line": problem.line, "finding": None, "problems": []})
        rows[problem.line]["problems"].append(problem.message)
    return [rows[line] for line in sorted(rows)]


@login_required
@require_http_methods(["GET", "POST"])
def finding_update(request, pk: int):
    finding = selectors.finding_for_user(request.user, pk)
    _require_recorder(request.user)
    form = FindingForm(
        request.POST or None,
        initial={
            "kind": finding.kind,
            "paragraphs": finding.paragraphs,
            "theme": finding.theme,
            "text": finding.text,
            "inspectorates": finding.inspectorates,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_update(finding=finding, updated_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The finding has been changed.")
            return redirect("inspections:inspection_detail", pk=finding.inspection_id)
    context = {"finding": finding, "inspection": finding.inspection, "form": form}
    return render(request, "inspections/finding_form.html", context)
