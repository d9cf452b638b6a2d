"""Helpers the screening services share: stage parsing, required votes, locking a record's outcome row."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from review.errors import ServiceError
from review.models import Record, Review
from screening.access import stage_of
from screening.models import ScreeningSettings, Stage, StageOutcome
from screening.selectors import queue_key_for, settings_for

__all__ = ["is_screenable", "lock_outcome", "parse_stage", "settings_for", "settings_for_update", "votes_required"]


def parse_stage(value: str) -> Stage:
    return stage_of(value)


def settings_for_update(review: Review) -> ScreeningSettings:
    """The settings row, created if need be and locked until the end of the caller's transaction; the review
    object remembers it, so later reads in the same request see the change."""
    ScreeningSettings.objects.get_or_create(review=review)
    config = ScreeningSettings.objects.select_for_update().get(review=review)
    review.screening = config
    return config


def votes_required(*, review: Review, stage: str, outcome: StageOutcome | None = None) -> int:
    if outcome is not None and outcome.votes_required:
        return outcome.votes_required
    config = settings_for(review)
    if stage == Stage.FULL_TEXT:
        return config.votes_required_full_text
    return config.votes_required_title_abstract


def is_screenable(record: Record) -> bool:
    return record.merged_into_id is None and record.removed_reason == ""


# The outcome's own columns and just enough of the record to know it is still screenable.
_LOCKED_OUTCOME_FIELDS = (
    *(f.name for f in StageOutcome._meta.concrete_fields),
    "record__id",
    "record__review",
    "record__merged_into",
    "record__removed_reason",
    "record__year",
)


def lock_outcome(*, review: Review, record: Record, stage: str) -> StageOutcome:
    """The record's outcome row at the stage, locked for this transaction (created at title/abstract if missing).

    Every write about a record at a stage goes through this lock, so votes, withdrawals, resolutions and queue
    claims on the same record happen one after another, never interleaved.
    """
    if record.review_id != review.pk:
        raise ServiceError("No such record in this review", code="not_found")
    # Lock the record itself and read it afresh: a deduplication run that hides records takes the same row locks,
    # so a vote either lands before the run looks at votes, or sees that the record was merged meanwhile.
    # FOR NO KEY UPDATE: still one writer at a time, but rows that reference the record (votes, claims) can be
    # inserted meanwhile; a plain FOR UPDATE would make their foreign-key checks wait and could deadlock.
    # The usual case takes both locks in one statement.
    found = list(
        StageOutcome.objects.select_for_update(no_key=True, of=("self", "record"))
        .select_related("record")
        .only(*_LOCKED_OUTCOME_FIELDS)
        .filter(record_id=record.pk, stage=stage)
    )
    if found:
        if not is_screenable(found[0].record):
            raise ServiceError("This record was merged or removed before screening", code="conflict")
        return found[0]
    record = (
        Record.objects.select_for_update(no_key=True)
        .only("id", "merged_into", "removed_reason", "year")
        .get(pk=record.pk)
    )
    if not is_screenable(record):
        raise ServiceError("This record was merged or removed before screening", code="conflict")
    outcome = StageOutcome.objects.select_for_update(no_key=True).filter(record=record, stage=stage).first()
    if outcome is not None:
        return outcome
    if stage == Stage.FULL_TEXT:
        raise ServiceError("This record has not reached full-text screening", code="conflict")
    key = queue_key_for(settings=settings_for(review), stage=stage, record_id=record.pk, year=record.year)
    try:
        with transaction.atomic():
            StageOutcome.objects.create(review=review, record=record, stage=stage, queue_key=key)
    except IntegrityError:
        pass  # created at the same instant by another request: lock theirs
    return StageOutcome.objects.select_for_update(no_key=True).get(record=record, stage=stage)
