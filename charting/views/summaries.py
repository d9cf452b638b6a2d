"""Summaries of the charted data (tables and SVG charts, each downloadable) and the CSV exports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from charting import exports, selectors
from charting.fieldtypes import CATEGORICAL_TYPES
from charting.models import Form
from charting.selectors.charted import ChartedData, charted_data, field_summaries, publication_dates
from charting.summaries import (
    CategoricalSummary,
    CrossTab,
    NumericSummary,
    crosstab,
    publications_per_period,
    sankey_links,
)
from charting.summary_files import EXTENSIONS, period, pick_field, summary_file
from review.access import review_for_user
from review.http import AuthedRequest


def _data(request: AuthedRequest, slug: str, *, with_status: bool = True) -> tuple[Any, Form, ChartedData]:
    access = review_for_user(user=request.user, slug=slug)
    form = selectors.form_for_review(review=access.review)
    if form is None:
        raise Http404("This review has no charting form yet")
    return access, form, charted_data(form=form, with_status=with_status)


def _grid(table: CrossTab) -> dict[str, Any]:
    """The cross-table laid out for the template: per row its label, (count, studies) per column, total."""
    rows = [
        (label, [(table.count(r, c), table.cells.get((r, c), [])) for c, _l in table.cols], table.row_total(r))
        for r, label in table.rows
    ]
    return {"rows": rows, "col_totals": [table.col_total(c) for c, _l in table.cols]}


def _kind(summary: object) -> str:
    if isinstance(summary, CategoricalSummary):
        return "categorical"
    return "numeric" if isinstance(summary, NumericSummary) else "text"


@login_required
@require_http_methods(["GET"])
def summaries(request: AuthedRequest, slug: str) -> HttpResponse:
    access, form, data = _data(request, slug)
    row = pick_field(data, request.GET.get("row"), 1, role="row")
    col = pick_field(data, request.GET.get("col"), 0, role="col")
    source = pick_field(data, request.GET.get("source"), 1, categorical=True, role="source")
    target = pick_field(data, request.GET.get("target"), 0, categorical=True, role="target")
    by = period(request.GET)
    table = crosstab(row, col, data.studies) if row and col else None
    context = {
        "access": access,
        "review": access.review,
        "form": form,
        "data": data,
        "final_count": sum(1 for s in data.status.values() if s == "final"),
        "included_studies": selectors.included_study_count(review=access.review),
        "summaries": [
            {"field": f, "s": s, "others": others, "kind": _kind(s)} for f, s, others in field_summaries(data=data)
        ],
        # Cross-tables and flows are of studies: fields of repeating groups are not offered.
        "fields": [f for f in data.fields if not f.section.repeating],
        "categorical_fields": [f for f in data.fields if f.type in CATEGORICAL_TYPES and not f.section.repeating],
        "row": row,
        "col": col,
        "table": table,
        "grid": _grid(table) if table else None,
        "source": source,
        "target": target,
        "links": sankey_links(source, target, data.studies) if source and target else [],
        "by": by,
        "periods": publications_per_period(publication_dates(data=data), by=by),
    }
    return render(request, "charting/summaries.html", context)


@login_required
@require_http_methods(["GET"])
def summary_download(request: AuthedRequest, slug: str, name: str, ext: str) -> HttpResponseBase:
    """One table as CSV or one chart as SVG: field-<key>, frequencies, numeric, crosstab, sankey, publications."""
    if ext not in EXTENSIONS:
        raise Http404("Tables download as .csv, charts as .svg")
    # Tables and charts summarise final values only; the extractors' answers are not needed here.
    _access, form, data = _data(request, slug, with_status=False)
    download = request.GET.get("download") == "1" or ext == "csv"
    return summary_file(form=form, data=data, name=name, ext=ext, params=request.GET, download=download)


@login_required
@require_http_methods(["GET"])
def exports_page(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    form = selectors.form_for_review(review=access.review)
    return render(request, "charting/exports.html", {"access": access, "review": access.review, "form": form})


@login_required
@require_http_methods(["GET"])
def export_csv(request: AuthedRequest, slug: str, kind: str) -> HttpResponseBase:
    access = review_for_user(user=request.user, slug=slug)
    form = selectors.form_for_review(review=access.review)
    if form is None:
        raise Http404("This review has no charting form yet")
    if kind == "wide":
        rows = exports.charted_wide_rows(form=form)
    elif kind == "long":
        rows = exports.charted_long_rows(form=form)
    elif kind == "codebook":
        rows = exports.codebook_rows(form=form)
    elif kind == "columns":
        rows = exports.charted_columns_rows(form=form)
    else:
        raise Http404("No such export")
    return exports.csv_response(rows, filename=f"{access.review.slug}-charting-{kind}.csv")
