"""Reads that feed the summaries and exports: the charted studies with their final values, and their status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from charting import selectors
from charting.answers import address, instance_count
from charting.fieldtypes import CATEGORICAL_TYPES, NUMERIC_TYPES, is_not_reported
from charting.models import Extraction, Field, Form
from charting.summaries import (
    CategoricalSummary,
    NumericSummary,
    Study,
    categorical_summary,
    month_from_raw,
    numeric_summary,
    other_answers,
)
from review.models import Record


def study_label(record: Record) -> str:
    author = record.first_author.split(",")[0].strip() if record.first_author else ""
    author = author or (record.title[:30] if record.title else f"Record {record.pk}")
    return f"{author} {record.year}" if record.year else author


class StudyStatus:
    IN_PROGRESS = "in_progress"
    AWAITING_CONSENSUS = "awaiting_consensus"
    FINAL = "final"


# What the summaries and exports read; leaving out abstracts and other large columns keeps big reviews fast.
RECORD_FIELDS = ("id", "title", "authors", "year", "journal", "doi", "pmid", "raw")
EXTRACTION_FIELDS = ("id", "record_id", "status", "submitted_at", "extractor__username", "version__number")


@dataclass(slots=True)
class ChartedData:
    form: Form
    fields: list[Field]
    records: list[Record]
    studies: list[Study]
    status: dict[int, str]
    extractions: dict[int, list[Extraction]]  # main round, per record, submitted or not
    extraction_values: dict[int, dict[str, Any]]  # per extraction id, by answer address
    final: dict[int, dict[str, Any]]  # per study, by answer address, "not reported" kept
    final_sources: dict[int, dict[str, tuple[str, str]]]  # per study, by address: (quote, page)
    extraction_sources: dict[int, dict[str, tuple[str, str]]]  # per extraction id, by address


def charted_data(*, form: Form, with_status: bool = True) -> ChartedData:
    """Every main-round study with its final values and (with_status) whether its charting is finished.

    Five queries. Charts need only the final values: without status the extractors' answers are not read.
    Each record is a study (its main report). In `studies` (what summaries count) "not reported" is missing.
    """
    fields = selectors.version_fields(version=selectors.form_current_version(form=form))
    records = list(selectors.charted_records(form=form).only(*RECORD_FIELDS))
    final, final_sources = selectors.final_answers(form=form)
    extractions: dict[int, list[Extraction]] = {}
    values: dict[int, dict[str, Any]] = {}
    sources: dict[int, dict[str, tuple[str, str]]] = {}
    status: dict[int, str] = {}
    if with_status:
        main = Extraction.objects.filter(form=form, round=Extraction.Round.MAIN).exclude(
            status=Extraction.Status.WITHDRAWN
        )
        for extraction in (
            main.select_related("extractor", "version").only(*EXTRACTION_FIELDS).order_by("record_id", "id")
        ):
            extractions.setdefault(extraction.record_id, []).append(extraction)
        values, sources = selectors.latest_answers(main)
    for record in records if with_status else []:
        group = extractions.get(record.pk, [])
        if not selectors.all_submitted(group):
            status[record.pk] = StudyStatus.IN_PROGRESS
            continue
        decided = final.get(record.pk, {})
        sets = [values.get(e.pk, {}) for e in group]
        pending = any(
            addr not in decided and len({repr(answers.get(addr)) for answers in sets}) > 1
            for _f, _n, addr in selectors.study_addresses(fields, sets)
        )
        status[record.pk] = StudyStatus.AWAITING_CONSENSUS if pending else StudyStatus.FINAL
    studies = [
        Study(
            record_id=r.pk,
            label=study_label(r),
            values={a: v for a, v in final.get(r.pk, {}).items() if not is_not_reported(v)},
        )
        for r in records
    ]
    return ChartedData(form, fields, records, studies, status, extractions, values, final, final_sources, sources)


@dataclass(slots=True)
class TextSummary:
    key: str
    label: str
    answered: int
    missing: int


FieldSummary = CategoricalSummary | NumericSummary | TextSummary


def field_summaries(*, data: ChartedData) -> list[tuple[Field, FieldSummary, list[str]]]:
    """One summary per field of the form, with the 'other' free texts of choice fields."""
    result: list[tuple[Field, FieldSummary, list[str]]] = []
    groups = selectors.repeating_groups(data.fields)
    for spec in data.fields:
        if spec.section.repeating:
            # A repeating group's field is summarised per instance (each model, dataset, outcome), not per study.
            keys = [f.key for f in groups[spec.section.key]]
            answers = [data.final.get(r.pk, {}) for r in data.records]
            values = [None if is_not_reported(v) else v for study in answers for v in _instances(spec, keys, study)]
        else:
            values = [study.values.get(spec.key) for study in data.studies]
        summary: FieldSummary
        if spec.type in CATEGORICAL_TYPES:
            summary = categorical_summary(spec, values)
        elif spec.type in NUMERIC_TYPES:
            summary = numeric_summary(spec, values)
        else:
            answered = sum(1 for v in values if v is not None)
            summary = TextSummary(spec.key, spec.label, answered, len(values) - answered)
        result.append((spec, summary, other_answers(spec, values)))
    return result


def _instances(spec: Field, keys: list[str], answers: dict[str, Any]) -> list[Any]:
    count = instance_count(answers, keys)
    return [answers.get(address(spec.key, n)) for n in range(1, count + 1)]


def publication_dates(*, data: ChartedData) -> list[tuple[int | None, int | None]]:
    return [(record.year, month_from_raw(record.raw)) for record in data.records]


@dataclass(slots=True)
class FieldAgreement:
    field: Field
    compared: int  # pilot studies whose extractors have all submitted
    agreed: int
    disagreements: list[str]  # labels of the studies where answers differ

    @property
    def percent(self) -> float | None:
        return round(100 * self.agreed / self.compared, 1) if self.compared else None


def pilot_agreement(*, form: Form) -> list[FieldAgreement]:
    """Per field, the share of pilot studies on which every extractor gave the same answer.

    Only studies whose pilot extractors have all submitted count, so the figures never unblind a draft.
    """
    groups: dict[int, list[Extraction]] = {}
    for extraction in (
        Extraction.objects.filter(form=form, round=Extraction.Round.PILOT)
        .exclude(status=Extraction.Status.WITHDRAWN)
        .select_related("record")
        .order_by("record_id", "id")
    ):
        groups.setdefault(extraction.record_id, []).append(extraction)
    done = {rid: g for rid, g in groups.items() if len(g) >= 2 and selectors.all_submitted(g)}
    values = selectors.latest_values(e.pk for g in done.values() for e in g)
    result = []
    fields = selectors.version_fields(version=selectors.form_current_version(form=form))
    repeating = selectors.repeating_groups(fields)
    for field in fields:
        agreed, differ = 0, []
        keys = [f.key for f in repeating.get(field.section.key, [])] if field.section.repeating else []
        for group in done.values():
            answers: list[Any] = [
                _instances(field, keys, values.get(e.pk, {})) if keys else values.get(e.pk, {}).get(field.key)
                for e in group
            ]
            if all(a == answers[0] for a in answers[1:]):
                agreed += 1
            else:
                differ.append(study_label(group[0].record))
        result.append(FieldAgreement(field, len(done), agreed, differ))
    return result
