"""Counters that limit how often something may be done in a window: invitations here, and log-in failures and
password-reset mails in `accounts/throttles.py`.

Counters live in the shared cache (Redis in production), so every web process sees the same figures. An attempt
is *reserved* (the counter incremented atomically) before the password is checked: concurrent attempts each get a
distinct number and only those within the limit go on to a password check, so a burst can never test more
passwords than the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window_seconds: int


def reserve(limit: Limit, subject: str) -> int:
    """Count one more attempt for subject and return its number within the window (1 for the first)."""
    key = f"throttle:{limit.name}:{subject}"
    # add() starts the window only if no counter exists; incr() is atomic in Redis and in the local-memory cache.
    cache.add(key, 0, limit.window_seconds)
    try:
        return int(cache.incr(key))
    except ValueError:
        # The counter expired between add() and incr() (or the cache is unreachable): start a new window.
        cache.add(key, 0, limit.window_seconds)
        try:
            return int(cache.incr(key))
        except ValueError:
            return 1


def release(limit: Limit, subject: str) -> None:
    """Give back one reserved attempt (a successful log-in is not a guess)."""
    key = f"throttle:{limit.name}:{subject}"
    try:
        if int(cache.decr(key)) < 0:
            cache.delete(key)
    except ValueError:
        pass


def reset(limit: Limit, subject: str) -> None:
    cache.delete(f"throttle:{limit.name}:{subject}")


def over(limit: Limit, subject: str) -> bool:
    """Whether subject has already used up its attempts (without counting one more)."""
    return int(cache.get(f"throttle:{limit.name}:{subject}") or 0) >= limit.limit


def invitation_limit() -> Limit:
    return Limit("invitations", settings.INVITATIONS_PER_HOUR, 3600)
