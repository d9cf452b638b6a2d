"""Finding records: the records list's and API's filters, full-text search, and who may see which notes and tags.

Screening's columns and filters (status per stage, reviewer, awaiting a second reviewer, conflicts) come through
`review.extensions`, so `review` stays free of screening imports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast

from review import extensions
from review.access import ReviewAccess
from review.errors import ServiceError
from review.models import Record, RecordNote, RecordTag, Role, Tag
from review.selectors.reviews import records_for_review

# Parameters the records list itself reads; screening adds its own (see review.extensions). "page" and "page_size"
# belong to pagination.
BASE_FILTERS = frozenset({"q", "text", "search", "database", "tag", "year", "duplicates", "page", "page_size"})
_YEAR = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


def query_params(query: Mapping[str, object], *, drop_empty: bool = False) -> dict[str, str]:
    """A request's query parameters as plain text (the last value of each), for the filters below."""
    found = {str(key): str(query.get(key, "") or "") for key in query}
    return {k: v for k, v in found.items() if v != ""} if drop_empty else found


def filter_names() -> frozenset[str]:
    return BASE_FILTERS | extensions.record_filter_names()


def _voted(*, access: ReviewAccess, user: User) -> Q:
    """Records the user voted on (at any stage), as a filter on `record_id`."""
    found = Q(pk__in=[])
    for ids in extensions.voted_record_ids(access.review, user):
        found |= Q(record_id__in=ids)
    return found


def labels_unblinded(*, access: ReviewAccess) -> bool:
    """Whether this member sees everyone's notes and tags on every record. Under blinding a reviewer sees other
    people's only on records they have voted on, so that a note ("clearly out") cannot sway a first vote."""
    return not extensions.blinded(access.review) or access.can_resolve or access.role == Role.VIEWER


def _visible_to(*, access: ReviewAccess, user: User, author_field: str) -> Q:
    if labels_unblinded(access=access):
        return Q()
    return Q(**{author_field: user.pk}) | _voted(access=access, user=user)


def record_notes(*, access: ReviewAccess, user: User, record: Record) -> QuerySet[RecordNote]:
    visible = _visible_to(access=access, user=user, author_field="author_id")
    return RecordNote.objects.filter(record=record).filter(visible).select_related("author")


def record_tags(*, access: ReviewAccess, user: User, record_ids: list[int]) -> dict[int, list[RecordTag]]:
    visible = _visible_to(access=access, user=user, author_field="added_by_id")
    found: dict[int, list[RecordTag]] = {pk: [] for pk in record_ids}
    rows = RecordTag.objects.filter(record_id__in=record_ids).filter(visible).select_related("tag")
    for row in rows.order_by("tag__name"):
        found[row.record_id].append(row)
    return found


def review_tags(*, access: ReviewAccess) -> QuerySet[Tag]:
    return Tag.objects.filter(review=access.review).annotate(n=Count("record_tags")).order_by("name")


def _text_search(records: QuerySet[Record], text: str) -> QuerySet[Record]:
    """Words of the title, abstract or keywords: PostgreSQL's full-text search (stemmed, web-search syntax:
    "quoted phrase", -word, or); elsewhere every word as a substring of one of the three."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("title", "abstract", Cast("keywords", TextField()), config="english")
        query = SearchQuery(text, search_type="websearch", config="english")
        return records.annotate(_text=vector).filter(_text=query)
    for word in text.split():
        records = records.filter(Q(title__icontains=word) | Q(abstract__icontains=word) | Q(keywords__icontains=word))
    return records


def records_find(*, access: ReviewAccess, user: User, params: Mapping[str, str]) -> QuerySet[Record]:
    """The records list: every filter of the page and the API, refusing parameters it does not know."""
    unknown = sorted(set(params) - filter_names())
    if unknown:
        known = ", ".join(sorted(filter_names() - {"page", "page_size"}))
        raise ServiceError(f"Unknown filter: {', '.join(unknown)}. Filters are: {known}", field=unknown[0])
    search = params.get("search", "")
    if search and not search.isdigit():
        raise ServiceError("search is a search's id", field="search")
    records = records_for_review(
        review=access.review,
        q=params.get("q", "")[:200],
        search_id=int(search) if search else None,
        database=params.get("database", "")[:120],
    )
    text = params.get("text", "").strip()[:300]
    if text:
        records = _text_search(records, text)
    year = params.get("year", "").strip()
    if year:
        match = _YEAR.match(year)
        if not match:
            raise ServiceError("year is a year (2021) or a range (2019-2021)", field="year")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        records = records.filter(year__gte=first, year__lte=last)
    duplicates = params.get("duplicates", "")
    if duplicates == "hide":
        records = records.filter(merged_into__isnull=True)
    elif duplicates == "only":
        records = records.filter(
            Q(merged_into__isnull=False) | Exists(Record.objects.filter(merged_into=OuterRef("pk")))
        )
    elif duplicates:
        raise ServiceError("duplicates is hide or only", field="duplicates")
    tag = params.get("tag", "").strip()
    if tag:
        tagged = RecordTag.objects.filter(record=OuterRef("pk"), tag__review=access.review, tag__name__iexact=tag)
        if not labels_unblinded(access=access):
            tagged = tagged.filter(Q(added_by=user) | _voted(access=access, user=user))
        records = records.filter(Exists(tagged))
    return extensions.filter_records(records, access=access, user=user, params=params)


def record_rows(*, access: ReviewAccess, user: User, records: list[Record]) -> list[dict[str, Any]]:
    """The columns the list shows beside each record: status per stage, duplicate group, tags (one query each)."""
    ids = [record.pk for record in records]
    statuses = extensions.record_statuses(access.review, ids)
    tags = record_tags(access=access, user=user, record_ids=ids)
    kept_with = dict(
        Record.objects.filter(merged_into_id__in=ids)
        .values("merged_into_id")
        .annotate(n=Count("id"))
        .values_list("merged_into_id", "n")
    )
    rows = []
    for record in records:
        group = record.merged_into_id or (record.pk if kept_with.get(record.pk) else None)
        rows.append(
            {
                "record": record,
                "status": statuses.get(record.pk, {}),
                "ta": statuses.get(record.pk, {}).get("title-abstract", ""),
                "ft": statuses.get(record.pk, {}).get("full-text", ""),
                "duplicate_group": group,
                "duplicates": kept_with.get(record.pk, 0),
                "tags": [row.tag.name for row in tags.get(record.pk, [])],
            }
        )
    return rows
