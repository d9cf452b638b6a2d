"""Tags and notes that a team shares on records; each change is audited."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from review.errors import ServiceError
from review.models import Record, RecordNote, RecordTag, Review, Tag
from review.services.reviews import audit

TAG_MAX = 60
NOTE_MAX = 5000


@transaction.atomic
def tag_add(*, review: Review, record: Record, name: str, by: User) -> RecordTag:
    """Put a tag on a record, creating the review's tag on first use. Adding a tag the record has is a no-op."""
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Name the tag", field="name")
    if len(name) > TAG_MAX:
        raise ServiceError(f"A tag has at most {TAG_MAX} characters", field="name")
    if record.review_id != review.pk:
        raise ServiceError("No such record", code="not_found")
    tag = Tag.objects.filter(review=review, name__iexact=name).first()
    if tag is None:
        tag, _ = Tag.objects.get_or_create(review=review, name=name, defaults={"created_by": by})
    record_tag, created = RecordTag.objects.get_or_create(record=record, tag=tag, defaults={"added_by": by})
    if created:
        audit(review=review, actor=by, action="record.tagged", record=record.pk, tag=tag.name)
    return record_tag


@transaction.atomic
def tag_remove(*, review: Review, record: Record, tag: Tag, by: User) -> None:
    if tag.review_id != review.pk or record.review_id != review.pk:
        raise ServiceError("No such tag", code="not_found")
    deleted, _ = RecordTag.objects.filter(record=record, tag=tag).delete()
    if not deleted:
        raise ServiceError("The record does not have this tag", code="not_found")
    audit(review=review, actor=by, action="record.untagged", record=record.pk, tag=tag.name)


@transaction.atomic
def note_add(*, review: Review, record: Record, text: str, by: User) -> RecordNote:
    text = text.strip()
    if not text:
        raise ServiceError("Write the note first", field="text")
    if len(text) > NOTE_MAX:
        raise ServiceError(f"A note has at most {NOTE_MAX} characters", field="text")
    if record.review_id != review.pk:
        raise ServiceError("No such record", code="not_found")
    note = RecordNote.objects.create(review=review, record=record, author=by, text=text)
    audit(review=review, actor=by, action="record.note_added", record=record.pk, note=note.pk)
    return note
