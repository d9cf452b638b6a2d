"""Request types for views that run behind login (`request.user` is a real account there), and how every app's
pages answer a refused request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

from review.errors import ServiceError

View = TypeVar("View", bound=Callable[..., Any])


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def api_user(request: Request) -> User:
    """The account behind an API request; IsAuthenticated has already refused anonymous callers."""
    user = request.user
    assert isinstance(user, User)
    return user


def page_status(error: ServiceError) -> int:
    """The status a page answers a refused request with, by the one mapping in review/errors.py.

    A refusal of access is answered as Django answers it everywhere (its 403 page, showing nothing of the record):
    raised here. Anything else (a stale form, nothing to undo) the caller shows with its message and this status."""
    if error.http_status == 403:
        raise PermissionDenied(error.message)
    return error.http_status


def refusals_as_http(view: View) -> View:
    """A ServiceError that leaves a page (a door such as screening/access.py refused) answers with its mapped status."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except ServiceError as error:
            if error.http_status == 404:
                raise Http404(error.message) from None
            status = page_status(error)
            return HttpResponse(error.message, status=status, content_type="text/plain; charset=utf-8")

    return wrapped  # type: ignore[return-value]
