"""Shared serializers and helpers of the screening API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from review.access import ReviewAccess, review_for_user
from review.http import api_user
from review.models import Record, Role
from screening import selectors
from screening.models import Stage, StageOutcome, Vote
from screening.services.common import parse_stage, votes_required


class ScreeningRecordOut(serializers.ModelSerializer):
    class Meta:
        model = Record
        fields = ["id", "title", "abstract", "authors", "year", "journal", "doi", "pmid", "keywords"]


class ScreeningVoteOut(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username")
    record = serializers.IntegerField(source="record_id")
    reason = serializers.CharField(source="reason_label")

    class Meta:
        model = Vote
        fields = ["record", "stage", "reviewer", "choice", "reason", "note", "cast_at", "updated_at"]


class ScreeningOutcomeOut(serializers.Serializer):
    stage = serializers.CharField()
    status = serializers.CharField()
    vote_count = serializers.IntegerField()
    votes_required = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    decided_by = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


# Screening responses are the hottest path of the API (a reviewer votes every few seconds): they are built as
# plain dicts in exactly the shape of the serializers above, which stay the documented contract (a test checks
# that both agree), without building serializer fields on every call.
_DATETIME = serializers.DateTimeField()
_RECORD_FIELDS = tuple(ScreeningRecordOut.Meta.fields)


def _when(value: Any) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def record_data(record: Record) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _RECORD_FIELDS}


def vote_data(vote: Vote) -> dict[str, Any]:
    return {
        "record": vote.record_id,
        "stage": vote.stage,
        "reviewer": vote.reviewer.username,
        "choice": vote.choice,
        "reason": vote.reason_label,
        "note": vote.note,
        "cast_at": _when(vote.cast_at),
        "updated_at": _when(vote.updated_at),
    }


def outcome_data(access: ReviewAccess, outcome: StageOutcome | None, stage: str) -> dict[str, Any] | None:
    if outcome is None:
        return None
    return {
        "stage": outcome.stage,
        "status": outcome.status,
        "vote_count": outcome.vote_count,
        "votes_required": votes_required(review=access.review, stage=stage, outcome=outcome),
        "reasons": [str(reason) for reason in outcome.reasons],
        "decided_by": outcome.decided_by,
        "decided_at": _when(outcome.decided_at),
    }


class ScreeningRecordVotesOut(serializers.Serializer):
    record = ScreeningRecordOut(allow_null=True)
    outcome = ScreeningOutcomeOut(allow_null=True)
    votes = ScreeningVoteOut(
        many=True, help_text="Only your own vote while the review is blinded and the record undecided"
    )


def access_for(request: Request, review: str, min_role: Role) -> ReviewAccess:
    """The review of an API request: review/access.py's one door, with the role each route states."""
    return review_for_user(user=api_user(request), slug=review, min_role=min_role)


def stage_from(stage: str) -> Stage:
    return parse_stage(stage)


def record_state(
    request: Request,
    access: ReviewAccess,
    record: Record | None,
    stage: Stage,
    outcome: StageOutcome | None = None,
    served: bool = False,
) -> dict[str, Any]:
    """A record, its outcome and the votes the caller may see. `served`: it was just served from the caller's
    queue, so they have no vote on it."""
    if record is None:
        return {"record": None, "outcome": None, "votes": []}
    if outcome is None or outcome.record_id != record.pk:
        outcome = selectors.outcome_of(record=record, stage=stage)
    votes = selectors.votes_visible_to(
        access=access, user=api_user(request), record=record, stage=stage, outcome=outcome, not_voted_by_user=served
    )
    return {
        "record": record_data(record),
        "outcome": outcome_data(access, outcome, stage),
        "votes": [vote_data(vote) for vote in votes],
    }
