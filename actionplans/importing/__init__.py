"""Bringing plans in: read a CSV, XLSX or DOCX plan, preview it with every problem by row,
let the person correct the column mapping, then save it all or nothing.

    grid = read_file(upload, filename="plan.xlsx", sheet=None)
    preview = build_preview(grid, mapping=None, reference_date=plan.plan_date)
    plan = plan_import_commit(preview=preview, plan=plan, inspection=inspection, user=request.user)
"""

from actionplans.importing.columns import FIELDS, suggest_mapping
from actionplans.importing.interpret import (
    ActionPreview,
    FindingPreview,
    Preview,
    Problem,
    SectionPreview,
    build_preview,
)
from actionplans.importing.readers import Grid, GridRow, ImportRejected, read_file

__all__ = [
    "FIELDS",
    "ActionPreview",
    "FindingPreview",
    "Grid",
    "GridRow",
    "ImportRejected",
    "Preview",
    "Problem",
    "SectionPreview",
    "build_preview",
    "plan_import_commit",
    "read_file",
    "reference_date_for",
    "suggest_mapping",
]


def plan_import_commit(**kwargs):
    """See :func:`actionplans.importing.commit.plan_import_commit` (imported lazily so that
    reading and previewing need no database)."""
    from actionplans.importing.commit import plan_import_commit as commit

    return commit(**kwargs)


def reference_date_for(*, plan=None, inspection=None):
    """The date relative deadlines ("Immediately", "6 months") count from: the plan's date,
    else the inspection's publication date, else today."""
    from actionplans.importing.commit import reference_date_for as reference

    return reference(plan=plan, inspection=inspection)
