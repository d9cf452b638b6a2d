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


def outcome_data(access: ReviewAccess, outcome: StageOutcome | None, stage: str) -> dict[str, Any] | None:
    if outcome is None:
        return None
    return ScreeningOutcomeOut(
        {
            "stage": outcome.stage,
            "status": outcome.status,
            "vote_count": outcome.vote_count,
            "votes_required": votes_required(review=access.review, stage=stage, outcome=outcome),
            "reasons": outcome.reasons,
            "decided_by": outcome.decided_by,
            "decided_at": outcome.decided_at,
        }
    ).data


class ScreeningRecordVotesOut(serializers.Serializer):
    record = ScreeningRecordOut(allow_null=True)
    outcome = ScreeningOutcomeOut(allow_null=True)
    votes = ScreeningVoteOut(
        many=True, help_text="Only your own vote while the review is blinded and the record undecided"
    )


def access_for(request: Request, review: str, min_role: Role = Role.REVIEWER) -> ReviewAccess:
    return review_for_user(user=api_user(request), slug=review, min_role=min_role)


def stage_from(stage: str) -> Stage:
    return parse_stage(stage)


def record_state(
    request: Request, access: ReviewAccess, record: Record | None, stage: Stage, outcome: StageOutcome | None = None
) -> dict[str, Any]:
    if record is None:
        return {"record": None, "outcome": None, "votes": []}
    if outcome is None or outcome.record_id != record.pk:
        outcome = selectors.outcome_of(record=record, stage=stage)
    votes = selectors.votes_visible_to(
        access=access, user=api_user(request), record=record, stage=stage, outcome=outcome
    )
    return {
        "record": ScreeningRecordOut(record).data,
        "outcome": outcome_data(access, outcome, stage),
        "votes": ScreeningVoteOut(votes, many=True).data,
    }
