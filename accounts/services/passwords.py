"""Password-reset mail. The web request only enqueues; the mail is built and sent by a background task."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def password_reset_request(*, email: str) -> int:
    """Queue a reset mail for every active account with a usable password at this address; returns how many.

    Nothing in the answer depends on whether an account exists, so the page cannot be used to test addresses.
    """
    from accounts.tasks import password_reset_send
    from review.services.jobs import enqueue

    users = list(PasswordResetForm().get_users(email))
    for user in users:
        enqueue(password_reset_send, user.pk, background=True)
    return len(users)


def password_reset_mail_send(*, user_id: int) -> bool:
    """Build the single-use link and mail it; False when the account can no longer reset its password."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    # Links are built from SITE_URL, never from the request's Host header (which the requester controls).
    site = settings.SITE_URL.rstrip("/")
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    send_mail(
        subject=f"Reset your password on {urlsplit(site).netloc or site}",
        message=(
            f"Someone (probably you) asked to reset the password of the account {user.get_username()}.\n\n"
            f"Choose a new password here: {site}{path}\n\n"
            "The link works once. Setting a new password revokes the account's API tokens.\n"
            "If you did not ask for this, ignore this message: your password stays as it is."
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    return True
