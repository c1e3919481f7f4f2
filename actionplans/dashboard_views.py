"""Directors' dashboards and measure pages. Every object is scoped by the one permission
rule (actionplans.access): out of scope is a 404; in scope but not allowed to record
values is a 403. Each POST validates a form and calls one service in actionplans.measures."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from actionplans import access, charts, dashboards, measures
from actionplans.charts import rag_bar_chart
from actionplans.choices import MeasureUnit
from actionplans.rag import RAG_ORDER
from foundation.forms import BritishDateField
from foundation.web import add_service_errors

# --- Dashboards -------------------------------------------------------------------------------


def _trend_chart(board: dashboards.Dashboard, title: str) -> str:
    columns = [charts.StackedColumn(label="Today" if p.is_today else p.label, counts=p.counts) for p in board.trend]
    return charts.rag_stacked_chart(columns, title=title, chart_id="rag-trend")


def _dashboard_context(board: dashboards.Dashboard, whose: str) -> dict:
    return {
        "board": board,
        "today": board.scope.today,
        "rag_order": RAG_ORDER,
        # "your agency leads or supports": the counts are their agency's share (actionplans.access)
        "agency_scoped": access.is_agency_scoped(board.scope.user),
        "rag_chart": rag_bar_chart(
            board.summary.rag_counts, title=f"RAG ratings of {whose} actions today", chart_id="rag-now", width=450
        ),
        "trend_chart": _trend_chart(board, f"RAG ratings of {whose} actions at each month end"),
    }


@login_required
def dashboard(request):
    """The partnership's dashboard, across its live plans."""
    board = dashboards.dashboard(request.user)
    context = _dashboard_context(board, "the live plans'")
    context["plans"] = board.live_plans
    return render(request, "actionplans/dashboard.html", context)


@login_required
def plan_dashboard(request, slug: str):
    plan = dashboards.plan_for_dashboard(request.user, slug)
    board = dashboards.dashboard(request.user, plan=plan)
    context = _dashboard_context(board, "the plan's")
    context["plan"] = plan
    context["measures"] = [measures.measure_progress(m, board.scope.today) for m in measures.measures_for_plan(request.user, plan)]
    return render(request, "actionplans/dashboard_plan.html", context)


# --- Measures ---------------------------------------------------------------------------------


@login_required
def measure_detail(request, pk: int):
    measure = measures.measure_for_page(request.user, pk)
    today = timezone.localdate()
    progress = measures.measure_progress(measure, today)
    history = measures.measure_value_history(measure)
    context = {
        "measure": measure,
        "progress": progress,
        "chart": charts.measure_progress_chart(progress),
        "rows": [(v, progress.fmt(v.value), measures.period_label(measure.frequency, v.period_start)) for v in progress.values],
        "history": [(h, progress.fmt(h.value), measures.period_label(measure.frequency, h.period_start)) for h in history],
        "can_record": access.can_record_measure_value(request.user, measure),
        "today": today,
    }
    return render(request, "actionplans/measure_detail.html", context)


class MeasureValueForm(forms.Form):
    period_start = BritishDateField(
        label="Start of the period",
        help_text="The first day of the month or quarter the value is for, for example 01/04/2026. "
        "A date later in a month or quarter is read as that period.",
    )
    value = forms.CharField(label="Value", max_length=20, error_messages={"required": "Enter the value."})
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=measures.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}), help_text="For example, where the figure comes from.",
    )

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields["value"].help_text = {
            MeasureUnit.PERCENT: "A percentage, for example 74 or 74.5",
            MeasureUnit.DAYS: "A number of days",
            MeasureUnit.RATE: "A rate per 10,000 children",
        }.get(measure.unit, "A number")
        self.fields["value"].widget.attrs.update({"inputmode": "decimal", "spellcheck": "false"})

    def clean_value(self):
        try:
            return measures.clean_value(self.measure.unit, self.cleaned_data["value"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages[0]) from None


def _scoped_measure_for_recording(request, pk: int):
    measure = measures.measure_for_page(request.user, pk)
    if not access.can_record_measure_value(request.user, measure):
        raise PermissionDenied
    return measure


@login_required
@require_http_methods(["GET", "POST"])
def measure_value_add(request, pk: int):
    measure = _scoped_measure_for_recording(request, pk)
    form = MeasureValueForm(request.POST or None, measure=measure)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = measures.measure_value_record(
                measure=measure, period_start=data["period_start"], value=data["value"], note=data["note"],
                recorded_by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            period = measures.period_label(measure.frequency, recorded.value.period_start)
            value = measures.format_value(measure.unit, recorded.value.value)
            if recorded.is_correction:
                was = measures.format_value(measure.unit, recorded.corrected_from)
                messages.success(request, f"The value for {period} was corrected from {was} to {value}.")
            else:
                messages.success(request, f"The value for {period} ({value}) has been recorded.")
            return redirect("actionplans:measure_detail", pk=measure.pk)
    return render(request, "actionplans/measure_value_form.html", {"measure": measure, "form": form})


class MeasureCsvForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Three columns: period start date (day first, for example 01/04/2026), value, note. "
        "A header row is optional.",
        error_messages={"required": "Choose a CSV file.", "empty": "The file is empty."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > measures.CSV_MAX_BYTES:
            raise forms.ValidationError(f"The file must be smaller than {measures.CSV_MAX_BYTES // 1024} KB.")
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("The file must be a CSV file. In Excel, use Save As and choose “CSV UTF-8”.")
        try:
            return measures.decode_csv(upload.read())
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages[0]) from None


CSV_SALT = "actionplans.measure_values_upload"


class MeasureCsvConfirmForm(forms.Form):
    """The previewed file travels back signed, so what is saved is what was previewed."""

    csv_text = forms.CharField(widget=forms.HiddenInput, strip=False)

    def clean_csv_text(self):
        try:
            return signing.loads(self.cleaned_data["csv_text"], salt=CSV_SALT, max_age=60 * 60)
        except signing.BadSignature:
            raise forms.ValidationError("The preview has expired. Upload the file again.") from None


def _signed(text: str) -> str:
    return signing.dumps(text, salt=CSV_SALT, compress=True)


@login_required
@require_http_methods(["GET", "POST"])
def measure_values_upload(request, pk: int):
    """Upload, preview every row (problems by row), then save all or nothing."""
    measure = _scoped_measure_for_recording(request, pk)
    context = {"measure": measure, "columns": measures.CSV_COLUMNS}
    if request.method == "POST" and "csv_text" in request.POST:
        confirm = MeasureCsvConfirmForm(request.POST)
        if confirm.is_valid():
            text = confirm.cleaned_data["csv_text"]
            try:
                saved = measures.measure_values_import(measure=measure, text=text, recorded_by=request.user)
            except ValidationError:
                context.update(form=MeasureCsvForm(), preview=measures.parse_values_csv(measure, text), csv_text=_signed(text))
                return render(request, "actionplans/measure_values_upload.html", context)
            corrected = sum(1 for r in saved if r.is_correction)
            noun = "value" if len(saved) == 1 else "values"
            messages.success(request, f"{len(saved)} {noun} saved ({len(saved) - corrected} new, {corrected} corrected).")
            return redirect("actionplans:measure_detail", pk=measure.pk)
    form = MeasureCsvForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        context.update(preview=measures.parse_values_csv(measure, text), csv_text=_signed(text))
    context["form"] = form
    return render(request, "actionplans/measure_values_upload.html", context)
