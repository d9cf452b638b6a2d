"""Screening API: the relevance ranker's state of a stage, and asking it to retrain now."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review.http import api_user
from review.models import Role
from screening.api.common import access_for, stage_from
from screening.prioritisation import PrioritisationSummary, prioritisation_summary, relevance_retrain_request


class PrioritisationOut(serializers.Serializer):
    stage = serializers.CharField()
    order = serializers.CharField(help_text="The stage's queue order (import, random, year or prioritised)")
    prioritised = serializers.BooleanField()
    version = serializers.IntegerField(help_text="Model version; 0 before the first retraining with both classes")
    trained_at = serializers.DateTimeField(allow_null=True)
    relevant_labels = serializers.IntegerField()
    irrelevant_labels = serializers.IntegerField()
    estimated_relevant_remaining = serializers.FloatField(
        allow_null=True, help_text="Calibrated estimate among records nobody has voted on; null until possible"
    )
    screened_since_last_include = serializers.IntegerField()
    unscreened = serializers.IntegerField()


def _data(summary: PrioritisationSummary) -> dict[str, object]:
    return dict(PrioritisationOut(summary).data)


class Prioritisation(APIView):
    @extend_schema(responses=PrioritisationOut, summary="The relevance ranker of a stage: version and estimates")
    def get(self, request: Request, review: str, stage: str) -> Response:
        access = access_for(request, review, Role.VIEWER)
        return Response(_data(prioritisation_summary(review=access.review, stage=stage_from(stage))))

    @extend_schema(
        request=None,
        responses={202: PrioritisationOut},
        summary="Retrain the ranker of a stage now (lead); it runs in the background",
    )
    def post(self, request: Request, review: str, stage: str) -> Response:
        access = access_for(request, review, Role.LEAD)
        stage_value = stage_from(stage)
        relevance_retrain_request(review=access.review, stage=stage_value, by=api_user(request))
        summary = prioritisation_summary(review=access.review, stage=stage_value)
        return Response(_data(summary), status=status.HTTP_202_ACCEPTED)
