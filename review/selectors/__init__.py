"""Reads of the review app. The review-level reads are re-exported here because the other apps call them as
`review.selectors.<name>`; dedup and record reads are imported from their modules."""

from review.selectors.reviews import (
    invitations_for_user,
    record_databases,
    records_for_review,
    review_counts,
    review_jobs,
    review_members,
    review_pending_invitations,
    review_resolvers,
    reviews_for_user,
    search_files_pending,
    searches_for_review,
    user_api_tokens,
)

__all__ = [
    "invitations_for_user",
    "record_databases",
    "records_for_review",
    "review_counts",
    "review_jobs",
    "review_members",
    "review_pending_invitations",
    "review_resolvers",
    "reviews_for_user",
    "search_files_pending",
    "searches_for_review",
    "user_api_tokens",
]
