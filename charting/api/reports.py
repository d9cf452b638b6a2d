"""Studies and their reports through the API: the included studies with their report ids, and the suggested
reports of one study, which the lead may dismiss. Confirming a suggestion is `PUT records/{id}/report-of/`
(reporting.api.prisma), which moves the report's charting to its study through the same service as the page."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charting import selectors, services
from charting.selectors.studies import study_suggestions
from review.access import review_for_user
from review.http import api_user
from review.models import Record, Role


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


class DismissIn(serializers.Serializer):
    study = serializers.IntegerField(min_value=1, help_text="One record of the suggested pair")
    report = serializers.IntegerField(min_value=1, help_text="The other record")


class ReportSuggestionDismiss(APIView):
    @extend_schema(
        request=DismissIn,
        responses={201: DismissIn},
        summary="Say a suggested pair are not reports of one study; it is not suggested again (lead)",
    )
    def post(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        data = DismissIn(data=request.data)
        data.is_valid(raise_exception=True)
        study = get_object_or_404(Record, pk=data.validated_data["study"], review=access.review)
        report = get_object_or_404(Record, pk=data.validated_data["report"], review=access.review)
        services.study_suggestion_dismiss(review=access.review, study=study, report=report, by=api_user(request))
        return Response({"study": study.pk, "report": report.pk}, status=status.HTTP_201_CREATED)
