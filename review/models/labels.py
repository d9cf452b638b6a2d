"""What a team adds to records: shared tags and notes, and corrections of a record's metadata.

Imported in review/models/__init__.py so Django registers them with the review app. Notes and tags are appended and
removed by people, never by imports; a record edit keeps the value it replaced, so the first edit of a field
holds the imported original.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from review.models.records import Record
from review.models.reviews import Review


class Tag(models.Model):
    """A label the team uses on records of a review (Rayyan's labels)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=60)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["review", "name"], name="tag_unique_name_in_review")]

    def __str__(self) -> str:
        return self.name


class RecordTag(models.Model):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="record_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="record_tags")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tag__name"]
        constraints = [models.UniqueConstraint(fields=["record", "tag"], name="record_tag_once")]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.record_id}"


class RecordNote(models.Model):
    """A note on a record shared with the team (Covidence's notes); distinct from a vote's own note."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"note on {self.record_id}"


class RecordEdit(models.Model):
    """One correction of one field of a record: the value it replaced and the new one. Append-only."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="edits")
    field = models.CharField(max_length=40)
    before = models.JSONField(blank=True, null=True)
    after = models.JSONField(blank=True, null=True)
    reason = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["record", "field"])]

    def __str__(self) -> str:
        return f"{self.field} of {self.record_id}"
