"""The shortcuts long lists draw their cells with (actionplans.display, the row tags and
BaseTable.rows_html) give exactly what the template tags and filters they replace give."""

import datetime as dt

import pytest
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import truncatechars
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django_tables2 import RequestConfig

from actionplans.actions.selectors import actions_for_list
from actionplans.actions.tables import ActionTable, prefetch_for_columns
from actionplans.choices import RAG
from actionplans.display import Labels, rag_html
from actionplans.templatetags.govuk import rag_tag
from foundation.display import date_label, format_cells, path_maker, truncate_chars
from tests.factories import (
    ActionFactory,
    FindingFactory,
    PlanFactory,
    PostFactory,
    PostHoldingFactory,
    ProgressUpdateFactory,
    SectionFactory,
)

TEXTS = [
    "",
    "Short",
    "a" * 90,
    "a" * 91,
    "x" * 300,
    "Relaunch the thresholds matrix & brief <every> school's \"DSL\" " * 4,
    "Café au lait " * 20,  # not ASCII, no combining character
    "e\u0301" * 200,  # combining characters, normalised first
    "x" * 89 + "e\u0301" * 5,
]


@pytest.mark.parametrize("length", [1, 2, 40, 90, 140, 160])
def test_truncate_chars_is_the_truncatechars_filter(length):
    for text in TEXTS:
        assert truncate_chars(text, length) == truncatechars(text, length)


def test_dates_and_rag_tags_are_the_date_filter_and_the_rag_tag():
    labels = Labels()
    for day in (dt.date(2026, 1, 1), dt.date(2026, 9, 30), dt.date(1999, 12, 31)):
        assert labels.date(day) == date_label(day) == date_filter(day, "j M Y")
    assert labels.date(None) == date_label(None) == ""
    for value in [*RAG.values, "", None, "nonsense"]:
        assert labels.rag(value) == rag_html(value) == rag_tag(value)


def test_format_cells_escapes_as_format_html():
    args = ("<b>&'\"", 7, rag_tag("red"), "plain")
    assert format_cells("<td>{}</td><td>{}</td>{}<p>{}</p>", *args) == format_html(
        "<td>{}</td><td>{}</td>{}<p>{}</p>", *args
    )


def test_path_maker_is_reverse(db):
    action_path = path_maker("actionplans:action_detail")
    edit_path = path_maker("actionplans:action_edit", "testshire-jtai")
    for pk in (1, 42, 987654321, 12345678901):
        assert action_path(pk) == reverse("actionplans:action_detail", args=[pk])
        assert edit_path(pk) == reverse("actionplans:action_edit", args=["testshire-jtai", pk])


@pytest.fixture
def actions(council, police, officer):
    today = timezone.localdate()
    plan = PlanFactory(slug="testshire-jtai")
    section = SectionFactory(plan=plan, number="1", title="Front door")
    post = PostFactory(agency=council, title="Head of <Safeguarding> & QA")
    PostHoldingFactory(post=post, person=officer)
    finding = FindingFactory(text="Thresholds are not understood by partners.", paragraphs="17, 42")
    revised = ActionFactory(plan=plan, section=section, reference="1.1", lead_post=post, due_date=today + dt.timedelta(days=5),
                            description="Relaunch the thresholds matrix & brief <every> school " * 5, outcome="Fewer referrals")
    revised.due_date = today - dt.timedelta(days=3)  # revised, and now overdue
    revised.save()
    revised.findings.add(finding)
    revised.partner_agencies.add(police)
    ProgressUpdateFactory(action=revised, as_of=today - dt.timedelta(days=2), proposed_rag="amber")
    ActionFactory(plan=plan, section=None, reference="A1", lead_post=None, lead_text="The Board's chair", due_date=None)
    return plan


# The tbody as govuk_table.html drew it, cell by cell, before BaseTable.rows_html.
CELL_BY_CELL = """{% for row in table.paginated_rows %}
      <tr class="govuk-table__row">
        {% for column, cell in row.items %}
        <td class="govuk-table__cell{% if column.attrs.td.class %} {{ column.attrs.td.class }}{% endif %}">{{ cell }}</td>
        {% endfor %}
      </tr>
      {% endfor %}"""


def test_the_table_draws_its_rows_as_tables2_draws_them_cell_by_cell(actions, director):
    today = timezone.localdate()
    columns = [name for name, _ in ActionTable.column_choices()]
    rows = prefetch_for_columns(actions_for_list(director, today), columns, today)
    request = RequestFactory().get("/actions/")
    request.user = director
    table = ActionTable(rows, columns=columns, today=today)
    RequestConfig(request, paginate=False).configure(table)
    expected = engines["django"].from_string(CELL_BY_CELL).render({"table": table})
    assert "Relaunch the thresholds matrix &amp; brief &lt;every&gt;" in expected and "revised from" in expected
    assert str(table.rows_html()) == expected


def _plan_page(client, person, plan):
    client.force_login(person)
    return client.get(reverse("actionplans:plan_detail", args=[plan.slug])).content.decode()


def test_the_plan_page_rows_escape_and_link_as_the_template_did(client, actions, plan_manager, officer):
    actions.managers.add(plan_manager)
    page = _plan_page(client, plan_manager, actions)
    revised = actions.actions.get(reference="1.1")
    post = revised.lead_post
    assert f'<tr class="govuk-table__row" id="action-{revised.pk}">' in page
    assert f'href="{reverse("actionplans:action_detail", args=[revised.pk])}">Relaunch the thresholds matrix &amp; brief &lt;every&gt;' in page
    assert f'<a class="govuk-link" href="{reverse("partners:post_detail", args=[post.pk])}">Head of &lt;Safeguarding&gt; &amp; QA</a>' in page
    assert f'<span class="govuk-body-s app-muted">{officer.full_name}</span>' in page
    assert '<br><span class="govuk-body-s">(revised)</span>' in page and rag_tag("red") in page
    assert "The Board&#x27;s chair" in page and "No date" in page
    assert reverse("actionplans:action_edit", args=[actions.slug, revised.pk]) in page
    # Only the plan's managers get the link to change each action.
    assert reverse("actionplans:action_edit", args=[actions.slug, revised.pk]) not in _plan_page(client, officer, actions)
