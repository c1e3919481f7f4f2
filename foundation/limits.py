"""How much text people may write in each free-text field: one place for the figures the
models validate, the forms show in their hints and character counts, and the importer
checks each cell against.

The figures are generous for real writing (the longest cell in the sample plans and the
demo partnership is about 800 characters) and small enough that no one field can turn a
page or a committee paper into hundreds of pages (a 10,000-character narrative is about
four pages of a paper)."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator

# A narrative: progress since the last update, a plan's introduction, an inspection's summary.
NARRATIVE_MAX = 10_000
# What inspectors raised, as a section quotes it: often several findings joined together.
ISSUES_RAISED_MAX = 20_000
# An action, its outcome and its success measure; a finding as the letter words it.
ACTION_TEXT_MAX = 5_000
# Reasons, decision notes, sign-off notes, an evidence description.
NOTE_MAX = 2_000
# Each section of a committee paper the clerk may write (summary, background, ...).
PAPER_TEXT_MAX = 5_000
# The email addresses a scheduled paper goes to, one a line: some 150 addresses.
RECIPIENTS_MAX = 5_000
# The box findings are pasted into from the letter, one a line: each then an ACTION_TEXT_MAX.
FINDINGS_PASTE_MAX = 100_000


def limit_hint(limit: int) -> str:
    """The words a form's hint uses for a limit, e.g. "Up to 10,000 characters."."""
    return f"Up to {limit:,} characters."


def max_length_validator(limit: int) -> MaxLengthValidator:
    """A model TextField's max_length only sizes the form's box; this enforces it in
    full_clean, so every service, the importer and the admin meet the same limit."""
    return MaxLengthValidator(limit, message=too_long_message(limit))


def too_long_message(limit: int) -> str:
    return f"Write at most {limit:,} characters (this has %(show_value)s)."


def text_limit(limit: int, error_messages: dict | None = None) -> dict:
    """Keyword arguments for a form CharField that takes at most ``limit`` characters; the
    page shows the limit in the hint and GOV.UK's character count (templates/includes/field.html)."""
    return {"max_length": limit, "error_messages": {**(error_messages or {}), "max_length": too_long_message(limit)}}
