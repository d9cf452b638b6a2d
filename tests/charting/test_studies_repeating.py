"""Studies as the unit of charting and repeating groups, end to end through the services: a review with two reports
of one study and repeating charted data, checked against counts written out by hand."""

from __future__ import annotations

import csv
import io

import pytest

from charting import exports, selectors, services
from charting.models import ConsensusValue, Extraction, ExtractionValue, Field
from charting.selectors.charted import charted_data, field_summaries
from reporting.prisma import prisma_counts
from review.errors import ServiceError
from tests.charting.conftest import COMPLETE, include_at_full_text, submit
from tests.charting.factories import RecordFactory

NR = {"not_reported": True}
LONG_LABEL = "Number of training images after augmentation"  # its key and numbered columns pass 32 characters


def _rows(rows):
    return list(csv.DictReader(io.StringIO("".join(exports.csv_lines(rows)))))


@pytest.fixture
def models_group(form, lead):
    """A repeating group 'Models': each model the study reports gets a name, an architecture and an AUC."""
    section = services.section_add(form=form, by=lead, title="Models", repeating=True, instance_label="Model")
    services.field_add(
        form=form, by=lead, section_key=section.key, label="Model name", type="short_text", required=True
    )
    services.field_add(
        form=form,
        by=lead,
        section_key=section.key,
        label="Architecture",
        type="single",
        choices=[{"value": "cnn", "label": "CNN"}, {"value": "rnn", "label": "RNN"}],
    )
    services.field_add(form=form, by=lead, section_key=section.key, label="AUC", type="decimal")
    long_field = services.field_add(form=form, by=lead, section_key=section.key, label=LONG_LABEL, type="integer")
    assert len(long_field.key) > 30
    return section


@pytest.fixture
def charted(review, search, form, models_group, lead, reviewer, reviewer2):
    """Four reports included at full text; the fourth is a second report of the first study.

    Study A (2 reports): both extractors chart two models; they differ on model 2's AUC (the lead decides "not
    reported"); both say sample size is not reported. Study B: charted to consensus without models. Study C:
    assigned, not submitted.
    """
    a, b, c, a2 = (RecordFactory(review=review, search=search, year=2019 + i) for i in range(4))
    for record in (a, b, c, a2):
        include_at_full_text(review, record, [reviewer, reviewer2])
    # The second report was charted on its own before anyone linked it: its draft must follow it to study A.
    (early,) = services.extraction_assign(review=review, record=a2, extractors=[reviewer], by=lead)
    services.extraction_save_draft(extraction=early, by=reviewer, values={"aim": "From the conference abstract"})
    first, second = services.extraction_assign(review=review, record=a, extractors=[reviewer, reviewer2], by=lead)
    services.study_link_report(review=review, record=a2, study=a, by=lead)
    models = {
        "model_name#1": "ResNet-50",
        "architecture#1": {"choice": "cnn"},
        "auc#1": "0.91",
        "model_name#2": "LSTM",
        "architecture#2": {"choice": "rnn"},
        "auc#2": NR,
    }
    quote = {"auc#1": {"quote": "an AUC of 0.91 on the test set", "page": "5"}}
    services.extraction_save_draft(extraction=first, by=reviewer, values=models, sources=quote)
    submit(first, sample_size=NR)
    services.extraction_save_draft(extraction=second, by=reviewer2, values={**models, "auc#2": "0.85"}, sources=quote)
    submit(second, sample_size=NR)
    services.consensus_set(form=form, record=a, by=lead, field_key="auc", instance=2, from_extraction=first)

    third, fourth = services.extraction_assign(review=review, record=b, extractors=[reviewer, reviewer2], by=lead)
    submit(third)
    submit(fourth)
    services.extraction_assign(review=review, record=c, extractors=[reviewer, reviewer2], by=lead)
    return {"a": a, "b": b, "c": c, "a2": a2, "early": early}


def test_reports_of_one_study_are_charted_once_and_counted_as_prisma_counts_them(charted, review, form):
    a, b, c, a2 = charted["a"], charted["b"], charted["c"], charted["a2"]
    # Hand count: 4 reports included, 3 studies (A has 2 reports).
    assert list(selectors.chartable_records(review=review)) == [a, b, c]
    counts = prisma_counts(review=review)
    assert (counts.new_reports, counts.new_studies) == (4, 3)
    assert selectors.included_study_count(review=review) == counts.new_studies == 3
    data = charted_data(form=form)
    assert [r.pk for r in data.records] == [a.pk, b.pk, c.pk] and len(data.studies) == 3
    # The extraction begun on the second report moved to its study, values kept.
    early = Extraction.objects.get(pk=charted["early"].pk)
    assert early.record_id == a.pk and early.status == Extraction.Status.WITHDRAWN  # reviewer already charts A
    assert ExtractionValue.objects.filter(extraction=early, value="From the conference abstract").exists()
    assert not Extraction.objects.filter(record=a2).exists()


def test_wide_export_one_row_per_study_with_numbered_repeating_columns(charted, form):
    a, b, c, a2 = charted["a"], charted["b"], charted["c"], charted["a2"]
    header = next(iter(exports.charted_wide_rows(form=form)))
    rows = _rows(exports.charted_wide_rows(form=form))
    assert [r["study_id"] for r in rows] == [str(a.pk), str(b.pk), str(c.pk)]  # 3 study rows, not 4
    first, second, third = rows
    assert first["report_ids"] == f"{a.pk};{a2.pk}" and second["report_ids"] == str(b.pk)
    assert (first["models_n"], second["models_n"], third["models_n"]) == ("2", "0", "")
    assert (first["model_name_1"], first["architecture_1"], first["auc_1"]) == ("ResNet-50", "CNN", "0.91")
    assert (first["model_name_2"], first["architecture_2"], first["auc_2"]) == ("LSTM", "RNN", "not reported")
    assert first["sample_size"] == "not reported" and second["sample_size"] == "120"
    assert second["model_name_1"] == "" and "model_name_3" not in header  # the most any study has is 2
    assert all(len(name) <= 32 for name in header) and len(set(header)) == len(header)


def test_column_dictionary_maps_shortened_names_back(charted, form):
    header = next(iter(exports.charted_wide_rows(form=form)))
    columns = _rows(exports.charted_columns_rows(form=form))
    assert [c["column"] for c in columns] == header
    key = Field.objects.filter(label=LONG_LABEL).values_list("key", flat=True).first()
    long_ones = [c for c in columns if c["field"] == key]
    assert [c["instance"] for c in long_ones] == ["1", "2"]
    for column in long_ones:
        assert len(column["column"]) <= 32 and column["column"] != column["full_name"]
        assert column["full_name"] == f"{key}_{column['instance']}"
        assert column["group"] == "models"


def test_long_export_study_by_group_by_instance_with_not_reported_and_quotes(charted, form):
    a = charted["a"]
    rows = [r for r in _rows(exports.charted_long_rows(form=form)) if r["study_id"] == str(a.pk)]
    final = [r for r in rows if r["final"] == "1"]
    group_rows = [(r["group"], r["instance"], r["field"]) for r in final if r["group"]]
    # Hand count: 2 instances x 3 answered fields (the long-named one was left empty) = 6 final rows in the group.
    assert sorted(group_rows) == [
        ("models", "1", "architecture"),
        ("models", "1", "auc"),
        ("models", "1", "model_name"),
        ("models", "2", "architecture"),
        ("models", "2", "auc"),
        ("models", "2", "model_name"),
    ]
    auc1 = next(r for r in final if r["field"] == "auc" and r["instance"] == "1")
    assert (auc1["value"], auc1["quote"], auc1["page"], auc1["not_reported"]) == (
        "0.91",
        "an AUC of 0.91 on the test set",
        "5",
        "0",
    )
    auc2 = next(r for r in final if r["field"] == "auc" and r["instance"] == "2")
    assert (auc2["value"], auc2["not_reported"]) == ("", "1")
    size = next(r for r in final if r["field"] == "sample_size")
    assert (size["group"], size["instance"], size["not_reported"]) == ("", "0", "1")
    by_reviewer2 = [r for r in rows if r["extractor"] == "reviewer2" and r["field"] == "auc"]
    assert sorted((r["instance"], r["value"]) for r in by_reviewer2) == [("1", "0.91"), ("2", "0.85")]
    # Extractors' rows: each gave 14 template answers + 6 model answers = 20; the withdrawn early draft is not here.
    assert sum(1 for r in rows if r["extractor"] == "reviewer") == 20
    assert not any(r["value"] == "From the conference abstract" for r in rows)


def test_consensus_is_per_instance(charted, form):
    a = charted["a"]
    decided = {
        (row.field_key, row.instance): row
        for row in ConsensusValue.objects.filter(record=a, field_key__in=["auc", "model_name"]).order_by("id")
    }
    assert decided[("auc", 1)].source == ConsensusValue.Source.AGREED and decided[("auc", 1)].page == "5"
    assert decided[("auc", 2)].source == ConsensusValue.Source.CHOSEN and decided[("auc", 2)].value == NR
    assert decided[("model_name", 2)].value == "LSTM"
    assert charted_data(form=form).status[a.pk] == "final"


def test_summaries_count_studies_once_and_repeating_fields_per_instance(charted, form):
    data = charted_data(form=form)
    summaries = {spec.key: summary for spec, summary, _others in field_summaries(data=data)}
    arch = summaries["architecture"]
    # Hand count: study A's two models (CNN, RNN); B has none; C is not final.
    assert (arch.answered, [(r.value, r.n) for r in arch.rows]) == (2, [("cnn", 1), ("rnn", 1)])
    size = summaries["sample_size"]
    assert (size.n, size.missing) == (1, 2)  # B's 120; A "not reported" and C not charted count as missing


def test_submit_requires_required_fields_in_each_instance(pair, form, models_group, reviewer):
    services.extraction_save_draft(
        extraction=pair[0], by=reviewer, values={"model_name#1": "A", "architecture#2": {"choice": "rnn"}}
    )
    with pytest.raises(services.ExtractionIncomplete) as refused:
        submit(pair[0])
    assert refused.value.errors == {"model_name#2": "Required"}
    assert Extraction.objects.get(pk=pair[0].pk).status == Extraction.Status.DRAFT


def test_addresses_are_checked_against_groups(pair, form, models_group, reviewer):
    result = services.extraction_save_draft(
        extraction=pair[0],
        by=reviewer,
        values={"model_name": "x", "aim#1": "y", "model_name#0": "z", "model_name#51": "w", "auc#1": NR},
        sources={"auc#1": {"quote": "q" * 2001}},
    )
    assert set(result.errors) == {"model_name", "aim#1", "model_name#0", "model_name#51", "auc#1"}
    assert "repeating group" in result.errors["model_name"] and "not in a repeating" in result.errors["aim#1"]
    assert "2000" in result.errors["auc#1"]
    assert not ExtractionValue.objects.filter(extraction=pair[0]).exists()  # nothing half-written


def test_removing_an_instance_moves_the_later_ones_up(pair, form, models_group, reviewer):
    values = {"model_name#1": "A", "model_name#2": "B", "model_name#3": "C", "auc#3": "0.7"}
    services.extraction_save_draft(extraction=pair[0], by=reviewer, values=values)
    services.extraction_remove_instance(extraction=pair[0], by=reviewer, group="models", instance=2)
    current = selectors.extraction_values(extraction=pair[0])
    assert current == {"model_name#1": "A", "model_name#2": "C", "auc#2": "0.7"}
    assert ExtractionValue.objects.filter(extraction=pair[0], field_key="model_name", value="B").exists()  # kept


def test_a_section_with_answers_cannot_become_repeating(pair, form, lead, reviewer):
    services.extraction_save_draft(extraction=pair[0], by=reviewer, values={"aim": "x"})
    with pytest.raises(ServiceError) as refused:
        services.section_update(form=form, by=lead, section_key="study", title="Study", repeating=True)
    assert "already have answers" in str(refused.value)


def test_not_reported_is_an_answer_of_every_type(pair, form, reviewer):
    values = {key: NR for key in COMPLETE}
    result = services.extraction_save_draft(extraction=pair[0], by=reviewer, values=values)
    assert result.errors == {} and set(result.saved) == set(COMPLETE)
    bad = services.extraction_save_draft(extraction=pair[0], by=reviewer, values={"aim": {"not_reported": "yes"}})
    assert "not reported" in bad.errors["aim"]


def test_conditions_are_read_within_an_instance(pair, form, lead, reviewer):
    section = services.section_add(form=form, by=lead, title="Datasets", repeating=True)
    services.field_add(form=form, by=lead, section_key=section.key, label="Public", type="yes_no")
    services.field_add(
        form=form,
        by=lead,
        section_key=section.key,
        label="Where",
        type="short_text",
        condition_key="public",
        condition_value="yes",
    )
    # A field outside the group that depends on a field inside it has no single answer to read: it stays.
    services.field_add(
        form=form, by=lead, section_key="study", label="Notes", type="short_text", condition_key="public",
        condition_value="yes",
    )  # fmt: skip
    values = {"public#1": "yes", "where#1": "PhysioNet", "public#2": "no", "where#2": "stale", "notes": "kept"}
    services.extraction_save_draft(extraction=pair[0], by=reviewer, values=values)
    submit(pair[0])
    current = selectors.extraction_values(extraction=pair[0])
    assert (current["where#1"], "where#2" in current, current["notes"]) == ("PhysioNet", False, "kept")
