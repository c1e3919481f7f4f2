"""Report renderers: the registry of what the report jobs can produce.

Each renderer turns a ReportJob into the bytes of one file. ``RENDERERS`` maps
(ReportKind, ReportFormat) to the renderer; a (kind, format) with no entry is refused when
the job is requested (reports.services.report_job_create), so a clerk never waits for a
paper that cannot be made. Add a renderer with the :func:`register` decorator.

A renderer reads the plan "as at" the job's date (today when blank), applies the
requester's scope (actionplans.access) and the RAG rule (actionplans.rag), and keeps its
query count flat whatever the number of actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import timezone

from actionplans import rules
from actionplans.access import visible_to
from actionplans.rag import annotate_rag
from reports.choices import ReportFormat, ReportKind
from reports.rendering import Rendered

if TYPE_CHECKING:
    from reports.models import ReportJob


Renderer = Callable[["ReportJob"], Rendered]

RENDERERS: dict[tuple[str, str], Renderer] = {}


def register(kind: str, format: str) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as the renderer of (kind, format)."""
    key = (str(kind), str(format))

    def decorator(renderer: Renderer) -> Renderer:
        if key in RENDERERS and RENDERERS[key] is not renderer:
            raise ValueError(f"A renderer for {key} is already registered: {RENDERERS[key]!r}")
        RENDERERS[key] = renderer
        return renderer

    return decorator


def renderer_for(kind: str, format: str) -> Renderer | None:
    return RENDERERS.get((str(kind), str(format)))


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
    from actionplans.filtersets import ActionFilterSet

    actions = plan_actions(job)
    if job.parameters.get("filters"):
        filterset = ActionFilterSet(
            job.parameters["filters"], queryset=actions, user=job.requested_by, today=job_date(job)
        )
        if not filterset.is_valid():
            raise ValueError(f"The saved filters are not valid: {filterset.errors.as_text()}")
        actions = filterset.qs
    return actions


@register(ReportKind.ACTIONS_EXPORT, ReportFormat.CSV)
def render_actions_csv(job: ReportJob) -> Rendered:
    """The plan's actions in the actions table's export shape, which the import reads back."""
    from actionplans import exports

    content = exports.actions_csv(_job_actions(job), today=job_date(job))
    return Rendered(content=content, file_name=f"{job.plan.slug}-actions-{job_date(job).isoformat()}.csv")


@register(ReportKind.ACTIONS_EXPORT, ReportFormat.XLSX)
def render_actions_xlsx(job: ReportJob) -> Rendered:
    from actionplans import exports

    content = exports.actions_xlsx(_job_actions(job), today=job_date(job))
    return Rendered(content=content, file_name=f"{job.plan.slug}-actions-{job_date(job).isoformat()}.xlsx")


def _register_papers() -> None:
    """The papers (Ofsted-ready plan, committee report, exceptions) from reports.rendering."""
    from reports.rendering import SUPPORTED, render_job

    for kind, format in SUPPORTED:
        register(kind, format)(render_job)


_register_papers()
