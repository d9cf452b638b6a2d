"""A record with a huge field is deduplicated by the prefix the matcher compares, in the database as in the engine."""

from __future__ import annotations

from review.models import MergeEvent, Record
from review.services import dedup, imports

TITLE = "Early mobilisation after hip fracture surgery and functional recovery at six months in older adults"
FIELDS = {
    "authors": ["Moreau, Claire", "Tanaka, Hiroshi"],
    "year": 2020,
    "journal": "Age and Ageing",
    "volume": "49",
    "issue": "5",
    "pages": "812-819",
}


def test_a_huge_title_and_abstract_are_read_by_their_prefix_and_still_match(
    review, lead, django_capture_on_commit_callbacks
):
    search = imports.search_create(review=review, by=lead, database="Scopus")
    huge = Record.objects.create(
        review=review, search=search, position=1, title=TITLE + " " + "x" * 3_000_000, abstract="y" * 3_000_000,
        **FIELDS,
    )  # fmt: skip
    plain = Record.objects.create(review=review, search=search, position=2, title=TITLE, **FIELDS)
    with django_capture_on_commit_callbacks(execute=True):
        dedup.dedup_start(review=review, by=lead)
    huge.refresh_from_db()
    plain.refresh_from_db()
    assert len(huge.title) > 3_000_000  # nothing stored was cut
    merged = [r for r in (huge, plain) if r.merged_into_id is not None]
    assert len(merged) == 1 and MergeEvent.objects.get(record=merged[0]).rule.startswith("score")
