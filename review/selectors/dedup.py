"""Reads about deduplication: summary and PRISMA figures, groups, possible pairs and the log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from review.models import DedupRun, MergeEvent, PossibleDuplicate, Record, Review, Search


def _source_label(database: str, kind: str, other_method: str) -> str:
    if kind == Search.Kind.OTHER:
        return dict(Search.OtherMethod.choices).get(other_method, "Other methods")
    return database


def dedup_counts_by_source(*, review: Review) -> list[dict[str, Any]]:
    """Per database (or other-methods source): records identified and duplicates removed, for PRISMA."""
    rows = (
        Record.objects.filter(review=review)
        .values("search__kind", "search__database", "search__other_method")
        .annotate(identified=Count("pk"), removed=Count("pk", filter=Q(merged_into__isnull=False)))
        .order_by("search__kind", "search__database", "search__other_method")
    )
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        label = _source_label(row["search__database"], row["search__kind"], row["search__other_method"])
        entry = merged.setdefault(label, {"name": label, "kind": row["search__kind"], "records": 0, "duplicates": 0})
        entry["records"] += row["identified"]
        entry["duplicates"] += row["removed"]
    return list(merged.values())


def dedup_summary(*, review: Review) -> dict[str, Any]:
    records = Record.objects.filter(review=review)
    return {
        "records": records.count(),
        "duplicates": records.filter(merged_into__isnull=False).count(),
        "groups": records.filter(merged_into__isnull=True, duplicates__isnull=False).distinct().count(),
        "possible": PossibleDuplicate.objects.filter(review=review, decision__isnull=True).count(),
        "last_run": DedupRun.objects.filter(review=review).select_related("job").first(),
        "by_source": dedup_counts_by_source(review=review),
    }


def duplicate_groups(*, review: Review) -> QuerySet[Record]:
    return (
        Record.objects.filter(review=review, merged_into__isnull=True)
        .annotate(duplicate_count=Count("duplicates"))
        .filter(duplicate_count__gt=0)
        .select_related("search")
        .order_by("-duplicate_count", "pk")
    )


def possible_pairs(*, review: Review) -> QuerySet[PossibleDuplicate]:
    return (
        PossibleDuplicate.objects.filter(review=review, decision__isnull=True)
        .select_related("record_a__search", "record_b__search")
        .order_by("-score", "pk")
    )


COMPARED_FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "abstract")


def pair_comparison(pair: PossibleDuplicate) -> list[dict[str, Any]]:
    """Field by field, both values and whether they differ, for the side-by-side screen."""
    rows = []
    for name in COMPARED_FIELDS:
        a, b = getattr(pair.record_a, name), getattr(pair.record_b, name)
        if isinstance(a, list):
            a, b = "; ".join(a), "; ".join(b)
        differs = _norm(a) != _norm(b)
        rows.append({"field": name, "a": a, "b": b, "differs": differs})
    return rows


def _norm(value: Any) -> str:
    return " ".join(str(value or "").lower().split())


DEDUP_LOG_HEADER = (
    "removed_record_id", "removed_source", "removed_title", "kept_record_id", "kept_source", "kept_title",
    "reason", "score", "decided_by", "when",
)  # fmt: skip


def dedup_log_rows(*, review: Review) -> Iterator[tuple[Any, ...]]:
    """Every record currently removed as a duplicate, with the record kept and why; streamed."""
    events = (
        MergeEvent.objects.filter(review=review, undone_at__isnull=True, record__merged_into=F("kept"))
        .select_related("record__search", "kept__search", "decided_by")
        .order_by("pk")
    )
    for event in events.iterator(chunk_size=2000):
        yield (
            event.record_id,
            event.record.search.label,
            event.record.title,
            event.kept_id,
            event.kept.search.label,
            event.kept.title,
            event.rule,
            event.score,
            event.decided_by.get_username() if event.decided_by else "",
            event.at,
        )
