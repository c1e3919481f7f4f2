"""Who a person is, by role alone: the predicates that need no action, plan or scope, so
the partnership's own writes can ask them from below. ``actionplans.access`` re-exports
them as part of the one access rule; this is where they are defined."""

from __future__ import annotations

from partners.choices import Role

# Record inspections, create and import plans, hand posts to new holders.
PARTNERSHIP_MANAGER_ROLES = {Role.PLAN_MANAGER, Role.ADMIN}


def is_signed_in(user) -> bool:
    """Signed in with an account still active: nobody else sees or does anything."""
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_partnership(user) -> bool:
    """Plan managers and admins record inspections, create and import plans and change post
    holders."""
    return is_signed_in(user) and (user.is_superuser or user.role in PARTNERSHIP_MANAGER_ROLES)
