"""Reports pages: the archive of papers, requesting one, following it to "done" and
downloading it, and the schedules that make papers before meetings.

Every page scopes by the one rule (actionplans.access.visible_to): a paper or
schedule of a plan outside a person's scope is a 404. Within scope, anyone signed in reads
the archive and downloads its papers, except partner officers: a paper covers every
action of its plan, and they see only their agency's; only clerks, directors, plan managers and admins
request papers and look after schedules (others get a 403). Each POST validates a form and
calls one service; the paper itself is made by a background job (reports.tasks).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from actionplans.access import can_request_reports, is_agency_scoped, visible_to
from actionplans.models import Plan
from foundation.uploads import safe_download_name
from foundation.web import add_service_errors, private_file_response
from partners.email_outbox import deliveries_with_prefix
from partners.models import GovernanceBody
from reports import selectors, services
from reports.choices import CONTENT_TYPES, JobStatus
from reports.forms import PARAMETER_LABELS, ReportJobForm, ScheduleForm
from reports.models import ReportJob, ReportSchedule, ScheduledRun
from reports.services import report_job_create

# Who may request papers and look after schedules. Officers, partner officers and
# members read the archive of the plans they see.
ARCHIVE_PAGE_SIZE = 50
POLL_SECONDS = 2





def _visible_plans(user) -> QuerySet:
    return visible_to(user, Plan.objects.all())


def _jobs_for(user) -> QuerySet:
    return (
        visible_to(user, ReportJob.objects.all())
        # A paper made by a schedule has no requester: its run names the schedule.
        .select_related("plan", "body", "meeting__body", "requested_by", "scheduled_run__schedule__body")
    )


def _visible_job(request, pk: int) -> ReportJob:
    return get_object_or_404(_jobs_for(request.user), pk=pk)


def _require_requester(request) -> None:
    if not can_request_reports(request.user):
        raise PermissionDenied("Only clerks, directors, plan managers and administrators request papers.")


# --- The archive and one paper -----------------------------------------------------------


def status_payload(job: ReportJob) -> dict:
    """What the status region says about a job, for the page and for its JSON poll."""
    finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
    if job.status == JobStatus.QUEUED:
        message = "Queued: the paper will be made in a moment. This page updates by itself."
    elif job.status == JobStatus.RUNNING:
        started = timezone.localtime(job.started_at).strftime("%H:%M:%S") if job.started_at else ""
        message = f"Running: the paper is being made{f' (started at {started})' if started else ''}. This page updates by itself."
    elif job.status == JobStatus.DONE:
        pages = f", {job.page_count} page{'s' if job.page_count != 1 else ''}" if job.page_count else ""
        size = f", {filesizeformat(job.size_bytes)}" if job.size_bytes else ""
        message = f"Done: {job.file_name} ({job.get_format_display()}{pages}{size}) is ready to download."
    else:
        message = "Failed: the paper could not be made. The error is shown below; request it again or tell an administrator."
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": finished,
        "message": message,
        "download_url": reverse("reports:job_download", args=[job.pk]) if job.status == JobStatus.DONE else None,
        "download_label": f"Download {job.file_name}" if job.status == JobStatus.DONE else None,
        "page_count": job.page_count,
        "checksum_sha256": job.checksum_sha256 or None,
        "error": job.error if job.status == JobStatus.FAILED else None,
    }


@login_required
@require_GET
def job_list(request):
    """The archive: every paper produced for the plans the person sees, newest first."""
    plans = _visible_plans(request.user).order_by("title")
    jobs = _jobs_for(request.user)
    plan_slug = request.GET.get("plan", "")
    body_id = request.GET.get("body", "")
    chosen_plan = plans.filter(slug=plan_slug).first() if plan_slug else None
    if chosen_plan:
        jobs = jobs.filter(plan=chosen_plan)
    chosen_body = GovernanceBody.objects.filter(pk=body_id).first() if body_id.isdigit() else None
    if chosen_body:
        jobs = jobs.filter(body=chosen_body)
    page = Paginator(jobs.order_by("-requested_at", "-id"), ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"plan": chosen_plan.slug if chosen_plan else "", "body": chosen_body.pk if chosen_body else ""}
    query = urlencode({k: v for k, v in filters.items() if v})
    context = {
        "page": page,
        "plans": plans,
        "bodies": GovernanceBody.objects.order_by("name"),
        "chosen_plan": chosen_plan,
        "chosen_body": chosen_body,
        "query": query,
        "can_request": can_request_reports(request.user),
        "agency_scoped": is_agency_scoped(request.user),
    }
    return render(request, "reports/job_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def job_create(request):
    _require_requester(request)
    today = timezone.localdate()
    plans = _visible_plans(request.user).order_by("title")
    initial = {}
    if request.method == "GET":
        plan = plans.filter(slug=request.GET.get("plan", "")).first()
        initial = {"plan": plan.pk if plan else None, "kind": request.GET.get("kind", ""), "format": "pdf"}
    form = ReportJobForm(request.POST or None, plans=plans, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = report_job_create(
                plan=data["plan"],
                kind=data["kind"],
                format=data["format"],
                requested_by=request.user,
                as_at=data["as_at"],
                body=data["body"],
                meeting=data["meeting"],
                parameters=form.paper_parameters(data["kind"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("reports:job_detail", pk=job.pk)
    return render(request, "reports/job_form.html", {"form": form})


@login_required
@require_GET
def job_detail(request, pk: int):
    job = _visible_job(request, pk)
    run = getattr(job, "scheduled_run", None)
    context = {
        "job": job,
        "status": status_payload(job),
        "run": run,
        # Each recipient's email and what became of it (partners.email_outbox), for those
        # who look after schedules (and see their recipients there).
        "deliveries": (
            deliveries_with_prefix(f"paper:{job.pk}:")
            if run and run.emailed_at and can_request_reports(request.user) else []
        ),
        "texts": [(PARAMETER_LABELS[k], v) for k, v in (job.parameters or {}).items() if k in PARAMETER_LABELS and v],
        "poll_ms": POLL_SECONDS * 1000,
        "can_request": can_request_reports(request.user),
    }
    return render(request, "reports/job_detail.html", context)


@login_required
@require_GET
def job_status(request, pk: int):
    job = _visible_job(request, pk)
    response = JsonResponse(status_payload(job))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def job_download(request, pk: int):
    """Papers are private files: served only here, after the scope check, never from a
    public URL."""
    job = _visible_job(request, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404("The paper is not ready.")
    return private_file_response(
        job.file, content_type=CONTENT_TYPES.get(job.format, ""),
        disposition=safe_download_name(job.file_name or f"paper-{job.pk}.{job.format}"),
    )


# --- Schedules ---------------------------------------------------------------------------


def _schedules_for(user) -> QuerySet:
    return visible_to(user, ReportSchedule.objects.all()).select_related("plan", "body", "created_by")


def _visible_schedule(request, pk: int) -> ReportSchedule:
    """The schedule, if its plan is in the person's scope (else 404) and they may look
    after schedules (else 403)."""
    schedule = get_object_or_404(_schedules_for(request.user).select_related("periodic_task"), pk=pk)
    _require_requester(request)
    return schedule


@login_required
@require_GET
def schedule_list(request):
    _require_requester(request)
    today = timezone.localdate()
    rows = list(
        _schedules_for(request.user)
        .prefetch_related(Prefetch("runs", queryset=ScheduledRun.objects.select_related("job", "meeting").order_by("-due_date", "-id")))
        .order_by("body__name", "plan__title", "id")
    )
    nearest = selectors.upcoming_meetings_by_body([s.body_id for s in rows], today)
    items = []
    for s in rows:
        upcoming = selectors.next_paper(s, nearest)
        runs = list(s.runs.all())
        items.append({
            "schedule": s,
            "when": selectors.describe_when(s),
            "next": upcoming,
            "next_run": next((r for r in runs if upcoming.meeting and r.meeting_id == upcoming.meeting.pk), None),
            "last_run": runs[0] if runs else None,
        })
    return render(request, "reports/schedule_list.html", {"items": items, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def schedule_create(request):
    _require_requester(request)
    plans = _visible_plans(request.user).order_by("title")
    initial = ScheduleForm.initial_for(None)
    plan = plans.filter(slug=request.GET.get("plan", "")).first()
    if plan:
        initial.update(plan=plan.pk, body=plan.monitoring_body_id)
    form = ScheduleForm(request.POST or None, plans=plans, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_create(created_by=request.user, **form.schedule_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The schedule has been saved. Its papers will appear in the archive.")
            return redirect("reports:schedule_list")
    return render(request, "reports/schedule_form.html", {"form": form, "schedule": None})


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request, pk: int):
    schedule = _visible_schedule(request, pk)
    plans = _visible_plans(request.user).order_by("title")
    form = ScheduleForm(request.POST or None, plans=plans, initial=ScheduleForm.initial_for(schedule))
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_update(schedule=schedule, **form.schedule_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The schedule has been changed.")
            return redirect("reports:schedule_list")
    return render(request, "reports/schedule_form.html", {"form": form, "schedule": schedule})


@login_required
@require_http_methods(["GET", "POST"])
def schedule_delete(request, pk: int):
    schedule = _visible_schedule(request, pk)
    if request.method == "POST":
        services.schedule_delete(schedule=schedule)
        messages.success(request, "The schedule has been deleted. The papers it made are still in the archive.")
        return redirect("reports:schedule_list")
    context = {"schedule": schedule, "when": selectors.describe_when(schedule), "runs": schedule.runs.count()}
    return render(request, "reports/schedule_confirm_delete.html", context)
