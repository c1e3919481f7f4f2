"""What long lists show in their cells, worked out once per page rather than once per cell.

A plan page draws 500 actions and the coverage matrix hundreds more; each cell's
``{% url %}``, ``|date`` and ``|truncatechars`` costs little alone and most of the page
together (a URL reversed 1,500 times, the same few dates formatted again and again). The
tags that draw those rows (``actionplans/templatetags/action_rows.py``) and the actions
table's columns use these helpers instead (and actionplans.display adds the RAG tag). Each
gives exactly what the template tag or filter it replaces gives (tests/test_display.py
holds them to it).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from html import escape

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat
from django.utils.safestring import SafeData, SafeString
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length
from django.utils.translation import get_language

DATE_FORMAT = "j M Y"

# A number no primary key reaches, reversed in its place and then replaced.
_STAND_IN = 987654321


@lru_cache(maxsize=256)
def _path_around(viewname: str, args: tuple, prefix: str, urlconf: str | None) -> tuple[str, str] | None:
    marker = str(_STAND_IN)
    path = reverse(viewname, args=[*args, _STAND_IN], urlconf=urlconf)
    head, found, tail = path.rpartition(marker)
    return None if not found or marker in head else (head, tail)


def path_maker(viewname: str, *args) -> Callable[[int], str]:
    """``reverse(viewname, args=[*args, pk])`` for any number of ``pk``, at the cost of no
    reverse at all: the path is reversed once (for this script prefix and URLconf) with a
    stand-in for the last argument, an ``<int:...>``, and each call puts the real one in
    its place."""
    around = _path_around(viewname, tuple(args), get_script_prefix(), get_urlconf())
    if around is None:
        return lambda pk: reverse(viewname, args=[*args, pk])
    head, tail = around
    return lambda pk: f"{head}{pk}{tail}"


@lru_cache(maxsize=8192)
def _date_text(value: dt.date, date_format: str, language: str | None) -> str:
    return dateformat.format(value, date_format)


def date_label(value: dt.date | None, date_format: str = DATE_FORMAT) -> str:
    """``{{ value|date:"j M Y" }}`` of a date, "" for none: see :class:`DateLabels`."""
    return _date_text(value, date_format, get_language()) if value else ""


class DateLabels:
    """One request's formatting of a long list's dates: ``{{ value|date:"j M Y" }}``. A
    500-action page shows some 400 different dates, each costing the date filter a
    translated month name; here each date's text is kept (per language) for the next page."""

    def __init__(self, date_format: str = DATE_FORMAT):
        self.date_format = date_format
        self.language = get_language()

    def date(self, value: dt.date | None) -> str:
        """The date filter's text of a date (not of a datetime, which the filter would first
        move to local time); "" for none."""
        if not value:
            return ""
        return _date_text(value, self.date_format, self.language)


@lru_cache(maxsize=64)
def _kept_chars(length: int, language: str | None) -> int:
    return calculate_truncate_chars_length(length, None)


def truncate_chars(text: str, length: int) -> str:
    """``{{ text|truncatechars:length }}``, without the filter's walk through every
    character (and its two translations of the ellipsis) for each text."""
    text = unicodedata.normalize("NFC", str(text))
    if len(text) <= length or length <= 0:
        return text if length > 0 else ""
    head = text[: length + 1]
    if head.isascii() or not any(map(unicodedata.combining, head)):
        # Every character counts as one, so the filter cuts at the same place in every text.
        return add_truncation_text(text[: _kept_chars(length, get_language())])
    return Truncator(text).chars(length)


def format_cells(format_string: str, *args) -> SafeString:
    """``format_html`` for markup drawn hundreds of times a page: each argument escaped as
    ``format_html`` (and the template) escapes it, safe HTML (``SafeString``) kept as it
    is, without ``format_html``'s overhead on every argument."""
    return SafeString(format_string.format(*[a if isinstance(a, SafeData) else escape(str(a)) for a in args]))
