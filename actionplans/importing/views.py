"""Bringing a plan in, in the browser: upload the file, check the column mapping, check the
preview with every problem by row and column, then save it all or nothing.

Between the steps the uploaded file is kept privately in the default storage under
"imports/", with a name made here, and the choices made so far sit in a small entry of the
person's session keyed by a random token in the address: nothing touches the plans' tables
until the last step, and another person's token finds nothing. Only plan managers and
admins import, into a new plan or one they manage; every step checks again.

The preview page rehearses the save (saves inside a transaction and rolls it back), so it
shows exactly what saving will create and update, which lead posts and agencies will be
new, and any error that would stop the save, before the person commits (for plans of up
to REHEARSE_UP_TO actions; larger ones are previewed without it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import secrets
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl.utils import get_column_letter

from actionplans.access import can_manage_partnership, can_manage_plan, managed_plans
from actionplans.choices import PlanStatus
from actionplans.importing import (
    FIELDS,
    Grid,
    ImportRejected,
    Preview,
    build_preview,
    plan_import_commit,
    read_file,
    reference_date_for,
    suggest_mapping,
)
from actionplans.importing.columns import find_header
from actionplans.importing.forms import (
    NEW_PLAN,
    ColumnChoice,
    ColumnMappingForm,
    ImportCommitForm,
    ImportUploadForm,
    PlanLocationForm,
)
from actionplans.models import Plan
from actionplans.plans import selectors as plan_selectors
from actionplans.plans import services as plan_services
from inspections.models import Inspection

logger = logging.getLogger("actionplans.import")

SESSION_KEY = "plan_imports"
STORAGE_DIR = "imports"
KEEP_PER_SESSION = 3  # imports under way in one session (several tabs); older ones are dropped
STALE_AFTER = dt.timedelta(days=1)  # files of imports abandoned with their session
EXAMPLES = 3
# The preview rehearses the save (to say exactly what it will create and update) for plans
# up to this size; saving costs about a second a hundred actions, and a page should not
# take longer than that to show. Larger plans are previewed without the rehearsal.
REHEARSE_UP_TO = 300
SAVE_LOCK_SECONDS = 10 * 60


# --- The import under way ---------------------------------------------------------------


@dataclass
class PendingImport:
    """The choices made so far, kept in the session between the steps."""

    token: str
    stored_name: str  # in the default storage; made here, never the uploaded name
    filename: str  # as uploaded (cleaned): its extension says what the file is
    source: str = ""
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    plan_id: int | None = None
    title: str = ""
    slug: str = ""
    inspection_id: int | None = None
    header_row: int | None = None
    mapping: dict[int, str] | None = None
    started: float = 0.0

    def for_session(self) -> dict:
        data = asdict(self)
        if self.mapping is not None:
            data["mapping"] = {str(index): name for index, name in self.mapping.items()}
        return data

    @classmethod
    def from_session(cls, data: dict) -> PendingImport:
        data = dict(data)
        if data.get("mapping") is not None:
            data["mapping"] = {int(index): name for index, name in data["mapping"].items()}
        return cls(**data)


class _Gone(Exception):
    """The import cannot go on (its file, plan or inspection has gone): start again."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


GONE = "That import has finished or has expired. Upload the file again to import it."


def _entries(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _remember(request, pending: PendingImport) -> None:
    entries = dict(_entries(request))
    entries[pending.token] = pending.for_session()
    for token, entry in sorted(entries.items(), key=lambda item: item[1]["started"])[:-KEEP_PER_SESSION]:
        _delete_file(entry["stored_name"])
        entries.pop(token)
    request.session[SESSION_KEY] = entries


def _forget(request, pending: PendingImport) -> None:
    _delete_file(pending.stored_name)
    entries = dict(_entries(request))
    entries.pop(pending.token, None)
    request.session[SESSION_KEY] = entries


def _delete_file(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("Could not delete the import file %s", name, exc_info=True)


def _sweep_stale_files() -> None:
    """Remove the files of imports abandoned more than a day ago (their sessions ended)."""
    try:
        _, names = default_storage.listdir(STORAGE_DIR)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    cutoff = timezone.now() - STALE_AFTER
    for name in names:
        path = f"{STORAGE_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue


def _keep_upload(form: ImportUploadForm) -> PendingImport:
    token = secrets.token_urlsafe(18)
    stored = default_storage.save(f"{STORAGE_DIR}/{token}", ContentFile(form.file_bytes))
    data = form.cleaned_data
    plan = data["target"]
    grid = form.grid
    return PendingImport(
        token=token, stored_name=stored, filename=form.file_name, source=grid.source, sheet=grid.sheet,
        sheets=list(grid.sheets), plan_id=plan.pk if plan else None,
        title="" if plan else data["title"].strip(), slug="" if plan else data["slug"],
        inspection_id=data["inspection"].pk if data["inspection"] else None, started=time.time(),
    )


# --- Who may import ------------------------------------------------------------------------


def _require_importer(user) -> None:
    if not can_manage_partnership(user):
        raise PermissionDenied("Only plan managers and admins import plans.")


def _import_step(view):
    """Signed in, allowed to import, and with an import under way in this session."""

    @login_required
    @wraps(view)
    def wrapped(request, token: str):
        _require_importer(request.user)
        entry = _entries(request).get(token)
        if entry is None:
            messages.warning(request, GONE)
            return redirect("actionplans:import_start")
        pending = PendingImport.from_session(entry)
        try:
            return view(request, pending)
        except _Gone as exc:
            _forget(request, pending)
            messages.warning(request, exc.message)
            return redirect("actionplans:import_start")

    return wrapped


def _target(request, pending: PendingImport) -> tuple[Plan | None, Inspection | None]:
    plan = inspection = None
    if pending.plan_id is not None:
        plan = Plan.objects.filter(pk=pending.plan_id).first()
        if plan is None:
            raise _Gone("The plan chosen to import into no longer exists. Start again.")
        if not can_manage_plan(request.user, plan):
            raise PermissionDenied("Only the plan's managers import into it.")
    if pending.inspection_id is not None:
        inspection = Inspection.objects.filter(pk=pending.inspection_id).first()
        if inspection is None:
            raise _Gone("The inspection chosen no longer exists. Start again.")
    return plan, inspection


# --- Reading the kept file -----------------------------------------------------------------


def _read(pending: PendingImport, sheet: str | None = None) -> Grid:
    try:
        with default_storage.open(pending.stored_name, "rb") as handle:
            return read_file(handle, filename=pending.filename, sheet=sheet or pending.sheet)
    except FileNotFoundError:
        raise _Gone("The uploaded file is no longer kept. Upload it again.") from None
    except ImportRejected as exc:
        raise _Gone(exc.message) from None


def plan_columns(grid: Grid, *, header_row: int | None = None) -> tuple[int, bool, list[ColumnChoice]]:
    """The heading row (as the person sees its number), whether it was recognised, and each
    column with its heading, a few example cells and the field suggested for it.

    The same reading as build_preview's: the heading row it finds (or the first filled
    row, when none is recognised), and no column that has neither heading nor content."""
    found = True
    if header_row is not None:
        index = next((i for i, row in enumerate(grid.rows) if row.number == header_row), None)
        if index is None:
            raise ImportRejected(f"There is no row {header_row} in the file.")
    else:
        located = find_header(grid)
        found = located is not None
        index = located[0] if located else next(i for i, row in enumerate(grid.rows) if not row.is_blank)
    header = grid.rows[index]
    headings = [header.text(i) for i in range(grid.width)]
    body = grid.rows[index + 1 :]
    cells = [[row.text(i) for row in body[:200]] for i in range(grid.width)]
    suggested = suggest_mapping(headings, columns=cells)
    # Examples from rows with several cells filled: a row with one is a section's title.
    sample = [row for row in body if len(row.filled) > 1] or body
    columns = []
    for i in range(grid.width):
        if not (headings[i] or any(cells[i])):
            continue
        examples = list(dict.fromkeys(text for text in (row.text(i) for row in sample[:50]) if text))
        columns.append(
            ColumnChoice(
                index=i, letter=get_column_letter(i + 1), heading=headings[i],
                examples=[Truncator(text).chars(80) for text in examples[:EXAMPLES]], suggested=suggested[i],
            )
        )
    return header.number, found, columns


def _build(pending: PendingImport, grid: Grid, plan: Plan | None, inspection: Inspection | None) -> Preview:
    # As the command does: with neither a plan nor an inspection the preview counts from
    # today and says so for dates written without a year.
    reference = reference_date_for(plan=plan, inspection=inspection) if plan or inspection else None
    return build_preview(grid, mapping=pending.mapping, header_row=pending.header_row, reference_date=reference)


def _fingerprint(preview: Preview, pending: PendingImport) -> str:
    """What the person checked: the preview and where it goes. Saving something else (the
    columns changed in another window meanwhile) is refused."""
    payload = [preview.to_dict(), pending.plan_id, pending.title, pending.slug, pending.inspection_id]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32]


# --- Saving ----------------------------------------------------------------------------------


def new_plan_title(filename: str, inspection: Inspection | None) -> str:
    """The title a new plan gets when none is given (as plan_import_commit names one)."""
    if inspection is not None:
        return f"Action plan: {inspection.title}"[:300]
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", filename)
    return re.sub(r"[-_]+", " ", stem).strip().capitalize()[:300] or "Imported plan"


def plan_import_save(
    *,
    user,
    preview: Preview,
    plan: Plan | None,
    inspection: Inspection | None,
    title: str = "",
    slug: str = "",
) -> Plan:
    """Save an import preview into ``plan``, or into a new plan made first (managed by
    ``user``, answering ``inspection``). One transaction: when anything fails, neither the
    plan nor any row of the file is left behind. ``plan.import_summary`` says what was done."""
    if not can_manage_partnership(user):
        raise PermissionDenied("Only plan managers and admins import plans.")
    with transaction.atomic():
        if plan is None:
            plan = plan_services.plan_create(
                created_by=user, title=title or new_plan_title(preview.filename, inspection), slug=slug,
                inspections=[inspection] if inspection else [], plan_date=preview.reference_date,
            )
        else:
            if not can_manage_plan(user, plan):
                raise PermissionDenied("Only the plan's managers import into it.")
            if plan.status == PlanStatus.CLOSED:
                raise ValidationError("This plan is closed: it can no longer be changed.")
        return plan_import_commit(preview=preview, plan=plan, inspection=inspection, user=user)


class _Rehearsal(Exception):
    pass


def plan_import_rehearse(**kwargs):
    """What :func:`plan_import_save` would do (its ImportSummary), found by saving inside a
    transaction that is then rolled back. Raises what saving would raise."""
    try:
        with transaction.atomic():
            summary = plan_import_save(**kwargs).import_summary
            raise _Rehearsal
    except _Rehearsal:
        return summary


SAVE_ERRORS = (ImportRejected, ValidationError, IntegrityError)


def _failure(exc: Exception) -> str:
    if isinstance(exc, ImportRejected):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    logger.exception("Import failed to save")
    return "The plan could not be saved because it conflicts with records saved meanwhile. Check the preview again."


# --- Step 1: the upload -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    _require_importer(request.user)
    plans = list(managed_plans(request.user, Plan.objects.exclude(status=PlanStatus.CLOSED).order_by("title")))
    initial = {"target": NEW_PLAN}
    wanted = request.GET.get("plan")
    if wanted:
        plan = plan_selectors.visible_plan(request.user, wanted)
        if not can_manage_plan(request.user, plan):
            raise PermissionDenied("Only the plan's managers import into it.")
        if plan.status == PlanStatus.CLOSED:
            raise PermissionDenied("This plan is closed: it can no longer be changed.")
        initial["target"] = str(plan.pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None, plans=plans, initial=initial)
    if request.method == "POST" and form.is_valid():
        _sweep_stale_files()
        pending = _keep_upload(form)
        _remember(request, pending)
        return redirect("actionplans:import_mapping", token=pending.token)
    return render(request, "actionplans/import_start.html", {"form": form})


# --- Step 2: the columns ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_import_step
def import_mapping(request, pending: PendingImport):
    grid = _read(pending)
    try:
        header_row, found, columns = plan_columns(grid, header_row=pending.header_row)
    except ImportRejected:
        pending.header_row, pending.mapping = None, None
        header_row, found, columns = plan_columns(grid)
    location_form = PlanLocationForm(
        sheets=grid.sheets, source=grid.source, initial={"sheet": grid.sheet, "header_row": header_row}
    )
    form = ColumnMappingForm(columns=columns, chosen=pending.mapping)
    if request.method == "POST" and "locate" in request.POST:
        location_form = PlanLocationForm(request.POST, sheets=grid.sheets, source=grid.source)
        if location_form.is_valid() and _locate(location_form, pending, grid):
            _remember(request, pending)
            return redirect("actionplans:import_mapping", token=pending.token)
    elif request.method == "POST":
        form = ColumnMappingForm(request.POST, columns=columns)
        if form.is_valid():
            pending.mapping, pending.header_row = form.mapping(), header_row
            _remember(request, pending)
            return redirect("actionplans:import_preview", token=pending.token)
    context = {
        "pending": pending, "grid": grid, "header_row": header_row, "found": found,
        "location_form": location_form, "form": form,
    }
    return render(request, "actionplans/import_mapping.html", context)


def _locate(form: PlanLocationForm, pending: PendingImport, grid: Grid) -> bool:
    """Apply a new sheet or heading row; False (with the form's error) when it will not do."""
    sheet = form.cleaned_data.get("sheet") or grid.sheet
    if sheet != grid.sheet:
        try:
            _read(pending, sheet=sheet)
        except _Gone as exc:
            form.add_error("sheet", exc.message)
            return False
        # A different sheet has its own heading row: found again rather than carried over.
        pending.sheet, pending.header_row, pending.mapping = sheet, None, None
        return True
    try:
        plan_columns(grid, header_row=form.cleaned_data["header_row"])
    except ImportRejected as exc:
        form.add_error("header_row", exc.message)
        return False
    pending.header_row, pending.mapping = form.cleaned_data["header_row"], None
    return True


# --- Step 3: the preview, and saving ----------------------------------------------------------


def _prepare(request, pending: PendingImport):
    """The kept file read with the chosen columns, and where it goes."""
    grid = _read(pending)
    plan, inspection = _target(request, pending)
    return _build(pending, grid, plan, inspection), plan, inspection


def _back_to_columns(request, pending: PendingImport, message: str):
    messages.error(request, message)
    return redirect("actionplans:import_mapping", token=pending.token)


@require_http_methods(["GET"])
@_import_step
def import_preview(request, pending: PendingImport):
    if pending.mapping is None:
        return redirect("actionplans:import_mapping", token=pending.token)
    try:
        preview, plan, inspection = _prepare(request, pending)
    except ImportRejected as exc:
        return _back_to_columns(request, pending, exc.message)
    return _preview_page(request, pending, preview, plan, inspection)


@require_POST
@_import_step
def import_commit(request, pending: PendingImport):
    if pending.mapping is None:
        return redirect("actionplans:import_mapping", token=pending.token)
    try:
        preview, plan, inspection = _prepare(request, pending)
    except ImportRejected as exc:
        return _back_to_columns(request, pending, exc.message)
    form = ImportCommitForm(request.POST, problems=len(preview.problems))
    if not form.is_valid():
        return _preview_page(request, pending, preview, plan, inspection, form=form)
    if form.cleaned_data["fingerprint"] != _fingerprint(preview, pending):
        changed = "The plan to import changed since you checked it (its columns were changed in another window). Check it again, then save."
        return _preview_page(request, pending, preview, plan, inspection, notices=[changed])
    # A second press of the button (or a second window) must not save the plan twice: the
    # session entry is only dropped after the first save, so hold a lock meanwhile.
    lock = f"plan-import-saving:{pending.token}"
    if not cache.add(lock, True, timeout=SAVE_LOCK_SECONDS):
        messages.warning(request, "This import is already being saved. Find the plan in the list of plans.")
        return redirect("actionplans:plan_list")
    try:
        saved = plan_import_save(
            user=request.user, preview=preview, plan=plan, inspection=inspection,
            title=pending.title, slug=pending.slug,
        )
    except SAVE_ERRORS as exc:
        return _preview_page(request, pending, preview, plan, inspection, errors=[_failure(exc)], rehearse=False)
    finally:
        cache.delete(lock)
    _forget(request, pending)
    messages.success(request, _saved_message(saved.import_summary))
    return redirect("actionplans:plan_detail", slug=saved.slug)


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _saved_message(summary) -> str:
    message = (
        f"The plan has been imported: {_count(summary.actions_created, 'action', 'actions')} created and "
        f"{summary.actions_updated} updated."
    )
    new = [
        _count(len(summary.posts_created), "new lead post", "new lead posts") if summary.posts_created else "",
        _count(len(summary.agencies_created), "new agency", "new agencies") if summary.agencies_created else "",
    ]
    new = [text for text in new if text]
    if new:
        message += f" Check its {' and '.join(new)}."
    return message


@dataclass
class ActionRow:
    action: object  # an ActionPreview
    problems: list = field(default_factory=list)


def _preview_page(request, pending, preview, plan, inspection, *, form=None, errors=(), notices=(), rehearse=True):
    """The preview; ``errors`` stop the save (as do the rehearsal's), ``notices`` do not."""
    errors = list(errors)
    summary = None
    title = pending.title or new_plan_title(preview.filename, inspection)
    rehearse = rehearse and len(preview.actions) <= REHEARSE_UP_TO
    if rehearse:
        try:
            summary = plan_import_rehearse(
                user=request.user, preview=preview, plan=plan, inspection=inspection,
                title=pending.title, slug=pending.slug,
            )
        except SAVE_ERRORS as exc:
            errors.append(_failure(exc))
    fingerprint = _fingerprint(preview, pending)
    if form is None or form.is_bound and "fingerprint" in form.errors:
        form = ImportCommitForm(initial={"fingerprint": fingerprint}, problems=len(preview.problems))
    elif form.is_bound:
        form.data = form.data.copy()
        form.data["fingerprint"] = fingerprint

    rows = {action.row: ActionRow(action) for action in preview.actions}
    problems = []
    for problem in preview.problems:
        row = rows.get(problem.row)
        if row is not None:
            row.problems.append(problem)
        problems.append({"problem": problem, "anchor": f"row-{problem.row}" if row is not None else ""})
    per_section: dict = {}
    for action in preview.actions:
        per_section[action.section] = per_section.get(action.section, 0) + 1
    tree = [
        {
            "section": section, "actions": per_section.get(section.number, 0),
            "children": [
                {"section": child, "actions": per_section.get(child.number, 0)}
                for child in preview.sections if child.parent == section.number
            ],
        }
        for section in preview.sections if not section.parent
    ]
    leads = Counter(action.lead_display or action.lead.text for action in preview.actions)
    counts = preview.summary()
    context = {
        "pending": pending, "preview": preview, "plan": plan, "inspection": inspection, "new_title": title,
        "counts": counts, "section_count": counts["sections"] + counts["sub_sections"],
        "tree": tree, "unsectioned": per_section.get(None, 0), "rows": list(rows.values()), "problems": problems,
        "summary": summary, "rehearsed": rehearse, "errors": errors, "notices": notices, "form": form,
        "can_save": not errors, "leads": sorted(leads.items(), key=lambda item: (item[0] == "", item[0].lower())),
        "mapped": [
            (preview.headings[index] or f"Column {get_column_letter(index + 1)}", FIELDS[name])
            for index, name in sorted(preview.mapping.items())
        ],
    }
    return render(request, "actionplans/import_preview.html", context)
