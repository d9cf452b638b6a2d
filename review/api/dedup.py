"""API for deduplication: runs, summary, groups and split, possible pairs and decisions, the log."""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review.access import review_for_user
from review.api.imports import JobOut, RecordOut
from review.csv_export import csv_response
from review.http import api_user
from review.models import DedupRun, PossibleDuplicate, Record, Role
from review.selectors import dedup as selectors_dedup
from review.services import dedup
from review.services.jobs import job_live


class RunOut(serializers.ModelSerializer):
    job = serializers.SerializerMethodField()

    class Meta:
        model = DedupRun
        fields = ["id", "created_at", "finished_at", "stats", "job"]

    def get_job(self, run: DedupRun) -> dict[str, Any] | None:
        return JobOut(job_live(run.job)).data if run.job else None


class SourceCountOut(serializers.Serializer):
    name = serializers.CharField(help_text="The database, or the other-methods source")
    kind = serializers.CharField()
    records = serializers.IntegerField()
    duplicates = serializers.IntegerField()


class SummaryOut(serializers.Serializer):
    records = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    groups = serializers.IntegerField()
    possible = serializers.IntegerField()
    last_run = RunOut(allow_null=True)
    by_source = SourceCountOut(many=True)


class GroupOut(serializers.Serializer):
    kept = RecordOut()
    duplicates = RecordOut(many=True)


class SplitIn(serializers.Serializer):
    confirm = serializers.BooleanField(
        default=False, help_text="Needed when the kept record already has screening votes (they stay with it)"
    )


class PairOut(serializers.ModelSerializer):
    record_a = RecordOut()
    record_b = RecordOut()

    class Meta:
        model = PossibleDuplicate
        fields = ["id", "score", "reason", "record_a", "record_b", "created_at"]


class DecisionIn(serializers.Serializer):
    same = serializers.BooleanField(help_text="true: the same work (merge); false: different works (keep apart)")


class DedupSummary(APIView):
    @extend_schema(responses=SummaryOut, summary="Deduplication figures per source and the last run")
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=request.user, slug=review)
        return Response(SummaryOut(selectors_dedup.dedup_summary(review=access.review)).data)


class DedupRunStart(APIView):
    @extend_schema(request=None, responses={202: RunOut}, summary="Start a deduplication run (lead)")
    def post(self, request: Request, review: str) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        run = dedup.dedup_start(review=access.review, by=api_user(request))
        run.refresh_from_db()
        return Response(RunOut(run).data, status=status.HTTP_202_ACCEPTED)


class DedupRunDetail(APIView):
    @extend_schema(responses=RunOut, summary="A deduplication run and its job")
    def get(self, request: Request, review: str, run_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review)
        run = get_object_or_404(DedupRun.objects.select_related("job"), pk=run_id, review=access.review)
        return Response(RunOut(run).data)


class GroupList(GenericAPIView):
    serializer_class = RecordOut

    @extend_schema(responses=RecordOut(many=True), summary="Kept records that have duplicates (paginated)")
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=request.user, slug=review)
        page = self.paginate_queryset(selectors_dedup.duplicate_groups(review=access.review))
        return self.get_paginated_response(RecordOut(page, many=True).data)


def _group(review: Any, record_id: int) -> dict[str, Any]:
    kept = get_object_or_404(Record.objects.select_related("search"), pk=record_id, review=review)
    return {"kept": kept, "duplicates": kept.duplicates.select_related("search").order_by("pk")}


class GroupDetail(APIView):
    @extend_schema(responses=GroupOut, summary="A duplicate group: the kept record and its duplicates")
    def get(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review)
        return Response(GroupOut(_group(access.review, record_id)).data)


class GroupSplit(APIView):
    @extend_schema(
        request=SplitIn,
        responses={200: GroupOut, 400: OpenApiResponse(description="confirm_required or not a group")},
        summary="Split a duplicate group again (lead; audited)",
    )
    def post(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        kept = get_object_or_404(Record, pk=record_id, review=access.review)
        data = SplitIn(data=request.data)
        data.is_valid(raise_exception=True)
        dedup.group_split(review=access.review, kept=kept, by=api_user(request), confirm=data.validated_data["confirm"])
        return Response(GroupOut(_group(access.review, record_id)).data)


class PossibleList(GenericAPIView):
    serializer_class = PairOut

    @extend_schema(responses=PairOut(many=True), summary="Possible duplicates waiting for a person (paginated)")
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=request.user, slug=review)
        page = self.paginate_queryset(selectors_dedup.possible_pairs(review=access.review))
        return self.get_paginated_response(PairOut(page, many=True).data)


class PossibleDecide(APIView):
    @extend_schema(request=DecisionIn, responses={200: PairOut}, summary="Decide a possible pair (lead)")
    def post(self, request: Request, review: str, pair_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        pair = get_object_or_404(PossibleDuplicate, pk=pair_id, review=access.review)
        data = DecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        dedup.duplicate_decide(review=access.review, pair=pair, same=data.validated_data["same"], by=api_user(request))
        pair.refresh_from_db()
        return Response(PairOut(pair).data)


class DedupLog(APIView):
    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(description="One row per removed record")},
        summary="The dedup log as CSV",
    )
    def get(self, request: Request, review: str) -> StreamingHttpResponse:
        access = review_for_user(user=request.user, slug=review)
        return csv_response(
            f"{access.review.slug}-dedup-log.csv",
            selectors_dedup.DEDUP_LOG_HEADER,
            selectors_dedup.dedup_log_rows(review=access.review),
        )
