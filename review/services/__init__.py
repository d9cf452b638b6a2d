"""Writes. One module per area; the names most callers need are re-exported here."""

from review.services.reviews import (
    API_TOKEN_PREFIX,
    REVIEW_SETTING_FIELDS,
    api_token_create,
    api_token_revoke,
    api_token_user,
    audit,
    invitation_accept,
    invitation_for_token,
    invitation_mark_sent,
    invitation_revoke,
    member_add,
    member_change_role,
    member_invite,
    member_remove,
    review_create,
    review_update,
)

__all__ = [
    "API_TOKEN_PREFIX",
    "REVIEW_SETTING_FIELDS",
    "api_token_create",
    "api_token_revoke",
    "api_token_user",
    "audit",
    "invitation_accept",
    "invitation_for_token",
    "invitation_mark_sent",
    "invitation_revoke",
    "member_add",
    "member_change_role",
    "member_invite",
    "member_remove",
    "review_create",
    "review_update",
]
