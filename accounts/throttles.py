"""Limits that make guessing slow: log-in failures per account and per client, password-reset mails per address and
per client. The counters themselves are review's (`review/throttles.py`), shared with the invitation limit."""

from __future__ import annotations

import hashlib
import unicodedata

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from review.throttles import Limit, over, release, reserve, reset

__all__ = [
    "Limit",
    "account_key",
    "client_address",
    "login_account_limit",
    "login_client_limit",
    "over",
    "release",
    "reserve",
    "reset",
    "reset_address_limit",
    "reset_client_limit",
]


def client_address(request: HttpRequest) -> str:
    """The address of the person at the other end, not of the reverse proxy in front of the app.

    Behind a proxy every request comes from the proxy's address; the proxy appends the real client to
    X-Forwarded-For. Only the entries added by proxies we run can be trusted (a client can send any
    X-Forwarded-For it likes), so with TRUSTED_PROXY_COUNT = n the client is the n-th entry from the right.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    header = settings.TRUSTED_PROXY_HEADER
    count = settings.TRUSTED_PROXY_COUNT
    if not header or count < 1:
        return remote
    meta_key = "HTTP_" + header.upper().replace("-", "_")
    hops = [hop.strip() for hop in str(request.META.get(meta_key, "")).split(",") if hop.strip()]
    if len(hops) < count:
        # The request did not pass through all our proxies (a direct connection): the socket address is the client.
        return remote
    return hops[-count]


def account_key(username: str) -> str:
    """The key one account's failures are counted under, whatever spelling of its name was typed.

    Django's login form turns the typed name into the stored one by stripping spaces and NFKC-normalising
    (`UsernameField`, `AbstractBaseUser.normalize_username`), so " alice", "alice " and "alice" typed in full-width
    letters (U+FF41...) all reach the account "alice" and must share its counter. Case is folded too: the
    counter is then shared with look-alike names, which errs on the side of locking.
    """
    name = AbstractBaseUser.normalize_username(unicodedata.normalize("NFKC", username).strip())
    return hashlib.sha256(name.casefold().encode()).hexdigest()[:32]


def login_account_limit() -> Limit:
    return Limit("login-account", settings.LOGIN_FAILURES_PER_ACCOUNT, settings.LOGIN_LOCKOUT_SECONDS)


def login_client_limit() -> Limit:
    return Limit("login-client", settings.LOGIN_FAILURES_PER_CLIENT, settings.LOGIN_LOCKOUT_SECONDS)


def reset_address_limit() -> Limit:
    return Limit("reset-address", settings.PASSWORD_RESETS_PER_ADDRESS, 3600)


def reset_client_limit() -> Limit:
    return Limit("reset-client", settings.PASSWORD_RESETS_PER_CLIENT, 3600)
