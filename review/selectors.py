"""Reads about reviews and their members."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, QuerySet, Subquery

from review.models import ApiToken, Invitation, Job, Membership, Review


def reviews_for_user(*, user: User) -> QuerySet[Review]:
    my_role = Membership.objects.filter(review=OuterRef("pk"), user_id=user.pk).values("role")[:1]
    return (
        Review.objects.filter(memberships__user_id=user.pk)
        .annotate(my_role=Subquery(my_role), member_count=Count("memberships", distinct=True))
        .order_by("-created_at")
    )


def review_members(*, review: Review) -> QuerySet[Membership]:
    return Membership.objects.filter(review=review).select_related("user").order_by("user__username")


def review_pending_invitations(*, review: Review) -> QuerySet[Invitation]:
    return Invitation.objects.filter(review=review, accepted_at__isnull=True, revoked_at__isnull=True).order_by(
        "-created_at"
    )


def user_api_tokens(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=user.pk).order_by("revoked_at", "-created_at")


def review_jobs(*, review: Review, kind: str | None = None) -> QuerySet[Job]:
    jobs = Job.objects.filter(review=review)
    return jobs.filter(kind=kind) if kind else jobs


# Other apps contribute figures to the review home page (records, duplicates, screening progress...).
# `review` must not import them, so they register a function here when their app loads.
COUNT_PROVIDERS: list = []


def review_counts(*, review: Review) -> dict[str, object]:
    counts: dict[str, object] = {"members": Membership.objects.filter(review=review).count()}
    for provider in COUNT_PROVIDERS:
        counts.update(provider(review))
    return counts
