"""Template helpers for the directors' dashboards (templates/actionplans/dashboard*.html).

The numbers are tags rather than an included template: a partnership dashboard draws
about two thousand of them, and an include costs a template context and a render each
(most of the page's time, before these tags)."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from actionplans.choices import RAG

register = template.Library()

# "red", "blue (complete)", ...: worked out once rather than for each of thousands of cells.
_RAG_WORDS = {rag: escape(rag.label.lower()) for rag in RAG}


def number(figure, hidden: str = "") -> SafeString | str:
    """A link to the actions table filtered to exactly the actions the number counts
    (actionplans.dashboards.Figure), with ``hidden`` as text for screen readers. Zero, or a
    group the table cannot filter on, is plain text."""
    url = figure.url if figure.count else None
    if not url:
        return str(figure.count)
    if hidden:
        return format_html(
            '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> {}</span></a>',
            url,
            figure.count,
            hidden,
        )
    return format_html('<a class="govuk-link" href="{}">{}</a>', url, figure.count)


@register.simple_tag
def dashboard_number(figure, *hidden):
    """One dashboard number (see :func:`number`); ``hidden`` parts are joined."""
    return number(figure, "".join(str(part) for part in hidden))


@register.simple_tag
def breakdown_cells(row):
    """The numeric cells of a breakdown row (actionplans.dashboards.BreakdownRow): one per
    RAG, then the total, each named for screen readers by its RAG and the row's label.
    Built as one string (a breakdown by lead post has hundreds of rows of six numbers)."""
    label = escape(row.label)
    cells = [(figure, f"{_RAG_WORDS[rag]} actions, {label}") for rag, figure in row.rag]
    cells.append((row.total, f"actions, {label}"))
    return mark_safe(  # noqa: S308 - every value is escaped above or in _linked
        "".join(
            f'<td class="govuk-table__cell govuk-table__cell--numeric">{_linked(figure, hidden)}</td>'
            for figure, hidden in cells
        )
    )


def _linked(figure, hidden_html: str) -> str:
    """:func:`number` as text, for a ``hidden`` already escaped."""
    url = figure.url if figure.count else None
    if not url:
        return str(figure.count)
    return (
        f'<a class="govuk-link" href="{escape(url)}">{int(figure.count)}'
        f'<span class="govuk-visually-hidden"> {hidden_html}</span></a>'
    )
