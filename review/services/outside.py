"""Counts PRISMA needs that happened outside the app: what each database reported and what was removed before
the export reached us (e.g. duplicates removed in EndNote), and what a previous version of the review included.
Each change is audited with its old and new values."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from review.errors import ServiceError
from review.models import Review, Search
from review.services.reviews import audit

LIMIT = 100_000_000  # far above any search's hits; a typo beyond it is refused rather than drawn


def _count(value: Any, field: str) -> int:
    if value is None or value == "":
        raise ServiceError("Give a number (0 if none)", field=field)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ServiceError("Give a whole number", field=field)
    text = str(value).strip()
    if not text.isdigit():
        raise ServiceError(f"{text[:20]!r} is not a whole number of records", field=field)
    number = int(text)
    if number > LIMIT:
        raise ServiceError(f"{number} is more records than any search gives", field=field)
    return number


def _optional_count(value: Any, field: str) -> int | None:
    return None if value is None or value == "" else _count(value, field)


@transaction.atomic
def search_outside_counts_set(
    *, review: Review, search: Search, by: User, hits_reported: Any, removed_before_import: Any, note: str
) -> Search:
    """Record a search's hits as the database reported them (None: not recorded) and the records removed before
    import. Records removed before import count as duplicates in PRISMA, so the note saying how is required."""
    search = Search.objects.select_for_update().get(pk=search.pk, review=review)
    hits = _optional_count(hits_reported, "hits_reported")
    removed = _count(removed_before_import, "removed_before_import")
    note = note.strip()
    if removed and not note:
        raise ServiceError("Say how and where those records were removed (e.g. EndNote X9 duplicates)", field="note")
    if len(note) > 2000:
        raise ServiceError("Keep the note under 2,000 characters", field="note")
    old = {"hits_reported": search.hits_reported, "removed_before_import": search.removed_before_import,
           "outside_note": search.outside_note}  # fmt: skip
    search.hits_reported, search.removed_before_import, search.outside_note = hits, removed, note
    search.save(update_fields=["hits_reported", "removed_before_import", "outside_note"])
    audit(review=review, actor=by, action="search.outside_counts_set", search=search.pk, old=old,
          new={"hits_reported": hits, "removed_before_import": removed, "outside_note": note})  # fmt: skip
    return search


@transaction.atomic
def review_previous_set(*, review: Review, by: User, studies: Any, reports: Any, note: str) -> Review:
    """What the previous version of an updated review included (PRISMA's "previous studies" boxes)."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    studies_n = _count(studies, "previous_studies")
    reports_n = _count(reports, "previous_reports")
    if reports_n < studies_n:
        raise ServiceError("Every study has at least one report: reports cannot be fewer than studies",
                           field="previous_reports")  # fmt: skip
    note = note.strip()
    if len(note) > 2000:
        raise ServiceError("Keep the note under 2,000 characters", field="previous_note")
    old = {"previous_studies": review.previous_studies, "previous_reports": review.previous_reports,
           "previous_note": review.previous_note}  # fmt: skip
    review.previous_studies, review.previous_reports, review.previous_note = studies_n, reports_n, note
    review.save(update_fields=["previous_studies", "previous_reports", "previous_note", "updated_at"])
    audit(review=review, actor=by, action="review.previous_version_set", old=old,
          new={"previous_studies": studies_n, "previous_reports": reports_n, "previous_note": note})  # fmt: skip
    return review
