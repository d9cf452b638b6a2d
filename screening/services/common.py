"""Helpers the screening services share: stage parsing, required votes, locking a record's outcome row."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from review.errors import ServiceError
from review.models import Record, Review
from screening.models import ScreeningSettings, Stage, StageOutcome
from screening.selectors import queue_key_for


def parse_stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise ServiceError(f"Unknown screening stage {value!r}", field="stage", code="not_found") from None


def settings_for(review: Review) -> ScreeningSettings:
    found, _ = ScreeningSettings.objects.get_or_create(review=review)
    return found


def votes_required(*, review: Review, stage: str, outcome: StageOutcome | None = None) -> int:
    if outcome is not None and outcome.votes_required:
        return outcome.votes_required
    if stage == Stage.FULL_TEXT:
        return review.votes_required_full_text
    return review.votes_required_title_abstract


def is_screenable(record: Record) -> bool:
    return record.merged_into_id is None and record.removed_reason == ""


def lock_outcome(*, review: Review, record: Record, stage: str) -> StageOutcome:
    """The record's outcome row at the stage, locked for this transaction (created at title/abstract if missing).

    Every write about a record at a stage goes through this lock, so votes, withdrawals, resolutions and queue
    claims on the same record happen one after another, never interleaved.
    """
    if record.review_id != review.pk:
        raise ServiceError("No such record in this review", code="not_found")
    # Lock the record itself and read it afresh: a deduplication run that hides records takes the same row locks,
    # so a vote either lands before the run looks at votes, or sees that the record was merged meanwhile.
    record = Record.objects.select_for_update().get(pk=record.pk)
    if not is_screenable(record):
        raise ServiceError("This record was merged or removed before screening", code="conflict")
    outcome = StageOutcome.objects.select_for_update().filter(record=record, stage=stage).first()
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
    return StageOutcome.objects.select_for_update().get(record=record, stage=stage)
