"""Reads about reviews and their members."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from review import extensions
from review.models import (
    RESOLVER_ROLES,
    ApiToken,
    Invitation,
    Job,
    Membership,
    Record,
    Review,
    Role,
    Search,
    SearchFile,
)


def reviews_for_user(*, user: User) -> QuerySet[Review]:
    my_role = Membership.objects.filter(review=OuterRef("pk"), user_id=user.pk).values("role")[:1]
    # Counted in a subquery: a Count over the join that the filter on my membership makes sees only that row.
    members = (
        Membership.objects.filter(review=OuterRef("pk")).order_by().values("review").annotate(n=Count("pk")).values("n")
    )
    return (
        Review.objects.filter(memberships__user_id=user.pk)
        .annotate(my_role=Subquery(my_role), member_count=Subquery(members))
        .order_by("-created_at")
    )


def review_members(*, review: Review) -> QuerySet[Membership]:
    return Membership.objects.filter(review=review).select_related("user").order_by("user__username")


def review_resolvers(*, review: Review) -> list[Membership]:
    """The members who may decide screening conflicts (leads and arbiters), leads first."""
    members = Membership.objects.filter(review=review, role__in=RESOLVER_ROLES).select_related("user")
    return sorted(members, key=lambda m: (m.role != Role.LEAD, m.user.get_username()))


def review_pending_invitations(*, review: Review) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            review=review, accepted_at__isnull=True, revoked_at__isnull=True, declined_at__isnull=True
        )
        .select_related("invitee")
        .order_by("-created_at")
    )


def invitations_for_user(*, user: User) -> QuerySet[Invitation]:
    """Invitations waiting for this account's answer (not the ones sent to e-mail addresses of new people)."""
    return (
        Invitation.objects.filter(
            invitee_id=user.pk,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            declined_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("review", "invited_by")
        .order_by("-created_at")
    )


def user_api_tokens(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=user.pk).order_by("revoked_at", "-created_at")


def review_jobs(*, review: Review, kind: str | None = None) -> QuerySet[Job]:
    jobs = Job.objects.filter(review=review)
    return jobs.filter(kind=kind) if kind else jobs


def review_counts(*, review: Review) -> dict[str, object]:
    """Figures for the review's overview: its members, then what each app reports (records, screening...)."""
    counts: dict[str, object] = {"members": Membership.objects.filter(review=review).count()}
    counts.update(extensions.home_counts(review))
    return counts


def searches_for_review(*, review: Review) -> QuerySet[Search]:
    return (
        Search.objects.filter(review=review)
        .annotate(record_count=Count("records", distinct=True))
        .prefetch_related("files")
        .order_by("kind", "created_at", "id")
    )


def records_for_review(
    *, review: Review, q: str = "", search_id: int | None = None, database: str = "", include_merged: bool = True
) -> QuerySet[Record]:
    """Records of a review, searchable by title, author, DOI and PMID, filterable by search and database."""
    records = Record.objects.filter(review=review).select_related("search")
    if not include_merged:
        records = records.filter(merged_into__isnull=True)
    if search_id:
        records = records.filter(search_id=search_id)
    if database:
        records = records.filter(Q(search__database__iexact=database) | Q(source_database__iexact=database))
    q = q.strip()
    if q:
        digits = q.removeprefix("PMID:").strip()
        if digits.isdigit():
            records = records.filter(pmid=digits)
        elif q.lower().startswith("10.") or "doi.org/" in q.lower():
            records = records.filter(doi=q.lower().split("doi.org/")[-1])
        else:
            # Authors are a JSON list; matching its text form finds a surname anywhere in it on SQLite and PostgreSQL.
            records = records.filter(Q(title__icontains=q) | Q(authors__icontains=q))
    return records.order_by("id")


def record_databases(*, review: Review) -> list[str]:
    names = set(Search.objects.filter(review=review).exclude(database="").values_list("database", flat=True))
    return sorted(names, key=str.lower)


def search_files_pending(*, review: Review) -> QuerySet[SearchFile]:
    return SearchFile.objects.filter(
        review=review,
        status__in=[SearchFile.Status.UPLOADED, SearchFile.Status.PREVIEWED, SearchFile.Status.IMPORTING],
    )
