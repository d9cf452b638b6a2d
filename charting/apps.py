from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from review.extensions import ExtensionDefaults

if TYPE_CHECKING:
    from review.extensions import NavItem
    from review.models import Review


class ChartingConfig(ExtensionDefaults, AppConfig):
    """Charting's implementation of `review.extensions.ReviewExtension`."""

    name = "charting"
    verbose_name = "Data charting"

    def home_counts(self, review: Review) -> dict[str, object]:
        from charting.selectors import review_home_counts

        return dict(review_home_counts(review))

    def nav_items(self) -> list[NavItem]:
        from review.extensions import NavItem
        from review.models import Role

        return [NavItem(key="charting", label="Charting", url_name="charting:home", order=60, min_role=Role.VIEWER)]
