from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_http_methods


def broker_status() -> str:
    """'ok', 'in-process' (no REDIS_URL: tasks run inside the web process) or 'unavailable: <why>'."""
    if not settings.REDIS_URL:
        return "in-process"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as error:
        return f"unavailable: {error.__class__.__name__}"
    return "ok"


@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError as error:
        database = f"unavailable: {error.__class__.__name__}"
    broker = broker_status()
    healthy = database == "ok" and not broker.startswith("unavailable")
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
