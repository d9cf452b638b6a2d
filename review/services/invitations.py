"""Invitations: how anyone becomes a member of a review.

Nobody is added without consent. A lead invites an existing account (by username or e-mail) or a new person (by
e-mail); the existing account accepts or declines while logged in, the new person creates an account from the link.
Nothing here tells a lead an e-mail address they did not type themselves.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from review import throttles
from review.errors import ServiceError
from review.models import Invitation, Membership, Review, Role
from review.services.reviews import _hash, audit


def _token_for(seed: str) -> str:
    return salted_hmac("review.invitation-link", seed, algorithm="sha256").hexdigest()


def invitation_link(*, invitation: Invitation) -> str | None:
    """The invitation's link, built from SITE_URL; None for invitations made before links could be shown again."""
    if not invitation.link_seed:
        return None
    token = _token_for(invitation.link_seed)
    if _hash(token) != invitation.token_hash:
        return None  # SECRET_KEY has changed since: the e-mailed link still works, this one would not
    path = reverse("accounts:invitation", kwargs={"token": token})
    return settings.SITE_URL.rstrip("/") + path


def _pending_for(review: Review, user: User) -> Invitation | None:
    return Invitation.objects.filter(
        review=review, invitee=user, accepted_at__isnull=True, revoked_at__isnull=True, declined_at__isnull=True
    ).first()


@transaction.atomic
def member_invite(*, review: Review, by: User, identifier: str, role: Role) -> tuple[Invitation, str]:
    """Invite an existing account (by username or e-mail) or a new person (by e-mail); returns the invitation
    and its token. The e-mail and the link are sent by a background task after the commit."""
    role = Role(role)
    identifier = identifier.strip()
    if not identifier:
        raise ServiceError("Give a username or an e-mail address", field="identifier")
    by_name = User.objects.filter(username__iexact=identifier).first()
    user = by_name or User.objects.filter(email__iexact=identifier).order_by("pk").first()
    email = ""
    if user is None or by_name is None:
        # Only an address the lead typed is ever stored or shown back to them.
        try:
            validate_email(identifier)
        except ValidationError:
            raise ServiceError(
                f"No account is called {identifier!r}; to invite someone new, give their e-mail address",
                field="identifier",
            ) from None
        email = identifier.lower()
    if user is not None:
        if Membership.objects.filter(review=review, user=user).exists():
            raise ServiceError(f"{identifier} is already a member of this review", field="identifier")
        pending = _pending_for(review, user)
        if pending is not None and pending.expires_at > timezone.now():
            raise ServiceError(
                f"{identifier} already has a pending invitation; withdraw it to invite again", field="identifier"
            )
        if pending is not None:  # expired: make way for the new one
            pending.revoked_at = timezone.now()
            pending.save(update_fields=["revoked_at"])
    # Every invitation e-mails someone who did not ask for it: one person cannot make the app send a flood.
    limit = throttles.invitation_limit()
    if throttles.reserve(limit, str(by.pk)) > limit.limit:
        raise ServiceError(
            f"You have sent {limit.limit} invitations in the last hour; wait before inviting more", code="throttled"
        )
    seed = secrets.token_urlsafe(24)
    token = _token_for(seed)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                review=review,
                email=email,
                invitee=user,
                role=role,
                token_hash=_hash(token),
                link_seed=seed,
                invited_by=by,
                expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
            )
    except IntegrityError:  # two leads invited the same account at the same instant
        raise ServiceError(f"{identifier} already has a pending invitation", field="identifier") from None
    audit(review=review, actor=by, action="member.invited", invited=invitation.invited_as, role=role.value)
    from review.services.jobs import enqueue
    from review.tasks import invitation_send

    # Without a broker the invitation is still created; the lead can copy its link from the Members page.
    enqueue(invitation_send, invitation.pk, token)
    return invitation, token


def invitation_for_token(*, token: str) -> Invitation:
    invitation = Invitation.objects.select_related("review", "invitee").filter(token_hash=_hash(token)).first()
    if invitation is None or invitation.revoked_at is not None:
        raise ServiceError("This invitation link is not valid", code="not_found")
    if invitation.accepted_at is not None:
        raise ServiceError("This invitation has already been used", code="used")
    if invitation.declined_at is not None:
        raise ServiceError("This invitation was declined", code="used")
    if invitation.expires_at <= timezone.now():
        raise ServiceError("This invitation has expired; ask the review's lead for a new one", code="expired")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str) -> Membership:
    """Create the invited new person's account with the password they chose, and add them to the review."""
    invitation = invitation_for_token(token=token)
    # Lock the row so that the same link clicked twice at once cannot create two accounts.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ServiceError("This invitation has already been used", code="used")
    if invitation.invitee_id is not None:
        raise ServiceError("This invitation is for an existing account: log in to accept it", code="not_found")
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


def _mine_locked(*, user: User, invitation_id: int) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("review")
        .filter(pk=invitation_id, invitee=user, accepted_at__isnull=True, revoked_at__isnull=True)
        .filter(declined_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None:
        raise ServiceError("No such invitation (it may have been withdrawn or have expired)", code="not_found")
    return invitation


@transaction.atomic
def invitation_respond(*, user: User, invitation_id: int, accept: bool) -> Membership | None:
    """The invited account accepts (becomes a member with the invited role) or declines; only they can."""
    invitation = _mine_locked(user=user, invitation_id=invitation_id)
    now = timezone.now()
    if not accept:
        invitation.declined_at = now
        invitation.save(update_fields=["declined_at"])
        audit(review=invitation.review, actor=user, action="member.declined", user=user.get_username())
        return None
    if Membership.objects.filter(review=invitation.review, user=user).exists():
        raise ServiceError("You are already a member of this review", code="conflict")
    membership = Membership.objects.create(review=invitation.review, user=user, role=invitation.role)
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit(review=invitation.review, actor=user, action="member.joined", user=user.get_username(), role=invitation.role)
    return membership


@transaction.atomic
def invitation_revoke(*, review: Review, by: User, invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit(review=review, actor=by, action="member.invitation_revoked", invited=invitation.invited_as)


def invitation_mark_sent(*, invitation_id: int, token: str) -> None:
    """Send the invitation e-mail and record when; run by a background task."""
    from django.core.mail import send_mail

    invitation = Invitation.objects.select_related("review", "invited_by", "invitee").get(pk=invitation_id)
    if invitation.sent_at is not None or invitation.revoked_at is not None:
        return  # a retried task must not e-mail twice
    link = settings.SITE_URL.rstrip("/") + reverse("accounts:invitation", kwargs={"token": token})
    intro = (
        f"{invitation.invited_by.get_username()} invited you to take part in the review "
        f"“{invitation.review.title}” as {invitation.get_role_display().lower()}.\n\n"
    )
    if invitation.invitee is not None:
        recipient = invitation.invitee.email
        body = (
            f"{intro}Log in as {invitation.invitee.get_username()} to accept or decline: {link}\n\n"
            f"The invitation is also listed on your reviews page. It expires on {invitation.expires_at:%Y-%m-%d}."
        )
    else:
        recipient = invitation.email
        body = (
            f"{intro}Choose a username and password here: {link}\n\n"
            f"The link works once and expires on {invitation.expires_at:%Y-%m-%d}."
        )
    if recipient:
        send_mail(
            subject=f"You are invited to the review “{invitation.review.title}”",
            message=body,
            from_email=None,
            recipient_list=[recipient],
        )
    Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(sent_at=timezone.now())
