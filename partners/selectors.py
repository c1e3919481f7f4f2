"""Reads of the partnership: the searches that stand in for long dropdowns. The agency and
post pages, which list actions, read through actionplans.partnership.selectors."""

from __future__ import annotations

import re

from django.db.models import Q

from foundation.forms import MAX_MATCHES
from partners.models import Post, User

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
