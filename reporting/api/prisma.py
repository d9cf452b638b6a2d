"""REST API of reports: PRISMA counts and the records behind each, the diagram, every export, and the record
changes PRISMA counts (removal before screening, additional reports). Same selectors, services, roles and
blinding as the pages."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charting.services.studies import study_link_report
from reporting.exports.registry import KINDS, SubsetError
from reporting.exports.response import export_response
from reporting.prisma import NODE_LABELS, TEMPLATE_FIELDS, consistency_checks, prisma_counts, prisma_records
from reporting.selectors import prisma_svg
from review.access import review_for_user
from review.api.imports import RecordOut
from review.api.renderers import FILE_RENDERERS
from review.errors import ServiceError
from review.http import api_user
from review.models import Record, Role
from review.services.records import record_remove_before_screening, record_restore

ERROR = OpenApiResponse(
    description='{"error": {"code", "message", "fields"}}',
    examples=[
        OpenApiExample(
            "Not found",
            value={"error": {"code": "not_found", "message": "Not found.", "fields": {}}},
            status_codes=[404],
        )
    ],
)
ERRORS = {403: ERROR, 404: ERROR}


class NamedCount(serializers.Serializer):
    name = serializers.CharField()
    n = serializers.IntegerField()


class HitsReported(serializers.Serializer):
    search = serializers.CharField()
    reported = serializers.IntegerField(help_text="Hits the database reported")
    identified = serializers.IntegerField(help_text="Records imported plus records removed before import")


# The PRISMA2020 template's fields, one integer each, then our details; generated from the same list the CSV uses.
PrismaCountsOut = type(
    "PrismaCountsOut",
    (serializers.Serializer,),
    {
        **{name: serializers.IntegerField() for name in TEMPLATE_FIELDS},
        **{
            name: NamedCount(many=True)
            for name in (
                "database_specific",
                "register_specific",
                "duplicates_specific",
                "dbr_excluded_reasons",
                "other_excluded_reasons",
            )
        },
        **{
            name: serializers.IntegerField()
            for name in (
                "other_methods_results",
                "other_duplicates",
                "other_removed",
                "other_screened",
                "other_records_excluded",
                "records_awaiting",
                "other_records_awaiting",
                "dbr_awaiting",
                "other_awaiting",
                "removed_before_import",
                "other_removed_before_import",
            )
        },
        "hits_reported": HitsReported(many=True),
    },
)


class CheckOut(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    left = serializers.IntegerField()
    right = serializers.IntegerField()
    ok = serializers.BooleanField()


class PrismaOut(serializers.Serializer):
    counts = PrismaCountsOut()
    checks = CheckOut(many=True)
    nodes = serializers.DictField(child=serializers.CharField(), help_text="Each drillable number and its label")


PRISMA_EXAMPLE = {
    "counts": {"database_results": 13, "register_results": 2, "duplicates": 2, "records_screened": 11, "...": "..."},
    "checks": [{"label": "dbr_assessed = dbr_sought_reports - dbr_notretrieved_reports", "left": 5, "right": 5,
                "ok": True}],
    "nodes": {"duplicates": "Duplicate records removed (databases and registers)"},
}  # fmt: skip


class Prisma(APIView):
    @extend_schema(
        responses={200: PrismaOut, **ERRORS},
        summary="PRISMA 2020 counts (PRISMA2020 R package field names) and consistency checks",
        examples=[OpenApiExample("Counts", value=PRISMA_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        counts = prisma_counts(review=access.review)
        checks = [{"label": c.label, "left": c.left, "right": c.right, "ok": c.ok} for c in consistency_checks(counts)]
        return Response({"counts": counts.as_dict(), "checks": checks, "nodes": NODE_LABELS})


class PrismaRecords(GenericAPIView):
    serializer_class = RecordOut

    @extend_schema(
        parameters=[
            OpenApiParameter("node", str, OpenApiParameter.PATH, enum=list(NODE_LABELS), description="A PRISMA number"),
            OpenApiParameter("reason", str, description="Only reports excluded for this reason (the *_excluded nodes)"),
            OpenApiParameter("database", str, description="Only this database or register (identified, duplicates)"),
            OpenApiParameter("q", str, description="Words of the title"),
            OpenApiParameter("year", int, description="Only records of this publication year"),
        ],
        responses={200: RecordOut(many=True), **ERRORS},
        summary="The records behind one PRISMA number (paginated)",
    )
    def get(self, request: Request, review: str, node: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        if node not in NODE_LABELS:
            raise Http404("No such PRISMA number")
        records = prisma_records(
            review=access.review,
            node=node,
            reason=request.query_params.get("reason", "")[:300],
            database=request.query_params.get("database", "")[:120],
        )
        q = request.query_params.get("q", "")[:200]
        if q:
            records = records.filter(title__icontains=q)
        year = request.query_params.get("year", "")
        if year.isdigit() and len(year) == 4:
            records = records.filter(year=int(year))
        page = self.paginate_queryset(records)
        return self.get_paginated_response(RecordOut(page, many=True).data)


class PrismaSvg(APIView):
    renderer_classes = FILE_RENDERERS

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR, **ERRORS}, summary="The PRISMA diagram as SVG")
    def get(self, request: Request, review: str) -> HttpResponseBase:
        access = review_for_user(user=api_user(request), slug=review)
        return HttpResponse(prisma_svg(review=access.review), content_type="image/svg+xml")


class ExportOut(serializers.Serializer):
    kind = serializers.CharField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField()


class ExportList(APIView):
    @extend_schema(responses={200: ExportOut(many=True), **ERRORS}, summary="The exports I may download")
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        rows = [
            {
                "kind": kind.kind,
                "filename": f"{review}-{kind.suffix}",
                "content_type": kind.content_type,
                "description": kind.description,
                "url": reverse("api-report-export", kwargs={"review": review, "kind": kind.kind}),
            }
            for kind in KINDS.values()
            if access.at_least(kind.min_role)
        ]
        return Response(rows)


class ExportDownload(APIView):
    renderer_classes = FILE_RENDERERS

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS)),
            OpenApiParameter("bom", bool, description="Start CSV with a UTF-8 BOM (for Excel)"),
            OpenApiParameter(
                "subset",
                str,
                description="records, ris, bibtex: `all`, or a PRISMA number whose records to export (e.g. "
                "`new_reports`, `dbr_excluded`, `records_excluded`); 400 for any other export",
            ),
            OpenApiParameter("reason", str, description="With subset dbr_excluded / other_excluded: one reason"),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/zip"): OpenApiTypes.BINARY,
            (200, "application/x-research-info-systems"): OpenApiTypes.STR,
            (200, "application/x-bibtex"): OpenApiTypes.STR,
            **ERRORS,
        },
        summary="Download one export (streamed); the bundle needs the lead role",
    )
    def get(self, request: Request, review: str, kind: str) -> HttpResponseBase:
        access = review_for_user(user=api_user(request), slug=review)
        if kind not in KINDS:
            raise Http404("No such export")
        bom = request.query_params.get("bom", "") in ("1", "true", "yes")
        try:
            return export_response(
                access=access,
                user=api_user(request),
                kind=kind,
                bom=bom,
                subset=request.query_params.get("subset", ""),
                reason=request.query_params.get("reason", ""),
            )
        except SubsetError as error:
            raise ServiceError(str(error), field="subset") from None


class RemovalIn(serializers.Serializer):
    reason = serializers.CharField(max_length=280, help_text="Why the record is removed before screening")
    automatic = serializers.BooleanField(
        default=False, help_text="Marked ineligible by an automation tool (PRISMA counts these apart)"
    )


class RecordStateOut(serializers.Serializer):
    id = serializers.IntegerField()
    removed_reason = serializers.CharField()
    removed_automatic = serializers.BooleanField()
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    report_of = serializers.IntegerField(source="report_of_id", allow_null=True)


class RecordRemoval(APIView):
    @extend_schema(
        request=RemovalIn,
        responses={200: RecordStateOut, 400: ERROR, **ERRORS},
        summary="Remove a record before screening, with a reason (lead)",
        examples=[
            OpenApiExample("Outside the date range", value={"reason": "Published before 2010"}, request_only=True)
        ],
    )
    def post(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        data = RemovalIn(data=request.data)
        data.is_valid(raise_exception=True)
        record = record_remove_before_screening(
            review=access.review,
            record=record,
            reason=data.validated_data["reason"],
            automatic=data.validated_data["automatic"],
            by=api_user(request),
        )
        return Response(RecordStateOut(record).data)

    @extend_schema(responses={200: RecordStateOut, **ERRORS}, summary="Restore a removed record to screening (lead)")
    def delete(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        record = record_restore(review=access.review, record=record, by=api_user(request))
        return Response(RecordStateOut(record).data)


class ReportOfIn(serializers.Serializer):
    study = serializers.IntegerField(allow_null=True, min_value=1, help_text="The study's record id; null unlinks")


class RecordReportOf(APIView):
    @extend_schema(
        request=ReportOfIn,
        responses={200: RecordStateOut, 400: ERROR, **ERRORS},
        summary="Mark a record as an additional report of another record's study, or unlink it (lead)",
        examples=[OpenApiExample("Second report", value={"study": 42}, request_only=True)],
    )
    def put(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        data = ReportOfIn(data=request.data)
        data.is_valid(raise_exception=True)
        study = None
        if data.validated_data["study"] is not None:
            study = Record.objects.filter(pk=data.validated_data["study"], review=access.review).first()
            if study is None:
                raise ServiceError("No such record in this review", field="study")
        record = study_link_report(review=access.review, record=record, study=study, by=api_user(request))
        return Response(RecordStateOut(record).data, status=status.HTTP_200_OK)
