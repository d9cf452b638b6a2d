"""Security headers that Django 5.2 does not set by itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

# No inline scripts anywhere: every script is a static file, so a title carrying <script> can never run.
# Inline style attributes are allowed because htmx sets them during swaps.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """While PostgreSQL restarts, answer 503 with Retry-After instead of a server error.

    Connections are checked at the start of each request (CONN_HEALTH_CHECKS), so once the database is back the
    next request reconnects by itself; nothing has to be restarted.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.db import connections
        from django.db.utils import InterfaceError, OperationalError

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        message = "The database is unavailable for a moment; try again in a few seconds."
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"error": {"code": "unavailable", "message": message, "fields": {}}}, status=503
            )
        else:
            response = HttpResponse(
                f"<!doctype html><title>Unavailable</title><p>{message}</p>", status=503, content_type="text/html"
            )
        response["Retry-After"] = "5"
        return response
