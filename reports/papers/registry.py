"""What the report jobs can produce: the one table of (kind, format) -> renderer.

Each renderer turns a ReportJob into the bytes of one file. ``RENDERERS`` is the only
list of them, the papers and the actions export alike: the request and schedule forms
offer only what it holds, and a (kind, format) with no entry is refused when the job is
requested (reports.services.report_job_create), so a clerk never waits for a paper that
cannot be made. ``PAPERS`` (the pairs whose renderer is a :class:`Paper`) is what
``manage.py render_report`` can make.

A renderer reads the plan "as at" the job's date (today when blank), applies the
requester's scope (actionplans.access) and the RAG rule (actionplans.rag), and keeps its
query count flat whatever the number of actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from django.utils import timezone

from actionplans import rules
from actionplans.access import visible_to
from actionplans.rag import annotate_rag
from reports.choices import ReportFormat, ReportKind
from reports.papers.content import PaperError, Rendered

if TYPE_CHECKING:
    from actionplans.models import Plan
    from reports.models import ReportJob


Renderer = Callable[["ReportJob"], Rendered]


def job_date(job: ReportJob) -> dt.date:
    """The day the paper describes: the job's "as at" date, else today."""
    return job.as_at or timezone.localdate()


def plan_actions(job: ReportJob):
    """The plan's actions in plan order, within the requester's scope, with their RAG
    (and, for a past "as at" date, their status then: actionplans.rules.reads_history)
    annotated in the database, and
    everything a row prints loaded in a fixed number of queries."""
    from actionplans.models import Action

    actions = Action.objects.filter(plan_id=job.plan_id)
    if job.requested_by_id is not None:
        # A paper shows no more than its requester may see; scheduled jobs (no requester)
        # are partnership papers and show the whole plan.
        actions = visible_to(job.requested_by, actions)
    # Live for today, from the history of the day for a past date: the one as-at rule, as the papers.
    actions = annotate_rag(actions, job_date(job), as_at_history=rules.reads_history(job.as_at))
    return (
        actions.select_related("plan", "section", "lead_post__agency")
        .prefetch_related("partner_agencies")
        .order_by("order", "id")
    )


def _job_actions(job: ReportJob):
    """The job's actions, narrowed by the actions table's filters saved with the job, so a
    scheduled or requested export holds exactly the rows the table showed."""
    from actionplans.actions.filtersets import ActionFilterSet

    actions = plan_actions(job)
    if job.parameters.get("filters"):
        filterset = ActionFilterSet(
            job.parameters["filters"], queryset=actions, user=job.requested_by, today=job_date(job)
        )
        if not filterset.is_valid():
            raise ValueError(f"The saved filters are not valid: {filterset.errors.as_text()}")
        actions = filterset.qs
    return actions


def render_actions_csv(job: ReportJob) -> Rendered:
    """The plan's actions in the actions table's export shape, which the import reads back."""
    from actionplans.actions import exports

    content = exports.actions_csv(_job_actions(job), today=job_date(job))
    return Rendered(content=content, file_name=f"{job.plan.slug}-actions-{job_date(job).isoformat()}.csv")


def render_actions_xlsx(job: ReportJob) -> Rendered:
    from actionplans.actions import exports

    content = exports.actions_xlsx(_job_actions(job), today=job_date(job))
    return Rendered(content=content, file_name=f"{job.plan.slug}-actions-{job_date(job).isoformat()}.xlsx")


# --------------------------------------------------------------------------- papers


@dataclass(frozen=True)
class Paper:
    """A paper's renderer, named by module and function: the module is imported only when
    a paper is made, so a process that never makes a PDF never loads WeasyPrint (most of a
    second). Called with a job, as every renderer is; :meth:`render` makes it for a plan."""

    module: str
    function: str

    def render(self, plan: Plan, *, as_at: dt.date, options: dict) -> Rendered:
        return getattr(import_module(self.module), self.function)(plan, as_at=as_at, options=options)

    def __call__(self, job: ReportJob) -> Rendered:
        return self.render(job.plan, as_at=job_date(job), options=_paper_options(job))


_PDF = "reports.papers.pdf"
_DOCX = "reports.papers.docx"

# ------------------------------------------------------------------------- the table

RENDERERS: dict[tuple[str, str], Renderer] = {
    (ReportKind.OFSTED_PLAN, ReportFormat.PDF): Paper(_PDF, "render_ofsted_plan_pdf"),
    (ReportKind.COMMITTEE, ReportFormat.PDF): Paper(_PDF, "render_committee_pdf"),
    (ReportKind.COMMITTEE, ReportFormat.DOCX): Paper(_DOCX, "render_committee_docx"),
    (ReportKind.EXCEPTIONS, ReportFormat.PDF): Paper(_PDF, "render_exceptions_pdf"),
    (ReportKind.EXCEPTIONS, ReportFormat.DOCX): Paper(_DOCX, "render_exceptions_docx"),
    (ReportKind.ACTIONS_EXPORT, ReportFormat.CSV): render_actions_csv,
    (ReportKind.ACTIONS_EXPORT, ReportFormat.XLSX): render_actions_xlsx,
}

# The (kind, format) pairs that are papers: what render_paper and the command can make.
PAPERS = frozenset(key for key, renderer in RENDERERS.items() if isinstance(renderer, Paper))


def renderer_for(kind: str, format: str) -> Renderer | None:
    return RENDERERS.get((str(kind), str(format)))


def render_paper(plan: Plan, *, kind: str, fmt: str, as_at: dt.date | None = None, options: dict | None = None) -> Rendered:
    """Produce one paper for ``plan`` as at the end of ``as_at`` (today if not given), as
    ``manage.py render_report`` does; a report job's paper is made the same way."""
    paper = RENDERERS.get((str(kind), str(fmt)))
    if not isinstance(paper, Paper):
        supported = ", ".join(f"{k} as {f}" for k, f in RENDERERS if (k, f) in PAPERS)
        raise PaperError(f"There is no {fmt!r} version of the {kind!r} paper. Papers available: {supported}.")
    return paper.render(plan, as_at=as_at or timezone.localdate(), options=dict(options or {}))


def _paper_options(job: ReportJob) -> dict:
    """A job's options for its paper: the job's body and meeting are passed to the paper,
    and the job itself is left out when looking for the previous paper to the same body."""
    options = dict(job.parameters or {})
    if job.body_id and "body" not in options:
        options["body"] = job.body
    if job.meeting_id and "meeting" not in options:
        options["meeting"] = job.meeting
    options.setdefault("job_id", job.pk)
    if job.requested_by_id is not None:
        # A paper shows no more than its requester may see; a scheduled paper (no
        # requester) is a partnership paper and shows the whole plan.
        options.setdefault("user", job.requested_by)
    return options


def render_job(job: ReportJob) -> Rendered:
    """A report job's paper, by its kind and format (what its :class:`Paper` does)."""
    return render_paper(job.plan, kind=job.kind, fmt=job.format, as_at=job.as_at, options=_paper_options(job))
