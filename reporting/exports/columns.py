"""The column codebook of charted-wide.csv: each column's name as written (at most 32 characters, as Stata
requires), the full name it stands for, its field and a readable label, and what its values mean."""

from __future__ import annotations

from collections.abc import Iterator

from charting.fieldtypes import FieldType, choice_labels
from charting.models import Form
from review.colnames import stata_names

COLUMNS_HEADER = ["column", "full_name", "field", "label", "values"]

RECORD_LABELS = {
    "record_id": "Record id in the review (the study's main report)",
    "first_author": "First author",
    "year": "Publication year",
    "title": "Title",
    "journal": "Journal",
    "doi": "DOI",
    "pmid": "PubMed id",
    "charting_status": "Charting status of the study",
}


def charted_column_rows(*, form: Form) -> Iterator[list[str]]:
    from charting import selectors
    from charting.exports import RECORD_COLUMNS, field_columns

    fields = selectors.version_fields(version=selectors.form_current_version(form=form))
    described: list[tuple[str, str, str, str]] = [
        (name, "", RECORD_LABELS.get(name, name), "") for name in [*RECORD_COLUMNS, "charting_status"]
    ]
    for spec in fields:
        labels = choice_labels(spec)
        for column in field_columns(spec):
            if column == spec.key:
                values = "; ".join(f"{code}={label}" for code, label in labels.items()) if labels else spec.unit
                described.append((column, spec.key, spec.label, values))
            elif column.endswith("__other_text"):
                described.append((column, spec.key, f"{spec.label}: other, as written", "text"))
            else:
                code = column.split("__", 1)[1]
                values = "1=chosen; 0=not chosen; empty=not answered" if spec.type == FieldType.MULTIPLE else ""
                described.append((column, spec.key, f"{spec.label}: {labels.get(code, code)}", values))
    short = stata_names(name for name, *_ in described)
    yield list(COLUMNS_HEADER)
    for name, (full, field, label, values) in zip(short, described, strict=True):
        yield [name, full, field, label, values]
