"""What `review` asks of screening without importing it: one Protocol, one implementation (screening's), registered
once in ScreeningConfig.ready(). Used by the records list (status columns and stage filters) and by blinding of
notes and tags (a note must not unblind a reviewer who has not voted)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from django.db.models import QuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from review.access import ReviewAccess
    from review.models import Record, Review


class RecordScreening(Protocol):
    # Query parameters of the records list that screening understands (e.g. "status", "reviewer").
    filter_names: frozenset[str]
    # (value, label) of the outcome filter's choices
    status_choices: list[tuple[str, str]]

    def voted_record_ids(self, *, review: Review, user: User) -> QuerySet:
        """The ids of records the user has voted on at any stage (a values queryset)."""
        ...

    def filter_records(
        self, records: QuerySet[Record], *, access: ReviewAccess, user: User, params: Mapping[str, str]
    ) -> QuerySet[Record]:
        """Apply screening's filters; raise ServiceError (field = the parameter) for a value it cannot read."""
        ...

    def statuses(self, *, review: Review, record_ids: list[int]) -> dict[int, dict[str, str]]:
        """{record id: {stage: status}} for the given records."""
        ...


_provider: list[RecordScreening] = []


def provide(implementation: RecordScreening) -> None:
    _provider[:] = [implementation]


def record_screening() -> RecordScreening | None:
    return _provider[0] if _provider else None
