"""Screening API: the relevance ranker's state of a stage, asking it to retrain now, and the stopping rule."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review.http import api_user
from review.models import Role
from screening.api.common import access_for, stage_from
from screening.selectors.prioritisation import PrioritisationSummary, prioritisation_summary
from screening.services.prioritisation import relevance_retrain_request
from screening.stopping import stopping_evidence, stopping_sample_start


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


class StoppingOut(serializers.Serializer):
    """The stopping rule's evidence (the same as the JSON export); the sample's figures appear once it began."""

    stage = serializers.CharField()
    status = serializers.ChoiceField(choices=["not started", "sampling", "target met"])
    method = serializers.CharField()
    target_recall = serializers.FloatField()
    confidence = serializers.FloatField()
    records = serializers.IntegerField()
    urn = serializers.IntegerField(required=False, help_text="Records nobody had voted on when the sample began")
    sampled = serializers.IntegerField(required=False, help_text="Of those, decided in the sample's order")
    sampled_relevant = serializers.IntegerField(required=False)
    relevant_found_before_sample = serializers.IntegerField(required=False)
    left_unscreened = serializers.IntegerField(required=False)
    relevant_missed_upper = serializers.IntegerField(required=False)
    recall_lower_bound = serializers.FloatField(required=False, help_text="Recall is at least this, with confidence")
    p_value = serializers.FloatField(required=False)
    target_met = serializers.BooleanField(required=False)
    more_to_sample = serializers.IntegerField(required=False, help_text="If none of these is relevant, target met")


class Stopping(APIView):
    @extend_schema(responses=StoppingOut, summary="The stopping rule of a stage: the recall bound and the evidence")
    def get(self, request: Request, review: str, stage: str) -> Response:
        access = access_for(request, review, Role.VIEWER)
        return Response(stopping_evidence(review=access.review, stage=stage_from(stage)))

    @extend_schema(
        request=None,
        responses={201: StoppingOut},
        summary="Begin the stopping rule's random sample of the records nobody has screened (lead)",
    )
    def post(self, request: Request, review: str, stage: str) -> Response:
        access = access_for(request, review, Role.LEAD)
        stage_value = stage_from(stage)
        stopping_sample_start(review=access.review, stage=stage_value, by=api_user(request))
        return Response(stopping_evidence(review=access.review, stage=stage_value), status=status.HTTP_201_CREATED)
