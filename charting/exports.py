"""Charted data as CSV: wide (one row per study), long (one row per answer) and the codebook.

Each `*_rows` function returns an iterator of rows (lists of str) so other exports (a review bundle) can write
them anywhere; `csv_response` streams any of them. The files open in R's read.csv and pandas.read_csv without
options: UTF-8 without BOM, one header row, column names that are valid R names and never change with labels,
ISO 8601 dates, empty cells for missing answers.

Cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading apostrophe,
unless the whole cell is a number: "-1.5" stays numeric for R and pandas and cannot run as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import StreamingHttpResponse

from charting import selectors
from charting.answers import address, instance_count, parse_address
from charting.colnames import short_names
from charting.fieldtypes import (
    OTHER,
    FieldSpec,
    FieldType,
    choice_labels,
    display_value,
    is_not_reported,
    selected,
)
from charting.models import ConsensusValue, Field, Form
from charting.selectors.charted import ChartedData, charted_data
from review.models import Review

# A study is its main report: study_id is that record's id, report_ids every report's (main first, ";"-separated).
RECORD_COLUMNS = ["study_id", "report_ids", "first_author", "year", "title", "journal", "doi", "pmid"]
NOT_REPORTED_CELL = "not reported"  # in every column of a field answered "not reported"; dummies stay empty
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    if not cell.startswith(FORMULA_STARTS):
        return cell
    try:
        Decimal(cell)
    except InvalidOperation:
        return "'" + cell
    return cell


def _row(cells: Iterable[Any]) -> list[str]:
    return [neutralise("" if cell is None else str(cell)) for cell in cells]


def field_columns(spec: FieldSpec) -> list[str]:
    """The wide-format columns of one field, in order. Names come from keys and option codes only."""
    if spec.type == FieldType.MULTIPLE:
        columns = [spec.key] + [f"{spec.key}__{value}" for value in choice_labels(spec)]
        return [*columns, f"{spec.key}__other_text"] if spec.allow_other else columns
    if spec.type == FieldType.SINGLE and spec.allow_other:
        return [spec.key, f"{spec.key}__other_text"]
    return [spec.key]


def field_cells(spec: FieldSpec, value: Any) -> list[str]:
    """The wide-format cells of one answer; all empty when the study has no answer (missing, not 'no')."""
    if is_not_reported(value):
        return [NOT_REPORTED_CELL] + [""] * (len(field_columns(spec)) - 1)
    if spec.type == FieldType.MULTIPLE:
        options = list(choice_labels(spec))
        if value is None:
            return [""] * len(field_columns(spec))
        chosen = set(selected(spec, value))
        cells = [display_value(spec, value)] + ["1" if option in chosen else "0" for option in options]
        return [*cells, str(value.get("other", ""))] if spec.allow_other else cells
    if spec.type == FieldType.SINGLE:
        if value is None:
            return [""] * len(field_columns(spec))
        label = choice_labels(spec).get(value.get("choice"), value.get("choice"))
        return [label, str(value.get("other", ""))] if spec.allow_other else [label]
    return [answer_text(spec, value)]


def answer_text(spec: FieldSpec, value: Any) -> str:
    """One answer as a single cell: numbers bare (the unit is in the codebook), labels for options."""
    if value is None:
        return ""
    if is_not_reported(value):
        return NOT_REPORTED_CELL
    if spec.type in (FieldType.DECIMAL, FieldType.INTEGER, FieldType.YEAR):
        return str(value)
    return display_value(spec, value)


def _record_cells(record: Any, reports: list[int]) -> list[Any]:
    ids = ";".join(str(pk) for pk in reports)
    return [record.pk, ids, record.first_author, record.year, record.title, record.journal, record.doi, record.pmid]


@dataclass(frozen=True, slots=True)
class WideColumn:
    name: str  # as written in the file (at most 32 characters)
    full_name: str
    field: str
    group: str
    instance: int
    meaning: str


def _field_column_meanings(spec: FieldSpec) -> list[str]:
    meanings = [f"{spec.label}" + (" (labels of the options chosen)" if spec.type in CHOICE else "")]
    if spec.type == FieldType.MULTIPLE:
        meanings += [f"{spec.label}: {label} chosen (1/0)" for label in choice_labels(spec).values()]
    if spec.type in CHOICE and spec.allow_other:
        meanings.append(f"{spec.label}: the 'Other, specify' text")
    return meanings


CHOICE = (FieldType.SINGLE, FieldType.MULTIPLE)


def _wide_layout(data: ChartedData) -> tuple[list[Field], dict[str, list[Field]], dict[str, int], list[WideColumn]]:
    """The wide file's columns: study columns, single fields, then each repeating group's instance count and its
    fields once per instance (suffix _1, _2 ... up to the most instances any study has)."""
    groups = selectors.repeating_groups(data.fields)
    single = [f for f in data.fields if not f.section.repeating]
    counts = {
        group: max(
            (instance_count(data.final.get(r.pk, {}), [f.key for f in members]) for r in data.records), default=0
        )
        for group, members in groups.items()
    }
    full: list[tuple[str, str, str, int, str]] = [(c, "", "", 0, "study") for c in [*RECORD_COLUMNS, "charting_status"]]
    for spec in single:
        for column, meaning in zip(field_columns(spec), _field_column_meanings(spec), strict=True):
            full.append((column, spec.key, "", 0, meaning))
    for group, members in groups.items():
        full.append(
            (
                f"{group}_n",
                "",
                group,
                0,
                f"Number of instances of the repeating group {group} (empty while the study has no final data)",
            )
        )
        for n in range(1, counts[group] + 1):
            for spec in members:
                for column, meaning in zip(field_columns(spec), _field_column_meanings(spec), strict=True):
                    name = column.replace(spec.key, f"{spec.key}_{n}", 1)
                    full.append((name, spec.key, group, n, f"{meaning}, instance {n}"))
    short = short_names(name for name, *_rest in full)
    columns = [WideColumn(s, *rest) for s, rest in zip(short, full, strict=True)]
    return single, groups, counts, columns


def charted_wide_rows(*, form: Form, data: ChartedData | None = None) -> Iterator[list[str]]:
    """One row per study: its reports, charting status, the final value of every field, then each repeating
    group as numbered columns. Names longer than 32 characters are shortened (see charted_columns_rows)."""
    data = data or charted_data(form=form)
    single, groups, counts, columns = _wide_layout(data)
    reports = selectors.reports_by_study(review=form.review, study_ids=[r.pk for r in data.records])
    yield [c.name for c in columns]
    for record in data.records:
        final = data.final.get(record.pk, {})
        cells = [*_record_cells(record, reports[record.pk]), data.status[record.pk]]
        for spec in single:
            cells.extend(field_cells(spec, final.get(spec.key)))
        for group, members in groups.items():
            # No final data yet: the number of instances is unknown (empty), not 0.
            cells.append(instance_count(final, [f.key for f in members]) if final else "")
            for n in range(1, counts[group] + 1):
                for spec in members:
                    cells.extend(field_cells(spec, final.get(address(spec.key, n))))
        yield _row(cells)


COLUMNS_COLUMNS = ["column", "full_name", "field", "group", "instance", "meaning"]


def charted_columns_rows(*, form: Form, data: ChartedData | None = None) -> Iterator[list[str]]:
    """The wide file's column dictionary: one row per column, in file order, with its full (unshortened) name."""
    data = data or charted_data(form=form)
    yield COLUMNS_COLUMNS
    for column in _wide_layout(data)[3]:
        yield _row([column.name, column.full_name, column.field, column.group, column.instance or "", column.meaning])


def _all_specs(form: Form) -> dict[str, Field]:
    """Every field the form ever had, newest definition per key, so removed fields' data stays readable."""
    specs: dict[str, Field] = {}
    for field in (
        Field.objects.filter(version__form=form).select_related("version", "section").order_by("version__number")
    ):
        specs[field.key] = field
    return specs


LONG_COLUMNS = ["study_id", "group", "instance", "field", "value", "not_reported", "quote", "page"]
LONG_COLUMNS += ["extractor", "final", "form_version", "recorded_at"]


def charted_long_rows(*, form: Form, data: ChartedData | None = None) -> Iterator[list[str]]:
    """One row per answer (study x group x instance x field): each extractor's submitted answer (final=0) and the
    consensus answer (final=1), with the source quote and page. Fields outside repeating groups have an empty
    group and instance 0.

    Extractors' answers appear only once every extractor of the study has submitted, as in the app.
    """
    data = data or charted_data(form=form)
    specs = _all_specs(form)
    yield LONG_COLUMNS
    # The newest decision per (study, field, instance), grouped by study so each study's rows are found directly.
    consensus: dict[int, dict[str, ConsensusValue]] = {}
    for row in (
        ConsensusValue.objects.filter(form=form)
        .only("record_id", "field_key", "instance", "value", "quote", "page", "decided_at")
        .order_by("id")
    ):
        consensus.setdefault(row.record_id, {})[address(row.field_key, row.instance)] = row

    def cells(study: int, addr: str, value: Any, source: tuple[str, str]) -> list[Any]:
        key, instance = parse_address(addr)
        spec = specs.get(key)
        text = answer_text(spec, value) if spec else str(value)
        group = spec.section.key if spec is not None and instance else ""
        nr = 1 if is_not_reported(value) else 0
        return [study, group, instance, key, "" if nr else text, nr, *source]

    for record in data.records:
        group = data.extractions.get(record.pk, [])
        if selectors.all_submitted(group):
            for extraction in group:
                answers = data.extraction_values.get(extraction.pk, {})
                cited = data.extraction_sources.get(extraction.pk, {})
                when = extraction.submitted_at.isoformat() if extraction.submitted_at else ""
                for addr, value in sorted(answers.items()):
                    yield _row(
                        [
                            *cells(record.pk, addr, value, cited.get(addr, ("", ""))),
                            extraction.extractor.get_username(),
                            0,
                            extraction.version.number,
                            when,
                        ]
                    )
        for addr, row in sorted(consensus.get(record.pk, {}).items()):
            if row.value is None:
                continue
            yield _row(
                [
                    *cells(record.pk, addr, row.value, (row.quote, row.page)),
                    "consensus",
                    1,
                    "",
                    row.decided_at.isoformat(),
                ]
            )


CODEBOOK_COLUMNS = ["field", "label", "section", "type", "unit", "required", "choices", "other_option", "shown_when"]
CODEBOOK_COLUMNS += ["help", "columns", "status", "group", "not_reported"]


def codebook_rows(*, form: Form) -> Iterator[list[str]]:
    """One row per field: its key (the column name), label, type, options as `code=Label`, help, columns."""
    current = selectors.version_fields(version=selectors.form_current_version(form=form))
    current_keys = {f.key for f in current}
    removed = [spec for key, spec in _all_specs(form).items() if key not in current_keys]
    yield CODEBOOK_COLUMNS
    for spec in [*current, *removed]:
        options = "; ".join(f"{code}={label}" for code, label in choice_labels(spec).items() if code != OTHER)
        shown = f"{spec.condition_key} = {spec.condition_value}" if spec.condition_key else ""
        status = "current" if spec.key in current_keys else f"removed after version {spec.version.number}"
        yield _row(
            [
                spec.key,
                spec.label,
                spec.section.title,
                spec.type,
                spec.unit,
                "yes" if spec.required else "no",
                options,
                "yes" if spec.allow_other else "no",
                shown,
                spec.help_text,
                " ".join(field_columns(spec)) if spec.key in current_keys else "",
                status,
                spec.section.key if spec.section.repeating else "",
                NOT_REPORTED_CELL,
            ]
        )


def export_files(*, review: Review) -> list[tuple[str, Iterator[list[str]]]]:
    """The charting files of a review bundle: (file name, lazy rows). Empty when the review has no form."""
    form = selectors.form_for_review(review=review)
    if form is None:
        return []
    return [
        ("charted-data.csv", charted_wide_rows(form=form)),
        ("charted-data-long.csv", charted_long_rows(form=form)),
        ("charting-codebook.csv", codebook_rows(form=form)),
        ("charted-data-columns.csv", charted_columns_rows(form=form)),
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)


def csv_response(rows: Iterable[list[str]], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
