"""Admin page for report jobs: a read-only window on the archive of what was produced and
presented when. Jobs are requested through the reports pages, which call the service that
enqueues them; the admin neither creates nor edits them.

The archived file is private: the page names it as text and never links to the storage
URL."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from reports.choices import JobStatus
from reports.models import ReportJob, ReportSchedule, ScheduledRun


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "format",
        "plan",
        "status",
        "requested_by",
        "requested_at",
        "page_count",
    )
    list_filter = ("kind", "format", "status")
    list_select_related = ("plan", "requested_by")
    search_fields = ("plan__title", "file_name", "requested_by__full_name", "requested_by__email")
    date_hierarchy = "requested_at"
    fieldsets = (
        (None, {"fields": ("kind", "format", "plan", "body", "meeting", "as_at", "parameters")}),
        ("Request", {"fields": ("status", "requested_by", "requested_at", "attempts", "error")}),
        ("Run", {"fields": ("started_at", "finished_at", "duration")}),
        ("Archived file", {"fields": ("archived_file", "checksum_sha256", "page_count")}),
    )
    readonly_fields = (
        "kind",
        "format",
        "plan",
        "body",
        "meeting",
        "as_at",
        "parameters",
        "status",
        "requested_by",
        "requested_at",
        "attempts",
        "error",
        "started_at",
        "finished_at",
        "duration",
        "archived_file",
        "checksum_sha256",
        "page_count",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("plan", "requested_by", "body", "meeting__body")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        # Bulk deletion would sweep finished papers along with failed ones.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        # A finished paper is the record of what was presented; only a queued or failed job
        # may be cleared away.
        if obj is not None and obj.status in (JobStatus.DONE, JobStatus.RUNNING):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="file")
    def archived_file(self, obj: ReportJob) -> str:
        if not obj.file:
            return "—"
        name = obj.file_name or "unnamed report"
        return f"{name} ({filesizeformat(obj.size_bytes)})" if obj.size_bytes else name

    @admin.display(description="duration")
    def duration(self, obj: ReportJob) -> str:
        seconds = obj.duration_seconds
        return "—" if seconds is None else f"{seconds:.1f} s"



@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    """Read-only: schedules are made and changed on the schedule pages (/reports/schedules/),
    whose service keeps each cadence's beat entry in step."""

    list_display = ("body", "plan", "kind", "format", "mode", "is_active", "created_by")
    list_filter = ("mode", "kind", "is_active")
    list_select_related = ("body", "plan", "created_by")
    search_fields = ("body__name", "plan__title")
    readonly_fields = [f.name for f in ReportSchedule._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    """Read-only: the record of which paper each schedule made, and who it was emailed to."""

    list_display = ("schedule", "meeting", "due_date", "job", "emailed_at")
    list_select_related = ("schedule__body", "schedule__plan", "meeting__body", "job__plan")
    date_hierarchy = "due_date"
    readonly_fields = [f.name for f in ScheduledRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
