"""Admin pages for inspections, their graded judgements and what the inspectors found."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from inspections.choices import Inspectorate
from inspections.models import Finding, Inspection, Judgement


class PrivateFileInput(forms.FileInput):
    """A file input that names the stored file as text. Uploaded files live in private
    storage with no public URL, so the admin's usual link to the file would point nowhere
    (or, on a misconfigured server, somewhere public)."""

    def render(self, name, value, attrs=None, renderer=None):
        field_html = super().render(name, value, attrs, renderer)
        if value and getattr(value, "name", None):
            return format_html(
                "<p>Currently stored: {}</p>{}", value.name.rsplit("/", 1)[-1], field_html
            )
        return field_html


def _inspectorate_field(*, required: bool) -> forms.MultipleChoiceField:
    # The model keeps a JSON list of codes; ticking boxes avoids hand-typed JSON.
    return forms.MultipleChoiceField(
        choices=Inspectorate.choices, widget=forms.CheckboxSelectMultiple, required=required
    )


class InspectionAdminForm(forms.ModelForm):
    inspectorates = _inspectorate_field(required=True)

    class Meta:
        model = Inspection
        fields = (
            "title",
            "kind",
            "inspectorates",
            "area",
            "onsite_from",
            "onsite_to",
            "published_on",
            "wsoa_due_on",
            "overall_grade",
            "summary",
            "report_file",
            "report_url",
        )
        widgets = {"report_file": PrivateFileInput}


class FindingAdminForm(forms.ModelForm):
    inspectorates = _inspectorate_field(required=False)

    class Meta:
        model = Finding
        fields = ("inspection", "kind", "paragraphs", "theme", "text", "inspectorates", "order")
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 60})}


class JudgementInline(admin.TabularInline):
    model = Judgement
    fields = ("area", "grade")
    extra = 0


class FindingInline(admin.StackedInline):
    model = Finding
    form = FindingAdminForm
    fields = (("order", "kind", "paragraphs", "theme"), "text", "inspectorates")
    extra = 0
    show_change_link = True


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    form = InspectionAdminForm
    list_display = ("title", "kind", "area", "published_on", "overall_grade", "wsoa_due_on")
    list_filter = ("kind", "overall_grade")
    search_fields = ("title", "area", "summary")
    date_hierarchy = "published_on"
    fieldsets = (
        (None, {"fields": ("title", "kind", "inspectorates", "area")}),
        ("Dates", {"fields": (("onsite_from", "onsite_to"), "published_on", "wsoa_due_on")}),
        ("Outcome", {"fields": ("overall_grade", "summary", "report_file", "report_url")}),
    )
    inlines = [JudgementInline, FindingInline]


@admin.register(Judgement)
class JudgementAdmin(admin.ModelAdmin):
    list_display = ("area", "grade", "inspection")
    list_filter = ("grade", "inspection")
    list_select_related = ("inspection",)
    search_fields = ("area", "inspection__title")
    autocomplete_fields = ("inspection",)


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    form = FindingAdminForm
    list_display = ("short_text", "paragraphs", "kind", "theme", "inspection")
    list_filter = ("kind", "theme", "inspection")
    list_select_related = ("inspection",)
    search_fields = ("text", "paragraphs", "theme")
    autocomplete_fields = ("inspection",)
    fields = ("inspection", "kind", "paragraphs", "theme", "text", "inspectorates", "order")

    @admin.display(description="finding", ordering="text")
    def short_text(self, obj: Finding) -> str:
        return obj.text if len(obj.text) <= 100 else f"{obj.text[:99]}…"
