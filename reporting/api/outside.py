"""REST API of the counts from outside the app: per search (hits reported, records removed before import, a note)
and the previous version of the review. Same services and roles as the page."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting.api.prisma import ERROR, ERRORS
from reporting.selectors import review_searches
from review.access import review_for_user
from review.http import api_user
from review.models import Review, Role, Search
from review.services.outside import review_previous_set, search_outside_counts_set


class OutsideSearchOut(serializers.ModelSerializer):
    label = serializers.CharField()  # type: ignore[assignment]

    class Meta:
        model = Search
        fields = ["id", "label", "kind", "hits_reported", "removed_before_import", "outside_note"]


class PreviousOut(serializers.Serializer):
    previous_studies = serializers.IntegerField()
    previous_reports = serializers.IntegerField()
    previous_note = serializers.CharField()


class OutsideOut(serializers.Serializer):
    searches = OutsideSearchOut(many=True)
    previous = PreviousOut()


class OutsideSearchIn(serializers.Serializer):
    hits_reported = serializers.IntegerField(
        min_value=0, allow_null=True, help_text="Hits the database reported for the search (null: not recorded)"
    )
    removed_before_import = serializers.IntegerField(
        min_value=0, help_text="Records removed before import (e.g. duplicates removed in EndNote)"
    )
    outside_note = serializers.CharField(
        allow_blank=True, max_length=2000, help_text="How and where; required when records were removed"
    )


class PreviousIn(serializers.Serializer):
    previous_studies = serializers.IntegerField(min_value=0)
    previous_reports = serializers.IntegerField(min_value=0)
    previous_note = serializers.CharField(allow_blank=True, max_length=2000, required=False, default="")


def _outside(review: Review) -> dict[str, object]:
    searches = review_searches(review=review)
    return OutsideOut(
        {
            "searches": searches,
            "previous": {
                "previous_studies": review.previous_studies,
                "previous_reports": review.previous_reports,
                "previous_note": review.previous_note,
            },
        }
    ).data


class Outside(APIView):
    @extend_schema(
        responses={200: OutsideOut, **ERRORS}, summary="Counts from outside the app, per search and previous"
    )
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        return Response(_outside(access.review))


class OutsideSearch(APIView):
    @extend_schema(
        request=OutsideSearchIn,
        responses={200: OutsideSearchOut, 400: ERROR, **ERRORS},
        summary="Set a search's hits reported and records removed before import (lead)",
        examples=[
            OpenApiExample(
                "Deduplicated in EndNote first",
                value={"hits_reported": 1200, "removed_before_import": 212, "outside_note": "EndNote X9 duplicates"},
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, review: str, search_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        search = get_object_or_404(Search, pk=search_id, review=access.review)
        data = OutsideSearchIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        search = search_outside_counts_set(
            review=access.review,
            search=search,
            by=api_user(request),
            hits_reported=values["hits_reported"],
            removed_before_import=values["removed_before_import"],
            note=values["outside_note"],
        )
        return Response(OutsideSearchOut(search).data)


class Previous(APIView):
    @extend_schema(
        request=PreviousIn,
        responses={200: PreviousOut, 400: ERROR, **ERRORS},
        summary="Set what the previous version of the review included (lead)",
        examples=[OpenApiExample("Update of a 2021 review", value={"previous_studies": 12, "previous_reports": 14})],
    )
    def put(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        data = PreviousIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        updated = review_previous_set(
            review=access.review,
            by=api_user(request),
            studies=values["previous_studies"],
            reports=values["previous_reports"],
            note=values["previous_note"],
        )
        return Response(
            PreviousOut(
                {
                    "previous_studies": updated.previous_studies,
                    "previous_reports": updated.previous_reports,
                    "previous_note": updated.previous_note,
                }
            ).data
        )
