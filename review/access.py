"""The one door to a review. Every view, API view and command gets its review here.

Outsiders get 404, never 403: whether a review exists is itself private. Members whose role is too low get 403.
Child objects are then fetched scoped to the returned review, never by a bare id from the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from review.models import RESOLVER_ROLES, ROLE_RANK, Membership, Review, Role


@dataclass(frozen=True, slots=True)
class ReviewAccess:
    review: Review
    role: Role

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    @property
    def can_resolve(self) -> bool:
        """May decide screening conflicts (and so see the votes of records in conflict): a lead or an arbiter."""
        return self.role in RESOLVER_ROLES

    @property
    def can_screen(self) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[Role.REVIEWER]

    def at_least(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def review_for_user(*, user: AbstractBaseUser | AnonymousUser, slug: str, min_role: Role = Role.VIEWER) -> ReviewAccess:
    if not user.is_authenticated:
        raise Http404("No such review")
    membership = Membership.objects.select_related("review").filter(review__slug=slug, user_id=user.pk).first()
    if membership is None:
        raise Http404("No such review")
    role = Role(membership.role)
    if ROLE_RANK[role] < ROLE_RANK[min_role]:
        raise PermissionDenied(f"This needs the {min_role.label.lower()} role in this review")
    return ReviewAccess(review=membership.review, role=role)


def role_in(*, user: AbstractBaseUser | AnonymousUser, review: Review) -> Role | None:
    if not user.is_authenticated:
        return None
    role = Membership.objects.filter(review=review, user_id=user.pk).values_list("role", flat=True).first()
    return Role(role) if role else None
