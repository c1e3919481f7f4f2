"""Rows of long lists of actions, drawn in Python: the plan page's tables, My actions and
the actions answering each finding on the coverage matrix.

A plan of 500 actions is 500 rows of seven cells. Drawn by the template language, each
row's dozen variables, links and filters cost the page most of its time (some 70 µs a
row, against 20 µs here); so the rows are drawn by these tags, with the markup the
templates had and every value escaped as the template would escape it. The table around
the rows stays in the template.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from actionplans.display import Labels
from foundation.display import format_cells, path_maker, truncate_chars

register = template.Library()

_ROW = (
    '\n    <tr class="govuk-table__row" id="action-{}">'
    '\n      <td class="govuk-table__cell app-nowrap">{}</td>'
    '\n      <td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a></td>'
    '\n      <td class="govuk-table__cell">{}</td>'
    '\n      <td class="govuk-table__cell app-nowrap">{}{}</td>'
    '\n      <td class="govuk-table__cell">{}</td>'
    '\n      <td class="govuk-table__cell app-nowrap">{}</td>'
    "\n      {}"
    "\n    </tr>\n    "
)
_REVISED = mark_safe('<br><span class="govuk-body-s">(revised)</span>')  # noqa: S308 - constant markup
_LEAD_POST = '<a class="govuk-link" href="{}">{}</a> <span class="govuk-body-s">({})</span>'
_HOLDERS = '<br><span class="govuk-body-s app-muted">{}</span>'
_CHANGE = (
    '<td class="govuk-table__cell"><a class="govuk-link" href="{}">Change'
    '<span class="govuk-visually-hidden"> action {}</span></a></td>'
)


@register.simple_tag
def plan_action_rows(actions: list[dict], plan, can_manage: bool) -> SafeString:
    """The ``<tr>`` of each action: reference, action (linked, cut to 160 characters), RAG,
    due date (and whether it was revised), lead post with its agency and holders now (or
    the lead as written), last update, and with ``can_manage`` a link to change it."""
    action_path = path_maker("actionplans:action_detail")
    post_path = path_maker("partners:post_detail")
    edit_path = path_maker("actionplans:action_edit", plan.slug) if can_manage else None
    labels = Labels()
    drawn = []
    for a in actions:
        pk, post_id, due = a["pk"], a["lead_post_id"], a["due_date"]
        if post_id:
            lead = format_cells(_LEAD_POST, post_path(post_id), a["post_title"], a["agency"])
            if a["holders"]:
                lead = format_cells("{}" + _HOLDERS, lead, a["holders"])
        else:
            lead = a["lead_text"] or "No lead recorded"
        drawn.append(format_cells(
            _ROW,
            pk,
            a["reference"],
            action_path(pk),
            truncate_chars(a["description"], 160),
            labels.rag(a["rag"]),
            labels.date(due) or "No date",
            _REVISED if a["original_due_date"] and due != a["original_due_date"] else "",
            lead,
            labels.date(a["last_update_on"]) or "None yet",
            format_cells(_CHANGE, edit_path(pk), a["reference"]) if edit_path else "",
        ))
    return SafeString("".join(drawn))


_COVERAGE_ITEM = '\n      <li>{} <a class="govuk-link" href="{}">{} {}</a>{}</li>\n      '
_PLAN_TITLE = '<br><span class="govuk-body-s app-muted">{}</span>'


@register.simple_tag
def coverage_action_items(actions: list[dict], multiple_plans: bool) -> SafeString:
    """The ``<li>`` of each action answering a finding on the coverage matrix (rows of
    :func:`actionplans.coverage.selectors.finding_coverage`): its RAG tag and its reference and
    description (cut to 90 characters) linked, and its plan's title where the matrix
    spans plans."""
    action_path = path_maker("actionplans:action_detail")
    labels = Labels()
    return SafeString("".join(
        format_cells(
            _COVERAGE_ITEM,
            labels.rag(a["rag"]),
            action_path(a["pk"]),
            a["reference"],
            truncate_chars(a["description"], 90),
            format_cells(_PLAN_TITLE, a["plan__title"]) if multiple_plans else "",
        )
        for a in actions
    ))


_MY_ROW = (
    '\n    <tr class="govuk-table__row">'
    '\n      <td class="govuk-table__cell app-nowrap">{}</td>'
    '\n      <td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a>{}</td>'
    '\n      <td class="govuk-table__cell">{}</td>'
    '\n      <td class="govuk-table__cell app-nowrap">{}{}</td>'
    '\n      <td class="govuk-table__cell">{}</td>'
    '\n      <td class="govuk-table__cell app-nowrap">{}</td>'
    "\n    </tr>\n    "
)


@register.simple_tag
def action_table_rows(actions, show_plan: bool = False) -> SafeString:
    """The ``<tr>`` of each action (from :func:`actionplans.actions.selectors.actions_for_list`):
    reference, action (linked, cut to 140 characters, with its plan's title if
    ``show_plan``), RAG, due date (and whether it was revised), lead post or the lead as
    written, last update."""
    action_path = path_maker("actionplans:action_detail")
    labels = Labels()
    return SafeString("".join(
        format_cells(
            _MY_ROW,
            action.reference,
            action_path(action.pk),
            truncate_chars(action.description, 140),
            format_cells(_PLAN_TITLE, action.plan.title) if show_plan else "",
            labels.rag(action.rag),
            labels.date(action.due_date) or "No date",
            _REVISED if action.is_revised else "",
            (action.lead_post.title if action.lead_post_id else "") or action.lead_text,
            labels.date(action.last_update_on) or "None yet",
        )
        for action in actions
    ))
