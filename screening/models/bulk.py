"""PDFs uploaded in bulk, waiting for a person to confirm or correct the record each was matched to."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from review.models import Record, Review


def bulk_path(instance: BulkFullText, filename: str) -> str:
    return f"reviews/{instance.review_id}/fulltexts/bulk/{uuid.uuid4().hex}.pdf"


class BulkFullText(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ATTACHED = "attached", "Attached"
        DISCARDED = "discarded", "Discarded"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=bulk_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    proposed = models.ForeignKey(Record, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    method = models.CharField(max_length=20)  # see screening/fulltext_match.py
    score = models.FloatField(default=0)
    certain = models.BooleanField(default=False)
    alternatives = models.JSONField(default=list, blank=True)
    problem = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attached_to = models.ForeignKey(Record, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["certain", "original_name", "id"]
        indexes = [models.Index(fields=["review", "status"])]

    def __str__(self) -> str:
        return self.original_name
