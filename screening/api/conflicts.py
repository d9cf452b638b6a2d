"""Screening API: conflicts, their discussion and the lead's decision."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review.http import api_user
from review.models import Role
from screening import selectors
from screening.access import conflict_for
from screening.api.common import (
    ScreeningOutcomeOut,
    ScreeningRecordOut,
    ScreeningRecordVotesOut,
    access_for,
    outcome_data,
    record_state,
    stage_from,
)
from screening.models import Choice
from screening.services.conflicts import conflict_comment_add, conflict_resolve


class ScreeningConflictOut(serializers.Serializer):
    record = ScreeningRecordOut()
    outcome = ScreeningOutcomeOut()


class ScreeningCommentOut(serializers.Serializer):
    author = serializers.CharField(source="author.username")
    text = serializers.CharField()
    at = serializers.DateTimeField()


class ScreeningResolutionOut(serializers.Serializer):
    decision = serializers.CharField()
    reason = serializers.SerializerMethodField()
    rationale = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username")
    at = serializers.DateTimeField()

    def get_reason(self, resolution: Any) -> str:
        if resolution.reason is not None:
            return str(resolution.reason.label)
        return f"Other: {resolution.reason_other}" if resolution.reason_other else ""


class ScreeningConflictDetailOut(ScreeningRecordVotesOut):
    comments = ScreeningCommentOut(many=True)
    resolutions = ScreeningResolutionOut(many=True)


class ConflictList(GenericAPIView):
    serializer_class = ScreeningConflictOut

    @extend_schema(
        responses=ScreeningConflictOut(many=True), summary="Conflicts at a stage (state=open|resolved, q=title)"
    )
    def get(self, request: Request, review: str, stage: str) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        stage_value = stage_from(stage)
        reviewer = request.query_params.get("reviewer", "")
        outcomes = selectors.conflicts_for(
            access=access,
            user=api_user(request),
            stage=stage_value,
            state=request.query_params.get("state", "open"),
            query=request.query_params.get("q", "")[:200],
            reviewer_id=int(reviewer) if reviewer.isdigit() else None,
        )
        page = self.paginate_queryset(outcomes)
        body = [
            {"record": ScreeningRecordOut(o.record).data, "outcome": outcome_data(access, o, stage_value)}
            for o in page or []
        ]
        return self.get_paginated_response(body)


class ConflictDetail(APIView):
    @extend_schema(responses=ScreeningConflictDetailOut, summary="A conflict: record, votes, discussion and decisions")
    def get(self, request: Request, review: str, stage: str, record_id: int) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        stage_value = stage_from(stage)
        record = conflict_for(access=access, user=api_user(request), stage=stage_value, record_id=record_id)
        body = record_state(request, access, record, stage_value)
        body["comments"] = ScreeningCommentOut(
            selectors.conflict_thread(record=record, stage=stage_value), many=True
        ).data
        body["resolutions"] = ScreeningResolutionOut(
            selectors.resolutions_of(record=record, stage=stage_value), many=True
        ).data
        return Response(body)


class ScreeningCommentIn(serializers.Serializer):
    text = serializers.CharField(max_length=10000)


class ConflictComments(APIView):
    @extend_schema(
        request=ScreeningCommentIn, responses={201: ScreeningCommentOut}, summary="Add to a conflict's discussion"
    )
    def post(self, request: Request, review: str, stage: str, record_id: int) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        stage_value = stage_from(stage)
        record = conflict_for(access=access, user=api_user(request), stage=stage_value, record_id=record_id)
        data = ScreeningCommentIn(data=request.data)
        data.is_valid(raise_exception=True)
        comment = conflict_comment_add(
            review=access.review,
            record=record,
            stage=stage_value,
            by=api_user(request),
            text=data.validated_data["text"],
        )
        return Response(ScreeningCommentOut(comment).data, status=status.HTTP_201_CREATED)


class ScreeningResolutionIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Choice.INCLUDE.value, Choice.EXCLUDE.value])
    rationale = serializers.CharField(max_length=10000)
    reason = serializers.IntegerField(required=False, allow_null=True)
    reason_other = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ConflictResolution(APIView):
    @extend_schema(
        request=ScreeningResolutionIn,
        responses=ScreeningRecordVotesOut,
        summary="The lead's final decision on a conflict",
    )
    def post(self, request: Request, review: str, stage: str, record_id: int) -> Response:
        access = access_for(request, review, Role.ARBITER)
        stage_value = stage_from(stage)
        record = conflict_for(
            access=access, user=api_user(request), stage=stage_value, record_id=record_id, resolve=True
        )
        data = ScreeningResolutionIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        conflict_resolve(
            review=access.review,
            record=record,
            stage=stage_value,
            by=api_user(request),
            decision=values["decision"],
            rationale=values["rationale"],
            reason_id=values.get("reason"),
            reason_other=values.get("reason_other", ""),
        )
        return Response(record_state(request, access, record, stage_value))
