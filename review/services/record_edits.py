"""Corrections of a record's metadata (a missing abstract, a wrong DOI). The record holds the corrected values, so
deduplication, screening and exports use them; every edit keeps the value it replaced (RecordEdit), so the
imported original is the `before` of a field's first edit, and the raw imported tags stay untouched in `raw`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from review.errors import ServiceError
from review.importers.normalise import doi_from, pmid_from
from review.models import Record, RecordEdit, Review
from review.services.reviews import audit

EDITABLE = ("title", "abstract", "authors", "year", "journal", "doi", "pmid", "keywords")
_LISTS = {"authors", "keywords"}


def _clean(field: str, value: Any) -> Any:
    if field in _LISTS:
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ServiceError(f"{field} is a list of texts", field=field)
        return [item.strip() for item in value if item.strip()]
    if field == "year":
        if value in (None, ""):
            return None
        try:
            year = int(value)
        except (TypeError, ValueError):
            raise ServiceError("year is a whole number", field="year") from None
        if not 1000 <= year <= 2100:
            raise ServiceError("year must be between 1000 and 2100", field="year")
        return year
    if not isinstance(value, str):
        raise ServiceError(f"{field} is a text", field=field)
    value = value.strip()
    if field == "doi" and value:
        doi = doi_from(value)
        if not doi:
            raise ServiceError("That is not a DOI (expected 10.xxxx/...)", field="doi")
        return doi
    if field == "pmid" and value:
        pmid = pmid_from(value)
        if not pmid:
            raise ServiceError("A PMID is a number", field="pmid")
        return pmid
    if field == "title" and not value:
        raise ServiceError("A record needs a title", field="title")
    return value


@transaction.atomic
def record_edit(
    *, review: Review, record: Record, by: User, changes: dict[str, Any], reason: str = ""
) -> list[RecordEdit]:
    """Apply corrections to a record; returns the edits written (none when nothing changed)."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ServiceError(f"These fields cannot be edited: {', '.join(unknown)}", field=unknown[0])
    cleaned = {field: _clean(field, value) for field, value in changes.items()}
    record = Record.objects.select_for_update(no_key=True).get(pk=record.pk, review=review)
    edits = [
        RecordEdit(record=record, field=field, before=getattr(record, field), after=value, reason=reason[:300], by=by)
        for field, value in cleaned.items()
        if getattr(record, field) != value
    ]
    if not edits:
        return []
    for edit in edits:
        setattr(record, edit.field, edit.after)
    record.save(update_fields=[edit.field for edit in edits])
    RecordEdit.objects.bulk_create(edits)
    audit(
        review=review,
        actor=by,
        action="record.edited",
        record=record.pk,
        fields=[edit.field for edit in edits],
        reason=reason[:300],
    )
    return edits


def record_originals(*, record: Record) -> dict[str, Any]:
    """{field: the imported value} for every field that was edited since."""
    originals: dict[str, Any] = {}
    for field, before in RecordEdit.objects.filter(record=record).order_by("at", "id").values_list("field", "before"):
        originals.setdefault(field, before)
    return originals
