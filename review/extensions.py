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
    from django.contrib.auth.models import User

    from review.models import Review


@dataclass(frozen=True, slots=True)
class NavItem:
    """A section of the review's navigation."""

    key: str
    label: str
    url_name: str  # reversed with the review's slug as its only argument
    order: int
    min_role: str = "viewer"  # a review.models.Role value (this module loads before the models)


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
