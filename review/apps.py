from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from review.extensions import ExtensionDefaults

if TYPE_CHECKING:
    from review.extensions import NavItem
    from review.models import Review


class ReviewConfig(ExtensionDefaults, AppConfig):
    """Also the review app's own answers to `review.extensions.ReviewExtension` (its sections and counts)."""

    name = "review"
    verbose_name = "Reviews"

    def home_counts(self, review: Review) -> dict[str, object]:
        from review.models import Record

        return {"records": Record.objects.filter(review=review).count()}

    def nav_items(self) -> list[NavItem]:
        from review.extensions import NavItem
        from review.models import Role

        return [
            NavItem(key="searches", label="Searches", url_name="review:searches", order=10),
            NavItem(key="records", label="Records", url_name="review:records", order=20, min_role=Role.VIEWER),
            NavItem(key="dedup", label="Duplicates", url_name="review:dedup", order=25),
        ]
