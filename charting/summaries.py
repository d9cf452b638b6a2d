"""Summaries of charted data: frequencies, descriptive statistics, cross-tabulations, Sankey links, publication
counts. Pure functions over field specs and final values; the selectors in charting.selectors.charted feed them.

Percentages of a categorical field are of the studies that answered it (the denominator is shown); missing
answers are counted apart. A multiple-choice field counts each option separately, so its percentages can add
up to more than 100.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from charting.countries import COUNTRIES
from charting.fieldtypes import (
    OTHER,
    FieldSpec,
    FieldType,
    categories,
    display_value,
    number,
    selected,
)

MISSING_LABEL = "Not reported"


@dataclass(frozen=True, slots=True)
class Study:
    record_id: int
    label: str  # "Smith 2020"
    values: dict[str, Any]


@dataclass(slots=True)
class Frequency:
    value: str
    label: str
    n: int
    percent: float | None


@dataclass(slots=True)
class CategoricalSummary:
    key: str
    label: str
    multiple: bool
    rows: list[Frequency]
    answered: int  # the denominator
    missing: int

    @property
    def total(self) -> int:
        return self.answered + self.missing


@dataclass(slots=True)
class NumericSummary:
    key: str
    label: str
    unit: str
    n: int
    missing: int
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    minimum: float | None = None
    maximum: float | None = None


def _percent(n: int, of: int) -> float | None:
    return round(100 * n / of, 1) if of else None


def category_pairs(spec: FieldSpec, values: Iterable[Any]) -> list[tuple[str, str]]:
    """Ordered categories: the form's options, or (countries, free values) those that occur, most frequent first."""
    fixed = categories(spec)
    if fixed:
        return fixed
    counts = Counter(v for value in values for v in selected(spec, value))
    names = COUNTRIES if spec.type == FieldType.COUNTRY else {}
    return [(v, names.get(v, v)) for v, _n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def study_categories(spec: FieldSpec, value: Any) -> list[str]:
    """The categories one study falls in for a field; any field type (free text uses its displayed value)."""
    if value is None:
        return []
    if spec.type in (FieldType.SINGLE, FieldType.MULTIPLE, FieldType.YES_NO, FieldType.COUNTRY):
        return selected(spec, value)
    return [display_value(spec, value)]


def categorical_summary(spec: FieldSpec, values: Sequence[Any]) -> CategoricalSummary:
    answered = [v for v in values if v is not None]
    counts = Counter(v for value in answered for v in set(selected(spec, value)))
    rows = [
        Frequency(value=v, label=label, n=counts.get(v, 0), percent=_percent(counts.get(v, 0), len(answered)))
        for v, label in category_pairs(spec, answered)
    ]
    return CategoricalSummary(
        key=spec.key,
        label=spec.label,
        multiple=spec.type == FieldType.MULTIPLE,
        rows=rows,
        answered=len(answered),
        missing=len(values) - len(answered),
    )


def numeric_summary(spec: FieldSpec, values: Sequence[Any]) -> NumericSummary:
    numbers = [n for n in (number(v) for v in values) if n is not None]
    summary = NumericSummary(
        key=spec.key, label=spec.label, unit=spec.unit, n=len(numbers), missing=len(values) - len(numbers)
    )
    if not numbers:
        return summary
    summary.mean = statistics.fmean(numbers)
    summary.median = statistics.median(numbers)
    summary.minimum, summary.maximum = min(numbers), max(numbers)
    if len(numbers) >= 2:
        summary.sd = statistics.stdev(numbers)  # sample SD (n - 1), as R's sd()
        # "inclusive" is R's default quantile type 7, so the IQR matches quantile() in R and numpy.
        summary.q1, _q2, summary.q3 = statistics.quantiles(numbers, n=4, method="inclusive")
    else:
        summary.q1 = summary.q3 = numbers[0]
    return summary


@dataclass(slots=True)
class CrossTab:
    row_label: str
    col_label: str
    rows: list[tuple[str, str]]
    cols: list[tuple[str, str]]
    cells: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # study labels per cell

    def count(self, row: str, col: str) -> int:
        return len(self.cells.get((row, col), []))

    def row_total(self, row: str) -> int:
        return sum(self.count(row, c) for c, _ in self.cols)

    def col_total(self, col: str) -> int:
        return sum(self.count(r, col) for r, _ in self.rows)


def _axis(spec: FieldSpec, studies: Sequence[Study]) -> list[tuple[str, str]]:
    values = [s.values.get(spec.key) for s in studies]
    if spec.type in (FieldType.SINGLE, FieldType.MULTIPLE, FieldType.YES_NO, FieldType.COUNTRY):
        pairs = category_pairs(spec, values)
    else:
        seen = sorted({c for v in values for c in study_categories(spec, v)}, key=_natural)
        pairs = [(c, c) for c in seen]
    if any(v is None for v in values):
        pairs.append(("", MISSING_LABEL))
    return pairs


def _natural(text: str) -> tuple[Any, ...]:
    num = number(text)
    return (0, num, "") if num is not None else (1, 0.0, text.lower())


def crosstab(row_spec: FieldSpec, col_spec: FieldSpec, studies: Sequence[Study]) -> CrossTab:
    """Studies by two fields, listing the studies in each cell (like a review's Table 1).

    A study with several options of a multiple-choice field appears in each of their cells.
    """
    table = CrossTab(
        row_label=row_spec.label, col_label=col_spec.label, rows=_axis(row_spec, studies), cols=_axis(col_spec, studies)
    )
    cells: dict[tuple[str, str], list[str]] = defaultdict(list)
    for study in studies:
        rows = study_categories(row_spec, study.values.get(row_spec.key)) or [""]
        cols = study_categories(col_spec, study.values.get(col_spec.key)) or [""]
        for r in dict.fromkeys(rows):
            for c in dict.fromkeys(cols):
                cells[(r, c)].append(study.label)
    table.cells = dict(cells)
    return table


@dataclass(frozen=True, slots=True)
class Link:
    source: str
    target: str
    n: int


def sankey_links(source: FieldSpec, target: FieldSpec, studies: Sequence[Study]) -> list[Link]:
    """Flows from the categories of one field to another; studies missing either side are left out."""
    source_labels = dict(_axis(source, studies))
    target_labels = dict(_axis(target, studies))
    counts: Counter[tuple[str, str]] = Counter()
    for study in studies:
        for s in dict.fromkeys(study_categories(source, study.values.get(source.key))):
            for t in dict.fromkeys(study_categories(target, study.values.get(target.key))):
                counts[(source_labels.get(s, s), target_labels.get(t, t))] += 1
    return [Link(s, t, n) for (s, t), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
DATE_TAGS = ("DA", "PY", "Y1", "DP", "PD", "DEP", "Y2", "DATE", "PUBLICATION DATE", "PUBDATE")
NUMERIC_MONTH = re.compile(r"\b(?:19|20)\d\d[/-](\d{1,2})\b")
NAMED_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE)


def month_from_raw(raw: Iterable[Any]) -> int | None:
    """The publication month, if any date tag of the imported record gives one ("2020/03/15", "2020 Mar")."""
    for item in raw or []:
        if not isinstance(item, list | tuple) or len(item) != 2:
            continue
        tag, text = str(item[0]).strip().upper(), str(item[1])
        if tag not in DATE_TAGS:
            continue
        numeric = NUMERIC_MONTH.search(text)
        if numeric and 1 <= int(numeric.group(1)) <= 12:
            return int(numeric.group(1))
        named = NAMED_MONTH.search(text)
        if named:
            return MONTHS[named.group(1).lower()]
    return None


def publications_per_period(dates: Iterable[tuple[int | None, int | None]], *, by: str) -> list[tuple[str, int]]:
    """Counts per year ("2020") or quarter ("2020 Q1"), with every period in the range shown, empty ones as 0.

    Records without a year, or (by quarter) without a month, are counted as "Year unknown" / "2020, quarter
    unknown" so the total still adds up to the number of studies.
    """
    counts: Counter[str] = Counter()
    years = [y for y, _m in dates if y]
    span = range(min(years), max(years) + 1) if years else range(0)
    unknown_quarter: Counter[int] = Counter()
    unknown_year = 0
    for year, month in dates:
        if not year:
            unknown_year += 1
        elif by == "quarter" and month:
            counts[f"{year} Q{(month - 1) // 3 + 1}"] += 1
        elif by == "quarter":
            unknown_quarter[year] += 1
        else:
            counts[str(year)] += 1
    periods: list[tuple[str, int]] = []
    for year in span:
        if by == "quarter":
            periods.extend((f"{year} Q{q}", counts[f"{year} Q{q}"]) for q in range(1, 5))
            if unknown_quarter[year]:
                periods.append((f"{year}, quarter unknown", unknown_quarter[year]))
        else:
            periods.append((str(year), counts[str(year)]))
    if unknown_year:
        periods.append(("Year unknown", unknown_year))
    return periods


def other_answers(spec: FieldSpec, values: Iterable[Any]) -> list[str]:
    """The free texts given under "Other, specify", for the reader of a frequency table."""
    found = []
    for value in values:
        if (
            isinstance(value, dict)
            and value.get("other")
            and (spec.type == FieldType.MULTIPLE or value.get("choice") == OTHER)
        ):
            found.append(str(value["other"]))
    return sorted(set(found), key=str.lower)
