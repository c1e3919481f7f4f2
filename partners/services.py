"""Writes to the partnership. Actions are led by posts, not people, so when a post changes
hands every action it leads moves to the new holder at once; the ended holding is kept,
so the history still says who led each action when."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Post, PostHolding, User
from partners.roles import can_manage_partnership

logger = logging.getLogger(__name__)

# Who may record that a post has changed hands: a restructure is partnership business.




def post_holder_change(
    *, post: Post, new_person: User | None, on: dt.date, changed_by: User
) -> PostHolding | None:
    """``new_person`` holds ``post`` from ``on``; whoever held it until then stops the day
    before. With ``new_person`` None the post is left vacant from ``on``.

    The holdings are the record of who led the post's actions when, so nothing is deleted:
    the open holdings are ended and a new one opened, in one transaction.
    """
    if not can_manage_partnership(changed_by):
        raise PermissionDenied("Only a plan manager or an administrator can change who holds a post.")
    if on is None:
        raise ValidationError({"on": "Enter the date the change takes effect."})
    if on > timezone.localdate() + dt.timedelta(days=366):
        raise ValidationError({"on": "The date must be within the next year."})
    if new_person is not None and not new_person.is_active:
        raise ValidationError({"new_person": f"{new_person} cannot sign in any more, so cannot hold a post."})
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        open_holdings = list(post.holdings.filter(ended_on__isnull=True).select_related("person"))
        if new_person is not None and any(h.person_id == new_person.pk for h in open_holdings):
            raise ValidationError({"new_person": f"{new_person} already holds this post."})
        later = post.holdings.filter(started_on__gte=on).select_related("person").first()
        if later is not None:
            raise ValidationError(
                {"on": f"{later.person} started in this post on {later.started_on:%d %B %Y}: "
                 "the change must take effect after that."}
            )
        for holding in open_holdings:
            holding.ended_on = on - dt.timedelta(days=1)
            holding.full_clean()
            holding.save(update_fields=["ended_on"])
        new_holding = None
        if new_person is not None:
            new_holding = PostHolding(post=post, person=new_person, started_on=on)
            new_holding.full_clean()
            new_holding.save()
    # PostHolding keeps no record of who recorded the change; the log does until it does.
    logger.info(
        "Post %s changed hands on %s: %s -> %s, recorded by %s",
        post.pk, on, [h.person_id for h in open_holdings], getattr(new_person, "pk", None), changed_by.pk,
    )
    return new_holding


def account_email_confirm(*, user: User) -> None:
    """The address an administrator (or ``load_demo``) gave ``user`` becomes the account's
    one verified, primary address: the one it signs in with and is emailed at. Any other
    address the account had, verified or waiting to be, is removed.

    Accounts are issued, not signed up for, so whoever set the address vouches for it. An
    address the person adds for themselves is proved instead by a link sent to it, after
    they give their password again (allauth's ACCOUNT_CHANGE_EMAIL and
    ACCOUNT_REAUTHENTICATION_REQUIRED); sign-in refuses an address not yet proved
    (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
    """
    from allauth.account.models import EmailAddress

    email = user.email.lower()
    with transaction.atomic():
        EmailAddress.objects.filter(user=user).exclude(email=email).delete()
        address, created = EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if not created and not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])
