"""Writes to inspections and their findings. The browser, the admin, the importer and any
command call these same functions: each checks who may do it, validates every row with
``full_clean()``, and writes inside one transaction, so a refused change saves nothing.

Who may record inspections: plan managers and administrators (``can_manage_partnership``).
Which actions answer a finding is written by actionplans.coverage.services.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from inspections.models import Finding, Inspection, Judgement
from inspections.parsing import ParsedFinding, normalise_text
from partners.roles import can_manage_partnership

logger = logging.getLogger(__name__)





def _require_recorder(user) -> None:
    if not can_manage_partnership(user):
        raise PermissionDenied("Only plan managers record inspections and their findings.")


@dataclass(frozen=True)
class InspectionDetails:
    """What a person records about an inspection, as the form normalised it."""

    title: str
    kind: str
    inspectorates: list[str]
    area: str
    onsite_from: dt.date | None = None
    onsite_to: dt.date | None = None
    published_on: dt.date | None = None
    wsoa_due_on: dt.date | None = None
    overall_grade: str = ""
    summary: str = ""
    report_url: str = ""


def _store_report(inspection: Inspection, report_file) -> str:
    """Check the uploaded report like evidence and store it under a server-made name.
    Returns the stored name, for removal should the transaction fail."""
    from foundation.uploads import check_upload, scan_upload

    checked = check_upload(report_file)  # raises UploadRejected naming the file
    scan_upload(checked)
    inspection.report_file.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.data), save=False)
    inspection.report_original_name = checked.display_name
    return inspection.report_file.name


def _save_inspection(
    inspection: Inspection,
    *,
    details: InspectionDetails,
    judgements: Sequence[tuple[str, str]] | None,
    report_file,
    remove_report_file: bool,
) -> Inspection:
    for name, value in vars(details).items():
        setattr(inspection, name, value)
    old_file = inspection.report_file.name if inspection.pk else ""
    written = ""
    if remove_report_file and not report_file:
        inspection.report_file = ""
        inspection.report_original_name = ""
    try:
        with transaction.atomic():
            if report_file:
                written = _store_report(inspection, report_file)
            inspection.full_clean()
            inspection.save()
            if judgements is not None:
                _replace_judgements(inspection, judgements)
    except BaseException:
        if written:
            inspection.report_file.storage.delete(written)
        raise
    if old_file and old_file != inspection.report_file.name:
        storage = inspection.report_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return inspection


def _replace_judgements(inspection: Inspection, judgements: Sequence[tuple[str, str]]) -> None:
    inspection.judgements.all().delete()
    rows = [Judgement(inspection=inspection, area=area, grade=grade) for area, grade in judgements]
    for row in rows:
        row.full_clean(validate_unique=False, validate_constraints=False)
    areas = [area.casefold() for area, _ in judgements]
    if len(set(areas)) != len(areas):
        raise ValidationError({"judgements": "Give each judgement area once."})
    Judgement.objects.bulk_create(rows)


def inspection_create(
    *,
    created_by,
    details: InspectionDetails,
    judgements: Sequence[tuple[str, str]] = (),
    report_file=None,
) -> Inspection:
    _require_recorder(created_by)
    inspection = _save_inspection(
        Inspection(), details=details, judgements=judgements, report_file=report_file, remove_report_file=False
    )
    logger.info("inspection %s recorded by user %s", inspection.pk, created_by.pk)
    return inspection


def inspection_update(
    *,
    inspection: Inspection,
    updated_by,
    details: InspectionDetails,
    judgements: Sequence[tuple[str, str]] | None = None,
    report_file=None,
    remove_report_file: bool = False,
) -> Inspection:
    """Change an inspection. ``judgements`` replaces the graded judgements (None keeps
    them); a new ``report_file`` replaces the stored one, which is deleted once saved."""
    _require_recorder(updated_by)
    _save_inspection(
        inspection,
        details=details,
        judgements=judgements,
        report_file=report_file,
        remove_report_file=remove_report_file,
    )
    logger.info("inspection %s changed by user %s", inspection.pk, updated_by.pk)
    return inspection


def findings_bulk_create(
    *, inspection: Inspection, created_by, findings: Sequence[ParsedFinding]
) -> list[Finding]:
    """Save pasted findings all or nothing, after the inspection's existing findings and in
    the order pasted. A finding already recorded (same words) refuses the whole paste."""
    _require_recorder(created_by)
    if not findings:
        raise ValidationError("There are no findings to save.")
    with transaction.atomic():
        # Lock the inspection so that two pastes at once cannot interleave their order.
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        existing = list(locked.findings.values_list("text", "order"))
        known = {normalise_text(text) for text, _ in existing}
        order = max((o for _, o in existing), default=0)
        rows = []
        problems = []
        for item in findings:
            if normalise_text(item.text) in known:
                problems.append(f"Line {item.line}: this finding is already recorded for this inspection.")
            known.add(normalise_text(item.text))
            order += 1
            row = Finding(
                inspection=locked,
                kind=item.kind,
                text=item.text,
                paragraphs=item.paragraphs,
                theme=item.theme,
                order=order,
            )
            try:
                row.full_clean()
            except ValidationError as exc:
                problems.extend(f"Line {item.line}: {m}" for m in exc.messages)
            rows.append(row)
        if problems:
            raise ValidationError(problems)
        created = Finding.objects.bulk_create(rows)
    logger.info("%s findings added to inspection %s by user %s", len(created), inspection.pk, created_by.pk)
    return created


def finding_update(
    *,
    finding: Finding,
    updated_by,
    kind: str,
    text: str,
    paragraphs: str = "",
    theme: str = "",
    inspectorates: Sequence[str] = (),
) -> Finding:
    _require_recorder(updated_by)
    finding.kind = kind
    finding.text = text.strip()
    finding.paragraphs = paragraphs
    finding.theme = theme.strip()
    finding.inspectorates = list(inspectorates)
    with transaction.atomic():
        finding.full_clean()
        finding.save()
    return finding
