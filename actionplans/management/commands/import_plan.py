"""python manage.py import_plan FILE [--sheet NAME] [--plan PLAN] [--inspection INSPECTION]
[--dry-run] [--format text|json]

Prints the same preview and problems the browser shows, then saves the plan (all or
nothing) unless --dry-run. The json form is the stable contract of
``Preview.to_dict()``; with it, what was saved is reported on standard error.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from actionplans.importing import ImportRejected, build_preview, read_file, reference_date_for
from actionplans.importing.commit import plan_import_commit
from actionplans.models import Plan
from inspections.models import Inspection


class Command(BaseCommand):
    help = "Import an action plan from a CSV, XLSX or DOCX file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--sheet", help="Worksheet name (XLSX) or table (DOCX, e.g. 'Table 2').")
        parser.add_argument("--plan", help="Slug or id of the plan to import into (a new plan when omitted).")
        parser.add_argument("--inspection", help="Id or exact title of the inspection the plan answers.")
        parser.add_argument("--dry-run", action="store_true", help="Show the preview and problems; save nothing.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        plan = self._plan(options["plan"])
        inspection = self._inspection(options["inspection"])
        try:
            grid = read_file(options["file"], filename=options["file"], sheet=options["sheet"])
            # With neither, build_preview counts from today and says so for dates with no year.
            reference = reference_date_for(plan=plan, inspection=inspection) if plan or inspection else None
            preview = build_preview(grid, reference_date=reference)
        except ImportRejected as exc:
            raise CommandError(exc.message) from exc

        if options["format"] == "json":
            self.stdout.write(json.dumps(preview.to_dict(), indent=2, ensure_ascii=False))
            report = self.stderr
        else:
            self._print_preview(preview)
            report = self.stdout
        if options["dry_run"]:
            report.write("Dry run: nothing was saved.")
            return
        try:
            saved = plan_import_commit(preview=preview, plan=plan, inspection=inspection)
        except ImportRejected as exc:
            raise CommandError(exc.message) from exc
        summary = saved.import_summary
        report.write(
            f'Saved to plan "{saved.title}" ({saved.slug}): {summary.actions_created} actions created, '
            f"{summary.actions_updated} updated, {summary.sections_created} sections, {summary.findings_created} findings, "
            f"{summary.updates_created} progress updates, {summary.revisions_created} due-date revisions, "
            f"{summary.links_created} links."
        )
        if summary.review:
            report.write("For review:")
            for line in summary.review:
                report.write(f"  - {line}")

    def _plan(self, value):
        if not value:
            return None
        plan = Plan.objects.filter(slug=value).first() or (Plan.objects.filter(pk=value).first() if value.isdigit() else None)
        if plan is None:
            raise CommandError(f'There is no plan "{value}" (give its slug or id).')
        return plan

    def _inspection(self, value):
        if not value:
            return None
        inspection = (Inspection.objects.filter(pk=value).first() if value.isdigit() else None) or Inspection.objects.filter(
            title=value
        ).first()
        if inspection is None:
            raise CommandError(f'There is no inspection "{value}" (give its id or exact title).')
        return inspection

    def _print_preview(self, preview) -> None:
        write = self.stdout.write
        where = f", {preview.sheet}" if preview.sheet else ""
        write(f"{preview.filename} ({preview.source}{where}); headings on row {preview.header_row}.")
        from actionplans.importing.columns import FIELDS

        for index, field_name in sorted(preview.mapping.items()):
            heading = preview.headings[index] or f"column {index + 1}"
            write(f"  {heading[:60]!r} -> {FIELDS[field_name]}")
        counts = preview.summary()
        write(
            f"{counts['sections']} sections with {counts['sub_sections']} sub-sections, {counts['actions']} actions, "
            f"{counts['links']} links, {counts['findings']} findings, {counts['updates']} progress updates."
        )
        by_section: dict = {}
        for action in preview.actions:
            by_section.setdefault(action.section, []).append(action)
        for section in [None, *preview.sections]:
            number = section.number if section else None
            if section:
                write(f"{'  ' if section.parent else ''}{section.number} {section.title}")
            for action in by_section.get(number, []):
                due = action.due.due_date.isoformat() if action.due.due_date else "-"
                revised = "".join(f" -> {d.isoformat()}" for d, _ in action.due.revisions)
                links = f" [see {', '.join(link.to for link in action.links)}]" if action.links else ""
                write(
                    f"    {action.reference:<8} {action.action[:60]!s:<60} | {action.lead_display[:30]:<30} | "
                    f"{due}{revised} | {action.status}{links}"
                )
        if preview.problems:
            write(f"Problems ({len(preview.problems)}):")
            for problem in preview.problems:
                where = f"row {problem.row}" if problem.row else "file"
                column = f", {problem.column}" if problem.column else ""
                write(f"  {where}{column}: {problem.message}")
        else:
            write("No problems found.")
