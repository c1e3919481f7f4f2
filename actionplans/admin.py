"""Admin pages for action plans, their sections and actions, and everything recorded
against an action: due-date revisions, progress updates, evidence, sign-offs and measures.

Models with `history` use SimpleHistoryAdmin so that every change is visible with who made
it. Every foreign key that can point at thousands of rows (actions, posts, people,
findings, progress updates) is an autocomplete or limited to the row's own action, and
the lists select their related rows up front, so the pages stay fast at 5,000 actions and
100,000 updates.

Evidence files are private: the admin never renders a link to the storage URL; it shows
the uploaded file's original name as text, and files are added through the action's own
pages, where they are checked."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.defaultfilters import filesizeformat
from simple_history.admin import SimpleHistoryAdmin

from actionplans.dashboards import rag_snapshots_forget
from actionplans.models import (
    Action,
    ActionLink,
    ActionSignOff,
    BoardSignOff,
    DueDateRevision,
    Evidence,
    GlossaryTerm,
    Measure,
    MeasureValue,
    PartnerSignOff,
    Plan,
    ProgressUpdate,
    RagSnapshot,
    Section,
)


def _shorten(text: str, length: int = 80) -> str:
    return text if len(text) <= length else f"{text[: length - 1]}…"


def _raise_version(obj) -> None:
    # The browser refuses a form whose version is stale; an admin edit must count as a save,
    # as it does in actionplans.actions.services. (Not an F() expression: the history row copies
    # the version, and an expression cannot be inserted.)
    if obj.pk:
        obj.version += 1


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history can be read but, where reverting is disabled
    (settings.SIMPLE_HISTORY_REVERT_DISABLED), not posted back: the package only hides the
    revert button, and the history is evidence."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


# Plans -----------------------------------------------------------------------------------


class SectionInline(admin.TabularInline):
    model = Section
    fields = ("order", "number", "title", "parent")
    autocomplete_fields = ("parent",)
    extra = 0
    show_change_link = True


class PartnerSignOffInline(admin.TabularInline):
    model = PartnerSignOff
    fields = ("agency", "person_name", "post_title", "signed_on")
    autocomplete_fields = ("agency",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency")


class BoardSignOffInline(admin.TabularInline):
    model = BoardSignOff
    fields = ("body", "signed_on", "minute_reference")
    autocomplete_fields = ("body",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("body")


@admin.register(Plan)
class PlanAdmin(HistoryAdmin):
    list_display = ("title", "status", "plan_date", "monitoring_body", "live_from", "closed_on")
    list_filter = ("status", "monitoring_body")
    list_select_related = ("monitoring_body",)
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("inspections", "managers", "monitoring_body")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "status", "inspections", "introduction")}),
        (
            "Monitoring",
            {"fields": ("monitoring_body", "review_cadence_days", "managers", "uses_blue", "revision_four_eyes")},
        ),
        ("Dates", {"fields": ("plan_date", "live_from", "closed_on", "created_at", "updated_at")}),
    )
    inlines = [SectionInline, PartnerSignOffInline, BoardSignOffInline]


@admin.register(PartnerSignOff)
class PartnerSignOffAdmin(HistoryAdmin):
    list_display = ("person_name", "post_title", "agency", "plan", "signed_on")
    list_filter = ("plan", "agency")
    list_select_related = ("agency", "plan")
    search_fields = ("person_name", "post_title", "agency__name", "plan__title")
    autocomplete_fields = ("plan", "agency")


@admin.register(BoardSignOff)
class BoardSignOffAdmin(HistoryAdmin):
    list_display = ("body", "plan", "signed_on", "minute_reference")
    list_filter = ("plan", "body")
    list_select_related = ("body", "plan")
    search_fields = ("body__name", "plan__title", "minute_reference")
    autocomplete_fields = ("plan", "body")


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "plan", "parent", "order")
    list_filter = ("plan",)
    list_select_related = ("plan", "parent")
    search_fields = ("number", "title", "issues_raised", "plan__title")
    autocomplete_fields = ("plan", "parent")


# Actions ---------------------------------------------------------------------------------


class EvidenceAdminForm(forms.ModelForm):
    """Evidence in the admin is a link, or an existing file shown by name. A file is uploaded
    only through the action's evidence page, which checks its type and size and records its
    checksum; the admin never serves or replaces it."""

    class Meta:
        model = Evidence
        # Never "file": see the docstring.
        fields = (
            "action",
            "update",
            "kind",
            "url",
            "evidence_date",
            "description",
            "added_by",
            "added_at",
        )

    def clean(self):
        cleaned = super().clean()
        url = cleaned.get("url")
        has_file = bool(self.instance.pk and self.instance.file)
        if has_file and url:
            self.add_error("url", "This evidence is a stored file; it cannot also be a link.")
        elif not has_file and not url and "url" not in self.errors:
            self.add_error(
                "url",
                "Give a link. Files are added on the action's evidence page, where they are checked.",
            )
        return cleaned


class StoredFileMixin:
    @admin.display(description="stored file")
    def stored_file(self, obj: Evidence) -> str:
        if not obj or not obj.file:
            return "—"
        details = [
            d
            for d in (obj.content_type, filesizeformat(obj.size_bytes) if obj.size_bytes else "")
            if d
        ]
        name = obj.original_name or "unnamed file"
        return f"{name} ({', '.join(details)})" if details else name


class DueDateRevisionInline(admin.StackedInline):
    model = DueDateRevision
    fields = (
        ("old_date", "new_date"),
        "reason",
        ("requested_by", "requested_at"),
        ("decision", "decided_by", "decided_at"),
        "decision_note",
    )
    autocomplete_fields = ("requested_by", "decided_by")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("action", "requested_by", "decided_by")


class ProgressUpdateInline(admin.TabularInline):
    """Read-mostly: updates are the evidence trail, so they are reviewed and corrected on
    their own page, never added or deleted in passing from the action."""

    model = ProgressUpdate
    fields = ("as_of", "author_shown", "narrative", "proposed_rag", "status", "review_state")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("action", "author")

    @admin.display(description="by")
    def author_shown(self, obj: ProgressUpdate) -> str:
        return obj.author_display


class EvidenceInline(StoredFileMixin, admin.StackedInline):
    model = Evidence
    form = EvidenceAdminForm
    fields = (
        ("kind", "evidence_date"),
        "description",
        "url",
        "stored_file",
        "update",
        ("added_by", "added_at"),
    )
    readonly_fields = ("stored_file",)
    autocomplete_fields = ("added_by",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("action", "added_by", "update")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only this action's own updates, never a dropdown of every update in the system.
        update_field = formset.form.base_fields.get("update")
        if update_field is not None:
            updates = (
                ProgressUpdate.objects.filter(action=obj) if obj else ProgressUpdate.objects.none()
            )
            update_field.queryset = updates.select_related("action")
        return formset


class ActionSignOffInline(admin.TabularInline):
    model = ActionSignOff
    fields = ("stage", "signed_by", "signed_at", "note", "withdrawn_at", "withdrawn_by", "withdrawal_reason")
    autocomplete_fields = ("signed_by", "withdrawn_by")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("action", "signed_by")


class ActionLinkInline(admin.TabularInline):
    model = ActionLink
    fk_name = "from_action"
    fields = ("to_action", "note")
    autocomplete_fields = ("to_action",)
    extra = 0
    verbose_name = "link to another action"
    verbose_name_plural = "links to other actions (\u201csee 2.3\u201d)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_action", "to_action")


class LeadAgencyFilter(admin.RelatedFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "lead agency"


@admin.register(Action)
class ActionAdmin(HistoryAdmin):
    list_display = (
        "reference",
        "plan",
        "section",
        "short_description",
        "lead_post",
        "due_date",
        "status",
    )
    list_filter = ("plan", "status", ("lead_post__agency", LeadAgencyFilter), "due_date")
    list_select_related = ("plan", "section", "lead_post__agency")
    search_fields = ("reference", "description", "outcome", "success_measure")
    autocomplete_fields = (
        "plan",
        "section",
        "lead_post",
        "partner_agencies",
        "findings",
        "delegates",
    )
    readonly_fields = ("original_due_date", "version", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("plan", "section", "reference", "order")}),
        ("The action", {"fields": ("description", "outcome", "success_measure", "findings")}),
        (
            "Lead and partners",
            {"fields": ("lead_post", "lead_text", "partner_agencies", "delegates")},
        ),
        (
            "Dates and status",
            {"fields": ("start_date", "due_date", "original_due_date", "due_text", "status")},
        ),
        (
            "Record",
            {
                "classes": ("collapse",),
                "fields": ("extra_columns", "version", "created_at", "updated_at"),
            },
        ),
    )
    inlines = [
        DueDateRevisionInline,
        ProgressUpdateInline,
        EvidenceInline,
        ActionSignOffInline,
        ActionLinkInline,
    ]

    @admin.display(description="action", ordering="description")
    def short_description(self, obj: Action) -> str:
        return _shorten(obj.description)

    def save_model(self, request, obj, form, change):
        _raise_version(obj)
        super().save_model(request, obj, form, change)


@admin.register(ActionLink)
class ActionLinkAdmin(admin.ModelAdmin):
    list_display = ("from_action", "to_action", "note")
    list_select_related = ("from_action", "to_action")
    search_fields = ("from_action__reference", "to_action__reference", "note")
    autocomplete_fields = ("from_action", "to_action")


@admin.register(DueDateRevision)
class DueDateRevisionAdmin(HistoryAdmin):
    list_display = ("action", "old_date", "new_date", "decision", "requested_by", "requested_at")
    list_filter = ("decision", "action__plan")
    list_select_related = ("action", "requested_by")
    search_fields = ("action__reference", "reason", "decision_note")
    autocomplete_fields = ("action", "requested_by", "decided_by")
    date_hierarchy = "requested_at"


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(HistoryAdmin):
    list_display = ("action", "as_of", "author_shown", "proposed_rag", "status", "review_state")
    list_filter = ("proposed_rag", "status", "review_state", "action__plan")
    list_select_related = ("action", "author")
    search_fields = ("narrative", "action__reference", "author_name", "author__full_name")
    autocomplete_fields = ("action", "author", "reviewed_by")
    readonly_fields = ("created_at", "version")
    date_hierarchy = "as_of"

    @admin.display(description="by")
    def author_shown(self, obj: ProgressUpdate) -> str:
        return obj.author_display

    def save_model(self, request, obj, form, change):
        _raise_version(obj)
        super().save_model(request, obj, form, change)


@admin.register(Evidence)
class EvidenceAdmin(StoredFileMixin, HistoryAdmin):
    form = EvidenceAdminForm
    list_display = ("shown_as", "kind", "action", "evidence_date", "added_by")
    list_filter = ("kind", "action__plan")
    list_select_related = ("action", "added_by")
    search_fields = ("description", "original_name", "url", "action__reference")
    autocomplete_fields = ("action", "update", "added_by")
    readonly_fields = ("stored_file", "original_name", "content_type", "size_bytes", "sha256")
    fieldsets = (
        (None, {"fields": ("action", "update", "kind", "evidence_date", "description")}),
        ("Link", {"fields": ("url",)}),
        (
            "Stored file",
            {"fields": ("stored_file", "original_name", "content_type", "size_bytes", "sha256")},
        ),
        (None, {"fields": ("added_by", "added_at")}),
    )
    date_hierarchy = "evidence_date"

    @admin.display(description="evidence")
    def shown_as(self, obj: Evidence) -> str:
        return _shorten(obj.original_name or obj.url or obj.description, 60)


@admin.register(ActionSignOff)
class ActionSignOffAdmin(HistoryAdmin):
    list_display = ("action", "stage", "signed_by", "signed_at", "withdrawn_at")
    list_filter = ("stage", "action__plan")
    list_select_related = ("action", "signed_by")
    search_fields = ("action__reference", "signed_by__full_name", "note", "withdrawal_reason")
    autocomplete_fields = ("action", "signed_by", "withdrawn_by")


# Measures and glossary -------------------------------------------------------------------


class MeasureValueInline(admin.TabularInline):
    model = MeasureValue
    fields = ("period_start", "value", "note", "recorded_by", "recorded_at")
    autocomplete_fields = ("recorded_by",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("measure", "recorded_by")


@admin.register(Measure)
class MeasureAdmin(HistoryAdmin):
    list_display = (
        "name",
        "plan",
        "action",
        "unit",
        "direction",
        "frequency",
        "baseline_value",
        "target_value",
    )
    list_filter = ("plan", "unit", "frequency")
    list_select_related = ("plan", "action")
    search_fields = ("name", "source", "action__reference")
    autocomplete_fields = ("plan", "action")
    inlines = [MeasureValueInline]


@admin.register(MeasureValue)
class MeasureValueAdmin(HistoryAdmin):
    list_display = ("measure", "period_start", "value", "recorded_by", "recorded_at")
    list_filter = ("measure__plan",)
    list_select_related = ("measure", "recorded_by")
    search_fields = ("measure__name", "note")
    autocomplete_fields = ("measure", "recorded_by")
    date_hierarchy = "period_start"


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ("term", "meaning")
    search_fields = ("term", "meaning")


@admin.register(RagSnapshot)
class RagSnapshotAdmin(admin.ModelAdmin):
    """The dashboards' stored month ends (actionplans.dashboards), read-only. After a
    genuine correction to a plan's history, "Recount" forgets the plan's stored months so
    that the next dashboard view counts them again from the records as they now stand."""

    list_display = ("plan", "agency", "day", "red", "amber", "green", "blue", "not_rated", "computed_at")
    list_filter = ("plan", "agency")
    list_select_related = ("plan", "agency")
    date_hierarchy = "day"
    readonly_fields = [f.name for f in RagSnapshot._meta.fields]
    actions = ["recount_plans"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Recount the stored months of these rows' plans", permissions=["delete"])
    def recount_plans(self, request, queryset):
        plans = Plan.objects.filter(pk__in=queryset.values("plan"))
        forgotten = sum(rag_snapshots_forget(plan) for plan in plans)
        self.message_user(request, f"{forgotten} stored months forgotten; the next dashboard view counts them again.")
