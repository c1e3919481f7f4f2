"""Measures: recording a value (a second value for a period corrects the first, and the
history keeps both), the CSV upload (British dates, problems by row, all or nothing), how a
measure stands against its target, the chart, and who may do what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from actionplans import access, measures
from actionplans.choices import Direction, Frequency, MeasureUnit
from actionplans.models import MeasureValue
from tests.factories import (
    ActionFactory,
    MeasureFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def plan(plan_manager):
    plan = PlanFactory(slug="testshire")
    plan.managers.add(plan_manager)
    return plan


@pytest.fixture
def council_action(plan, council, officer):
    post = PostFactory(agency=council, title="Head of MASH")
    PostHoldingFactory(post=post, person=officer)
    return ActionFactory(plan=plan, lead_post=post, reference="1.1")


@pytest.fixture
def police_action(plan, police):
    return ActionFactory(plan=plan, lead_post=PostFactory(agency=police), reference="2.1")


@pytest.fixture
def measure(plan, council_action, today):
    return MeasureFactory(
        plan=plan, action=council_action, name="MASH decisions within 24 hours", unit=MeasureUnit.PERCENT,
        direction=Direction.HIGHER_IS_BETTER, frequency=Frequency.QUARTERLY,
        baseline_value=Decimal("62"), baseline_date=today - dt.timedelta(days=400),
        target_value=Decimal("90"), target_date=today + dt.timedelta(days=200),
        england_average=Decimal("81"), statistical_neighbours=Decimal("84"),
    )


def _quarter_start(day):
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _quarters_back(today, n):
    """The start of the quarter ``n`` quarters before today's."""
    start = _quarter_start(today)
    for _ in range(n):
        start = _quarter_start(start - dt.timedelta(days=1))
    return start


# --- Recording and correcting ------------------------------------------------------------------


def test_a_value_for_an_existing_period_is_corrected_not_duplicated_and_kept_in_history(measure, officer, today):
    period = _quarters_back(today, 1)
    first = measures.measure_value_record(measure=measure, period_start=period, value=Decimal("68"), recorded_by=officer)
    assert not first.is_correction
    # A date inside the quarter is read as the quarter.
    second = measures.measure_value_record(
        measure=measure, period_start=period + dt.timedelta(days=40), value=Decimal("70.5"), note="Recount",
        recorded_by=officer,
    )
    assert second.is_correction and second.corrected_from == Decimal("68")
    assert MeasureValue.objects.filter(measure=measure).count() == 1
    value = MeasureValue.objects.get(measure=measure)
    assert (value.period_start, value.value, value.note) == (period, Decimal("70.5"), "Recount")
    history = list(value.history.order_by("history_date"))
    assert [(h.history_type, h.value) for h in history] == [("+", Decimal("68")), ("~", Decimal("70.5"))]
    assert history[-1].history_user == officer


@pytest.mark.parametrize(
    ("unit", "raw", "expected"),
    [
        (MeasureUnit.PERCENT, "74%", Decimal("74.00")),
        (MeasureUnit.PERCENT, " 66.667 ", Decimal("66.67")),
        (MeasureUnit.COUNT, "1,204", Decimal("1204.00")),
        (MeasureUnit.SCORE, "-2", Decimal("-2.00")),
    ],
)
def test_values_are_read_as_numbers(unit, raw, expected):
    assert measures.clean_value(unit, raw) == expected


@pytest.mark.parametrize(
    ("unit", "raw", "message"),
    [
        (MeasureUnit.PERCENT, "101", "more than 100"),
        (MeasureUnit.COUNT, "-1", "negative"),
        (MeasureUnit.DAYS, "ten", "not a number"),
        (MeasureUnit.COUNT, "", "Enter a value"),
    ],
)
def test_impossible_values_are_refused(unit, raw, message):
    with pytest.raises(ValidationError, match=message):
        measures.clean_value(unit, raw)


def test_who_may_record_values(measure, officer, plan_manager, director, partner_officer, plan):
    assert access.can_record_measure_value(officer, measure)  # holds the action's lead post
    assert access.can_record_measure_value(plan_manager, measure)
    assert not access.can_record_measure_value(director, measure)  # reads dashboards; does not record
    assert not access.can_record_measure_value(partner_officer, measure)
    with pytest.raises(PermissionDenied):
        measures.measure_value_record(measure=measure, period_start=dt.date(2020, 1, 1), value=Decimal(1), recorded_by=director)
    plan_wide = MeasureFactory(plan=plan, action=None)
    assert access.can_record_measure_value(plan_manager, plan_wide)
    assert not access.can_record_measure_value(officer, plan_wide)


def test_a_period_in_the_future_is_refused(measure, officer, today):
    with pytest.raises(ValidationError):
        measures.measure_value_record(
            measure=measure, period_start=today + dt.timedelta(days=120), value=Decimal(1), recorded_by=officer
        )


# --- CSV -----------------------------------------------------------------------------------------------


def test_csv_preview_reads_british_dates_and_says_what_each_row_will_do(measure, officer, today):
    q1, q2 = _quarters_back(today, 2), _quarters_back(today, 1)
    measures.measure_value_record(measure=measure, period_start=q1, value=Decimal("60"), recorded_by=officer)
    text = f"Period start date,Value,Note\n{q1:%d/%m/%Y},61,corrected\n{q2:%d/%m/%Y},66.5%,\n"
    preview = measures.parse_values_csv(measure, text)
    assert not preview.has_problems
    assert [(r.number, r.period_start, r.value, r.current) for r in preview.rows] == [
        (2, q1, Decimal("61.00"), Decimal("60.00")),
        (3, q2, Decimal("66.50"), None),
    ]
    assert (preview.new_count, preview.correction_count) == (1, 1)


def test_csv_problems_are_listed_by_row_and_nothing_is_saved(measure, officer, today):
    q1 = _quarters_back(today, 1)
    future = today + dt.timedelta(days=200)
    text = "\n".join([
        f"{q1:%d/%m/%Y},70,ok",          # row 1: fine (no header)
        "13/31/2025,70,",                 # row 2: month first, not a date
        f"{q1 + dt.timedelta(days=20):%d/%m/%Y},71,",  # row 3: same quarter as row 1
        f"{future:%d/%m/%Y},72,",         # row 4: in the future
        "01/01/2025,lots,",               # row 5: not a number
        "01/04/2025,101,",                # row 6: over 100%
        "01/07/2025,50,note,extra",       # row 7: a fourth column
        ",50,",                           # row 8: no date
        "01/10/2024,50," + "x" * 301,     # row 9: note too long
    ])
    preview = measures.parse_values_csv(measure, text)
    problems = {row.number: " ".join(row.problems) for row in preview.rows_with_problems}
    assert set(problems) == {2, 3, 4, 5, 6, 7, 8, 9}
    assert "day first" in problems[2]
    assert "Row 1 already gives a value" in problems[3]
    assert "future" in problems[4]
    assert "not a number" in problems[5]
    assert "more than 100" in problems[6]
    assert "three columns" in problems[7]
    assert "missing" in problems[8]
    assert "longer than 300" in problems[9]
    with pytest.raises(ValidationError):
        measures.measure_values_import(measure=measure, text=text, recorded_by=officer)
    assert not MeasureValue.objects.filter(measure=measure).exists()


def test_a_clean_csv_saves_every_row_together(measure, officer, today):
    q1, q2 = _quarters_back(today, 2), _quarters_back(today, 1)
    measures.measure_value_record(measure=measure, period_start=q1, value=Decimal("60"), recorded_by=officer)
    saved = measures.measure_values_import(
        measure=measure, text=f"\ufeff{q1:%d/%m/%Y},61,\n\n{q2:%d/%m/%y},66,Q note\n", recorded_by=officer
    )
    assert [(r.value.period_start, r.is_correction) for r in saved] == [(q1, True), (q2, False)]
    assert dict(MeasureValue.objects.values_list("period_start", "value")) == {q1: Decimal("61"), q2: Decimal("66")}
    assert MeasureValue.history.filter(measure_id=measure.pk, history_type="~").count() == 1


def test_a_windows_1252_file_is_read():
    assert measures.decode_csv("01/04/2025,5,Caf\u00e9".encode("cp1252")).endswith("Caf\u00e9")


# --- Standing against the target ------------------------------------------------------------------------


def _values(measure, pairs):
    for period, value in pairs:
        MeasureValue.objects.create(measure=measure, period_start=period, value=Decimal(value))


def test_on_track_is_a_least_squares_line_read_at_the_target_date(measure, today):
    starts = [_quarters_back(today, n) for n in (3, 2, 1)]
    _values(measure, zip(starts, ["70", "75", "80"], strict=True))
    progress = measures.measure_progress(measure, today)
    assert progress.latest.value == Decimal("80") and progress.change == Decimal("5")
    assert progress.change_text == "+5 percentage points (better)"
    # The fitted line, by hand: slope per day and intercept through the mean.
    xs = [d.toordinal() for d in starts]
    ys = [70, 75, 80]
    mx, my = sum(xs) / 3, sum(ys) / 3
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    expected = my + slope * (measure.target_date.toordinal() - mx)
    assert abs(float(progress.projection) - expected) < 0.06
    assert progress.standing == (measures.Standing.ON_TRACK if expected >= 90 else measures.Standing.NOT_ON_TRACK)
    assert "least squares" in progress.explanation and "3 recorded values" in progress.explanation


def test_a_falling_value_is_better_where_lower_is_better(measure, today):
    measure.direction = Direction.LOWER_IS_BETTER
    measure.target_value = Decimal("50")
    measure.save()
    _values(measure, [(_quarters_back(today, 2), "71"), (_quarters_back(today, 1), "40")])
    progress = measures.measure_progress(measure, today)
    assert progress.standing == measures.Standing.TARGET_MET
    assert progress.change_text.endswith("(better)")


def test_not_on_track_and_not_enough_values(measure, today):
    _values(measure, [(_quarters_back(today, 2), "63"), (_quarters_back(today, 1), "63.5")])
    assert measures.measure_progress(measure, today).standing == measures.Standing.NOT_ON_TRACK
    measure.baseline_value = None
    measure.save()
    MeasureValue.objects.filter(measure=measure).delete()
    _values(measure, [(_quarters_back(today, 1), "63.5")])
    measure.refresh_from_db()
    assert measures.measure_progress(measure, today).standing == measures.Standing.UNKNOWN


def test_a_missed_target_date_says_so(measure, today):
    measure.target_date = today - dt.timedelta(days=10)
    measure.save()
    _values(measure, [(_quarters_back(today, 2), "70"), (_quarters_back(today, 1), "80")])
    assert measures.measure_progress(measure, today).standing == measures.Standing.MISSED


# --- Pages --------------------------------------------------------------------------------------------------


def test_measure_page_draws_the_chart_with_baseline_target_and_benchmarks(client, measure, director, today):
    _values(measure, [(_quarters_back(today, 2), "70"), (_quarters_back(today, 1), "80")])
    client.force_login(director)
    response = client.get(reverse("actionplans:measure_detail", args=[measure.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    svg = html[html.index("<svg"): html.index("</svg>")]
    assert 'role="img"' in svg and '<title id="measure-chart-title">' in svg and '<desc id="measure-chart-desc">' in svg
    for text in ("Baseline 62%", "Target 90%", "England average 81%", "Statistical neighbours 84%", "80%", "Higher is better"):
        assert text in svg, text
    assert "Projected" in svg
    assert "Show the values as a table" in html and "<script" not in svg
    assert "Add or correct a value" not in html  # a director reads, does not record


@pytest.mark.parametrize(
    ("role", "detail", "add"),
    [
        ("officer", 200, 200),
        ("plan_manager", 200, 200),
        ("director", 200, 403),
        ("member", 200, 403),
        ("partner_officer", 404, 404),  # the measure's action is the council's
        ("outsider", 404, 404),
    ],
)
def test_measure_pages_per_role(client, request, measure, police_action, role, detail, add):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("actionplans:measure_detail", args=[measure.pk])).status_code == detail
    assert client.get(reverse("actionplans:measure_value_add", args=[measure.pk])).status_code == add
    assert client.get(reverse("actionplans:measure_values_upload", args=[measure.pk])).status_code == add


def test_adding_and_correcting_a_value_through_the_form(client, measure, officer, today):
    client.force_login(officer)
    url = reverse("actionplans:measure_value_add", args=[measure.pk])
    period = _quarters_back(today, 1)
    response = client.post(url, {"period_start": period.strftime("%d/%m/%Y"), "value": "68", "note": ""}, follow=True)
    assert "has been recorded" in response.content.decode()
    response = client.post(url, {"period_start": period.strftime("%d/%m/%Y"), "value": "69%", "note": "Recount"}, follow=True)
    assert "was corrected from 68% to 69%" in response.content.decode()
    assert MeasureValue.objects.get(measure=measure).value == Decimal("69")
    response = client.post(url, {"period_start": "31/02/2025", "value": "x"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()


def test_uploading_a_csv_previews_then_saves_all(client, measure, officer, today):
    client.force_login(officer)
    url = reverse("actionplans:measure_values_upload", args=[measure.pk])
    q1, q2 = _quarters_back(today, 2), _quarters_back(today, 1)
    good = SimpleUploadedFile("values.csv", f"Period start date,Value,Note\n{q1:%d/%m/%Y},70,\n{q2:%d/%m/%Y},74,\n".encode())
    response = client.post(url, {"file": good})
    html = response.content.decode()
    assert "Check the values before saving" in html and "Save 2 values" in html
    assert not MeasureValue.objects.exists()
    signed = response.context["csv_text"]
    response = client.post(url, {"csv_text": signed}, follow=True)
    assert "2 values saved (2 new, 0 corrected)" in response.content.decode()
    assert MeasureValue.objects.filter(measure=measure).count() == 2

    bad = SimpleUploadedFile("values.csv", f"{q1:%d/%m/%Y},71,\n2025-13-01,5,\n".encode())
    html = client.post(url, {"file": bad}).content.decode()
    assert "Nothing has been saved" in html and "Row 2:" in html and "Save" not in html.split("<form")[0][-200:]
    assert MeasureValue.objects.get(measure=measure, period_start=q1).value == Decimal("70")
    # A tampered preview is refused.
    response = client.post(url, {"csv_text": signed + "x"})
    assert response.status_code == 200 and MeasureValue.objects.filter(measure=measure).count() == 2
