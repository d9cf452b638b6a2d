"""Screening data: one outcome row per record and stage, current votes with an append-only history, conflicts'
discussion and resolutions, full-text files, exclusion reasons, per-review screening settings and pilot rounds.

Vote storage: `Vote` holds each reviewer's *current* vote (at most one per record, stage and reviewer, enforced by
a unique constraint); every cast, change and withdrawal is also appended to `VoteEvent`, which is never updated or
deleted by the application. Withdrawing deletes the current `Vote` row; its history stays in `VoteEvent`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from review.append_only import AppendOnlyModel
from review.models import Record, Review


class Stage(models.TextChoices):
    TITLE_ABSTRACT = "title-abstract", "Title/abstract"
    FULL_TEXT = "full-text", "Full text"


class Choice(models.TextChoices):
    INCLUDE = "include", "Include"
    EXCLUDE = "exclude", "Exclude"
    MAYBE = "maybe", "Maybe"


class Status(models.TextChoices):
    AWAITING = "awaiting", "Awaiting votes"
    CONFLICT = "conflict", "In conflict"
    INCLUDED = "included", "Included"
    EXCLUDED = "excluded", "Excluded"
    NOT_RETRIEVED = "not_retrieved", "Not retrieved"


FINAL_STATUSES = (Status.INCLUDED, Status.EXCLUDED, Status.NOT_RETRIEVED)
# Final outcomes that show every vote on the record to every member of a blinded review. "Not retrieved" is not
# one of them: the lead marks it, an upload reopens the record for screening, and a reviewer who had not voted
# must then still vote without knowing the others' votes (issue #14).
REVEALING_STATUSES = (Status.INCLUDED, Status.EXCLUDED)


class QueueOrder(models.TextChoices):
    IMPORT = "import", "Import order"
    RANDOM = "random", "Random (fixed seed)"
    YEAR = "year", "Publication year, newest first"
    # Most likely relevant first, by the ranker retrained as votes arrive (random with the seed until it has
    # seen one relevant and one irrelevant record): see screening/prioritisation.py.
    PRIORITISED = "prioritised", "Prioritised (most likely relevant first)"


class ScreeningSettings(models.Model):
    """Per-review screening rules that the review app does not know about."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, primary_key=True, related_name="screening")
    maybe_goes_to_full_text = models.BooleanField(
        default=True,
        help_text="At title/abstract, include+maybe and maybe+maybe go to full text (off: they are a conflict)",
    )
    # PRISMA counts each excluded report under one reason, so differing reasons are settled either way.
    reason_mismatch_is_conflict = models.BooleanField(
        default=True,
        help_text="At full text, exclusions with different reasons are a conflict for the lead (off: the first of "
        "them in the ranked list of reasons is the report's reason)",
    )
    title_abstract_reasons = models.BooleanField(
        default=False,
        help_text="Reviewers may give a reason (from the same list) when they exclude at title/abstract",
    )
    order_title_abstract = models.CharField(max_length=20, choices=QueueOrder.choices, default=QueueOrder.IMPORT)
    order_full_text = models.CharField(max_length=20, choices=QueueOrder.choices, default=QueueOrder.IMPORT)
    show_relevance = models.BooleanField(
        default=True,
        help_text="Reviewers see the ranker's relevance estimate beside each record (off: to avoid anchoring them)",
    )
    random_seed = models.PositiveIntegerField(default=1)
    stop_target_recall = models.FloatField(
        default=0.95,
        validators=[MinValueValidator(0.5), MaxValueValidator(0.999)],
        help_text="The stopping rule's target: screening may stop once at least this share of relevant records "
        "is found, with the confidence below",
    )
    stop_confidence = models.FloatField(
        default=0.95,
        validators=[MinValueValidator(0.5), MaxValueValidator(0.999)],
        help_text="Confidence with which the stopping rule states the recall reached",
    )
    include_terms = models.JSONField(default=list, blank=True)
    exclude_terms = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"screening settings of {self.review_id}"

    def order_for(self, stage: str) -> str:
        return self.order_title_abstract if stage == Stage.TITLE_ABSTRACT else self.order_full_text


class ExclusionReason(models.Model):
    """A full-text exclusion reason from the lead's ordered list; archived reasons stay for old votes."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="exclusion_reasons")
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "label"], name="exclusion_reason_unique_label")]

    def __str__(self) -> str:
        return self.label


class PilotRound(models.Model):
    """A calibration sample that every reviewer screens before the main round of a stage."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="pilot_rounds")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.TITLE_ABSTRACT)
    votes_required = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "stage"], condition=Q(closed_at__isnull=True), name="pilot_one_open_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"pilot {self.pk} of {self.review_id}"


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


from screening.models_bulk import BulkFullText  # noqa: E402  (registered with the app)

__all__ = ["BulkFullText"]
