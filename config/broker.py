"""Whether the task broker answers; read by the health check and by the banner that says background jobs are down."""

from __future__ import annotations

from django.conf import settings


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
