"""The actions table and its downloads.

The page and the downloads share everything that decides which rows there are and in
what order: the scope (actions_for_list applies Action.objects.for_user), the RAG rule
(annotated in the database), :class:`~actionplans.actions.filtersets.ActionFilterSet` and the
table's sort. So a download holds exactly the rows the filters show, every page of them,
in the order the page shows them; it ignores only the page number and the columns chosen
for the screen, and always has the column shape the plan import reads back.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from actionplans.actions import exports
from actionplans.actions.filtersets import ActionFilterSet, filter_actions
from actionplans.actions.selectors import actions_for_list
from actionplans.actions.tables import ActionTable, prefetch_for_columns

PER_PAGE = 25
# Parameters that shape the screen only: a download ignores them.
SCREEN_ONLY = ("page", "per_page", "columns")


def _params(params: QueryDict, *, drop=(), drop_value: tuple[str, str] | None = None, **updates) -> QueryDict:
    """A copy of ``params`` without ``drop``, without one (name, value) pair, with ``updates``,
    and without empty parameters."""
    query = params.copy()
    for name in drop:
        query.pop(name, None)
    if drop_value is not None:
        name, value = drop_value
        query.setlist(name, [v for v in query.getlist(name) if v != value])
    for name, value in updates.items():
        query[name] = value
    for name in [n for n, values in query.lists() if not any(values)]:
        del query[name]
    return query


def _url(name: str, params: QueryDict) -> str:
    encoded = params.urlencode()
    return reverse(name) + (f"?{encoded}" if encoded else "")


class ActionListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """One page listing the actions of every plan a person may see: filters in a side
    panel, columns chosen and sorted by link, every state of it in the URL."""

    filterset_class = ActionFilterSet
    table_class = ActionTable
    template_name = "actionplans/action_list.html"
    # Set here rather than as paginate_by, which would make the ListView count and fetch
    # the page a second time beside the table. ?per_page= may change it, up to
    # BaseTable.max_per_page.
    table_pagination = {"per_page": PER_PAGE}

    @cached_property
    def today(self):
        return timezone.localdate()

    @cached_property
    def columns(self) -> list[str]:
        return ActionTable.clean_columns(self.request.GET.getlist("columns"))

    def get(self, request, *args, **kwargs):
        # The filter form sends every field, most of them empty, and every column box: keep
        # the address short enough to read, bookmark and share.
        tidy = _params(request.GET)
        if tidy.getlist("columns") == list(ActionTable.default_columns):
            del tidy["columns"]
        if tidy.urlencode() != request.GET.urlencode():
            return redirect(_url("actionplans:action_list", tidy))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return actions_for_list(self.request.user, self.today)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs.update(user=self.request.user, today=self.today)
        return kwargs

    def get_table_data(self):
        return prefetch_for_columns(self.object_list, self.columns, self.today)

    def get_table_kwargs(self):
        return {"columns": self.columns, "today": self.today}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table, filterset, params = context["table"], context["filter"], self.request.GET
        count = table.paginator.count if table.page else 0
        table.caption = f"{count} action{'' if count == 1 else 's'}"
        groups: dict[str, list[dict]] = {}
        for label, name, value, text in filterset.active_filters():
            url = _url("actionplans:action_list", _params(params, drop=("page",), drop_value=(name, value)))
            groups.setdefault(label, []).append({"text": text, "url": url})
        filters_valid = not filterset.is_bound or filterset.is_valid()
        keep = QueryDict(mutable=True)
        for name in ("columns", "sort", "per_page"):
            keep.setlist(name, params.getlist(name))
        context.update(
            today=self.today,
            count=count,
            filter_tags=[{"label": label, "tags": tags} for label, tags in groups.items()],
            clear_url=_url("actionplans:action_list", _params(keep)),
            column_choices=[
                (name, heading, name in self.columns) for name, heading in ActionTable.column_choices()
            ],
            form=filterset.form,
            filters_valid=filters_valid,
            sort=params.get("sort", ""),
            per_page=params.get("per_page", ""),
            export_csv_url=_url("actionplans:action_export", _params(params, drop=SCREEN_ONLY, format="csv")),
            export_xlsx_url=_url("actionplans:action_export", _params(params, drop=SCREEN_ONLY, format="xlsx")),
        )
        return context


action_list = ActionListView.as_view()


@login_required
def action_export(request):
    """The filtered actions as CSV (``?format=csv``) or Excel (``?format=xlsx``), with the
    same filters and sort as the page."""
    file_format = request.GET.get("format", "csv")
    if file_format not in ("csv", "xlsx"):
        raise Http404("Choose csv or xlsx.")
    today = timezone.localdate()
    filterset = filter_actions(request.GET, user=request.user, today=today)
    if not filterset.is_valid():
        # Show the person what is wrong with the filters rather than an empty file.
        return redirect(_url("actionplans:action_list", _params(request.GET, drop=("format",))))
    table = ActionTable(filterset.qs, today=today)
    RequestConfig(request, paginate=False).configure(table)
    actions = table.data.data  # the filtered queryset in the table's order
    plan = filterset.form.cleaned_data.get("plan")
    name = f"{plan.slug + '-' if plan else ''}actions-{today.isoformat()}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(
            exports.actions_csv_chunks(actions, today=today), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(exports.actions_xlsx(actions, today=today), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
