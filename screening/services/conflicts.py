"""Conflicts: the discussion between the dissenting reviewers and the lead, and the lead's final decision."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from review.errors import ServiceError
from review.models import Record, Review
from review.services import audit
from screening.access import access_of, conflict_check
from screening.models import (
    Choice,
    ConflictComment,
    ExclusionReason,
    Resolution,
    Stage,
    StageOutcome,
    Status,
)
from screening.selectors import stage_totals_forget
from screening.services.common import lock_outcome, parse_stage, settings_for
from screening.services.votes import enter_full_text


@transaction.atomic
def conflict_comment_add(*, review: Review, record: Record, stage: str, by: User, text: str) -> ConflictComment:
    stage = parse_stage(stage)
    text = text.strip()
    if not text:
        raise ServiceError("Write something first", field="text")
    outcome = lock_outcome(review=review, record=record, stage=stage)
    was_conflict = Resolution.objects.filter(record=record, stage=stage).exists()
    if outcome.status != Status.CONFLICT and not was_conflict:
        raise ServiceError("This record is not in conflict", code="conflict")
    conflict_check(access=access_of(user=by, review=review), user=by, record=record, stage=stage)
    comment = ConflictComment.objects.create(review=review, record=record, stage=stage, author=by, text=text)
    audit(review=review, actor=by, action="screening.conflict_commented", record=record.pk, stage=stage)
    return comment


@transaction.atomic
def conflict_resolve(
    *,
    review: Review,
    record: Record,
    stage: str,
    by: User,
    decision: str,
    rationale: str,
    reason_id: int | None = None,
    reason_other: str = "",
) -> StageOutcome:
    """The lead's final decision on a record in conflict. Final: votes can no longer change it."""
    stage = parse_stage(stage)
    access = access_of(user=by, review=review)
    conflict_check(access=access, user=by, record=record, stage=stage, resolve=True)
    if decision not in (Choice.INCLUDE, Choice.EXCLUDE):
        raise ServiceError("The decision is include or exclude", field="decision")
    rationale = rationale.strip()
    if not rationale:
        raise ServiceError("Say why: the rationale is part of the review's record", field="rationale")
    reason: ExclusionReason | None = None
    reason_other = reason_other.strip()[:300]
    labels: list[str] = []
    given = reason_id is not None or bool(reason_other)
    if given and decision != Choice.EXCLUDE:
        raise ServiceError("A reason goes with an exclusion only", field="reason")
    if given and stage == Stage.TITLE_ABSTRACT and not settings_for(review).title_abstract_reasons:
        raise ServiceError("This review does not record reasons at title/abstract", field="reason")
    if decision == Choice.EXCLUDE and (stage == Stage.FULL_TEXT or given):
        if reason_id is not None:
            reason = ExclusionReason.objects.filter(review=review, pk=reason_id).first()
            if reason is None:
                raise ServiceError("Choose a reason from this review's list", field="reason")
            labels = [reason.label]
            reason_other = ""
        elif reason_other:
            labels = [f"Other: {reason_other}"]
        else:
            raise ServiceError("Excluding a full text needs a reason", field="reason")
    else:
        reason_other = ""
    outcome = lock_outcome(review=review, record=record, stage=stage)
    if outcome.status != Status.CONFLICT:
        raise ServiceError("This record is not in conflict (it may have just been settled)", code="conflict")
    Resolution.objects.create(
        review=review,
        record=record,
        stage=stage,
        decision=decision,
        reason=reason,
        reason_other=reason_other,
        rationale=rationale,
        decided_by=by,
    )
    outcome.status = Status.INCLUDED if decision == Choice.INCLUDE else Status.EXCLUDED
    outcome.reasons = labels
    outcome.decided_by = "lead"
    outcome.decided_at = timezone.now()
    outcome.save(update_fields=["status", "reasons", "decided_by", "decided_at", "updated_at"])
    stage_totals_forget(review=review, stage=outcome.stage)
    audit(
        review=review,
        actor=by,
        action="screening.conflict_resolved",
        record=record.pk,
        stage=stage,
        decision=decision,
        reasons=labels,
        rationale=rationale,
        role=str(access.role),
    )
    if stage == Stage.TITLE_ABSTRACT and outcome.status == Status.INCLUDED:
        enter_full_text(review=review, record=record)
    return outcome
