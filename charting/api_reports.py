"""Studies and their reports through the API: the included studies with their report ids, and the suggested
reports of one study (lead). Confirming a suggestion is `PUT records/{id}/report-of/` (reporting.api), which moves
the report's charting to its study through the same service as the page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charting import selectors
from charting.studies import study_suggestions
from review.access import review_for_user
from review.http import api_user
from review.models import Role


class StudyOut(serializers.Serializer):
    study_id = serializers.IntegerField(help_text="The main report's record id")
    report_ids = serializers.ListField(child=serializers.IntegerField(), help_text="Main report first")


class SuggestionOut(serializers.Serializer):
    study = serializers.IntegerField(source="study.pk", help_text="Record that stays the study")
    report = serializers.IntegerField(source="report.pk", help_text="Record to link as its additional report")
    overlap = serializers.FloatField(help_text="Share of title words in common (Dice, 0.5 to 1)")


class Studies(APIView):
    @extend_schema(
        responses=StudyOut(many=True),
        summary="Included studies (as PRISMA counts them), each with its reports",
    )
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        ids = selectors.chartable_records(review=access.review).values_list("pk", flat=True)
        reports = selectors.reports_by_study(review=access.review, study_ids=ids)
        rows = [{"study_id": pk, "report_ids": reports[pk]} for pk in sorted(reports)]
        return Response(StudyOut(rows, many=True).data)


class ReportSuggestions(APIView):
    @extend_schema(
        responses=SuggestionOut(many=True),
        summary="Pairs judged different at deduplication that look like reports of one study (lead)",
    )
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        return Response(SuggestionOut(study_suggestions(review=access.review), many=True).data)
