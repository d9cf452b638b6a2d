"""The PRISMA2020 R package's reading of its CSV (PRISMA_data.R and PRISMA_format.R, version 1.1.4, in
../shared/reference/prisma2020), mirrored rule for rule so that a test can read an export as the package does.

- `read.csv`: the string "NA" is missing; the `n` column holds text as soon as one row has a list in it.
- each number: `data[grep(name, data[, 1]), ]$n`, i.e. every row whose first column *contains* `name` as a
  regular expression; then `PRISMA_format_number_`: commas removed, then every character but digits and ".",
  then `as.numeric` ("Embase, 8; PubMed, 10" becomes 810).
- each list (`*_specific_results`, `dbr_excluded`, `other_excluded`): `PRISMA_parse_reasons_`: when the text
  has a character other than digits and commas, split at ";" (and one space after it); the name is the text
  before the first comma, the number what `.*?,([ 0-9,]*)` captures after it; otherwise one row, name "",
  with the whole text as a number.

Where the package would silently take a vector (two rows matching one name), this mirror fails instead, so an
export that only works by luck does not pass.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

NUMBERS = (
    "previous_studies", "previous_reports", "register_results", "database_results", "website_results",
    "organisation_results", "citations_results", "duplicates", "excluded_automatic", "excluded_other",
    "records_screened", "records_excluded", "dbr_sought_reports", "dbr_notretrieved_reports",
    "other_sought_reports", "other_notretrieved_reports", "dbr_assessed", "other_assessed", "new_studies",
    "new_reports", "total_studies$", "total_reports$", "total_studies_ma", "total_reports_ma",
)  # fmt: skip
LISTS = ("database_specific_results", "register_specific_results", "dbr_excluded", "other_excluded")


def read_csv(text: str) -> list[dict[str, Any]]:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    return [{key: (None if value == "NA" else value) for key, value in row.items()} for row in rows]


def format_number(value: str) -> float | None:
    value = re.sub(r"[^0-9.]", "", value.replace(",", ""))
    return float(value) if value else None


def parse_reasons(value: str) -> list[tuple[str, float | None]]:
    if re.search(r"[^0-9,]", value):
        parts = re.split(r";(?: )?", value)
        return [
            (re.sub(r",.*$", "", part), format_number(re.sub(r".*?,([ 0-9,]*)|.*()", r"\1", part))) for part in parts
        ]
    return [("", format_number(value))]


def _n(rows: list[dict[str, Any]], pattern: str) -> str | None:
    found = [row for row in rows if row["data"] is not None and re.search(pattern, row["data"])]
    assert len(found) <= 1, f"{pattern!r} matches {len(found)} rows: the package would read a vector"
    return found[0]["n"] if found else None


def prisma_data(text: str) -> dict[str, Any]:
    """What PRISMA_data() reads from the CSV: numbers (0 when the row is missing, as its defaults say) and lists."""
    rows = read_csv(text)
    data: dict[str, Any] = {}
    for pattern in NUMBERS:
        raw = _n(rows, pattern)
        data[pattern.rstrip("$")] = 0.0 if raw is None else format_number(raw)
    for name in LISTS:
        raw = _n(rows, name)
        data[name] = None if raw is None else parse_reasons(raw)
    data["urls"] = {}
    for row in rows:  # data[!duplicated(data$box), ]: the first row of each box
        data["urls"].setdefault(row["box"], row["url"])
    return data
