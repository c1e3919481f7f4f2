"""Reads of the partnership pages, which list the actions each agency and post leads or
supports with their RAG: agencies with their posts and people, a post and who held it when.
They sit above the actions (a page that shows actions belongs above actions); the
partnership's own reads (the searches) stay in partners.selectors.

Every list is scoped by the one rule in actionplans.access: the actions are
``Action.objects.for_user(user)``, and a partner officer sees their own agency plus the
agencies that lead or support an action they can see. Anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from actionplans.access import visible_to
from actionplans.actions.selectors import actions_for_list
from actionplans.choices import PlanStatus
from actionplans.rag import RagCounts, rag_counts_by
from partners.models import Agency, Post, PostHolding, User

# --- Scope ---------------------------------------------------------------------------


def open_plan_actions(user, today: dt.date) -> QuerySet:
    """The actions a person may see in plans that are not closed, with RAG and last update."""
    return actions_for_list(user, today).exclude(plan__status=PlanStatus.CLOSED)


# --- Agencies ------------------------------------------------------------------------


@dataclass
class AgencyRow:
    agency: Agency
    led: RagCounts
    supported: RagCounts


def agencies_for_list(user, today: dt.date) -> list[AgencyRow]:
    """Every agency a person may see, with counts of posts and people and the RAG of the
    actions it leads and supports in plans that are not closed. Four queries at any size."""
    posts = Post.objects.filter(agency=OuterRef("pk"), is_active=True)
    people = User.objects.filter(agency=OuterRef("pk"), is_active=True)
    agencies = (
        visible_to(user, Agency.objects.all())
        .annotate(
            post_count=_count_subquery(posts),
            people_count=_count_subquery(people),
        )
        .order_by("name")
    )
    actions = open_plan_actions(user, today)
    led = rag_counts_by(actions, "lead_post__agency_id", today)
    supported = rag_counts_by(actions, "partner_agencies", today)
    return [AgencyRow(a, led.get(a.pk, RagCounts()), supported.get(a.pk, RagCounts())) for a in agencies]


def _count_subquery(queryset: QuerySet):
    counted = queryset.order_by().values("agency").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass
class PostRow:
    post: Post
    led: RagCounts


@dataclass
class AgencyPage:
    agency: Agency
    posts: list[PostRow]
    people: list[User]
    led_actions: list
    supported_actions: list
    led: RagCounts
    supported: RagCounts


def agency_for_page(user, pk: int, today: dt.date) -> AgencyPage:
    """An agency with its posts (and who holds them now), its people (and the posts they
    hold), and the actions it leads or supports; a fixed number of queries; 404 out of scope."""
    agency = get_object_or_404(visible_to(user, Agency.objects.all()), pk=pk)
    current = PostHolding.objects.current(today)
    posts = list(
        agency.posts.filter(is_active=True)
        .select_related("agency")
        .prefetch_related(
            Prefetch("holdings", queryset=current.select_related("person"), to_attr="current_holdings")
        )
        .order_by("title")
    )
    people = list(
        agency.people.filter(is_active=True)
        .prefetch_related(
            Prefetch("post_holdings", queryset=current.select_related("post__agency"), to_attr="current_holdings")
        )
        .order_by("full_name")
    )
    actions = open_plan_actions(user, today)
    led_actions = list(actions.filter(lead_post__agency=agency).order_by("plan__title", "order", "id"))
    supported_actions = list(
        actions.filter(partner_agencies=agency).order_by("plan__title", "order", "id")
    )
    by_post = rag_counts_by(actions.filter(lead_post__agency=agency), "lead_post_id", today)
    led = RagCounts()
    for action in led_actions:
        led.counts[action.rag] += 1
    supported = RagCounts()
    for action in supported_actions:
        supported.counts[action.rag] += 1
    return AgencyPage(
        agency=agency,
        posts=[PostRow(p, by_post.get(p.pk, RagCounts())) for p in posts],
        people=people,
        led_actions=led_actions,
        supported_actions=supported_actions,
        led=led,
        supported=supported,
    )


# --- Posts ---------------------------------------------------------------------------


@dataclass
class PostPage:
    post: Post
    holdings: list[PostHolding]
    current_holdings: list[PostHolding]
    actions: list
    led: RagCounts


def post_for_page(user, pk: int, today: dt.date) -> PostPage:
    """A post, the history of who held it when, and the actions it leads; 404 out of scope."""
    post = get_object_or_404(visible_to(user, Post.objects.all()).select_related("agency"), pk=pk)
    holdings = list(post.holdings.select_related("person__agency").order_by("-started_on", "-id"))
    current_ids = set(PostHolding.objects.current(today).filter(post=post).values_list("pk", flat=True))
    actions = list(open_plan_actions(user, today).filter(lead_post=post).order_by("plan__title", "order", "id"))
    led = RagCounts()
    for action in actions:
        led.counts[action.rag] += 1
    return PostPage(
        post=post,
        holdings=holdings,
        current_holdings=[h for h in holdings if h.pk in current_ids],
        actions=actions,
        led=led,
    )


def post_for_change(user, pk: int) -> Post:
    """The post whose holder is to change; 404 out of scope (the service checks the role)."""
    return get_object_or_404(visible_to(user, Post.objects.all()).select_related("agency"), pk=pk)
