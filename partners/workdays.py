"""Working days in England: Monday to Friday, less the bank holidays of England and Wales.

The one place that counts them, for the Written Statement of Action countdown ("23 working
days to go") and for report deadlines ("papers are due 10 working days before the
meeting"). Bank holidays come from the ``holidays`` package (``holidays.UK(subdiv="ENG")``),
which knows the moved and one-off days (substitute days, coronation, jubilees, funerals).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

_ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.UK(subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def _weekdays_after(start: dt.date, end: dt.date) -> int:
    """Monday-to-Friday days in (start, end], for start <= end, without walking each day."""
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    day = start + dt.timedelta(days=weeks * 7)
    for _ in range(rest):
        day += _ONE_DAY
        if day.weekday() < 5:
            count += 1
    return count


def working_days_between(start: dt.date, end: dt.date) -> int:
    """The working days after ``start`` up to and including ``end``: how many working days
    are left from ``start`` (today) until ``end`` (a due date). Negative when ``end`` is
    before ``start`` (how many working days ago), zero when they are the same day.

    From Friday to the next Monday is 1; from a Monday to the Friday of the same week is 4.
    """
    if end < start:
        return -working_days_between(end, start)
    count = _weekdays_after(start, end)
    for year in range(start.year, end.year + 1):
        count -= sum(1 for day in _bank_holidays(year) if start < day <= end and day.weekday() < 5)
    return count


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``day`` (before it when ``n`` is negative).

    ``add_working_days(meeting, -10)`` is the day papers are due for a meeting with a ten
    working-day deadline. With ``n`` of zero the day itself is returned, working or not.
    The result is always a working day otherwise, and
    ``working_days_between(day, add_working_days(day, n)) == n`` for a working ``day``.
    """
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day
