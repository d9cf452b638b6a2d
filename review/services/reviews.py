"""Writes to reviews, memberships, invitations and API tokens. Views, API and commands all call these."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from review import extensions
from review.errors import ServiceError
from review.models import ApiToken, AuditEvent, Invitation, Membership, Review, Role

REVIEW_SETTING_FIELDS = (
    "title",
    "description",
    "inclusion_criteria",
    "exclusion_criteria",
    "votes_required_title_abstract",
    "votes_required_full_text",
    "blinded",
    "dedup_automatic",
)


def audit(*, review: Review, actor: User | None, action: str, **detail: Any) -> AuditEvent:
    """Append to the review's audit trail; an action that is not one of AuditEvent.Action is a programming error."""
    return AuditEvent.objects.create(review=review, actor=actor, action=AuditEvent.Action(action), detail=detail)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "review"
    slug = base
    while Review.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _validate_votes(value: Any, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError("must be a whole number", field=field) from None
    if not 1 <= number <= 10:
        raise ServiceError("must be between 1 and 10", field=field)
    return number


@transaction.atomic
def review_create(*, by: User, title: str, **fields: Any) -> Review:
    title = title.strip()
    if not title:
        raise ServiceError("A review needs a title", field="title")
    unknown = set(fields) - set(REVIEW_SETTING_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown review settings: {', '.join(sorted(unknown))}")
    for name in ("votes_required_title_abstract", "votes_required_full_text"):
        if name in fields:
            fields[name] = _validate_votes(fields[name], name)
    review = Review.objects.create(title=title, slug=_unique_slug(title), created_by=by, **fields)
    Membership.objects.create(review=review, user=by, role=Role.LEAD)
    audit(review=review, actor=by, action="review.created", title=title)
    return review


@transaction.atomic
def review_update(*, review: Review, by: User, **fields: Any) -> Review:
    unknown = set(fields) - set(REVIEW_SETTING_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown review settings: {', '.join(sorted(unknown))}")
    if "title" in fields:
        fields["title"] = str(fields["title"]).strip()
        if not fields["title"]:
            raise ServiceError("A review needs a title", field="title")
    for name in ("votes_required_title_abstract", "votes_required_full_text"):
        if name in fields:
            fields[name] = _validate_votes(fields[name], name)
    changed = {}
    for name, value in fields.items():
        old = getattr(review, name)
        if old != value:
            changed[name] = {"from": old, "to": value}
            setattr(review, name, value)
    if changed:
        review.save()
        audit(review=review, actor=by, action="review.updated", changes=changed)
        # What must follow a setting lives in the apps that own it (screening decides records a lower vote count
        # now settles); they are asked inside this transaction.
        extensions.review_updated(review, by=by, changes=changed)
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
def member_invite(
    *, review: Review, by: User, identifier: str, role: Role
) -> tuple[Membership | None, Invitation | None, str | None]:
    """Add an existing account at once, or invite a new person by e-mail.

    Returns (membership, None, None) for an existing account, or (None, invitation, token) for a new one;
    the token is only ever in the e-mailed link.
    """
    role = Role(role)
    identifier = identifier.strip()
    if not identifier:
        raise ServiceError("Give a username or an e-mail address", field="identifier")
    user = (
        User.objects.filter(username__iexact=identifier).first()
        or User.objects.filter(email__iexact=identifier).order_by("pk").first()
    )
    if user is not None:
        return member_add(review=review, by=by, user=user, role=role), None, None
    try:
        validate_email(identifier)
    except ValidationError:
        raise ServiceError(
            f"No account is called {identifier!r}; to invite someone new, give their e-mail address",
            field="identifier",
        ) from None
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        review=review,
        email=identifier.lower(),
        role=role,
        token_hash=_hash(token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    audit(review=review, actor=by, action="member.invited", email=invitation.email, role=role.value)
    from review.services.jobs import enqueue
    from review.tasks import invitation_send

    # Without a broker the invitation is still created; the lead can copy the link or invite again later.
    enqueue(invitation_send, invitation.pk, token)
    return None, invitation, token


def invitation_for_token(*, token: str) -> Invitation:
    invitation = Invitation.objects.select_related("review").filter(token_hash=_hash(token)).first()
    if invitation is None or invitation.revoked_at is not None:
        raise ServiceError("This invitation link is not valid", code="not_found")
    if invitation.accepted_at is not None:
        raise ServiceError("This invitation has already been used", code="used")
    if invitation.expires_at <= timezone.now():
        raise ServiceError("This invitation has expired; ask the review's lead for a new one", code="expired")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str) -> Membership:
    """Create the invited person's account with the password they chose, and add them to the review."""
    invitation = invitation_for_token(token=token)
    # Lock the row so that the same link clicked twice at once cannot create two accounts.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ServiceError("This invitation has already been used", code="used")
    username = username.strip()
    if not username:
        raise ServiceError("Choose a username", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError("That username is taken", field="username")
    candidate = User(username=username, email=invitation.email)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages), field="password") from None
    candidate.set_password(password)
    candidate.save()
    membership = Membership.objects.create(review=invitation.review, user=candidate, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = candidate
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit(review=invitation.review, actor=candidate, action="member.joined", user=username, role=invitation.role)
    return membership


@transaction.atomic
def invitation_revoke(*, review: Review, by: User, invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit(review=review, actor=by, action="member.invitation_revoked", email=invitation.email)


def invitation_mark_sent(*, invitation_id: int, token: str) -> None:
    """Send the invitation e-mail and record when; run by a background task."""
    from django.core.mail import send_mail

    invitation = Invitation.objects.select_related("review", "invited_by").get(pk=invitation_id)
    if invitation.sent_at is not None:
        return  # a retried task must not e-mail twice
    base = settings.SITE_URL.rstrip("/")
    send_mail(
        subject=f"You are invited to the review “{invitation.review.title}”",
        message=(
            f"{invitation.invited_by.get_username()} invited you to take part in the review "
            f"“{invitation.review.title}” as {invitation.get_role_display().lower()}.\n\n"
            f"Choose a username and password here: {base}/accounts/invitation/{token}/\n\n"
            f"The link works once and expires on {invitation.expires_at:%Y-%m-%d}."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(sent_at=timezone.now())


API_TOKEN_PREFIX = "lrv_"  # noqa: S105 (a public marker that makes leaked tokens recognisable)


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip() or "API token"
    key = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=key[:12], key_hash=_hash(key))
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise ServiceError("No such token", code="not_found")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_user(*, key: str) -> tuple[User, ApiToken] | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Touch at most once a minute so that a busy script does not write on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token
