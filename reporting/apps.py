from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from review.extensions import ExtensionDefaults

if TYPE_CHECKING:
    from review.extensions import NavItem


class ReportingConfig(ExtensionDefaults, AppConfig):
    """Reporting's implementation of `review.extensions.ReviewExtension`: it only adds its section."""

    name = "reporting"
    verbose_name = "Reports"

    def nav_items(self) -> list[NavItem]:
        from review.extensions import NavItem

        return [NavItem(key="report", label="Report", url_name="reporting:prisma", order=80)]
