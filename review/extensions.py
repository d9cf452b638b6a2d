"""The one place where `review` asks the apps built on it (screening, charting, reporting) about a review.

Dependencies point one way: those apps import `review`, never the reverse. Where `review` must still learn something
only they know (deduplication must not hide a record someone has voted on; an import creates records that screening
has to queue), it calls the `ReviewExtension` methods of every installed app whose AppConfig implements them.

The implementations are the AppConfig classes themselves, found through Django's app registry: there is no list to
fill at import time, nothing depends on the order in which `ready()` runs, and an app that is installed is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.apps import apps

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.contrib.auth.models import User
    from django.db.models import QuerySet
    from rest_framework.serializers import Field

    from review.access import ReviewAccess
    from review.models import Record, Review


@dataclass(frozen=True, slots=True)
class NavItem:
    """A section of the review's navigation."""

    key: str
    label: str
    url_name: str  # reversed with the review's slug as its only argument
    order: int
    min_role: str = "viewer"  # a review.models.Role value (this module loads before the models)
    # The key of the section this page belongs under (a menu beside that section's name), or "" for a top entry.
    group: str = ""
    sub_label: str = ""  # its label inside the menu, when it differs


@runtime_checkable
class ReviewExtension(Protocol):
    """What an app built on `review` answers for a review. Every method must be cheap and must not fail for a review
    the app has no data for."""

    def locked_record_ids(self, review: Review) -> set[int]:
        """Records that deduplication may not hide without a person's confirmation."""
        ...

    def records_changed(self, review: Review, *, by: User | None) -> None:
        """Called (after commit) when records were added, merged or split, so the app brings its own rows up to
        date in the action that changed them rather than on a later read."""
        ...

    def review_updated(self, review: Review, *, by: User, changes: dict[str, dict[str, Any]]) -> None:
        """Called inside the transaction that changed review settings, with {field: {"from": old, "to": new}}."""
        ...

    def home_counts(self, review: Review) -> dict[str, object]:
        """Figures for the review's overview page."""
        ...

    def nav_items(self) -> list[NavItem]:
        """The app's sections in the review's navigation."""
        ...

    def records_with_history(self, review: Review, record_ids: set[int]) -> set[int]:
        """Those of the records that carry history the app must keep (any vote ever cast, a full text): a search
        whose records have some is archived rather than deleted."""
        ...

    def record_filter_names(self) -> frozenset[str]:
        """Query parameters of the records list (page and API) that the app reads."""
        ...

    def record_status_choices(self) -> list[tuple[str, str]]:
        """(value, label) of the records list's outcome filter."""
        ...

    def filter_records(
        self, records: QuerySet[Record], *, access: ReviewAccess, user: User, params: Mapping[str, str]
    ) -> QuerySet[Record]:
        """Apply the app's filters; raise ServiceError (field = the parameter) for a value it cannot read."""
        ...

    def record_statuses(self, review: Review, record_ids: list[int]) -> dict[int, dict[str, str]]:
        """{record id: {stage: status}} for the records list."""
        ...

    def voted_record_ids(self, review: Review, user: User) -> QuerySet | None:
        """The ids (a values queryset) of records the user has voted on: notes and tags by others show on those
        only, while the review is blinded."""
        ...

    def review_settings_fields(self) -> dict[str, Field]:
        """Settings of a review that the app keeps, as serializer fields (new instances on every call): the review
        API shows and accepts them beside the review's own, so that scripts see one set of review settings."""
        ...

    def review_settings(self, review: Review) -> dict[str, object]:
        """The values of those settings for the review, by name (the defaults when the app has stored none)."""
        ...

    def review_settings_update(self, review: Review, *, by: User, values: dict[str, Any]) -> None:
        """Change those settings (`values` holds only names from `review_settings_fields`), inside the caller's
        transaction; the app validates (ServiceError, field = the name), audits and does what must follow."""
        ...

    def review_summary(self, review: Review) -> list[tuple[str, str]]:
        """(label, value) lines about the review's settings for its overview page."""
        ...

    def blinded(self, review: Review) -> bool:
        """Whether the review hides members' work from each other until a record is decided: others' notes and
        tags then show only on records the member has voted on."""
        ...


class ExtensionDefaults:
    """Mix into an AppConfig that implements `ReviewExtension`: it answers "nothing" to what the app does not need."""

    def locked_record_ids(self, review: Review) -> set[int]:
        return set()

    def records_changed(self, review: Review, *, by: User | None) -> None:
        return None

    def review_updated(self, review: Review, *, by: User, changes: dict[str, dict[str, Any]]) -> None:
        return None

    def home_counts(self, review: Review) -> dict[str, object]:
        return {}

    def nav_items(self) -> list[NavItem]:
        return []

    def records_with_history(self, review: Review, record_ids: set[int]) -> set[int]:
        return set()

    def record_filter_names(self) -> frozenset[str]:
        return frozenset()

    def record_status_choices(self) -> list[tuple[str, str]]:
        return []

    def filter_records(
        self, records: QuerySet[Record], *, access: ReviewAccess, user: User, params: Mapping[str, str]
    ) -> QuerySet[Record]:
        return records

    def record_statuses(self, review: Review, record_ids: list[int]) -> dict[int, dict[str, str]]:
        return {}

    def voted_record_ids(self, review: Review, user: User) -> QuerySet | None:
        return None

    def review_settings_fields(self) -> dict[str, Field]:
        return {}

    def review_settings(self, review: Review) -> dict[str, object]:
        return {}

    def review_settings_update(self, review: Review, *, by: User, values: dict[str, Any]) -> None:
        return None

    def review_summary(self, review: Review) -> list[tuple[str, str]]:
        return []

    def blinded(self, review: Review) -> bool:
        return False


def review_extensions() -> list[ReviewExtension]:
    """Every installed app that implements the extension, in INSTALLED_APPS order."""
    return [config for config in apps.get_app_configs() if isinstance(config, ReviewExtension)]


def locked_record_ids(review: Review) -> set[int]:
    locked: set[int] = set()
    for extension in review_extensions():
        locked |= extension.locked_record_ids(review)
    return locked


def records_changed(review: Review, *, by: User | None) -> None:
    for extension in review_extensions():
        extension.records_changed(review, by=by)


def review_updated(review: Review, *, by: User, changes: dict[str, dict[str, Any]]) -> None:
    for extension in review_extensions():
        extension.review_updated(review, by=by, changes=changes)


def home_counts(review: Review) -> dict[str, object]:
    counts: dict[str, object] = {}
    for extension in review_extensions():
        counts.update(extension.home_counts(review))
    return counts


def nav_items() -> list[NavItem]:
    items = [item for extension in review_extensions() for item in extension.nav_items()]
    return sorted(items, key=lambda item: item.order)


def records_with_history(review: Review, record_ids: set[int]) -> set[int]:
    found: set[int] = set()
    for extension in review_extensions():
        found |= extension.records_with_history(review, record_ids)
    return found


def record_filter_names() -> frozenset[str]:
    return frozenset().union(*(extension.record_filter_names() for extension in review_extensions()))


def record_status_choices() -> list[tuple[str, str]]:
    return [choice for extension in review_extensions() for choice in extension.record_status_choices()]


def filter_records(
    records: QuerySet[Record], *, access: ReviewAccess, user: User, params: Mapping[str, str]
) -> QuerySet[Record]:
    for extension in review_extensions():
        records = extension.filter_records(records, access=access, user=user, params=params)
    return records


def record_statuses(review: Review, record_ids: list[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    for extension in review_extensions():
        for record_id, by_stage in extension.record_statuses(review, record_ids).items():
            found.setdefault(record_id, {}).update(by_stage)
    return found


def voted_record_ids(review: Review, user: User) -> list[QuerySet]:
    found = [extension.voted_record_ids(review, user) for extension in review_extensions()]
    return [ids for ids in found if ids is not None]


def review_settings_fields() -> dict[str, Field]:
    return {
        name: field for extension in review_extensions() for name, field in extension.review_settings_fields().items()
    }


def review_setting_names() -> frozenset[str]:
    return frozenset(review_settings_fields())


def review_settings(review: Review) -> dict[str, object]:
    values: dict[str, object] = {}
    for extension in review_extensions():
        values.update(extension.review_settings(review))
    return values


def review_settings_update(review: Review, *, by: User, values: dict[str, Any]) -> None:
    """Hand each app the settings it keeps; a name no app keeps is the caller's error, checked before."""
    for extension in review_extensions():
        own = {name: value for name, value in values.items() if name in extension.review_settings_fields()}
        if own:
            extension.review_settings_update(review, by=by, values=own)


def review_summary(review: Review) -> list[tuple[str, str]]:
    return [line for extension in review_extensions() for line in extension.review_summary(review)]


def blinded(review: Review) -> bool:
    return any(extension.blinded(review) for extension in review_extensions())
