"""Produce a paper from the command line, with the same code the web and the report jobs use.

    python manage.py render_report --plan testshire-jtai-2016 --kind committee --format docx \\
        --as-at 2017-03-31 --body "Performance Scrutiny Committee" --out paper.docx \\
        --option report_of="Director of Children's Services" --option financial="..."
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actionplans.models import Plan
from reports.choices import ReportFormat, ReportKind
from reports.papers.content import PaperError, resolve_body
from reports.papers.registry import PAPERS, render_paper

KINDS = [ReportKind.OFSTED_PLAN, ReportKind.COMMITTEE, ReportKind.EXCEPTIONS]
FORMATS = [ReportFormat.PDF, ReportFormat.DOCX]


def _plan(value: str) -> Plan:
    plan = None
    if value.isdigit():
        plan = Plan.objects.filter(pk=int(value)).first()
    plan = plan or Plan.objects.filter(slug=value).first()
    if plan is None:
        raise CommandError(f"No plan has the id or slug {value!r}. Give a plan's id or its slug, e.g. --plan my-plan.")
    return plan


def _date(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-at must be a date written YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = "Render an Ofsted-ready plan, committee paper or exceptions report to a PDF or Word file."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="The plan's id or slug.")
        parser.add_argument("--kind", required=True, choices=[k.value for k in KINDS])
        parser.add_argument("--format", required=True, choices=[f.value for f in FORMATS], dest="fmt")
        parser.add_argument("--as-at", help="The plan as it stood at the end of this day (YYYY-MM-DD); default today.")
        parser.add_argument("--body", help="The governance body the paper goes to: its id, name or short name.")
        parser.add_argument(
            "--option", action="append", default=[], metavar="KEY=VALUE",
            help="A text for the paper, e.g. recommendation=..., financial=..., report_of=..., compare_with=YYYY-MM-DD. "
            "May be repeated.",
        )
        parser.add_argument("--out", required=True, help="The file to write.")

    def handle(self, *args, plan, kind, fmt, as_at, body, option, out, **kwargs):
        if (kind, fmt) not in PAPERS:
            available = ", ".join(sorted(f for k, f in PAPERS if k == kind))
            raise CommandError(f"The {kind} paper is not available as {fmt}; choose --format {available}.")
        target = Path(out)
        if not target.parent.exists():
            raise CommandError(f"Cannot write {out}: the folder {target.parent} does not exist.")
        options: dict = {}
        for item in option:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise CommandError(f"--option must look like KEY=VALUE, not {item!r}.")
            options[key.strip()] = value
        try:
            if body:
                options["body"] = resolve_body(body)
            started = time.perf_counter()
            rendered = render_paper(_plan(plan), kind=kind, fmt=fmt, as_at=_date(as_at), options=options)
        except PaperError as exc:
            raise CommandError(str(exc)) from exc
        target.write_bytes(rendered.content)
        pages = f", {rendered.page_count} pages" if rendered.page_count else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {target} ({len(rendered.content):,} bytes{pages}) in {time.perf_counter() - started:.1f}s."
            )
        )
