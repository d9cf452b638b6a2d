from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Log-in and its throttle, password change and reset, the profile page with API tokens, and the health check.

    It owns no tables: accounts are Django's users, and invitations, memberships and API tokens are review's
    models. It imports `review`; `review` never imports it.
    """

    name = "accounts"
    verbose_name = "Accounts"
