"""The one date parser, on the forms councils use for a deadline and for progress notes."""

import datetime as dt

import pytest

from foundation.dates import parse_due, parse_progress

D = dt.date
REF = D(2011, 11, 25)  # the reference date: the plan's date, else the inspection's

# (cell, due date, start date, [(revised date, reason)], a problem is reported)
CASES = [
    # month and year: the end of the month
    ("08/2017", D(2017, 8, 31), None, [], False),
    ("8/2017", D(2017, 8, 31), None, [], False),
    ("09/16", D(2016, 9, 30), None, [], False),
    ("Dec 12", D(2012, 12, 31), None, [], False),
    ("Mar-17", D(2017, 3, 31), None, [], False),
    ("March 2017", D(2017, 3, 31), None, [], False),
    ("Sept 2016", D(2016, 9, 30), None, [], False),
    ("end of March 2018", D(2018, 3, 31), None, [], False),
    ("By end of March 2018", D(2018, 3, 31), None, [], False),
    ("by the end of June 2017", D(2017, 6, 30), None, [], False),
    ("start of April 2017", D(2017, 4, 1), None, [], False),
    ("mid-June 2017", D(2017, 6, 15), None, [], False),
    ("early March 2017", D(2017, 3, 10), None, [], False),
    ("March", D(2012, 3, 31), None, [], False),
    # full dates, day before month
    ("31/03/2017", D(2017, 3, 31), None, [], False),
    ("03/02/2017", D(2017, 2, 3), None, [], False),
    ("3.2.17", D(2017, 2, 3), None, [], False),
    ("31-03-17", D(2017, 3, 31), None, [], False),
    ("2017-03-31", D(2017, 3, 31), None, [], False),
    ("31st March 2017", D(2017, 3, 31), None, [], False),
    ("31 Mar 17", D(2017, 3, 31), None, [], False),
    ("1st of April 2017", D(2017, 4, 1), None, [], False),
    ("December 12, 2012", D(2012, 12, 12), None, [], False),
    ("By 30 September 2016", D(2016, 9, 30), None, [], False),
    ("w/c 12/06/17", D(2017, 6, 12), None, [], False),
    # day and month with no year: the year nearest the reference date
    ("18-Feb", D(2012, 2, 18), None, [], False),
    ("18 February", D(2012, 2, 18), None, [], False),
    ("18-May", D(2012, 5, 18), None, [], False),
    ("1-Oct", D(2011, 10, 1), None, [], False),
    # relative to the reference date
    ("Immediately", REF, None, [], False),
    ("Immediate", REF, None, [], False),
    ("With immediate effect", REF, None, [], False),
    ("ASAP", REF, None, [], False),
    ("6 months", D(2012, 5, 25), None, [], False),
    ("Within 3 months", D(2012, 2, 25), None, [], False),
    ("six months", D(2012, 5, 25), None, [], False),
    ("12 weeks", REF + dt.timedelta(weeks=12), None, [], False),
    ("1 year", D(2012, 11, 25), None, [], False),
    ("end of financial year", D(2012, 3, 31), None, [], False),
    # quarters, seasons, terms, years
    ("Q3 2017", D(2017, 9, 30), None, [], False),
    ("Q1 2018", D(2018, 3, 31), None, [], False),
    ("Q3 2017/18", D(2017, 12, 31), None, [], False),
    ("Q4 2016/17", D(2017, 3, 31), None, [], False),
    ("Quarter 2 2017", D(2017, 6, 30), None, [], False),
    ("2017/18", D(2018, 3, 31), None, [], False),
    ("2017", D(2017, 12, 31), None, [], False),
    ("By end of 2017", D(2017, 12, 31), None, [], False),
    ("Summer 2017", D(2017, 8, 31), None, [], False),
    ("Spring 2018", D(2018, 5, 31), None, [], False),
    ("Autumn term 2016", D(2016, 12, 31), None, [], False),
    ("Summer term 2017", D(2017, 7, 31), None, [], False),
    # starts and ranges
    ("From 09/2016", None, D(2016, 9, 1), [], True),
    ("From September 2016", None, D(2016, 9, 1), [], True),
    ("September 2016 - March 2017", D(2017, 3, 31), D(2016, 9, 1), [], False),
    ("Sept 16 to Mar 17", D(2017, 3, 31), D(2016, 9, 1), [], False),
    # no date: the text is kept and the person told
    ("Ongoing", None, None, [], True),
    ("On-going", None, None, [], True),
    ("Monthly", None, None, [], True),
    ("6 monthly", None, None, [], True),
    ("TBC", None, None, [], True),
    ("N/A", None, None, [], True),
    ("Completed", None, None, [], True),
    ("when the budget allows", None, None, [], True),
    # revisions: "Revised to..." becomes a revision with its reason
    ("18-Feb (Revised to Nov 12 due to need for additional resource)", D(2012, 2, 18),
     None, [(D(2012, 11, 30), "need for additional resource")], False),
    ("18-Feb Dec 12 (revised to ensure fully implemented)", D(2012, 2, 18),
     None, [(D(2012, 12, 31), "revised to ensure fully implemented")], False),
    ("31 March 2017 revised to 30 June 2017 because of staff changes", D(2017, 3, 31),
     None, [(D(2017, 6, 30), "staff changes")], False),
    ("March 2017 (extended to September 2017 following the restructure)", D(2017, 3, 31),
     None, [(D(2017, 9, 30), "the restructure")], False),
    ("31/03/2017 (new date: 30/06/2017)", D(2017, 3, 31), None, [(D(2017, 6, 30), "Revised date written in the plan.")], False),
    # revisions with no date keep their text
    ("18-Feb (Revised to pilot activity for 6 months from Oct 12)", D(2012, 2, 18), None, [], True),
    ("18-Feb (extended timescale to ensure fully met - ongoing monitoring)", D(2012, 2, 18), None, [], True),
    # a note in brackets that is not a revision is just kept
    ("June 2017 (quarterly review)", D(2017, 6, 30), None, [], False),
]  # fmt: skip


@pytest.mark.parametrize("text,due,start,revisions,problem", CASES, ids=[c[0] for c in CASES])
def test_parse_due(text, due, start, revisions, problem):
    parsed = parse_due(text, reference_date=REF)
    assert parsed.due_date == due
    assert parsed.start_date == start
    assert parsed.revisions == revisions
    assert bool(parsed.problem) is problem
    assert parsed.original_text == text  # the text as written is always kept


@pytest.mark.parametrize(
    "value,due",
    [
        (dt.datetime(2017, 3, 31, 0, 0), D(2017, 3, 31)),  # a real Excel date, as openpyxl gives it
        (D(2017, 3, 31), D(2017, 3, 31)),
        (42825, D(2017, 3, 31)),  # an Excel serial number
        (42825.0, D(2017, 3, 31)),
        ("42825", D(2017, 3, 31)),  # ... as a CSV export writes it
        (2018, D(2018, 12, 31)),
    ],
)
def test_parse_due_values(value, due):
    parsed = parse_due(value, reference_date=REF)
    assert parsed.due_date == due and not parsed.problem and parsed.original_text


def test_revision_text_is_kept_when_it_has_no_date():
    parsed = parse_due("18-Feb (Revised to pilot activity for 6 months from Oct 12)", reference_date=REF)
    assert parsed.revision_notes == ["Revised to pilot activity for 6 months from Oct 12"]
    assert "no new date" in parsed.problem


def test_current_due_date_is_the_last_revision():
    parsed = parse_due("18-Feb (Revised to Nov 12 due to need for additional resource)", reference_date=REF)
    assert parsed.current_due_date == D(2012, 11, 30)


def test_empty_cell_is_no_date_and_no_problem():
    for value in (None, "", "   "):
        parsed = parse_due(value, reference_date=REF)
        assert parsed.due_date is None and not parsed.problem


# --- progress notes --------------------------------------------------------------------------

PROGRESS_REF = D(2016, 7, 1)


def _notes(text):
    parsed = parse_progress(text, reference_date=PROGRESS_REF)
    return [(n.date, n.text) for n in parsed.notes], parsed.complete


def test_dated_notes_become_separate_updates():
    notes, complete = _notes("12.1.17 Audit of 40 cases completed… 3.2.17 Findings taken to the board… COMPLETE")
    assert notes == [(D(2017, 1, 12), "Audit of 40 cases completed…"), (D(2017, 2, 3), "Findings taken to the board…")]
    assert complete


@pytest.mark.parametrize(
    "text,expected",
    [
        ("12/01/2017: training booked.\n03/02/2017 - delivered to 40 staff.",
         [(D(2017, 1, 12), "training booked."), (D(2017, 2, 3), "delivered to 40 staff.")]),
        ("Update 12 Jan 2017: plan agreed. 3 February 2017 – launched.",
         [(D(2017, 1, 12), "plan agreed."), (D(2017, 2, 3), "launched.")]),
        ("January 2017: audit started. March 2017: audit reported.",
         [(D(2017, 1, 31), "audit started."), (D(2017, 3, 31), "audit reported.")]),
        ("Background first. 12.1.17 Audit done.",
         [(PROGRESS_REF, "Background first."), (D(2017, 1, 12), "Audit done.")]),
    ],
)  # fmt: skip
def test_dated_note_forms(text, expected):
    assert _notes(text)[0] == expected


def test_dates_inside_sentences_do_not_split_a_note():
    text = "Q4 monitoring includes observations undertaken in January and February 2012. Since 1 November 2011 the following CAFs were registered."
    assert _notes(text) == ([(PROGRESS_REF, text)], False)


def test_undated_text_is_one_update_at_the_plan_date():
    notes, complete = _notes("No unallocated cases in system for longer than 24 hours COMPLETE")
    assert notes == [(PROGRESS_REF, "No unallocated cases in system for longer than 24 hours")]
    assert complete


@pytest.mark.parametrize(
    "text,complete",
    [("Done and dusted.\nCOMPLETE", True), ("Audit reported. Completed.", True), ("Training is now complete.", False),
     ("Some reductions achieved", False), ("COMPLETE", True)],
)  # fmt: skip
def test_trailing_complete(text, complete):
    assert parse_progress(text, reference_date=PROGRESS_REF).complete is complete


def test_a_date_without_a_year_comes_before_its_revision():
    parsed = parse_due("18-Feb (Revised to Nov 12 due to need for additional resource)", reference_date=D(2026, 11, 22))
    assert parsed.due_date == D(2012, 2, 18) and parsed.current_due_date == D(2012, 11, 30)
    assert parsed.year_assumed


def test_year_assumed_only_when_no_year_is_written():
    assert parse_due("18-Feb", reference_date=REF).year_assumed
    assert not parse_due("18-Feb-2012", reference_date=REF).year_assumed
    assert not parse_due("Dec 12", reference_date=REF).year_assumed
