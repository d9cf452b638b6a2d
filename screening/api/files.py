"""Screening API: full texts, exclusion reasons, progress."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review.http import api_user
from review.models import Role
from screening import selectors
from screening.access import FullTextAction, fulltext_for, fulltext_record_for
from screening.api.common import (
    ScreeningOutcomeOut,
    access_for,
    outcome_data,
)
from screening.api.pilots import agreement_data
from screening.models import ExclusionReason, Stage
from screening.selectors.progress import stage_progress
from screening.services import config as config_services
from screening.services.fulltexts import fulltext_mark_not_retrieved, fulltext_upload
from screening.views.fulltexts import fulltext_response


class ScreeningFullTextOut(serializers.Serializer):
    id = serializers.IntegerField()
    record = serializers.IntegerField(source="record_id")
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class ScreeningFullTextIn(serializers.Serializer):
    file = serializers.FileField()


class FullTextView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses={(200, "application/pdf"): bytes}, summary="Download a record's full text (members)")
    def get(self, request: Request, review: str, record_id: int) -> Any:
        access = access_for(request, review, Role.VIEWER)
        return fulltext_response(fulltext_for(access=access, record_id=record_id), download=True)

    @extend_schema(
        request=ScreeningFullTextIn, responses={201: ScreeningFullTextOut}, summary="Upload or replace a record's PDF"
    )
    def post(self, request: Request, review: str, record_id: int) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        record = fulltext_record_for(access=access, record_id=record_id, action=FullTextAction.REPLACE)
        data = ScreeningFullTextIn(data=request.data)
        data.is_valid(raise_exception=True)
        fulltext = fulltext_upload(
            review=access.review, record=record, by=api_user(request), upload=data.validated_data["file"]
        )
        return Response(ScreeningFullTextOut(fulltext).data, status=status.HTTP_201_CREATED)


class ScreeningNotRetrievedIn(serializers.Serializer):
    note = serializers.CharField(max_length=1000)


class NotRetrieved(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=ScreeningNotRetrievedIn, responses=ScreeningOutcomeOut, summary="Mark a report as not retrieved (lead)"
    )
    def post(self, request: Request, review: str, record_id: int) -> Response:
        access = access_for(request, review, Role.LEAD)
        record = fulltext_record_for(access=access, record_id=record_id, action=FullTextAction.NOT_RETRIEVED)
        data = ScreeningNotRetrievedIn(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = fulltext_mark_not_retrieved(
            review=access.review, record=record, by=api_user(request), note=data.validated_data["note"]
        )
        return Response(outcome_data(access, outcome, Stage.FULL_TEXT))


class ScreeningReasonOut(serializers.ModelSerializer):
    class Meta:
        model = ExclusionReason
        fields = ["id", "label", "position", "archived"]


class ScreeningReasonIn(serializers.Serializer):
    label = serializers.CharField(max_length=200)  # type: ignore[assignment]


class ExclusionReasons(APIView):
    @extend_schema(
        responses=ScreeningReasonOut(many=True), summary="The review's full-text exclusion reasons, in order"
    )
    def get(self, request: Request, review: str) -> Response:
        access = access_for(request, review, Role.VIEWER)
        reasons = selectors.exclusion_reasons(review=access.review, include_archived=True)
        return Response(ScreeningReasonOut(reasons, many=True).data)

    @extend_schema(
        request=ScreeningReasonIn, responses={201: ScreeningReasonOut}, summary="Add an exclusion reason (lead)"
    )
    def post(self, request: Request, review: str) -> Response:
        access = access_for(request, review, Role.LEAD)
        data = ScreeningReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        reason = config_services.exclusion_reason_add(
            review=access.review, by=api_user(request), label=data.validated_data["label"]
        )
        return Response(ScreeningReasonOut(reason).data, status=status.HTTP_201_CREATED)


class ScreeningProgressOut(serializers.Serializer):
    stages = serializers.DictField()


class Progress(APIView):
    @extend_schema(responses=ScreeningProgressOut, summary="Progress and agreement per stage (blinding applies)")
    def get(self, request: Request, review: str) -> Response:
        access = access_for(request, review, Role.VIEWER)
        stages: dict[str, Any] = {}
        for item in stage_progress(access=access, user=api_user(request)):
            stages[item.stage.value] = {
                "counts": item.counts,
                "reviewers": [
                    {"username": r.username, "done": r.done, "remaining": r.remaining, "conflicts": r.conflicts}
                    for r in item.reviewers
                ],
                "agreement": agreement_data(item.agreement),
            }
        return Response({"stages": stages})
