"""CSV exports read back with pandas (and the csv module, as R's read.csv would read them)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from charting import exports, services
from tests.charting.conftest import submit


@pytest.fixture
def charted(form, studies, review, lead, reviewer, reviewer2):
    """Two studies charted to consensus, one still in progress; a decimal and a date field added first."""
    services.field_add(form=form, by=lead, section_key="data", label="AUC", type="decimal", unit="")
    services.field_add(form=form, by=lead, section_key="data", label="Data collected until", type="date")
    studies[0].title = '=HYPERLINK("http://evil") Détection précoce'
    studies[0].save()
    for record in studies:
        services.extraction_assign(review=review, record=record, extractors=[reviewer, reviewer2], by=lead)
    first, second = studies[0].extractions.order_by("id")
    extra = {"auc": "-0.5", "data_collected_until": "2019-12-31", "aim": "Line one\nline two, with comma"}
    submit(first, {**extra, "software": {"choices": ["python"], "other": "Julia"}})
    submit(second, {**extra, "software": {"choices": ["python"], "other": "Julia"}, "sample_size": 130})
    services.consensus_set(form=form, record=studies[0], by=lead, field_key="sample_size", value=125)
    third, fourth = studies[1].extractions.order_by("id")
    submit(third, model_architecture={"choices": ["cnn", "rnn"]}, specialty={"choice": "other", "other": "+Oncology"})
    submit(fourth, model_architecture={"choices": ["cnn", "rnn"]}, specialty={"choice": "other", "other": "+Oncology"})
    return studies


def _read(rows):
    text = "".join(exports.csv_lines(rows))
    return text, pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_wide_export_one_row_per_study_with_stable_columns(charted, form):
    text, frame = _read(exports.charted_wide_rows(form=form))
    assert list(frame.columns[:9]) == [
        "study_id",
        "report_ids",
        "first_author",
        "year",
        "title",
        "journal",
        "doi",
        "pmid",
        "charting_status",
    ]
    assert len(frame) == 3
    for column in [
        "model_architecture",
        "model_architecture__cnn",
        "model_architecture__other",
        "software__other_text",
        "specialty",
        "specialty__other_text",
        "auc",
        "data_collected_until",
    ]:
        assert column in frame.columns
    first, second, third = (frame.iloc[i] for i in range(3))
    assert first["charting_status"] == "final" and third["charting_status"] == "in_progress"
    assert first["sample_size"] == "125" and first["auc"] == "-0.5"  # a number is never neutralised
    assert first["data_collected_until"] == "2019-12-31"
    assert first["aim"] == "Line one\nline two, with comma"
    assert first["title"].startswith("'=HYPERLINK") and "Détection précoce" in first["title"]
    assert (first["software"], first["software__python"], first["software__r"], first["software__other"]) == (
        "Python; Other: Julia",
        "1",
        "0",
        "1",
    )
    assert second["model_architecture"] == "CNN; RNN" and second["model_architecture__rnn"] == "1"
    assert second["specialty"] == "Other" and second["specialty__other_text"] == "'+Oncology"
    assert third["model_architecture__cnn"] == ""  # not charted yet: missing, not 0
    numeric = pd.read_csv(io.StringIO(text))
    assert numeric["sample_size"].iloc[0] == 125 and numeric["auc"].iloc[0] == -0.5
    assert numeric["model_architecture__cnn"].tolist()[:2] == [1, 1]


def test_long_export_has_extractor_and_final_rows(charted, form, studies):
    _text, frame = _read(exports.charted_long_rows(form=form))
    assert list(frame.columns) == [
        "study_id",
        "group",
        "instance",
        "field",
        "value",
        "not_reported",
        "quote",
        "page",
        "extractor",
        "final",
        "form_version",
        "recorded_at",
    ]
    size = frame[(frame.study_id == str(studies[0].pk)) & (frame.field == "sample_size")]
    assert sorted(zip(size.extractor, size.value, size.final, strict=True)) == [
        ("consensus", "125", "1"),
        ("reviewer", "120", "0"),
        ("reviewer2", "130", "0"),
    ]
    assert set(frame.study_id) == {str(studies[0].pk), str(studies[1].pk)}  # the study in progress stays blinded
    recorded = frame.recorded_at.iloc[0]
    assert recorded[4] == "-" and "T" in recorded  # ISO 8601


def test_codebook_lists_fields_types_choices_and_columns(charted, form, lead):
    services.field_delete(form=form, by=lead, key="sample_size", confirm=True)
    _text, frame = _read(exports.codebook_rows(form=form))
    arch = frame[frame.field == "model_architecture"].iloc[0]
    assert arch["type"] == "multiple" and arch["other_option"] == "yes"
    assert arch["choices"].startswith("cnn=CNN; rnn=RNN")
    assert arch["columns"].split() == [
        "model_architecture",
        "model_architecture__cnn",
        "model_architecture__rnn",
        "model_architecture__lstm",
        "model_architecture__transformer",
        "model_architecture__autoencoder",
        "model_architecture__other",
        "model_architecture__other_text",
    ]
    repo = frame[frame.field == "data_repository"].iloc[0]
    assert repo["shown_when"] == "data_public = yes"
    removed = frame[frame.field == "sample_size"].iloc[0]
    assert removed["status"].startswith("removed after version")


def test_csv_is_utf8_without_bom_with_one_header_row(charted, form):
    raw = b"".join(exports.csv_response(exports.charted_wide_rows(form=form), filename="x.csv").streaming_content)
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert rows[0][0] == "study_id" and all(len(r) == len(rows[0]) for r in rows)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-1.5", "-1.5"),
        ("+3", "+3"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_neutralise_formula_cells(cell, expected):
    assert exports.neutralise(cell) == expected


def test_export_files_for_a_review_bundle(charted, review):
    files = dict(exports.export_files(review=review))
    assert list(files) == [
        "charted-data.csv",
        "charted-data-long.csv",
        "charting-codebook.csv",
        "charted-data-columns.csv",
    ]
    wide = pd.read_csv(io.StringIO("".join(exports.csv_lines(files["charted-data.csv"]))))
    assert len(wide) == 3


def test_export_files_without_a_form_is_empty(review):
    assert exports.export_files(review=review) == []
