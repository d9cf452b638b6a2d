"""The summary tables as rows (header first), shared by the CSV downloads and the API."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from charting.models import Field
from charting.selectors.charted import ChartedData, FieldSummary, TextSummary, field_summaries
from charting.summaries import CategoricalSummary, CrossTab, Link, NumericSummary


def _fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def frequency_rows(field: Field, summary: CategoricalSummary) -> list[list[str]]:
    rows = [["field", "option_code", "option", "n", "percent", "denominator"]]
    for row in summary.rows:
        rows.append([field.key, row.value, row.label, str(row.n), _fmt(row.percent, 1), str(summary.answered)])
    rows.append([field.key, "", "Missing", str(summary.missing), "", str(summary.total)])
    return rows


NUMERIC_HEADER = ["field", "label", "unit", "n", "missing", "mean", "sd", "median", "q1", "q3", "min", "max"]


def numeric_row(field: Field, s: NumericSummary) -> list[str]:
    stats = [s.mean, s.sd, s.median, s.q1, s.q3, s.minimum, s.maximum]
    return [field.key, field.label, field.unit, str(s.n), str(s.missing), *(_fmt(v) for v in stats)]


def all_frequency_rows(data: ChartedData) -> Iterator[list[str]]:
    yield ["field", "option_code", "option", "n", "percent", "denominator"]
    for field, summary, _others in field_summaries(data=data):
        if isinstance(summary, CategoricalSummary):
            yield from frequency_rows(field, summary)[1:]


def all_numeric_rows(data: ChartedData) -> Iterator[list[str]]:
    yield NUMERIC_HEADER
    for field, summary, _others in field_summaries(data=data):
        if isinstance(summary, NumericSummary):
            yield numeric_row(field, summary)


def field_rows(field: Field, summary: FieldSummary) -> list[list[str]]:
    if isinstance(summary, CategoricalSummary):
        return frequency_rows(field, summary)
    if isinstance(summary, NumericSummary):
        return [NUMERIC_HEADER, numeric_row(field, summary)]
    assert isinstance(summary, TextSummary)
    return [["field", "answered", "missing"], [field.key, str(summary.answered), str(summary.missing)]]


def crosstab_rows(table: CrossTab, *, studies: bool) -> Iterator[list[str]]:
    """Counts, or (studies=True) the studies in each cell, as in a review's Table 1."""
    yield [f"{table.row_label} / {table.col_label}", *(label for _v, label in table.cols), "Total"]
    for value, label in table.rows:
        cells = [
            "; ".join(table.cells.get((value, col), [])) if studies else str(table.count(value, col))
            for col, _l in table.cols
        ]
        yield [label, *cells, str(table.row_total(value))]
    yield ["Total", *(str(table.col_total(col)) for col, _l in table.cols), ""]


def sankey_rows(links: Sequence[Link]) -> Iterator[list[str]]:
    yield ["source", "target", "n"]
    for link in links:
        yield [link.source, link.target, str(link.n)]


def period_rows(periods: Sequence[tuple[str, int]]) -> Iterator[list[str]]:
    yield ["period", "n"]
    for label, n in periods:
        yield [label, str(n)]
