"""CSV that R, Stata, pandas and Excel read safely.

UTF-8, one header row, ISO 8601 dates, and no cell that a spreadsheet would run as a formula: a value starting
with = + - @ (or a tab or carriage return) gets a leading apostrophe. Numbers are written as numbers, so a
negative value is not mangled.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield ("\ufeff" if bom else "") + writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False
) -> StreamingHttpResponse:
    """Stream rows as they are produced, so a 100,000-record export keeps memory flat."""
    response = StreamingHttpResponse(csv_lines(header, rows, bom=bom), content_type="text/csv; charset=utf-8")
    safe_name = "".join(ch for ch in filename if ch.isalnum() or ch in "-_.") or "export.csv"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response
