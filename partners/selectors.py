"""Reads of the partnership that cross relations: agencies with their posts, people and
the actions they lead or support, and the searches that stand in for long dropdowns.

Every list is scoped by the one rule in actionplans.access: the actions are
``Action.objects.for_user(user)``, and a partner officer sees their own agency plus the
agencies that lead or support an action they can see. Anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from actionplans.access import visible_to
from actionplans.choices import PlanStatus
from actionplans.rag import RagCounts, rag_counts_by
from foundation.forms import MAX_MATCHES
from partners.models import Agency, Post, PostHolding, User

# --- Scope ---------------------------------------------------------------------------


def _all_actions():
    from actionplans.models import Action

    return Action.objects.all()


def open_plan_actions(user, today: dt.date) -> QuerySet:
    """The actions a person may see in plans that are not closed, with RAG and last update."""
    from actionplans.selectors import actions_for_list

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


# --- Searches that stand in for long dropdowns ------------------------------------------

_WITH_AGENCY = re.compile(r"^(?P<title>.+?)\s*\((?P<agency>[^()]+)\)\s*$")
_WITH_EMAIL = re.compile(r"^(?P<name>.*?)\s*\((?P<email>[^()\s]+@[^()\s]+)\)\s*$")


def posts_matching(text: str, limit: int = MAX_MATCHES) -> list[Post]:
    """Active posts whose title or agency matches every word of ``text``. "Title (TVP)", as
    a post is written everywhere, matches exactly that post first."""
    text = (text or "").strip()
    if not text:
        return []
    posts = Post.objects.filter(is_active=True).select_related("agency")
    written = _WITH_AGENCY.match(text)
    if written:
        # As every page writes a post: exact, even for a post no longer active that still leads.
        exact = list(
            Post.objects.select_related("agency").filter(
                title__iexact=written["title"].strip(), agency__short_name__iexact=written["agency"].strip()
            )
        )
        if exact:
            return exact
    exact = list(posts.filter(title__iexact=text)[: limit + 1])
    if len(exact) == 1:
        return exact
    for word in text.split():
        posts = posts.filter(
            Q(title__icontains=word) | Q(agency__short_name__iexact=word) | Q(agency__name__icontains=word)
        )
    return list(posts.order_by("title", "agency__name")[:limit])


def people_matching(text: str, limit: int = MAX_MATCHES) -> list[User]:
    """Active people whose name or email matches every word of ``text``; an email address,
    alone or as "Name (email)", matches exactly that person."""
    text = (text or "").strip()
    if not text:
        return []
    people = User.objects.filter(is_active=True).select_related("agency")
    written = _WITH_EMAIL.match(text)
    email = written["email"] if written else (text if "@" in text and " " not in text else "")
    if email:
        exact = list(people.filter(email__iexact=email))
        if exact:
            return exact
    exact = list(people.filter(full_name__iexact=text)[: limit + 1])
    if len(exact) == 1:
        return exact
    for word in text.split():
        people = people.filter(Q(full_name__icontains=word) | Q(email__icontains=word))
    return list(people.order_by("full_name")[:limit])
