"""Measures and their values: who may record them, recording one (a value for a period that
already has one corrects it, and the history keeps what it was), reading a CSV of values
with a preview of every problem by row and saving it all or nothing, and how a measure is
doing against its target.

"On track" is a linear projection: a straight line fitted by least squares through the
recorded values (with the baseline as the first point when there are fewer than two
values), read at the target date, compared with the target in the measure's direction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from actionplans.access import can_record_measure_value, visible_to
from actionplans.choices import Direction, Frequency, MeasureUnit
from actionplans.models import Measure, MeasureValue, Plan
from foundation.dates import record_date_problem

CSV_MAX_BYTES = 512 * 1024
CSV_MAX_ROWS = 2000
CSV_COLUMNS = ("period start date", "value", "note")
NOTE_MAX = MeasureValue._meta.get_field("note").max_length
TWO_PLACES = Decimal("0.01")
VALUE_LIMIT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2
_VALUE_FIELD = MeasureValue._meta.get_field("value")
INTEGER_DIGITS = _VALUE_FIELD.max_digits - _VALUE_FIELD.decimal_places
# A number as people write one: digits, an optional sign and decimal point, and commas only
# between groups of three digits. Nothing else reaches Decimal(), which would also take
# "1e309" (too big for the field, once a 500), "NaN" or "Infinity".
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_COMMAS_AS_DECIMAL = re.compile(r"[+-]?[\d,]*\d(?:\.\d*)?")


# --- Scope (actionplans.access) -----------------------------------------------------------------


def measure_for_page(user, pk: int) -> Measure:
    """A measure with its plan, action and values (oldest first); 404 out of scope."""
    queryset = visible_to(user, Measure.objects.all()).select_related("plan", "action").prefetch_related(
        Prefetch("values", queryset=MeasureValue.objects.select_related("recorded_by").order_by("period_start"))
    )
    return get_object_or_404(queryset, pk=pk)


def measures_for_plan(user, plan: Plan) -> list[Measure]:
    return list(
        visible_to(user, Measure.objects.filter(plan=plan))
        .select_related("action")
        .prefetch_related(Prefetch("values", queryset=MeasureValue.objects.order_by("period_start")))
        .order_by("name")
    )


def measure_value_history(measure: Measure) -> list:
    """Every value recorded or corrected for the measure, newest first (django-simple-history)."""
    return list(
        MeasureValue.history.filter(measure_id=measure.pk).select_related("history_user").order_by("-history_date")
    )


# --- Periods and values ----------------------------------------------------------------------


def period_start_for(frequency: str, day: dt.date) -> dt.date:
    """The first day of the period ``day`` falls in: the month, or the calendar quarter
    (which the financial quarters share). Terms and years start where councils say they do,
    so those dates are kept as given."""
    if frequency == Frequency.MONTHLY:
        return day.replace(day=1)
    if frequency == Frequency.QUARTERLY:
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day


def period_label(frequency: str, start: dt.date) -> str:
    if frequency == Frequency.MONTHLY:
        return f"{start:%B %Y}"
    if frequency == Frequency.QUARTERLY and start.day == 1 and start.month in (1, 4, 7, 10):
        end = dt.date(start.year, start.month + 2, 1)
        return f"{start:%b}–{end:%b %Y}"
    return f"From {start:%-d %B %Y}"


def format_value(unit: str, value: Decimal | None) -> str:
    if value is None:
        return "–"
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value.quantize(TWO_PLACES):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if unit == MeasureUnit.PERCENT:
        return f"{text}%"
    if unit == MeasureUnit.DAYS:
        return f"{text} day" if text == "1" else f"{text} days"
    return text


def _parse_number(raw: str) -> Decimal:
    """A number written by a person (see _PLAIN_NUMBER), read strictly."""
    shown = raw.strip()[:40]
    text = raw.replace("£", "").strip()  # spaces inside are refused: "1 5" is not 15
    if _GROUPED_NUMBER.fullmatch(text):
        text = text.replace(",", "")
    elif "," in text and _COMMAS_AS_DECIMAL.fullmatch(text):
        raise ValidationError(
            f"“{shown}” has a comma that is not between thousands. Use a decimal point for part of a "
            f"number (1.5), and commas only between groups of three digits (1,500)."
        )
    if not _PLAIN_NUMBER.fullmatch(text):
        raise ValidationError(f"“{shown}” is not a number. Enter digits, for example 74, 74.5 or 1,500.")
    integer_digits = len(text.lstrip("+-").split(".")[0].lstrip("0"))
    if integer_digits > INTEGER_DIGITS:
        raise ValidationError(f"The value is too large: the largest is {VALUE_LIMIT:,}.")
    try:
        return Decimal(text)
    except InvalidOperation:  # the pattern lets through only what Decimal reads
        raise ValidationError(f"“{shown}” is not a number.") from None


def clean_value(unit: str, raw: str | Decimal) -> Decimal:
    """A value as stored: a number (a "%" or thousands commas allowed), to two places,
    within what the unit allows. Raises ValidationError with a sentence to show."""
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = raw.strip()
        if unit == MeasureUnit.PERCENT or text.endswith("%"):
            text = text.removesuffix("%").strip()
        if not text:
            raise ValidationError("Enter a value.")
        value = _parse_number(text)
    if not value.is_finite():
        raise ValidationError("Enter a number.")
    # Bounded before rounding: quantize() itself fails on a number past the context's precision.
    if abs(value) >= VALUE_LIMIT + TWO_PLACES / 2:
        raise ValidationError(f"The value is too large: the largest is {VALUE_LIMIT:,}.")
    value = value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    if unit != MeasureUnit.SCORE and value < 0:
        raise ValidationError("The value cannot be negative.")
    if unit == MeasureUnit.PERCENT and value > 100:
        raise ValidationError("A percentage cannot be more than 100.")
    return value


def clean_period_start(text: str) -> dt.date:
    """A date written the British way (day first), with the product's one date field."""
    from foundation.forms import BritishDateField

    try:
        day = BritishDateField().clean(text.strip())
    except forms.ValidationError:
        raise ValidationError(f"“{text.strip()}” is not a date written day first, for example 01/04/2026.") from None
    # Only the earliest date here: a date later in today's period is read as that period,
    # which the callers check is not in the future.
    if problem := record_date_problem(day, what="the period", today=dt.date.max):
        raise ValidationError(problem)
    return day


@dataclass(frozen=True)
class Recorded:
    value: MeasureValue
    corrected_from: Decimal | None  # the value it replaced, if it corrected one

    @property
    def is_correction(self) -> bool:
        return self.corrected_from is not None


def _record(*, measure: Measure, period_start: dt.date, value: Decimal, note: str, recorded_by) -> Recorded:
    existing = MeasureValue.objects.select_for_update().filter(measure=measure, period_start=period_start).first()
    corrected_from = None
    if existing is None:
        row = MeasureValue(measure=measure, period_start=period_start)
    else:
        row, corrected_from = existing, existing.value
    row.value = value
    row.note = note
    row.recorded_by = recorded_by
    row.recorded_at = timezone.now()
    row.full_clean()
    row._history_user = recorded_by  # the correction's author, in the change history
    row.save()
    return Recorded(value=row, corrected_from=corrected_from)


def measure_value_record(
    *, measure: Measure, period_start: dt.date, value: Decimal, note: str = "", recorded_by
) -> Recorded:
    """Record the value for a period. A period that already has a value is corrected, not
    duplicated; django-simple-history keeps the value it replaced."""
    if not can_record_measure_value(recorded_by, measure):
        raise PermissionDenied("You cannot record values for this measure.")
    period_start = period_start_for(measure.frequency, period_start)
    if problem := record_date_problem(period_start, what="the period", today=timezone.localdate()):
        raise ValidationError({"period_start": problem.replace("cannot be", "cannot start")})
    value = clean_value(measure.unit, value)
    note = note.strip()
    with transaction.atomic():
        return _record(measure=measure, period_start=period_start, value=value, note=note, recorded_by=recorded_by)


# --- CSV: preview by row, then all or nothing ----------------------------------------------------


@dataclass
class CsvRow:
    number: int  # the row in the file, counting the header, as a spreadsheet shows it
    period_text: str
    value_text: str
    note: str
    period_start: dt.date | None = None
    value: Decimal | None = None
    current: Decimal | None = None  # the value it will correct
    problems: list[str] = field(default_factory=list)
    unit: str = ""

    @property
    def value_display(self) -> str:
        return format_value(self.unit, self.value) if self.value is not None else (self.value_text or "(blank)")

    @property
    def current_display(self) -> str:
        return format_value(self.unit, self.current)


@dataclass
class CsvPreview:
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the whole file

    @property
    def has_problems(self) -> bool:
        return bool(self.problems) or any(row.problems for row in self.rows)

    @property
    def rows_with_problems(self) -> list[CsvRow]:
        return [row for row in self.rows if row.problems]

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.rows if row.current is None)

    @property
    def correction_count(self) -> int:
        return sum(1 for row in self.rows if row.current is not None)


def decode_csv(data: bytes) -> str:
    """Text of an uploaded CSV: UTF-8 (with or without Excel's byte-order mark), else
    Windows-1252, as Excel saves it in England."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("The file is not text. Save it from Excel as “CSV UTF-8”.")


def _is_header(cells: list[str]) -> bool:
    """A first row of words ("Period start date, Value, Note"), not of a date and a number."""
    first, value = (cells + ["", ""])[:2]
    if not first or any(ch.isdigit() for ch in first):
        return False
    try:
        Decimal(value.replace(",", "").removesuffix("%"))
    except InvalidOperation:
        return True
    return False


def parse_values_csv(measure: Measure, text: str) -> CsvPreview:
    """Read ``period start date, value, note`` rows (a header row is optional) and say what
    each would do or what is wrong with it. Nothing is saved."""
    preview = CsvPreview()
    if len(text.encode("utf-8")) > CSV_MAX_BYTES:
        preview.problems.append(f"The file is larger than {CSV_MAX_BYTES // 1024} KB. Split it into smaller files.")
        return preview
    try:
        lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    except csv.Error as exc:
        preview.problems.append(f"The file could not be read as CSV: {exc}.")
        return preview
    today = timezone.localdate()
    existing = dict(MeasureValue.objects.filter(measure=measure).values_list("period_start", "value"))
    seen: dict[dt.date, int] = {}
    for number, cells in enumerate(lines, start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if number == 1 and _is_header(cells):
            continue
        if len(preview.rows) >= CSV_MAX_ROWS:
            preview.problems.append(f"The file has more than {CSV_MAX_ROWS} rows. Split it into smaller files.")
            break
        padded = [*cells, "", "", ""]
        row = CsvRow(number=number, period_text=padded[0], value_text=padded[1], note=padded[2], unit=measure.unit)
        preview.rows.append(row)
        if any(padded[3:]):
            row.problems.append("The row has more than three columns: period start date, value, note.")
        if not row.period_text:
            row.problems.append("The period start date is missing.")
        else:
            try:
                row.period_start = period_start_for(measure.frequency, clean_period_start(row.period_text))
            except ValidationError as exc:
                row.problems.append(exc.messages[0])
        if row.period_start is not None:
            if row.period_start > today:
                row.problems.append("The period starts in the future.")
            elif row.period_start in seen:
                row.problems.append(f"Row {seen[row.period_start]} already gives a value for this period.")
            else:
                seen[row.period_start] = number
                row.current = existing.get(row.period_start)
        try:
            row.value = clean_value(measure.unit, row.value_text)
        except ValidationError as exc:
            row.problems.append(exc.messages[0])
        if len(row.note) > NOTE_MAX:
            row.problems.append(f"The note is longer than {NOTE_MAX} characters.")
    if not preview.rows and not preview.problems:
        preview.problems.append("The file has no rows of values.")
    return preview


def measure_values_import(*, measure: Measure, text: str, recorded_by) -> list[Recorded]:
    """Save every row of a CSV, or none: any problem in any row saves nothing."""
    if not can_record_measure_value(recorded_by, measure):
        raise PermissionDenied("You cannot record values for this measure.")
    preview = parse_values_csv(measure, text)
    if preview.has_problems:
        raise ValidationError("The file has problems; nothing was saved.")
    with transaction.atomic():
        return [
            _record(measure=measure, period_start=row.period_start, value=row.value, note=row.note, recorded_by=recorded_by)
            for row in preview.rows
        ]


# --- How a measure is doing ---------------------------------------------------------------------


class Standing:
    TARGET_MET = "target_met"
    ON_TRACK = "on_track"
    NOT_ON_TRACK = "not_on_track"
    MISSED = "missed"
    UNKNOWN = "unknown"

    LABELS = {
        TARGET_MET: "Target met",
        ON_TRACK: "On track",
        NOT_ON_TRACK: "Not on track",
        MISSED: "Target missed",
        UNKNOWN: "Not enough to say",
    }
    TAG_CLASSES = {
        TARGET_MET: "govuk-tag--green",
        ON_TRACK: "govuk-tag--green",
        NOT_ON_TRACK: "govuk-tag--red",
        MISSED: "govuk-tag--red",
        UNKNOWN: "govuk-tag--grey",
    }


@dataclass(frozen=True)
class MeasureProgress:
    measure: Measure
    values: list[MeasureValue]
    latest: MeasureValue | None
    previous: MeasureValue | None
    change: Decimal | None
    change_is_better: bool | None
    projection: Decimal | None
    standing: str
    explanation: str

    @property
    def standing_label(self) -> str:
        return Standing.LABELS[self.standing]

    @property
    def standing_tag(self) -> str:
        return Standing.TAG_CLASSES[self.standing]

    def fmt(self, value: Decimal | None) -> str:
        return format_value(self.measure.unit, value)

    @property
    def latest_text(self) -> str:
        return self.fmt(self.latest.value) if self.latest else "No values yet"

    @property
    def latest_period(self) -> str:
        return period_label(self.measure.frequency, self.latest.period_start) if self.latest else ""

    @property
    def baseline_text(self) -> str:
        m = self.measure
        if m.baseline_value is None:
            return "Not recorded"
        return self.fmt(m.baseline_value) + (f" ({m.baseline_date:%-d %B %Y})" if m.baseline_date else "")

    @property
    def baseline_value_text(self) -> str:
        return self.fmt(self.measure.baseline_value)

    @property
    def target_value_text(self) -> str:
        return self.fmt(self.measure.target_value)

    @property
    def england_text(self) -> str:
        return self.fmt(self.measure.england_average)

    @property
    def neighbours_text(self) -> str:
        return self.fmt(self.measure.statistical_neighbours)

    @property
    def target_text(self) -> str:
        m = self.measure
        if m.target_value is None:
            return "No target"
        return self.fmt(m.target_value) + (f" by {m.target_date:%-d %B %Y}" if m.target_date else "")

    @property
    def change_text(self) -> str:
        if self.change is None:
            return "No earlier value"
        if self.change == 0:
            return "No change"
        sign = "+" if self.change > 0 else "−"
        amount = format_value(self.measure.unit, abs(self.change))
        if self.measure.unit == MeasureUnit.PERCENT:
            amount = amount.removesuffix("%") + " percentage points"
        word = "better" if self.change_is_better else "worse"
        return f"{sign}{amount} ({word})"


def _better_or_equal(direction: str, value: Decimal, than: Decimal) -> bool:
    return value >= than if direction == Direction.HIGHER_IS_BETTER else value <= than


def linear_projection(points: list[tuple[dt.date, Decimal]], on: dt.date) -> Decimal | None:
    """The least-squares straight line through ``points``, read at ``on``."""
    if len(points) < 2:
        return None
    xs = [float(day.toordinal()) for day, _ in points]
    ys = [float(value) for _, value in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    projected = mean_y + slope * (on.toordinal() - mean_x)
    return Decimal(str(projected)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def measure_progress(measure: Measure, today: dt.date | None = None) -> MeasureProgress:
    """Latest value, change since the period before, and whether the target will be met."""
    today = today or timezone.localdate()
    values = sorted(measure.values.all(), key=lambda v: v.period_start)
    latest = values[-1] if values else None
    previous = values[-2] if len(values) > 1 else None
    change = latest.value - previous.value if previous else None
    better = None if change is None else (change > 0) == (measure.direction == Direction.HIGHER_IS_BETTER)
    fmt = lambda v: format_value(measure.unit, v)  # noqa: E731
    target, target_date = measure.target_value, measure.target_date

    points = [(v.period_start, v.value) for v in values]
    if len(points) < 2 and measure.baseline_value is not None and measure.baseline_date:
        points = [(measure.baseline_date, measure.baseline_value), *[p for p in points if p[0] > measure.baseline_date]]
    projection = linear_projection(points, target_date) if target_date else None
    how = (
        f"a straight line fitted (least squares) through the {len(points)} recorded values"
        if len(points) == len(values)
        else "a straight line from the baseline through the recorded value"
    )

    if target is None:
        standing, explanation = Standing.UNKNOWN, "The measure has no target value."
    elif latest is not None and target_date and today > target_date:
        met = _better_or_equal(measure.direction, latest.value, target)
        standing = Standing.TARGET_MET if met else Standing.MISSED
        explanation = f"The target date ({target_date:%-d %B %Y}) has passed; the latest value is {fmt(latest.value)} against a target of {fmt(target)}."
    elif latest is not None and _better_or_equal(measure.direction, latest.value, target):
        standing, explanation = Standing.TARGET_MET, f"The latest value, {fmt(latest.value)}, already meets the target of {fmt(target)}."
    elif target_date is None:
        standing, explanation = Standing.UNKNOWN, "The measure has no target date to project to."
    elif projection is None:
        standing, explanation = Standing.UNKNOWN, "At least two values (or a baseline and one value) are needed to project."
    else:
        on_track = _better_or_equal(measure.direction, projection, target)
        standing = Standing.ON_TRACK if on_track else Standing.NOT_ON_TRACK
        explanation = (
            f"Projected {fmt(projection)} by {target_date:%-d %B %Y} against a target of {fmt(target)}, "
            f"from {how} and extended to the target date."
        )
    return MeasureProgress(
        measure=measure,
        values=values,
        latest=latest,
        previous=previous,
        change=change,
        change_is_better=better,
        projection=projection if standing in (Standing.ON_TRACK, Standing.NOT_ON_TRACK) else None,
        standing=standing,
        explanation=explanation,
    )
