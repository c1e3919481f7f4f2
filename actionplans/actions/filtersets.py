"""The one FilterSet for actions. The actions table, its CSV and Excel exports and the report
tasks all filter through :class:`ActionFilterSet` (pass it the GET or job parameters, not a
queryset), so a row is in the download exactly when it is on the page.

Filters whose choices could run to thousands (lead post, person, finding, section) are text
searches, never a ``<select>`` of every row. The two selects left list only the plans a
person may see and the agencies that lead or support an action they may see, tens in
practice; past MAX_OPTIONS either becomes a box for the plan's or agency's short name.
Parameter names are short and readable because people bookmark and share these URLs:
``/actions/?agency=TVP&rag=red&overdue=yes``.
"""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from actionplans.access import visible_to
from actionplans.actions.selectors import actions_for_list
from actionplans.choices import ActionStatus
from actionplans.models import Action, Plan, ProgressUpdate
from actionplans.rag import RAG_ORDER
from actionplans.rules import overdue_q
from partners.models import Agency, PostHolding

DATE_HINT = "For example, 31/03/2026"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
# A search of more words than this is someone pasting a paragraph: the first ones suffice.
MAX_SEARCH_WORDS = 8
# No dropdown longer than this: a longer list is typed instead.
MAX_OPTIONS = 200
YES_NO = [("yes", "Yes"), ("no", "No")]


def _words(value: str) -> list[str]:
    """Search words; "quoted phrases" stay together."""
    found = [a or b for a, b in re.findall(r'"([^"]+)"|(\S+)', value or "")]
    return [w.strip() for w in found if w.strip()][:MAX_SEARCH_WORDS]


def revised_q() -> Q:
    """The due date differs from the first one given: the same test as Action.is_revised."""
    return Q(original_due_date__isnull=False) & (
        Q(due_date__isnull=True) | Q(due_date__lt=F("original_due_date")) | Q(due_date__gt=F("original_due_date"))
    )


class SelectWidget(forms.Select):
    """Django's select, each option drawn in the select's own template rather than by two
    templates included per option: the same markup, for dropdowns of tens of options
    drawn on every page of the actions table. (Named so that its widget_type is still
    "select", which the GOV.UK field template styles.)"""

    template_name = "actionplans/widgets/select.html"


class BritishDateFilter(django_filters.DateFilter):
    field_class = forms.DateField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault("help_text", DATE_HINT)
        kwargs.setdefault("error_messages", {"invalid": f"Enter a real date, day first. {DATE_HINT}."})
        super().__init__(*args, **kwargs)


class ActionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_q",
        help_text="Words in the action, what will be different, how we will know or any progress update",
    )
    plan = django_filters.ModelChoiceFilter(
        label="Plan", queryset=Plan.objects.none(), to_field_name="slug", empty_label="All plans",
        widget=SelectWidget,
    )
    section = django_filters.CharFilter(
        label="Section", method="filter_section", help_text='Its number or words of its title, for example "2.1"'
    )
    agency = django_filters.ModelChoiceFilter(
        label="Agency", queryset=Agency.objects.none(), to_field_name="short_name", empty_label="All agencies",
        method="filter_agency", help_text="Actions the agency leads or supports", widget=SelectWidget,
    )
    lead = django_filters.CharFilter(label="Lead post", method="filter_lead", help_text="Words of the post's title")
    person = django_filters.CharFilter(
        label="Person", method="filter_person", help_text="Name or email of whoever holds the lead post now, or a delegate",
    )
    finding = django_filters.CharFilter(
        label="Finding", method="filter_finding", help_text="Words of what the inspectors said, or a report paragraph number",
    )
    rag = django_filters.MultipleChoiceFilter(
        label="RAG", choices=[(r.value, r.label) for r in RAG_ORDER], field_name="rag",
        widget=forms.CheckboxSelectMultiple, distinct=False,
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status", choices=ActionStatus.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    overdue = django_filters.ChoiceFilter(
        label="Overdue", choices=YES_NO, method="filter_overdue", widget=forms.RadioSelect, empty_label="Any",
        null_label=None,
    )
    revised = django_filters.ChoiceFilter(
        label="Due date revised", choices=YES_NO, method="filter_revised", widget=forms.RadioSelect,
        empty_label="Any", null_label=None,
    )
    due_from = BritishDateFilter(label="Due on or after", field_name="due_date", lookup_expr="gte")
    due_to = BritishDateFilter(label="Due on or before", field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Action
        fields: list[str] = []  # every filter is declared above, each with its own label

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, user=None, today=None):
        """``user`` decides the choices of the plan and agency lists (the rows are scoped by
        ``queryset``); None is a scheduled report with no requester, which sees the whole
        partnership."""
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = user if user is not None else getattr(request, "user", None)
        self.today = today or timezone.localdate()
        plans, actions = Plan.objects.all(), Action.objects.all()
        if self.user is not None:
            plans, actions = visible_to(self.user, plans), actions.for_user(self.user)
        involved = Q(Exists(actions.filter(lead_post__agency_id=OuterRef("pk")))) | Q(
            Exists(Action.partner_agencies.through.objects.filter(agency_id=OuterRef("pk"), action__in=actions))
        )
        self._choose_from("plan", plans.order_by("-plan_date", "title"), 'Its short name in the address, for example "oxfordshire-jtai-2016"')
        self._choose_from("agency", Agency.objects.filter(involved).order_by("name"), 'Actions it leads or supports: type its short name, for example "TVP"')

    def _choose_from(self, name: str, queryset: QuerySet, typed_hint: str) -> None:
        """Offer ``queryset`` as a dropdown, or as a typed short name when it is too long."""
        self.filters[name].queryset = queryset
        if queryset.count() > MAX_OPTIONS:
            self.filters[name].extra.update(widget=forms.TextInput, help_text=typed_hint)

    # --- text searches ------------------------------------------------------------------

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in _words(value):
            in_updates = ProgressUpdate.objects.filter(action=OuterRef("pk"), narrative__icontains=word)
            queryset = queryset.filter(
                Q(reference__iexact=word)
                | Q(description__icontains=word)
                | Q(outcome__icontains=word)
                | Q(success_measure__icontains=word)
                | Exists(in_updates)
            )
        return queryset

    def filter_section(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip().rstrip(".")
        if re.fullmatch(r"\d{1,2}(?:\.\d{1,2})?", value):
            # "2" is section 2 and its sub-sections 2.1, 2.2...
            return queryset.filter(Q(section__number=value) | Q(section__parent__number=value))
        for word in _words(value):
            queryset = queryset.filter(Q(section__title__icontains=word) | Q(section__parent__title__icontains=word))
        return queryset

    def filter_lead(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in _words(value):
            queryset = queryset.filter(
                Q(lead_post__title__icontains=word)
                | Q(lead_text__icontains=word)
                | Q(lead_post__agency__short_name__iexact=word)
            )
        return queryset

    def filter_person(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in _words(value):
            who = Q(person__full_name__icontains=word) | Q(person__email__iexact=word)
            holds = PostHolding.objects.current(self.today).filter(who, post_id=OuterRef("lead_post_id"))
            delegate = Action.delegates.through.objects.filter(
                Q(user__full_name__icontains=word) | Q(user__email__iexact=word), action_id=OuterRef("pk")
            )
            queryset = queryset.filter(Exists(holds) | Exists(delegate))
        return queryset

    def filter_finding(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in _words(value):
            about = Q(finding__text__icontains=word)
            if word.isdigit():
                about |= Q(finding__paragraphs__regex=rf"(^|[^0-9]){word}([^0-9]|$)")
            answers = Action.findings.through.objects.filter(about, action_id=OuterRef("pk"))
            queryset = queryset.filter(Exists(answers))
        return queryset

    # --- choices ------------------------------------------------------------------------

    def filter_agency(self, queryset: QuerySet, name: str, value: Agency) -> QuerySet:
        supports = Action.partner_agencies.through.objects.filter(action_id=OuterRef("pk"), agency_id=value.pk)
        return queryset.filter(Q(lead_post__agency_id=value.pk) | Exists(supports))

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        overdue = overdue_q(self.today)
        return queryset.filter(overdue) if value == "yes" else queryset.exclude(overdue)

    def filter_revised(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(revised_q()) if value == "yes" else queryset.exclude(revised_q())

    # --- helpers for the page -----------------------------------------------------------

    def active_filters(self) -> list[tuple[str, str, str, str]]:
        """(label, parameter, value, text) for each filter in force, for the "Selected
        filters" tags: one tag per value, so each can be removed on its own."""
        if not self.is_bound or not self.form.is_valid():
            return []
        chosen = []
        for name, field in self.form.fields.items():
            value = self.form.cleaned_data.get(name)
            if value in (None, "", [], ()):
                continue
            raw = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            if isinstance(value, list):
                labels = dict(field.choices)
                chosen.extend((field.label, name, v, str(labels.get(v, v))) for v in value)
            elif isinstance(value, dt.date):
                chosen.append((field.label, name, raw[0], f"{value.day} {value:%B %Y}"))
            elif name in ("overdue", "revised"):
                chosen.append((field.label, name, value, "Yes" if value == "yes" else "No"))
            elif isinstance(value, Plan | Agency):
                chosen.append((field.label, name, raw[0], str(value)))
            else:
                chosen.append((field.label, name, value, f"“{value}”"))
        return chosen


def filter_actions(params, *, user, today: dt.date | None = None) -> ActionFilterSet:
    """The actions ``user`` may see, filtered by ``params`` (a QueryDict or a dict, as a report
    job stores them). Check ``.is_valid()``; the rows are ``.qs``."""
    today = today or timezone.localdate()
    return ActionFilterSet(params, queryset=actions_for_list(user, today), user=user, today=today)


__all__ = ["ActionFilterSet", "filter_actions", "revised_q"]
