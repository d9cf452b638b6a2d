"""One summary of the charted data as a file: a table as CSV or a chart as SVG. The summaries page and the API
serve the same files from here.

Names: field-<key> (its frequency or numeric table; option fields also as a bar chart), frequencies, numeric,
crosstab (row=, col=, studies=1), sankey (source=, target=) and publications (by=year|quarter).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.http import Http404, HttpResponse, HttpResponseBase

from charting import exports, svg, tables
from charting.fieldtypes import CATEGORICAL_TYPES
from charting.models import Field, Form
from charting.selectors.charted import ChartedData, field_summaries, publication_dates
from charting.summaries import CategoricalSummary, crosstab, publications_per_period, sankey_links

EXTENSIONS = ("csv", "svg")

# Without a choice, the analyses of the review's methods: data type by specialty, source to target data type.
DEFAULT_WORDS = {"row": "target", "col": "specialty", "source": "source", "target": "target"}


def pick_field(
    data: ChartedData, key: str | None, default_index: int, *, categorical: bool = False, role: str = ""
) -> Field | None:
    """The field named `key`, else the one a review of methods would look at first for `role`.

    Cross-tables and Sankey diagrams are of studies, so fields of repeating groups (one answer per instance) are
    not offered."""
    single = [f for f in data.fields if not f.section.repeating]
    fields = [f for f in single if f.type in CATEGORICAL_TYPES] if categorical else single
    for field in fields:
        if field.key == key:
            return field
    word = DEFAULT_WORDS.get(role, "")
    preferred = [f for f in fields if word and word in f.key and (not categorical or f.type in CATEGORICAL_TYPES)]
    if preferred:
        return preferred[0]
    return fields[default_index] if len(fields) > default_index else (fields[0] if fields else None)


def period(params: Mapping[str, str]) -> str:
    return "quarter" if params.get("by") == "quarter" else "year"


def svg_response(body: str, filename: str, download: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    if download:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A standalone SVG may only be looked at, never run anything, even when opened directly.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def summary_file(
    *, form: Form, data: ChartedData, name: str, ext: str, params: Mapping[str, str], download: bool
) -> HttpResponseBase:
    """The file, or Http404 for a name, extension or field that has none. CSV always downloads."""
    if ext not in EXTENSIONS:
        raise Http404("Tables download as .csv, charts as .svg")
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
            unit = "instances" if field.section.repeating else "studies"  # a repeating group counts per instance
            note = f"n = {summary.answered} {unit} with an answer; {summary.missing} missing"
            if summary.multiple:
                note += "; several options per study"
            return svg_response(svg.bar_chart(field.label, bars, note=note), f"{key}.svg", download)
        rows = tables.field_rows(field, summary)
    elif name == "frequencies" and ext == "csv":
        rows = tables.all_frequency_rows(data)
    elif name == "numeric" and ext == "csv":
        rows = tables.all_numeric_rows(data)
    elif name == "crosstab" and ext == "csv":
        row = pick_field(data, params.get("row"), 1, role="row")
        col = pick_field(data, params.get("col"), 0, role="col")
        if row is None or col is None:
            raise Http404("The form has no fields")
        rows = tables.crosstab_rows(crosstab(row, col, data.studies), studies=params.get("studies") == "1")
    elif name == "sankey":
        source = pick_field(data, params.get("source"), 1, categorical=True, role="source")
        target = pick_field(data, params.get("target"), 0, categorical=True, role="target")
        if source is None or target is None:
            raise Http404("The form has no option fields")
        links = sankey_links(source, target, data.studies)
        if ext == "svg":
            title = f"{source.label} → {target.label}"
            chart = svg.sankey(title, links, source_label=source.label, target_label=target.label)
            return svg_response(chart, f"sankey-{source.key}-{target.key}.svg", download)
        rows = tables.sankey_rows(links)
    elif name == "publications":
        by = period(params)
        periods = publications_per_period(publication_dates(data=data), by=by)
        if ext == "svg":
            chart = svg.column_chart(f"Studies per {by}", periods)
            return svg_response(chart, f"publications-per-{by}.svg", download)
        rows = tables.period_rows(periods)
    else:
        raise Http404("No such summary")
    return exports.csv_response(rows, filename=f"{form.review.slug}-{name}.csv")
