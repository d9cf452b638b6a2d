"""Writes to reviews, memberships, invitations and API tokens. Views, API and commands all call these."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from review import extensions
from review.errors import ServiceError
from review.models import ApiToken, AuditEvent, DedupVersions, Membership, Review, Role

REVIEW_SETTING_FIELDS = (
    "title",
    "description",
    "inclusion_criteria",
    "exclusion_criteria",
    "dedup_automatic",
    "dedup_versions",
)


def _split_settings(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The review's own settings, and those other apps keep for it (votes required and blinding: screening)."""
    kept_elsewhere = extensions.review_setting_names()
    unknown = set(fields) - set(REVIEW_SETTING_FIELDS) - kept_elsewhere
    if unknown:
        raise ServiceError(f"Unknown review settings: {', '.join(sorted(unknown))}")
    own = {name: value for name, value in fields.items() if name in REVIEW_SETTING_FIELDS}
    return own, {name: value for name, value in fields.items() if name in kept_elsewhere}


def audit(*, review: Review, actor: User | None, action: str, **detail: Any) -> AuditEvent:
    """Append to the review's audit trail; an action that is not one of AuditEvent.Action is a programming error."""
    return AuditEvent.objects.create(review=review, actor=actor, action=AuditEvent.Action(action), detail=detail)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "review"
    slug = base
    while Review.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _validate_versions(value: Any) -> str:
    if value not in DedupVersions.values:
        allowed = ", ".join(DedupVersions.values)
        raise ServiceError(f"must be one of {allowed}, not {str(value)[:40]!r}", field="dedup_versions")
    return str(value)


@transaction.atomic
def review_create(*, by: User, title: str, **fields: Any) -> Review:
    title = title.strip()
    if not title:
        raise ServiceError("A review needs a title", field="title")
    fields, elsewhere = _split_settings(fields)
    if "dedup_versions" in fields:
        fields["dedup_versions"] = _validate_versions(fields["dedup_versions"])
    review = Review.objects.create(title=title, slug=_unique_slug(title), created_by=by, **fields)
    Membership.objects.create(review=review, user=by, role=Role.LEAD)
    audit(review=review, actor=by, action="review.created", title=title)
    if elsewhere:
        extensions.review_settings_update(review, by=by, values=elsewhere)
    return review


@transaction.atomic
def review_update(*, review: Review, by: User, **fields: Any) -> Review:
    """Change the review's settings; those another app keeps (votes required, blinding) are handed to it, in the
    same transaction, and it validates and audits them."""
    fields, elsewhere = _split_settings(fields)
    if "title" in fields:
        fields["title"] = str(fields["title"]).strip()
        if not fields["title"]:
            raise ServiceError("A review needs a title", field="title")
    if "dedup_versions" in fields:
        fields["dedup_versions"] = _validate_versions(fields["dedup_versions"])
    changed = {}
    for name, value in fields.items():
        old = getattr(review, name)
        if old != value:
            changed[name] = {"from": old, "to": value}
            setattr(review, name, value)
    if changed:
        review.save()
        audit(review=review, actor=by, action="review.updated", changes=changed)
        # What must follow a setting lives in the apps that build on the review; they are asked inside this
        # transaction.
        extensions.review_updated(review, by=by, changes=changed)
    if elsewhere:
        extensions.review_settings_update(review, by=by, values=elsewhere)
    return review


def _lock_leads(review: Review) -> list[Membership]:
    # Row locks on every lead of the review settle races between two leads demoting each other.
    return list(Membership.objects.select_for_update().filter(review=review, role=Role.LEAD).order_by("pk"))


@transaction.atomic
def member_add(*, review: Review, by: User, user: User, role: Role) -> Membership:
    role = Role(role)
    if Membership.objects.filter(review=review, user=user).exists():
        raise ServiceError(f"{user.get_username()} is already a member of this review", field="user")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(review=review, user=user, role=role)
    except IntegrityError:
        raise ServiceError(f"{user.get_username()} is already a member of this review", field="user") from None
    audit(review=review, actor=by, action="member.added", user=user.get_username(), role=role.value)
    return membership


@transaction.atomic
def member_change_role(*, review: Review, by: User, membership: Membership, role: Role) -> Membership:
    role = Role(role)
    leads = _lock_leads(review)
    membership.refresh_from_db()
    if membership.role == role:
        return membership
    if membership.role == Role.LEAD and len(leads) <= 1:
        raise ServiceError("A review must keep at least one lead; make someone else lead first", field="role")
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit(
        review=review,
        actor=by,
        action="member.role_changed",
        user=membership.user.get_username(),
        old=old,
        new=role.value,
    )
    return membership


@transaction.atomic
def member_remove(*, review: Review, by: User, membership: Membership) -> None:
    leads = _lock_leads(review)
    membership.refresh_from_db()
    if membership.role == Role.LEAD and len(leads) <= 1:
        raise ServiceError("The last lead cannot be removed; make someone else lead first")
    username = membership.user.get_username()
    membership.delete()
    audit(review=review, actor=by, action="member.removed", user=username)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def member_leave(*, review: Review, user: User) -> None:
    """A member leaves the review by their own choice; the only lead must hand over first."""
    leads = _lock_leads(review)
    membership = Membership.objects.filter(review=review, user=user).first()
    if membership is None:
        raise ServiceError("You are not a member of this review", code="not_found")
    if membership.role == Role.LEAD and len(leads) <= 1:
        raise ServiceError("You are the only lead of this review; make someone else lead before you leave")
    membership.delete()
    audit(review=review, actor=user, action="member.left", user=user.get_username(), role=membership.role)


API_TOKEN_PREFIX = "lrv_"  # noqa: S105 (a public marker that makes leaked tokens recognisable)


API_TOKEN_MAX_DAYS = 3650


def api_token_create(*, user: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for user; it works until revoked, or until `expires_in_days` have passed when that is given."""
    name = name.strip() or "API token"
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= API_TOKEN_MAX_DAYS:
            raise ServiceError(f"must be between 1 and {API_TOKEN_MAX_DAYS} days", field="expires_in_days")
        expires_at = timezone.now() + timedelta(days=expires_in_days)
    key = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=key[:12], key_hash=_hash(key), expires_at=expires_at
    )
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise ServiceError("No such token", code="not_found")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every working token of user (their password changed: whoever held it may hold the tokens too)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:60]
    )


def api_token_user(*, key: str) -> tuple[User, ApiToken] | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    # Touch at most once a minute so that a busy script does not write on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token
