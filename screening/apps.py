from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig

from review.extensions import ExtensionDefaults

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.contrib.auth.models import User
    from django.db.models import QuerySet
    from rest_framework.serializers import Field

    from review.access import ReviewAccess
    from review.extensions import NavItem
    from review.models import Record, Review


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
                group="screening",
            ),
            NavItem(key="progress", label="Progress", url_name="screening:progress", order=34, group="screening"),
            NavItem(
                key="screening-settings",
                label="Screening settings",
                url_name="screening:settings",
                order=36,
                min_role=Role.LEAD,
                group="screening",
                sub_label="Settings",
            ),
        ]

    # The records list's screening columns and filters (review.extensions), answered by screening/record_port.py.

    def records_with_history(self, review: Review, record_ids: set[int]) -> set[int]:
        from screening.models import FullText, VoteEvent

        voted = VoteEvent.objects.filter(review=review, record_id__in=record_ids).values_list("record_id", flat=True)
        texts = FullText.objects.filter(review=review, record_id__in=record_ids).values_list("record_id", flat=True)
        return set(voted) | set(texts)

    def record_filter_names(self) -> frozenset[str]:
        from screening.record_port import FILTER_NAMES

        return FILTER_NAMES

    def record_status_choices(self) -> list[tuple[str, str]]:
        from screening.record_port import STATUS_CHOICES

        return STATUS_CHOICES

    def filter_records(
        self, records: QuerySet[Record], *, access: ReviewAccess, user: User, params: Mapping[str, str]
    ) -> QuerySet[Record]:
        from screening.record_port import filter_records

        return filter_records(records, access=access, user=user, params=params)

    def record_statuses(self, review: Review, record_ids: list[int]) -> dict[int, dict[str, str]]:
        from screening.record_port import statuses

        return statuses(review=review, record_ids=record_ids)

    def voted_record_ids(self, review: Review, user: User) -> QuerySet | None:
        from screening.record_port import voted_record_ids

        return voted_record_ids(review=review, user=user)

    # Votes required and blinding are screening settings; the review API keeps showing and accepting them.

    def review_settings_fields(self) -> dict[str, Field]:
        from screening.api.settings import review_level_fields

        return review_level_fields()

    def review_settings(self, review: Review) -> dict[str, object]:
        from screening.selectors import settings_for
        from screening.services.config import REVIEW_LEVEL_FIELDS

        config = settings_for(review)
        return {name: getattr(config, name) for name in REVIEW_LEVEL_FIELDS}

    def review_settings_update(self, review: Review, *, by: User, values: dict[str, Any]) -> None:
        from screening.services.config import screening_settings_update

        screening_settings_update(review=review, by=by, **values)

    def review_summary(self, review: Review) -> list[tuple[str, str]]:
        from screening.selectors import settings_for

        config = settings_for(review)
        return [
            ("Votes per record, title/abstract", str(config.votes_required_title_abstract)),
            ("Votes per record, full text", str(config.votes_required_full_text)),
            ("Blinding", "on" if config.blinded else "off"),
        ]

    def blinded(self, review: Review) -> bool:
        from screening.selectors import is_blinded

        return is_blinded(review)
