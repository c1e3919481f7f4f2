"""Working days in England: weekends and the bank holidays of England and Wales are not
working days; the countdown and the report deadlines count the same way."""

import datetime as dt

import pytest

from partners.workdays import add_working_days, is_working_day, working_days_between

D = dt.date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 12, 24), True),  # Wednesday
        (D(2025, 12, 25), False),  # Christmas Day
        (D(2025, 12, 26), False),  # Boxing Day
        (D(2025, 12, 27), False),  # Saturday
        (D(2025, 4, 18), False),  # Good Friday
        (D(2025, 4, 21), False),  # Easter Monday
        (D(2025, 8, 25), False),  # late summer bank holiday (England, not Scotland)
        (D(2025, 8, 4), True),  # Scotland's summer bank holiday is a working day in England
        (D(2025, 3, 17), True),  # St Patrick's Day is a holiday in Northern Ireland only
        (D(2021, 12, 28), False),  # substitute day for Boxing Day on a Sunday
        (D(2023, 5, 8), False),  # the coronation bank holiday
    ],
)
def test_working_days_in_england(day, expected):
    assert is_working_day(day) is expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 6, 2), D(2025, 6, 2), 0),  # same day
        (D(2025, 6, 2), D(2025, 6, 6), 4),  # Monday to Friday
        (D(2025, 6, 6), D(2025, 6, 9), 1),  # Friday to Monday
        (D(2025, 6, 7), D(2025, 6, 8), 0),  # Saturday to Sunday
        (D(2025, 6, 2), D(2025, 6, 30), 20),
        (D(2025, 12, 19), D(2026, 1, 2), 7),  # over Christmas and new year
        (D(2025, 4, 17), D(2025, 4, 22), 1),  # over Easter: only the Tuesday
        (D(2025, 6, 6), D(2025, 6, 2), -4),  # backwards counts down
        # 262 weekdays after 1 January 2024 up to 1 January 2025, less 7 bank holidays in
        # 2024 after New Year's Day and New Year's Day 2025.
        (D(2024, 1, 1), D(2025, 1, 1), 254),
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


def test_working_days_between_agrees_with_walking_each_day():
    start = D(2022, 11, 3)
    for length in range(0, 800, 37):
        end = start + dt.timedelta(days=length)
        walked = sum(is_working_day(start + dt.timedelta(days=i)) for i in range(1, length + 1))
        assert working_days_between(start, end) == walked


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (D(2025, 6, 2), 0, D(2025, 6, 2)),
        (D(2025, 6, 6), 1, D(2025, 6, 9)),  # Friday + 1 = Monday
        (D(2025, 6, 9), -1, D(2025, 6, 6)),  # Monday - 1 = Friday
        (D(2025, 12, 23), 3, D(2025, 12, 30)),  # skips Christmas, Boxing Day and the weekend
        (D(2025, 4, 22), -1, D(2025, 4, 17)),  # back over Easter
        # Papers due 10 working days before a meeting on Tuesday 6 January 2026.
        (D(2026, 1, 6), -10, D(2025, 12, 18)),
    ],
)
def test_add_working_days(day, n, expected):
    assert add_working_days(day, n) == expected


@pytest.mark.parametrize("n", [-25, -10, -1, 1, 5, 10, 60])
def test_adding_then_counting_gives_back_n(n):
    for day in (D(2025, 12, 22), D(2025, 4, 16), D(2026, 3, 2)):
        assert is_working_day(day)
        result = add_working_days(day, n)
        assert is_working_day(result)
        assert working_days_between(day, result) == n
