"""Stages, choices and statuses; the per-review screening settings, exclusion reasons and pilot rounds."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from review.models import Review


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
    # seen one relevant and one irrelevant record): see screening/services/prioritisation.py.
    PRIORITISED = "prioritised", "Prioritised (most likely relevant first)"


class ScreeningSettings(models.Model):
    """Per-review screening rules. A review whose lead never changed them has no row: its rules are the defaults
    (screening.selectors.settings_for)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, primary_key=True, related_name="screening")
    votes_required_title_abstract = models.PositiveSmallIntegerField(default=2)
    votes_required_full_text = models.PositiveSmallIntegerField(default=2)
    # Until a record is decided at a stage, each reviewer sees only their own vote (screening.selectors).
    blinded = models.BooleanField(default=True)
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

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(votes_required_title_abstract__gte=1, votes_required_title_abstract__lte=10),
                name="screening_votes_ta_range",
            ),
            models.CheckConstraint(
                condition=Q(votes_required_full_text__gte=1, votes_required_full_text__lte=10),
                name="screening_votes_ft_range",
            ),
        ]

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
