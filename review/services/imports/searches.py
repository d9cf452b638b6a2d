"""Searches: the database (or other source) that was searched, how, when, and with what query."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from review import extensions
from review.errors import ServiceError
from review.models import Record, Review, Search, SearchFile
from review.services.reviews import audit

SEARCH_FIELDS = ("kind", "database", "is_register", "other_method", "platform", "date_searched", "query", "notes")


def search_create(*, review: Review, by: User, **fields: Any) -> Search:
    fields = _search_fields_clean(fields)
    with transaction.atomic():
        search = Search.objects.create(review=review, created_by=by, **fields)
        audit(review=review, actor=by, action="search.created", search=search.pk, label=search.label)
    return search


@transaction.atomic
def search_update(*, review: Review, search: Search, by: User, **fields: Any) -> Search:
    """Correct a search's description (database, platform, date, query, notes); its records keep pointing at it."""
    search = Search.objects.select_for_update().get(pk=search.pk, review=review)
    current = {name: getattr(search, name) for name in SEARCH_FIELDS}
    cleaned = _search_fields_clean({**current, **fields})
    changed = sorted(name for name, value in cleaned.items() if current[name] != value)
    if not changed:
        return search
    for name in changed:
        setattr(search, name, cleaned[name])
    search.save(update_fields=changed)
    audit(review=review, actor=by, action="search.updated", search=search.pk, fields=changed, label=search.label)
    return search


def search_delete(*, review: Review, search: Search, by: User) -> str:
    """Delete a search with its files and records while nothing of it was screened or linked; otherwise archive
    it (no more uploads; its records, votes and provenance stay). Returns "deleted" or "archived"."""
    with transaction.atomic():
        search = Search.objects.select_for_update().get(pk=search.pk, review=review)
        records = Record.objects.filter(search=search)
        ids = set(records.values_list("pk", flat=True))
        screened = bool(extensions.records_with_history(review, ids))
        linked = (
            Record.objects.filter(merged_into_id__in=ids).exclude(search=search).exists()
            or Record.objects.filter(report_of_id__in=ids).exclude(search=search).exists()
            or records.filter(report_of__isnull=False).exists()
        )
        label = search.label
        if screened or linked:
            if search.archived_at is None:
                search.archived_at = timezone.now()
                search.save(update_fields=["archived_at"])
            audit(review=review, actor=by, action="search.archived", search=search.pk, label=label)
            return "archived"
        # Duplicates first (they point at kept records of this search), then the rest, then files and the search.
        records.filter(merged_into__isnull=False).delete()
        records.delete()
        SearchFile.objects.filter(search=search).update(duplicate_of=None)
        SearchFile.objects.filter(duplicate_of__search=search).update(duplicate_of=None)
        SearchFile.objects.filter(search=search).delete()
        pk = search.pk
        search.delete()
        audit(review=review, actor=by, action="search.deleted", search=pk, label=label, records=len(ids))
    return "deleted"


def _search_fields_clean(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(SEARCH_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown search fields: {', '.join(sorted(unknown))}")
    kind = fields.get("kind") or Search.Kind.DATABASE
    if kind not in Search.Kind.values:
        raise ServiceError(f"kind must be one of {', '.join(Search.Kind.values)}", field="kind")
    fields["kind"] = kind
    fields["database"] = (fields.get("database") or "").strip()
    if kind == Search.Kind.DATABASE and not fields["database"]:
        raise ServiceError("Name the database that was searched (e.g. PubMed, Embase)", field="database")
    if kind == Search.Kind.OTHER:
        method = fields.get("other_method") or Search.OtherMethod.OTHER
        if method not in Search.OtherMethod.values:
            raise ServiceError(
                f"other_method must be one of {', '.join(Search.OtherMethod.values)}", field="other_method"
            )
        fields["other_method"] = method
    else:
        fields["other_method"] = ""
    when = fields.get("date_searched")
    if isinstance(when, date) and when > timezone.localdate():
        raise ServiceError("The search date is in the future", field="date_searched")
    return fields
