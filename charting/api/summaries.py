"""Summaries of the charted data as JSON, and each table or chart as a file: the same figures and files as the
summaries page."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import Http404, HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charting import exports, selectors
from charting.fieldtypes import CATEGORICAL_TYPES
from charting.models import Field
from charting.selectors.charted import ChartedData, TextSummary, charted_data, field_summaries, publication_dates
from charting.summaries import CategoricalSummary, crosstab, publications_per_period, sankey_links
from charting.summary_files import EXTENSIONS, summary_file
from review.access import review_for_user
from review.api.renderers import FILE_RENDERERS
from review.http import api_user


def _data(request: Request, review: str) -> ChartedData:
    access = review_for_user(user=api_user(request), slug=review)
    form = selectors.form_for_review(review=access.review)
    if form is None:
        raise Http404("No charting form")
    return charted_data(form=form)


def _field(data: ChartedData, key: str | None, *, categorical: bool = False) -> Field:
    for field in data.fields:
        if field.key == key and (not categorical or field.type in CATEGORICAL_TYPES):
            return field
    raise Http404(f"No {'option ' if categorical else ''}field {key!r} in the form")


# ---- output: what each summary holds, so the schema describes it ------------------------------------------------


class _FieldSummaryBase(serializers.Serializer):
    type = serializers.CharField(help_text="The field's type, e.g. single_choice, integer, text")
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    missing = serializers.IntegerField(help_text="Final studies with no answer")
    other_answers = serializers.ListField(child=serializers.CharField(), help_text="Free texts given as 'Other'")


class FrequencyOut(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    n = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True, help_text="Of the studies that answered (the denominator)")


class CategoricalSummaryOut(_FieldSummaryBase):
    kind = serializers.CharField(help_text='"categorical"')
    multiple = serializers.BooleanField(help_text="Several options per study: percentages may add past 100")
    rows = FrequencyOut(many=True)
    answered = serializers.IntegerField()


class NumericSummaryOut(_FieldSummaryBase):
    kind = serializers.CharField(help_text='"numeric"')
    unit = serializers.CharField(allow_blank=True)
    n = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    sd = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    q1 = serializers.FloatField(allow_null=True)
    q3 = serializers.FloatField(allow_null=True)
    minimum = serializers.FloatField(allow_null=True)
    maximum = serializers.FloatField(allow_null=True)


class TextSummaryOut(_FieldSummaryBase):
    kind = serializers.CharField(help_text='"text"')
    answered = serializers.IntegerField()


SUMMARY_BY_KIND: dict[str, type[serializers.Serializer]] = {
    "categorical": CategoricalSummaryOut,
    "numeric": NumericSummaryOut,
    "text": TextSummaryOut,
}
FIELD_SUMMARY = PolymorphicProxySerializer(
    component_name="FieldSummary",
    serializers={"categorical": CategoricalSummaryOut, "numeric": NumericSummaryOut, "text": TextSummaryOut},
    resource_type_field_name="kind",
    many=False,
)


class SummariesOut(serializers.Serializer):
    studies = serializers.IntegerField(help_text="Studies in the charting")
    final = serializers.IntegerField(help_text="Studies whose data is final")
    fields = serializers.ListField(child=FIELD_SUMMARY)  # type: ignore[assignment]


class OptionOut(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class CellOut(serializers.Serializer):
    row = serializers.CharField()
    col = serializers.CharField()
    n = serializers.IntegerField()
    studies = serializers.ListField(child=serializers.CharField(), help_text="Labels of the studies in the cell")


class CrosstabOut(serializers.Serializer):
    row_field = serializers.CharField()
    col_field = serializers.CharField()
    rows = OptionOut(many=True)
    cols = OptionOut(many=True)
    cells = CellOut(many=True)


class LinkOut(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]
    target = serializers.CharField()
    n = serializers.IntegerField()


class SankeyOut(serializers.Serializer):
    links = LinkOut(many=True)


class PeriodOut(serializers.Serializer):
    period = serializers.CharField(help_text="2020, or 2020-Q1")
    n = serializers.IntegerField()


class PublicationsOut(serializers.Serializer):
    by = serializers.ChoiceField(choices=["year", "quarter"])
    periods = PeriodOut(many=True)


class Summaries(APIView):
    @extend_schema(
        responses=SummariesOut, summary="Frequencies (with denominators), descriptive statistics and missing counts"
    )
    def get(self, request: Request, review: str) -> Response:
        data = _data(request, review)
        fields: list[dict[str, Any]] = []
        for field, summary, others in field_summaries(data=data):
            kind = "categorical" if isinstance(summary, CategoricalSummary) else "numeric"
            kind = "text" if isinstance(summary, TextSummary) else kind
            row = {"type": field.type, "kind": kind, **asdict(summary), "other_answers": others}
            fields.append(SUMMARY_BY_KIND[kind](row).data)
        final = sum(1 for s in data.status.values() if s == "final")
        return Response({"studies": len(data.studies), "final": final, "fields": fields})


class Crosstab(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("row", str, required=True), OpenApiParameter("col", str, required=True)],
        responses=CrosstabOut,
        summary="Studies by two fields, with the studies in each cell",
    )
    def get(self, request: Request, review: str) -> Response:
        data = _data(request, review)
        row, col = _field(data, request.query_params.get("row")), _field(data, request.query_params.get("col"))
        table = crosstab(row, col, data.studies)
        cells = [
            {"row": r, "col": c, "n": table.count(r, c), "studies": table.cells.get((r, c), [])}
            for r, _rl in table.rows
            for c, _cl in table.cols
        ]
        body = {
            "row_field": row.key,
            "col_field": col.key,
            "rows": [{"value": v, "label": label} for v, label in table.rows],
            "cols": [{"value": v, "label": label} for v, label in table.cols],
            "cells": cells,
        }
        return Response(CrosstabOut(body).data)


class Sankey(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("source", str, required=True), OpenApiParameter("target", str, required=True)],
        responses=SankeyOut,
        summary="Study counts flowing between the options of two fields",
    )
    def get(self, request: Request, review: str) -> Response:
        data = _data(request, review)
        source = _field(data, request.query_params.get("source"), categorical=True)
        target = _field(data, request.query_params.get("target"), categorical=True)
        links = sankey_links(source, target, data.studies)
        return Response(SankeyOut({"links": [asdict(link) for link in links]}).data)


class Publications(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("by", str, enum=["year", "quarter"])],
        responses=PublicationsOut,
        summary="Charted studies per publication year or quarter",
    )
    def get(self, request: Request, review: str) -> Response:
        data = _data(request, review)
        by = "quarter" if request.query_params.get("by") == "quarter" else "year"
        periods = publications_per_period(publication_dates(data=data), by=by)
        return Response(PublicationsOut({"by": by, "periods": [{"period": p, "n": n} for p, n in periods]}).data)


class SummaryDownload(APIView):
    renderer_classes = FILE_RENDERERS

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "name",
                str,
                OpenApiParameter.PATH,
                description="field-<key>, frequencies, numeric, crosstab, sankey or publications",
            ),
            OpenApiParameter("ext", str, OpenApiParameter.PATH, enum=list(EXTENSIONS)),
            OpenApiParameter("row", str, description="crosstab: the row field"),
            OpenApiParameter("col", str, description="crosstab: the column field"),
            OpenApiParameter("studies", str, enum=["1"], description="crosstab: list the studies in each cell"),
            OpenApiParameter("source", str, description="sankey: the source option field"),
            OpenApiParameter("target", str, description="sankey: the target option field"),
            OpenApiParameter("by", str, enum=["year", "quarter"], description="publications: the period"),
            OpenApiParameter("download", str, enum=["1"], description="SVG as an attachment (CSV always is)"),
        ],
        responses={(200, "image/svg+xml"): OpenApiTypes.STR, (200, "text/csv"): OpenApiTypes.STR},
        summary="One summary table as CSV or chart as SVG (an option field's bars, sankey, publications)",
    )
    def get(self, request: Request, review: str, name: str, ext: str) -> HttpResponseBase:
        access = review_for_user(user=api_user(request), slug=review)
        form = selectors.form_for_review(review=access.review)
        if form is None:
            raise Http404("No charting form")
        # Tables and charts summarise final values only, as on the page.
        data = charted_data(form=form, with_status=False)
        download = request.query_params.get("download") == "1" or ext == "csv"
        return summary_file(form=form, data=data, name=name, ext=ext, params=request.query_params, download=download)


class ExportCsv(APIView):
    renderer_classes = FILE_RENDERERS

    @extend_schema(
        responses={(200, "text/csv"): str},
        summary="Charted data as CSV: wide, long, columns (the wide file's column dictionary) or codebook",
    )
    def get(self, request: Request, review: str, kind: str) -> HttpResponseBase:
        access = review_for_user(user=api_user(request), slug=review)
        form = selectors.form_for_review(review=access.review)
        if form is None:
            raise Http404("No charting form")
        makers = {
            "wide": exports.charted_wide_rows,
            "long": exports.charted_long_rows,
            "columns": exports.charted_columns_rows,
        }
        if kind == "codebook":
            rows = exports.codebook_rows(form=form)
        elif kind in makers:
            rows = makers[kind](form=form, data=charted_data(form=form))
        else:
            raise Http404("No such export")
        return exports.csv_response(rows, filename=f"{access.review.slug}-charting-{kind}.csv")
