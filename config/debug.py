"""What the debug error page may show. Only development runs with DEBUG on, but a secret on that page travels with
every screenshot and pasted error report, so it is hidden there too."""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

# A password inside a connection URL: scheme://user:password@host (REDIS_URL, DATABASE_URL, the broker URL...).
URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@]+@", re.IGNORECASE)


def hide_url_passwords(text: str) -> str:
    return URL_PASSWORD.sub(r"\g<head>********************@", text)


class _Scrubbed:
    """Stands in for a traceback variable: shows its repr without passwords in URLs."""

    def __init__(self, value: Any) -> None:
        self.text = hide_url_passwords(repr(value))

    def __repr__(self) -> str:
        return self.text


class SecretsHidingFilter(SafeExceptionReporterFilter):
    # Django's names plus settings and environment variables that hold connection URLs with credentials.
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL|REDIS_URL|BROKER|DSN|LOCATION",
        flags=re.IGNORECASE,
    )

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        return hide_url_passwords(cleansed) if isinstance(cleansed, str) else cleansed

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, _Scrubbed(value)) for name, value in variables]
