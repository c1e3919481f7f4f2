"""Tables drawn with django-tables2 in GOV.UK markup.

:class:`BaseTable` is the project's one base table: the GOV.UK template, ``sort`` and
``page`` in the URL so that every view is bookmarkable, and the columns a person chose
(``?columns=ref&columns=rag``) with a default set per table. :class:`ActionTable` is the
actions table. Every cell is drawn by a ``render_*`` method from data the view loaded with
``select_related``/``prefetch_related`` (never a per-cell template or query), and every
column sorts in the database, including RAG (in the order red, amber, green, blue, not
rated) and the many-to-many columns (by their first value).
"""

from __future__ import annotations

import inspect
from functools import cached_property

import django_tables2 as tables
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from actionplans.choices import ActionStatus
from actionplans.display import Labels, rag_html
from actionplans.models import Action
from actionplans.rag import RAG_ORDER
from foundation.display import date_label, format_cells, path_maker, truncate_chars


def _rank(field: str, values) -> Case:
    """A sort key that puts ``values`` of ``field`` in the given order."""
    return Case(
        *[When(**{field: value}, then=Value(index)) for index, value in enumerate(values)],
        default=Value(len(values)),
        output_field=IntegerField(),
    )


def _ordered(queryset, key: str, is_descending: bool):
    return queryset.order_by(f"-{key}" if is_descending else key, "-pk" if is_descending else "pk"), True


def _with_signature(render):
    """``render`` with its signature worked out once. django-tables2 reads a cell's render
    method's signature (to pass it only the arguments it names) for every cell it draws,
    a third of a table's time; a ``__signature__`` given here spares it the work."""

    def call(*args, **kwargs):
        return render(*args, **kwargs)

    call.__signature__ = inspect.signature(render)
    return call


class BaseTable(tables.Table):
    """GOV.UK table with chosen columns. Subclasses list ``default_columns``; a column whose
    name is not chosen is hidden (its data is still loaded only if the view asks for it).

    The template draws the page's rows with :meth:`rows_html` rather than cell by cell:
    each cell is still the column's own (``render_*`` or the column's ``render``), but
    the template language's cost per cell, and tables2 working out each cell's ``td``
    attributes again, cost more than the cells themselves. A column's ``td`` attributes
    are therefore fixed, not computed per row."""

    default_columns: tuple[str, ...] = ()
    # ?per_page= may ask for fewer rows a page, never more than this.
    max_per_page: int = 100
    caption: str = ""
    # A caption names the table for screen readers; hide it where a heading above says the same.
    caption_visible: bool = True

    class Meta:
        template_name = "django_tables2/govuk_table.html"
        attrs = {"class": "govuk-table govuk-!-font-size-16"}
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "per_page"
        empty_text = "Nothing matches these filters."

    def __init__(self, *args, columns=None, caption: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption or self.caption
        self.chosen_columns = self.clean_columns(columns)
        for name in self.columns.names():
            if name not in self.chosen_columns:
                self.columns.hide(name)
        for column in self.columns.iterall():
            column.render = _with_signature(column.render)

    def paginate(self, *args, per_page=None, **kwargs):
        if per_page is not None:
            per_page = min(max(int(per_page), 1), self.max_per_page)
        return super().paginate(*args, per_page=per_page, **kwargs)

    @classmethod
    def column_choices(cls) -> list[tuple[str, str]]:
        """(name, heading) of every column a person may choose, in table order."""
        return [(name, str(column.verbose_name)) for name, column in cls.base_columns.items()]

    @classmethod
    def clean_columns(cls, columns) -> list[str]:
        """The chosen column names that exist, in table order; the defaults when none."""
        wanted = set(columns or ())
        chosen = [name for name in cls.base_columns if name in wanted]
        return chosen or list(cls.default_columns or cls.base_columns)

    def rows_html(self) -> SafeString:
        """The ``<tr>`` of the page's rows (every row when not paginated), each cell
        escaped as the template would print it."""
        context = Context()
        cells = []
        for column in self.columns:
            td_class = column.attrs["td"].get("class")
            cells.append((column.name, '<td class="govuk-table__cell' + (f" {td_class}" if td_class else "") + '">'))
        drawn = []
        for row in self.paginated_rows:
            drawn.append('\n      <tr class="govuk-table__row">\n        ')
            for name, td in cells:
                value = render_value_in_context(row.get_cell(name), context)
                drawn.append(f"\n        {td}{value}</td>\n        ")
            drawn.append("\n      </tr>\n      ")
        return SafeString("".join(drawn))


class DateColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "app-nowrap"}})
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def render(self, value):
        return date_label(value)


class TextColumn(tables.Column):
    """Long text, cut short in the table (the action page and the exports hold it whole)."""

    def __init__(self, *args, length: int = 160, **kwargs):
        self.length = length
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def render(self, value):
        return truncate_chars(value, self.length)


class RAGColumn(tables.Column):
    """The RAG tag, colour with its text, from the ``rag`` annotation of actionplans.rag."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", "RAG")
        kwargs.setdefault("accessor", "rag")
        kwargs.setdefault("empty_values", ())
        kwargs.setdefault("attrs", {"td": {"class": "app-nowrap"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return rag_html(value)

    def order(self, queryset, is_descending):
        return _ordered(queryset.annotate(rag_rank=_rank("rag", [r.value for r in RAG_ORDER])), "rag_rank", is_descending)


class ActionTable(BaseTable):
    """Actions across plans. Expects the queryset of actionplans.actions.selectors.actions_for_list
    (RAG, last update and the plan, section and lead post joined); the columns of findings,
    lead holders and partners need the prefetches of :func:`prefetch_for_columns`."""

    # What a director reads first comes first, so that it shows without scrolling on a
    # narrow page: the action, its RAG, when it is due and where it stands.
    ref = tables.Column("Ref", accessor="reference", order_by=("-plan__plan_date", "plan__title", "order", "pk"),
                        attrs={"td": {"class": "app-nowrap"}})
    action = tables.Column("Action", accessor="description", order_by=("description", "pk"))
    rag = RAGColumn()
    due = DateColumn("Due", accessor="due_date", empty_values=(), order_by=("due_date", "pk"), attrs={})
    status = tables.Column("Status", accessor="status")
    last_update = DateColumn("Last update", accessor="last_update_on", empty_values=(),
                             order_by=("last_update_on", "pk"))
    lead = tables.Column("Lead", accessor="lead_post", empty_values=(),
                         order_by=("lead_post__title", "lead_text", "pk"))
    plan = tables.Column("Plan", accessor="plan__title", order_by=("plan__title", "pk"))
    section = tables.Column("Section", accessor="section", default="",
                            order_by=("section__order", "section__number", "pk"))
    findings = tables.Column("Issues raised by inspectors", accessor="pk", empty_values=())
    outcome = TextColumn("What will be different", accessor="outcome", order_by=("outcome", "pk"))
    measure = TextColumn("How will we know", accessor="success_measure", order_by=("success_measure", "pk"))
    lead_person = tables.Column("Lead post held by", accessor="lead_post", empty_values=())
    partners = tables.Column("Working with", accessor="pk", empty_values=())
    start = DateColumn("Start", accessor="start_date", order_by=("start_date", "pk"))
    original_due = DateColumn("Original due date", accessor="original_due_date", order_by=("original_due_date", "pk"))
    due_text = TextColumn("Due date as written", accessor="due_text", order_by=("due_text", "pk"))

    default_columns = ("ref", "action", "rag", "due", "status", "last_update", "lead", "plan")
    caption_visible = False

    class Meta(BaseTable.Meta):
        model = Action
        fields = ()
        order_by = ("ref",)
        empty_text = "No actions match these filters."

    def __init__(self, *args, today=None, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    # --- cells --------------------------------------------------------------------------

    @cached_property
    def _action_path(self):
        return path_maker("actionplans:action_detail")

    @cached_property
    def _labels(self) -> Labels:
        return Labels()

    def render_action(self, record, value):
        return format_cells('<a class="govuk-link" href="{}">{}</a>', self._action_path(record.pk), truncate_chars(value, 140))

    def render_findings(self, record):
        findings = record.findings.all()
        return format_html_join(
            "", "<p class=\"govuk-body-s govuk-!-margin-bottom-1\">{}{}</p>",
            ((f"{f.paragraphs}. " if f.paragraphs else "", truncate_chars(f.text, 160)) for f in findings),
        )

    def render_lead(self, record):
        if record.lead_post_id:
            post = record.lead_post
            return f"{post.title} ({post.agency.short_name})"
        return record.lead_text

    def render_lead_person(self, record):
        holdings = getattr(record.lead_post, "current_holdings", []) if record.lead_post_id else []
        return ", ".join(h.person.full_name for h in holdings)

    def render_partners(self, record):
        return ", ".join(a.short_name for a in record.partner_agencies.all())

    def render_due(self, record):
        if not record.due_date:
            return "No date"
        date = self._labels.date
        notes = []
        if record.is_revised:
            notes.append(f"revised from {date(record.original_due_date)}")
        if self.today and record.is_overdue(self.today):
            notes.append("overdue")
        if not notes:
            return format_cells('<span class="app-nowrap">{}</span>', date(record.due_date))
        return format_cells(
            '<span class="app-nowrap">{}</span><br><span class="govuk-body-s">({})</span>',
            date(record.due_date), "; ".join(notes),
        )

    def render_status(self, record):
        return record.get_status_display()

    def render_last_update(self, value):
        return self._labels.date(value) or "None yet"

    # --- sorting by columns that are not plain fields ------------------------------------

    def order_status(self, queryset, is_descending):
        return _ordered(queryset.annotate(status_rank=_rank("status", ActionStatus.values)), "status_rank", is_descending)

    def order_findings(self, queryset, is_descending):
        first = Action.findings.through.objects.filter(action_id=OuterRef("pk")).order_by("finding__text")
        return _ordered(queryset.annotate(first_finding=Subquery(first.values("finding__text")[:1])),
                        "first_finding", is_descending)

    def order_partners(self, queryset, is_descending):
        first = Action.partner_agencies.through.objects.filter(action_id=OuterRef("pk")).order_by("agency__short_name")
        return _ordered(queryset.annotate(first_partner=Subquery(first.values("agency__short_name")[:1])),
                        "first_partner", is_descending)

    def order_lead_person(self, queryset, is_descending):
        from partners.models import PostHolding

        holders = PostHolding.objects.current(self.today).filter(post_id=OuterRef("lead_post_id")).order_by("person__full_name")
        return _ordered(queryset.annotate(lead_holder=Subquery(holders.values("person__full_name")[:1])),
                        "lead_holder", is_descending)


def prefetch_for_columns(queryset, columns, today):
    """Load what the chosen columns draw, in one query per relation whatever the row count."""
    from django.db.models import Prefetch

    from partners.models import PostHolding

    if "findings" in columns:
        queryset = queryset.prefetch_related("findings")
    if "partners" in columns:
        queryset = queryset.prefetch_related("partner_agencies")
    if "lead_person" in columns:
        queryset = queryset.prefetch_related(
            Prefetch(
                "lead_post__holdings",
                queryset=PostHolding.objects.current(today).select_related("person").order_by("person__full_name"),
                to_attr="current_holdings",
            )
        )
    return queryset


__all__ = ["ActionTable", "BaseTable", "RAGColumn", "prefetch_for_columns"]
