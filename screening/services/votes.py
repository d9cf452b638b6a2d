"""Casting, changing and withdrawing votes, and working out the record's outcome after each.

Every function here runs in one transaction and first locks the record's outcome row (`lock_outcome`), so two
votes on the same record at the same instant are applied one after the other: no vote is lost, the vote count
never passes the number required, and the unique constraints guarantee one current vote per reviewer and one
outcome row per record and stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from review.errors import ServiceError
from review.models import Record, Review
from review.services import audit
from screening.models import (
    Choice,
    ExclusionReason,
    QueueClaim,
    Stage,
    StageOutcome,
    Status,
    Vote,
    VoteEvent,
)
from screening.rules import CastVote, allowed_choices, outcome_for
from screening.selectors import exclusion_reason_rank, my_last_vote, queue_key_for, stage_totals_forget
from screening.services.common import lock_outcome, parse_stage, settings_for, votes_required
from screening.services.prioritisation import relevance_retrain_soon


@dataclass(frozen=True, slots=True)
class VoteInput:
    choice: str
    reason_id: int | None = None
    reason_other: str = ""
    note: str = ""


def _clean(*, review: Review, stage: Stage, data: VoteInput) -> tuple[str, ExclusionReason | None, str, str]:
    """The vote as stored. A reason that would not be stored is refused, never dropped: with a vote other than
    exclude, or at title/abstract in a review that does not use reasons there."""
    if data.choice not in allowed_choices(stage):
        allowed = ", ".join(allowed_choices(stage))
        raise ServiceError(f"At {stage.label.lower()} a vote is one of: {allowed}", field="choice")
    note = data.note.strip()
    other = data.reason_other.strip()
    given = data.reason_id is not None or bool(other)
    if given and data.choice != Choice.EXCLUDE:
        raise ServiceError("A reason goes with an exclusion only", field="reason")
    if given and stage == Stage.TITLE_ABSTRACT and not settings_for(review).title_abstract_reasons:
        raise ServiceError(
            "This review does not record reasons at title/abstract (the lead can switch them on in the screening "
            "settings)",
            field="reason",
        )
    if len(other) > 300:
        raise ServiceError("Keep the reason under 300 characters", field="reason_other")
    if data.choice != Choice.EXCLUDE:
        return data.choice, None, "", note
    if data.reason_id is not None:
        reason = ExclusionReason.objects.filter(review=review, pk=data.reason_id, archived=False).first()
        if reason is None:
            raise ServiceError("Choose a reason from this review's list", field="reason")
        return data.choice, reason, "", note
    if not other and stage == Stage.FULL_TEXT:
        raise ServiceError(
            "Excluding a full text needs a reason: pick one, or choose other and say why", field="reason"
        )
    return data.choice, None, other, note


@transaction.atomic
def vote_cast(*, review: Review, record: Record, stage: str, reviewer: User, data: VoteInput) -> StageOutcome:
    """Cast a vote, or change the reviewer's current one. Refused once the outcome is final, and refused for a
    new voter once the record has all the votes it needs."""
    stage = parse_stage(stage)
    choice, reason, reason_other, note = _clean(review=review, stage=stage, data=data)
    outcome = lock_outcome(review=review, record=record, stage=stage)
    if outcome.is_final:
        raise ServiceError("This record is already decided at this stage; votes can no longer change", code="conflict")
    # Every current vote on the record at once: mine among them, and the rest to work out the outcome.
    votes = list(Vote.objects.filter(record=record, stage=stage).select_related("reason"))
    current = next((vote for vote in votes if vote.reviewer_id == reviewer.pk), None)
    if current is None:
        if outcome.vote_count >= votes_required(review=review, stage=stage, outcome=outcome):
            raise ServiceError("This record already has all the votes it needs", code="conflict")
        cast = Vote.objects.create(
            review=review,
            record=record,
            stage=stage,
            reviewer=reviewer,
            choice=choice,
            reason=reason,
            reason_other=reason_other,
            note=note,
        )
        votes.append(cast)
        action = VoteEvent.Action.CAST
    else:
        unchanged = (current.choice, current.reason_id, current.reason_other, current.note) == (
            choice,
            reason.pk if reason else None,
            reason_other,
            note,
        )
        if unchanged:
            QueueClaim.objects.filter(record=record, stage=stage, reviewer=reviewer).delete()
            return outcome
        current.choice, current.reason, current.reason_other, current.note = choice, reason, reason_other, note
        current.save(update_fields=["choice", "reason", "reason_other", "note", "updated_at"])
        action = VoteEvent.Action.CHANGE
    VoteEvent.objects.create(
        review=review,
        record=record,
        stage=stage,
        reviewer=reviewer,
        action=action,
        choice=choice,
        reason=reason,
        reason_other=reason_other,
        note=note,
    )
    QueueClaim.objects.filter(record=record, stage=stage, reviewer=reviewer).delete()
    outcome = outcome_reevaluate(review=review, record=record, outcome=outcome, actor=reviewer, votes=votes)
    # After commit, debounced, no query. In a blinded review an undecided vote's choice must not decide when the
    # ranker retrains (its version is shown to everyone): only a decided inclusion asks for a retraining at once.
    known = (
        choice if not settings_for(review).blinded else (Choice.INCLUDE if outcome.status == Status.INCLUDED else "")
    )
    relevance_retrain_soon(review=review, stage=stage, choice=known)
    return outcome


@transaction.atomic
def vote_withdraw(*, review: Review, record: Record, stage: str, reviewer: User) -> StageOutcome:
    stage = parse_stage(stage)
    outcome = lock_outcome(review=review, record=record, stage=stage)
    if outcome.is_final:
        raise ServiceError("This record is already decided at this stage; votes can no longer change", code="conflict")
    current = Vote.objects.filter(record=record, stage=stage, reviewer=reviewer).first()
    if current is None:
        raise ServiceError("You have not voted on this record", code="not_found")
    current.delete()
    VoteEvent.objects.create(
        review=review, record=record, stage=stage, reviewer=reviewer, action=VoteEvent.Action.WITHDRAW
    )
    relevance_retrain_soon(review=review, stage=stage)
    return outcome_reevaluate(review=review, record=record, outcome=outcome, actor=reviewer)


def vote_undo_last(*, review: Review, stage: str, reviewer: User) -> Record:
    """Withdraw the reviewer's most recent vote at the stage (key U) and return its record to show again."""
    stage = parse_stage(stage)
    last = my_last_vote(review=review, user=reviewer, stage=stage)
    if last is None or not Vote.objects.filter(record=last.record, stage=stage, reviewer=reviewer).exists():
        raise ServiceError("There is no vote of yours to undo", code="not_found")
    vote_withdraw(review=review, record=last.record, stage=stage, reviewer=reviewer)
    return last.record


def outcome_reevaluate(
    *, review: Review, record: Record, outcome: StageOutcome, actor: User, votes: list[Vote] | None = None
) -> StageOutcome:
    """Recompute the outcome from the current votes; the caller holds the outcome's row lock (and may pass the
    current votes it has just read and written under that lock)."""
    if votes is None:
        votes = list(Vote.objects.filter(record=record, stage=outcome.stage).select_related("reason"))
    required = votes_required(review=review, stage=outcome.stage, outcome=outcome)
    if len(votes) < required:
        result = outcome_for(stage=outcome.stage, votes=[], required=required)  # awaiting: no settings needed
    else:
        config = settings_for(review)
        result = outcome_for(
            stage=outcome.stage,
            votes=[CastVote(v.choice, v.reason_label) for v in votes],
            required=required,
            maybe_goes_to_full_text=config.maybe_goes_to_full_text,
            reason_mismatch_is_conflict=config.reason_mismatch_is_conflict,
            reason_rank=exclusion_reason_rank(review=review),
        )
    if result.status != Status.AWAITING:
        # The votes are complete: freeze each one's independent choice (used by the agreement statistics).
        Vote.objects.filter(record=record, stage=outcome.stage, independent_choice="").update(
            independent_choice=F("choice")
        )
    previous = outcome.status
    outcome.vote_count = len(votes)
    outcome.status = result.status
    outcome.reasons = result.reasons
    if outcome.is_final:
        outcome.decided_by = "votes"
        outcome.decided_at = timezone.now()
    outcome.save(update_fields=["vote_count", "status", "reasons", "decided_by", "decided_at", "updated_at"])
    stage_totals_forget(review=review, stage=outcome.stage)
    if previous == Status.CONFLICT and outcome.is_final:
        audit(
            review=review,
            actor=actor,
            action="screening.conflict_settled_by_votes",
            record=record.pk,
            stage=outcome.stage,
            status=outcome.status,
        )
    if outcome.stage == Stage.TITLE_ABSTRACT and outcome.status == Status.INCLUDED:
        enter_full_text(review=review, record=record)
    return outcome


def enter_full_text(*, review: Review, record: Record) -> StageOutcome:
    """Put a record included at title/abstract into the full-text stage (once)."""
    key = queue_key_for(settings=settings_for(review), stage=Stage.FULL_TEXT, record_id=record.pk, year=record.year)
    outcome, created = StageOutcome.objects.get_or_create(
        record=record, stage=Stage.FULL_TEXT, defaults={"review": review, "queue_key": key}
    )
    if created:
        stage_totals_forget(review=review, stage=Stage.FULL_TEXT)
    return outcome


def outcomes_recheck_required(review: Review, by: User, changed: dict[str, dict[str, Any]]) -> None:
    """After the lead lowers the votes a stage requires, decide the records that now have enough votes (they
    would otherwise wait for a vote nobody is asked for). Raising it leaves decided records decided. Called
    by screening.services.config.screening_settings_update, in the transaction that changed the setting."""
    for field, stage in (
        ("votes_required_title_abstract", Stage.TITLE_ABSTRACT),
        ("votes_required_full_text", Stage.FULL_TEXT),
    ):
        change = changed.get(field)
        if not change or change["to"] >= change["from"]:
            continue
        waiting = StageOutcome.objects.filter(
            review=review,
            stage=stage,
            status=Status.AWAITING,
            votes_required__isnull=True,  # a pilot's own count is not the review's
            vote_count__gte=change["to"],
        ).values_list("record_id", flat=True)
        for record in Record.objects.filter(pk__in=list(waiting)).order_by("pk"):
            outcome = lock_outcome(review=review, record=record, stage=stage)
            if outcome.status == Status.AWAITING:
                outcome_reevaluate(review=review, record=record, outcome=outcome, actor=by)
