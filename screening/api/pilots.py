"""Screening API: pilot rounds (a calibration sample every reviewer screens first), started and closed by the
lead; their agreement figures follow the same blinding as the progress page."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review.access import ReviewAccess
from review.http import api_user
from review.models import Role
from screening import selectors
from screening.api.common import access_for
from screening.models import PilotRound, Stage
from screening.selectors.progress import AgreementSummary, pilot_summary
from screening.services import config as config_services


def agreement_data(summary: AgreementSummary) -> dict[str, Any]:
    """Cohen's kappa per pair of reviewers and Fleiss' kappa, as the progress and pilot routes answer them."""
    fleiss = summary.fleiss
    return {
        "basis": summary.basis,
        "pairs": [
            {
                "reviewers": [p.first, p.second],
                "records": p.agreement.n,
                "percent": p.agreement.percent,
                "cohen_kappa": p.agreement.kappa,
            }
            for p in summary.pairs
        ],
        "fleiss": {"records": fleiss.n, "percent": fleiss.percent, "kappa": fleiss.kappa} if fleiss else None,
    }


class ScreeningPilotVoteOut(serializers.Serializer):
    reviewer = serializers.CharField()
    choice = serializers.CharField(help_text="The reviewer's choice as it stood when all votes were in")


class ScreeningPilotDisagreementOut(serializers.Serializer):
    record = serializers.IntegerField()
    title = serializers.CharField()
    votes = ScreeningPilotVoteOut(many=True)


class ScreeningPilotOut(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.CharField()
    open = serializers.BooleanField(help_text="True until the lead closes the round and the main round starts")
    votes_required = serializers.IntegerField(help_text="Every member with the reviewer role votes on each record")
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    size = serializers.IntegerField()
    complete = serializers.IntegerField(help_text="Sample records with all their votes in")
    agreement = serializers.DictField(help_text="basis, pairs (Cohen's kappa per pair) and fleiss, as in progress")
    disagreements = ScreeningPilotDisagreementOut(many=True)


def pilot_data(access: ReviewAccess, pilot: PilotRound) -> dict[str, Any]:
    summary = pilot_summary(access=access, pilot=pilot)
    body = {
        "id": pilot.pk,
        "stage": pilot.stage,
        "open": pilot.closed_at is None,
        "votes_required": pilot.votes_required,
        "created_by": pilot.created_by.get_username(),
        "created_at": pilot.created_at,
        "closed_at": pilot.closed_at,
        "size": summary.size,
        "complete": summary.complete,
        "agreement": agreement_data(summary.agreement),
        "disagreements": [
            {
                "record": d.record_id,
                "title": d.title,
                "votes": [{"reviewer": reviewer, "choice": choice} for reviewer, choice in d.votes],
            }
            for d in summary.disagreements
        ],
    }
    return dict(ScreeningPilotOut(body).data)


class ScreeningPilotIn(serializers.Serializer):
    size = serializers.IntegerField(default=25, help_text="Records in the sample (2 to 500), drawn with the seed")


class Pilots(APIView):
    @extend_schema(
        responses=ScreeningPilotOut(many=True), summary="Pilot rounds, newest first, with their agreement (members)"
    )
    def get(self, request: Request, review: str) -> Response:
        access = access_for(request, review, Role.VIEWER)
        pilots = selectors.pilots_of(review=access.review)
        return Response([pilot_data(access, pilot) for pilot in pilots])

    @extend_schema(
        request=ScreeningPilotIn,
        responses={201: ScreeningPilotOut},
        summary="Start a pilot round at title/abstract (lead): every reviewer screens the sample first",
        examples=[OpenApiExample("Thirty records", value={"size": 30})],
    )
    def post(self, request: Request, review: str) -> Response:
        access = access_for(request, review, Role.LEAD)
        data = ScreeningPilotIn(data=request.data)
        data.is_valid(raise_exception=True)
        # Like the settings page, pilots are drawn at title/abstract.
        pilot = config_services.pilot_start(
            review=access.review, by=api_user(request), stage=Stage.TITLE_ABSTRACT, size=data.validated_data["size"]
        )
        return Response(pilot_data(access, pilot), status=status.HTTP_201_CREATED)


class PilotClose(APIView):
    @extend_schema(
        request=None,
        responses=ScreeningPilotOut,
        summary="Close a pilot round (lead); the main round starts, pilot records keep needing every reviewer",
    )
    def post(self, request: Request, review: str, pilot_id: int) -> Response:
        access = access_for(request, review, Role.LEAD)
        pilot = get_object_or_404(selectors.pilots_of(review=access.review), pk=pilot_id)
        closed = config_services.pilot_close(review=access.review, by=api_user(request), pilot=pilot)
        return Response(pilot_data(access, closed))
