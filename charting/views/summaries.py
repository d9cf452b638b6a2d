"""Summaries of the charted data (tables and SVG charts, each downloadable) and the CSV exports."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from charting import exports, selectors, svg, tables
from charting.analysis import ChartedData, charted_data, field_summaries, publication_dates
from charting.fieldtypes import CATEGORICAL_TYPES
from charting.models import Field, Form
from charting.summaries import (
    CategoricalSummary,
    CrossTab,
    NumericSummary,
    crosstab,
    publications_per_period,
    sankey_links,
)
from review.access import review_for_user
from review.http import AuthedRequest


def _data(request: AuthedRequest, slug: str, *, with_status: bool = True) -> tuple[Any, Form, ChartedData]:
    access = review_for_user(user=request.user, slug=slug)
    form = selectors.form_for_review(review=access.review)
    if form is None:
        raise Http404("This review has no charting form yet")
    return access, form, charted_data(form=form, with_status=with_status)


# Without a choice, the analyses of the review's methods: data type by specialty, source to target data type.
DEFAULT_WORDS = {"row": "target", "col": "specialty", "source": "source", "target": "target"}


def _pick(
    data: ChartedData, key: str | None, default_index: int, *, categorical: bool = False, role: str = ""
) -> Field | None:
    fields = [f for f in data.fields if f.type in CATEGORICAL_TYPES] if categorical else data.fields
    for field in fields:
        if field.key == key:
            return field
    word = DEFAULT_WORDS.get(role, "")
    preferred = [f for f in fields if word and word in f.key and (not categorical or f.type in CATEGORICAL_TYPES)]
    if preferred:
        return preferred[0]
    return fields[default_index] if len(fields) > default_index else (fields[0] if fields else None)


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


def _period(request: AuthedRequest) -> str:
    return "quarter" if request.GET.get("by") == "quarter" else "year"


@login_required
@require_http_methods(["GET"])
def summaries(request: AuthedRequest, slug: str) -> HttpResponse:
    access, form, data = _data(request, slug)
    row = _pick(data, request.GET.get("row"), 1, role="row")
    col = _pick(data, request.GET.get("col"), 0, role="col")
    source = _pick(data, request.GET.get("source"), 1, categorical=True, role="source")
    target = _pick(data, request.GET.get("target"), 0, categorical=True, role="target")
    by = _period(request)
    table = crosstab(row, col, data.studies) if row and col else None
    context = {
        "access": access,
        "review": access.review,
        "form": form,
        "data": data,
        "final_count": sum(1 for s in data.status.values() if s == "final"),
        "summaries": [
            {"field": f, "s": s, "others": others, "kind": _kind(s)} for f, s, others in field_summaries(data=data)
        ],
        "fields": data.fields,
        "categorical_fields": [f for f in data.fields if f.type in CATEGORICAL_TYPES],
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


def _svg_response(body: str, filename: str, download: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    if download:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A standalone SVG may only be looked at, never run anything, even when opened directly.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_http_methods(["GET"])
def summary_download(request: AuthedRequest, slug: str, name: str, ext: str) -> HttpResponseBase:
    """One table as CSV or one chart as SVG: field-<key>, frequencies, numeric, crosstab, sankey, publications."""
    if ext not in ("csv", "svg"):
        raise Http404("Tables download as .csv, charts as .svg")
    # Tables and charts summarise final values only; the extractors' answers are not needed here.
    _access, form, data = _data(request, slug, with_status=False)
    download = request.GET.get("download") == "1" or ext == "csv"
    rows: Iterable[list[str]]
    if name.startswith("field-"):
        key = name.removeprefix("field-")
        found = [(f, s) for f, s, _o in field_summaries(data=data) if f.key == key]
        if not found:
            raise Http404("No such field")
        field, summary = found[0]
        if ext == "svg":
            if not isinstance(summary, CategoricalSummary):
                raise Http404("Only option fields have a chart")
            bars = [(r.label, r.n) for r in summary.rows]
            note = f"n = {summary.answered} studies with an answer; {summary.missing} missing"
            if summary.multiple:
                note += "; several options per study"
            return _svg_response(svg.bar_chart(field.label, bars, note=note), f"{key}.svg", download)
        rows = tables.field_rows(field, summary)
    elif name == "frequencies" and ext == "csv":
        rows = tables.all_frequency_rows(data)
    elif name == "numeric" and ext == "csv":
        rows = tables.all_numeric_rows(data)
    elif name == "crosstab" and ext == "csv":
        row = _pick(data, request.GET.get("row"), 1, role="row")
        col = _pick(data, request.GET.get("col"), 0, role="col")
        if row is None or col is None:
            raise Http404("The form has no fields")
        rows = tables.crosstab_rows(crosstab(row, col, data.studies), studies=request.GET.get("studies") == "1")
    elif name == "sankey":
        source = _pick(data, request.GET.get("source"), 1, categorical=True, role="source")
        target = _pick(data, request.GET.get("target"), 0, categorical=True, role="target")
        if source is None or target is None:
            raise Http404("The form has no option fields")
        links = sankey_links(source, target, data.studies)
        if ext == "svg":
            title = f"{source.label} → {target.label}"
            chart = svg.sankey(title, links, source_label=source.label, target_label=target.label)
            return _svg_response(chart, f"sankey-{source.key}-{target.key}.svg", download)
        rows = tables.sankey_rows(links)
    elif name == "publications":
        by = _period(request)
        periods = publications_per_period(publication_dates(data=data), by=by)
        if ext == "svg":
            chart = svg.column_chart(f"Studies per {by}", periods)
            return _svg_response(chart, f"publications-per-{by}.svg", download)
        rows = tables.period_rows(periods)
    else:
        raise Http404("No such summary")
    return exports.csv_response(rows, filename=f"{form.review.slug}-{name}.csv")


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
    else:
        raise Http404("No such export")
    return exports.csv_response(rows, filename=f"{access.review.slug}-charting-{kind}.csv")
