"""Full-text files, the relevance ranker's runs and scores, and the stopping rule's samples."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from review.models import Record, Review
from screening.models.settings import Stage


def fulltext_path(instance: FullText, filename: str) -> str:
    # The stored name is generated; the uploaded name is kept in original_name and never used as a path.
    return f"reviews/{instance.review_id}/fulltexts/{instance.record_id}/{uuid.uuid4().hex}.pdf"


class FullText(models.Model):
    """A full-text PDF of a record. Replacing one keeps the old row and file, marked replaced."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="fulltexts")
    file = models.FileField(upload_to=fulltext_path, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=Q(replaced_at__isnull=True), name="fulltext_one_current_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"full text of {self.record_id}"


class RankerRun(models.Model):
    """The latest retraining of the relevance ranker for a review and stage (one row, updated in place: the
    scores it produced are in RelevanceScore, and each score row says which version produced it)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    version = models.PositiveIntegerField(default=0)
    trained_at = models.DateTimeField(null=True, blank=True)
    # Highest VoteEvent and Resolution ids the training saw: a retraining with nothing newer is skipped.
    last_event_id = models.BigIntegerField(default=0)
    last_resolution_id = models.BigIntegerField(default=0)
    relevant_labels = models.PositiveIntegerField(default=0)
    irrelevant_labels = models.PositiveIntegerField(default=0)
    scored = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    estimated_relevant_remaining = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "stage"], name="ranker_run_one_per_stage")]

    def __str__(self) -> str:
        return f"ranker v{self.version} of {self.review_id} at {self.stage}"


class RelevanceScore(models.Model):
    """The ranker's relevance estimate (0-1, higher is more likely relevant) of a record at a stage.

    Updated only while nobody has voted on the record at the stage: the score shown beside a record and the
    calibration of the remaining-relevant estimate then never carry that record's own votes.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="relevance_scores")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    score = models.FloatField()
    version = models.PositiveIntegerField()
    scored_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "stage"], name="relevance_one_per_record_stage")]
        indexes = [models.Index(fields=["review", "stage"], name="relevance_stage_idx")]

    def __str__(self) -> str:
        return f"{self.record_id} at {self.stage}: {self.score:.3f} (v{self.version})"


class StoppingSample(models.Model):
    """The random sample a stage's stopping rule rests on (screening/stopping.py): the records that nobody had
    voted on when the lead began it, in a random order fixed then. Screened in that order, any prefix of it is a
    simple random sample of those records. One per stage; never changed once made."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seed = models.PositiveIntegerField()
    record_ids = models.JSONField(help_text="Record ids of the urn, in the sample's random order")
    screened_before = models.PositiveIntegerField(help_text="Records of the stage decided or voted on before it")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "stage"], name="stopping_sample_one_per_stage")]

    def __str__(self) -> str:
        return f"stopping sample of {self.review_id} at {self.stage}"
