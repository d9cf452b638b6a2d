"""Where each record stands at a stage, the votes on it with their history, the queue, conflicts and resolutions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from review.append_only import AppendOnlyModel
from review.models import Record, Review
from screening.models.settings import FINAL_STATUSES, Choice, ExclusionReason, PilotRound, Stage, Status


class StageOutcome(models.Model):
    """Where a record stands at one stage. Exactly one row per record and stage; it is the row that votes,
    resolutions and queue claims lock, so every write about a record at a stage is serialised on it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="stage_outcomes")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.AWAITING)
    vote_count = models.PositiveSmallIntegerField(default=0)
    # Set for pilot records, which every reviewer votes on; otherwise the review's setting applies.
    votes_required = models.PositiveSmallIntegerField(null=True, blank=True)
    pilot = models.ForeignKey(PilotRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="outcomes")
    queue_key = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)  # full-text exclusion reason labels, when excluded
    decided_by = models.CharField(max_length=12, blank=True)  # "votes", "lead" or "retrieval"
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)  # e.g. why the report could not be retrieved
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["queue_key", "record_id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "stage"], name="outcome_one_per_record_stage"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="outcome_status_valid"),
            models.CheckConstraint(
                condition=Q(stage=Stage.FULL_TEXT) | ~Q(status=Status.NOT_RETRIEVED),
                name="outcome_not_retrieved_only_at_full_text",
            ),
        ]
        indexes = [
            models.Index(fields=["review", "stage", "status", "queue_key", "record"], name="outcome_queue_idx"),
            models.Index(fields=["review", "stage", "pilot"], name="outcome_pilot_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} at {self.stage}: {self.status}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class Vote(models.Model):
    """A reviewer's current vote on a record at a stage."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="screening_votes")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screening_votes")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    reason = models.ForeignKey(ExclusionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason_other = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    # The choice as it stood when the record's required votes were first all in: agreement statistics use it,
    # so that a vote changed after discussing a conflict does not inflate kappa.
    independent_choice = models.CharField(max_length=10, choices=Choice.choices, blank=True)
    cast_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cast_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "stage", "reviewer"], name="vote_one_current_per_reviewer"),
            models.CheckConstraint(condition=Q(choice__in=[c.value for c in Choice]), name="vote_choice_valid"),
            models.CheckConstraint(
                condition=~Q(stage=Stage.FULL_TEXT, choice=Choice.MAYBE), name="vote_no_maybe_at_full_text"
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.FULL_TEXT, choice=Choice.EXCLUDE, reason__isnull=True, reason_other=""),
                name="vote_full_text_exclusion_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["review", "stage", "reviewer"], name="vote_reviewer_idx")]

    def __str__(self) -> str:
        return f"{self.reviewer_id} {self.choice} {self.record_id} at {self.stage}"

    @property
    def reason_label(self) -> str:
        if self.reason_id is not None and self.reason is not None:
            return self.reason.label
        return f"Other: {self.reason_other}" if self.reason_other else ""


class VoteEvent(AppendOnlyModel):
    """Append-only history of votes: every cast, change and withdrawal, with who and when."""

    class Action(models.TextChoices):
        CAST = "cast"
        CHANGE = "change"
        WITHDRAW = "withdraw"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    choice = models.CharField(max_length=10, choices=Choice.choices, blank=True)
    reason = models.ForeignKey(ExclusionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason_other = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    # A default rather than auto_now_add: the row is written once, with its time, even when a bundle restores it.
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["review", "stage", "reviewer", "at"], name="vote_event_reviewer_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.choice} by {self.reviewer_id} on {self.record_id}"


class QueueClaim(models.Model):
    """A record handed to a reviewer and not yet voted on; it holds one of the record's vote slots for a while,
    so that two reviewers are not both handed the last vote a record needs."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "stage", "reviewer"], name="claim_one_per_reviewer"),
        ]
        indexes = [models.Index(fields=["reviewer", "stage"], name="claim_reviewer_idx")]

    def __str__(self) -> str:
        return f"claim of {self.record_id} by {self.reviewer_id}"


class QueueSkip(models.Model):
    """A record a reviewer skipped; it comes back after the records they have not skipped."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "stage", "reviewer"], name="skip_one_per_reviewer")]

    def __str__(self) -> str:
        return f"skip of {self.record_id} by {self.reviewer_id}"


class ConflictComment(models.Model):
    """The discussion of a conflict between the dissenting reviewers and the lead."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["record", "stage"], name="comment_record_idx")]

    def __str__(self) -> str:
        return f"comment by {self.author_id} on {self.record_id}"


class Resolution(models.Model):
    """The lead's final decision on a conflict, with the rationale. Append-only."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    decision = models.CharField(max_length=10, choices=[(Choice.INCLUDE, "Include"), (Choice.EXCLUDE, "Exclude")])
    reason = models.ForeignKey(ExclusionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason_other = models.CharField(max_length=300, blank=True)
    rationale = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} {self.record_id} at {self.stage}"
