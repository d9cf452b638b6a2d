"""Request types for views that run behind login: `request.user` is a real account there."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def api_user(request: Request) -> User:
    """The account behind an API request; IsAuthenticated has already refused anonymous callers."""
    user = request.user
    assert isinstance(user, User)
    return user
