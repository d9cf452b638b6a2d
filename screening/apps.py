from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig

from review.extensions import ExtensionDefaults

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from review.extensions import NavItem
    from review.models import Review


class ScreeningConfig(ExtensionDefaults, AppConfig):
    """Screening's implementation of `review.extensions.ReviewExtension`."""

    name = "screening"
    verbose_name = "Screening"

    def locked_record_ids(self, review: Review) -> set[int]:
        from screening.selectors import records_with_votes

        return records_with_votes(review)

    def records_changed(self, review: Review, *, by: User | None) -> None:
        from screening.services.queue import outcomes_sync

        outcomes_sync(review=review)

    def review_updated(self, review: Review, *, by: User, changes: dict[str, dict[str, Any]]) -> None:
        from screening.services.votes import outcomes_recheck_required

        outcomes_recheck_required(review, by, changes)

    def home_counts(self, review: Review) -> dict[str, object]:
        from screening.selectors import review_home_counts

        return dict(review_home_counts(review))

    def nav_items(self) -> list[NavItem]:
        from review.extensions import NavItem
        from review.models import Role

        return [
            NavItem(key="screening", label="Screening", url_name="screening:overview", order=30),
            NavItem(
                key="conflicts",
                label="Conflicts",
                url_name="screening:conflicts-home",
                order=32,
                min_role=Role.REVIEWER,
            ),
            NavItem(key="progress", label="Progress", url_name="screening:progress", order=34),
            NavItem(
                key="screening-settings",
                label="Screening settings",
                url_name="screening:settings",
                order=36,
                min_role=Role.LEAD,
            ),
        ]
