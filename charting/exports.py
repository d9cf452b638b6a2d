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
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import StreamingHttpResponse

from charting import selectors
from charting.analysis import ChartedData, charted_data
from charting.fieldtypes import OTHER, FieldSpec, FieldType, choice_labels, display_value, selected
from charting.models import ConsensusValue, Field, Form
from review.colnames import stata_name, stata_names
from review.models import Review

RECORD_COLUMNS = ["record_id", "first_author", "year", "title", "journal", "doi", "pmid"]
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
    if spec.type in (FieldType.DECIMAL, FieldType.INTEGER, FieldType.YEAR):
        return str(value)
    return display_value(spec, value)


def _record_cells(record: Any) -> list[Any]:
    return [record.pk, record.first_author, record.year, record.title, record.journal, record.doi, record.pmid]


def charted_wide_rows(*, form: Form, data: ChartedData | None = None) -> Iterator[list[str]]:
    """One row per study: record metadata, charting status, then the final value of every field."""
    data = data or charted_data(form=form)
    # Names Stata accepts (<= 32 characters); the column codebook export maps each back to its field and option.
    yield stata_names([*RECORD_COLUMNS, "charting_status", *(c for spec in data.fields for c in field_columns(spec))])
    for record, study in zip(data.records, data.studies, strict=True):
        cells = [*_record_cells(record), data.status[record.pk]]
        for spec in data.fields:
            cells.extend(field_cells(spec, study.values.get(spec.key)))
        yield _row(cells)


def _all_specs(form: Form) -> dict[str, Field]:
    """Every field the form ever had, newest definition per key, so removed fields' data stays readable."""
    specs: dict[str, Field] = {}
    for field in (
        Field.objects.filter(version__form=form).select_related("version", "section").order_by("version__number")
    ):
        specs[field.key] = field
    return specs


LONG_COLUMNS = ["record_id", "field", "value", "extractor", "final", "form_version", "recorded_at"]


def charted_long_rows(*, form: Form, data: ChartedData | None = None) -> Iterator[list[str]]:
    """One row per answer: each extractor's submitted answer (final=0) and the consensus answer (final=1).

    Extractors' answers appear only once every extractor of the study has submitted, as in the app.
    """
    data = data or charted_data(form=form)
    specs = _all_specs(form)
    yield LONG_COLUMNS
    # The newest decision per (study, field), grouped by study so each study's rows are found directly.
    consensus: dict[int, dict[str, ConsensusValue]] = {}
    for row in (
        ConsensusValue.objects.filter(form=form).only("record_id", "field_key", "value", "decided_at").order_by("id")
    ):
        consensus.setdefault(row.record_id, {})[row.field_key] = row
    for record in data.records:
        group = data.extractions.get(record.pk, [])
        if selectors.all_submitted(group):
            for extraction in group:
                answers = data.extraction_values.get(extraction.pk, {})
                for key, value in answers.items():
                    spec = specs.get(key)
                    text = answer_text(spec, value) if spec else str(value)
                    when = extraction.submitted_at.isoformat() if extraction.submitted_at else ""
                    yield _row(
                        [record.pk, key, text, extraction.extractor.get_username(), 0, extraction.version.number, when]
                    )
        for key, row in consensus.get(record.pk, {}).items():
            if row.value is None:
                continue
            spec = specs.get(key)
            text = answer_text(spec, row.value) if spec else str(row.value)
            yield _row([record.pk, key, text, "consensus", 1, "", row.decided_at.isoformat()])


CODEBOOK_COLUMNS = ["field", "label", "section", "type", "unit", "required", "choices", "other_option", "shown_when"]
CODEBOOK_COLUMNS += ["help", "columns", "status"]


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
                " ".join(stata_name(c) for c in field_columns(spec)) if spec.key in current_keys else "",
                status,
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
