"""Screening API: the queue and votes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review.access import ReviewAccess
from review.errors import ServiceError
from review.http import api_user
from review.models import Role
from screening import selectors
from screening.access import record_at_stage
from screening.api.common import (
    ScreeningRecordVotesOut,
    ScreeningVoteOut,
    access_for,
    record_state,
    stage_from,
)
from screening.models import Choice, Stage
from screening.services.claims import queue_hold, queue_release, queue_skip
from screening.services.queue import queue_empty_why, queue_serve
from screening.services.votes import VoteInput, vote_cast, vote_withdraw


def next_state(request: Request, access: ReviewAccess, stage: Stage) -> dict[str, Any]:
    served = queue_serve(review=access.review, stage=stage, reviewer=api_user(request))
    if served is None:
        body = record_state(request, access, None, stage)
        why = queue_empty_why(review=access.review, stage=stage, reviewer=api_user(request))
        body["why"] = {
            "held_by_others": why.held_by_others,
            "waiting_for_others": why.waiting_for_others,
            "message": why.message,
        }
        return body
    return record_state(request, access, served.record, stage, served, served=True)


class QueueEmptyOut(serializers.Serializer):
    held_by_others = serializers.IntegerField(help_text="Records whose free slots are open with other reviewers now")
    waiting_for_others = serializers.IntegerField(help_text="Records with my vote that wait for other votes")
    message = serializers.CharField()


class NextRecordOut(ScreeningRecordVotesOut):
    why = QueueEmptyOut(required=False, help_text="Present when nothing is offered: why")


class NextRecord(APIView):
    @extend_schema(responses=NextRecordOut, summary="The next record for me at a stage (held for me a short while)")
    def get(self, request: Request, review: str, stage: str) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        stage_value = stage_from(stage)
        return Response(next_state(request, access, stage_value))


class ScreeningVoteIn(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Choice.choices)
    reason = serializers.IntegerField(required=False, allow_null=True, help_text="An exclusion reason id (full text)")
    reason_other = serializers.CharField(required=False, allow_blank=True, max_length=300)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    next = serializers.BooleanField(
        required=False, default=False, help_text="Also claim and return my next record (one round trip per record)"
    )


class ScreeningVoteAndNextOut(ScreeningRecordVotesOut):
    next = ScreeningRecordVotesOut(required=False, help_text="Present when the vote asked for the next record")


class RecordVote(APIView):
    @extend_schema(responses=ScreeningRecordVotesOut, summary="A record at a stage with the votes I may see")
    def get(self, request: Request, review: str, stage: str, record_id: int) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        record = record_at_stage(access=access, stage=stage, record_id=record_id)
        return Response(record_state(request, access, record, stage_from(stage)))

    @extend_schema(
        request=ScreeningVoteIn,
        responses=ScreeningVoteAndNextOut,
        summary="Vote on a record, or change my vote (optionally getting my next record in the same call)",
        examples=[
            OpenApiExample("Include", value={"choice": "include"}),
            OpenApiExample("Exclude at full text", value={"choice": "exclude", "reason": 3, "note": "abstract only"}),
        ],
    )
    def post(self, request: Request, review: str, stage: str, record_id: int) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        stage_value = stage_from(stage)
        record = record_at_stage(access=access, stage=stage_value, record_id=record_id)
        data = ScreeningVoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        outcome = vote_cast(
            review=access.review,
            record=record,
            stage=stage_value,
            reviewer=api_user(request),
            data=VoteInput(
                choice=values["choice"],
                reason_id=values.get("reason"),
                reason_other=values.get("reason_other", ""),
                note=values.get("note", ""),
            ),
        )
        body = record_state(request, access, record, stage_value, outcome)
        if values.get("next"):
            body["next"] = next_state(request, access, stage_value)
        return Response(body)

    @extend_schema(responses=ScreeningRecordVotesOut, summary="Withdraw my vote (until the outcome is final)")
    def delete(self, request: Request, review: str, stage: str, record_id: int) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        stage_value = stage_from(stage)
        record = record_at_stage(access=access, stage=stage_value, record_id=record_id)
        vote_withdraw(review=access.review, record=record, stage=stage_value, reviewer=api_user(request))
        return Response(record_state(request, access, record, stage_value))


class HoldRecord(APIView):
    @extend_schema(
        request=None,
        responses={204: None, 409: None},
        summary="Keep holding the record I am screening (send every 30-60 s while it is on screen)",
    )
    def post(self, request: Request, review: str, stage: str, record_id: int) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        record = record_at_stage(access=access, stage=stage, record_id=record_id, screenable=True)
        held = queue_hold(review=access.review, record=record, stage=stage_from(stage), reviewer=api_user(request))
        if not held:
            raise ServiceError("This record does not need your vote now", code="conflict")
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None}, summary="Release my hold on the record (I left it)")
    def delete(self, request: Request, review: str, stage: str, record_id: int) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        record = record_at_stage(access=access, stage=stage, record_id=record_id)
        queue_release(review=access.review, stage=stage_from(stage), reviewer=api_user(request), record=record)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SkipRecord(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Skip a record; it comes back later")
    def post(self, request: Request, review: str, stage: str, record_id: int) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        record = record_at_stage(access=access, stage=stage, record_id=record_id)
        queue_skip(review=access.review, record=record, stage=stage_from(stage), reviewer=api_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StageVotes(GenericAPIView):
    serializer_class = ScreeningVoteOut
    PARAMS = frozenset({"records", "page", "page_size"})

    @extend_schema(
        parameters=[OpenApiParameter("records", str, description="Comma-separated record ids (at most 1000)")],
        responses=ScreeningVoteOut(many=True),
        summary="Every vote at a stage that I may see, in one request (paginated; blinding as everywhere)",
    )
    def get(self, request: Request, review: str, stage: str) -> Response:
        access = access_for(request, review, Role.VIEWER)
        stage_value = stage_from(stage)
        unknown = sorted(set(request.query_params) - self.PARAMS)
        if unknown:
            raise ServiceError(f"Unknown parameter: {', '.join(unknown)}. Parameters are: records", field=unknown[0])
        record_ids = None
        raw = request.query_params.get("records", "").strip()
        if raw:
            parts = [part.strip() for part in raw.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts) or len(parts) > 1000:
                raise ServiceError("records is up to 1000 record ids separated by commas", field="records")
            record_ids = [int(part) for part in parts]
        votes = selectors.votes_visible_bulk(
            access=access, user=api_user(request), stage=stage_value, record_ids=record_ids
        )
        page = self.paginate_queryset(votes)
        return self.get_paginated_response(ScreeningVoteOut(page, many=True).data)


class MyVotes(GenericAPIView):
    serializer_class = ScreeningVoteOut

    @extend_schema(responses=ScreeningVoteOut(many=True), summary="My current votes at a stage, latest first")
    def get(self, request: Request, review: str, stage: str) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        votes = selectors.my_votes(review=access.review, user=api_user(request), stage=stage_from(stage))
        page = self.paginate_queryset(votes.select_related("reviewer"))
        return self.get_paginated_response(ScreeningVoteOut(page, many=True).data)
