"""Consensus: the final value of each field of a study, set after all its extractors have submitted.

Every decision is a new row (who, when, how); the newest row per (study, field) is the study's final data.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from charting import selectors
from charting.access import consensus_may_decide
from charting.answers import MAX_INSTANCES, address
from charting.fieldtypes import FieldValueError, clean_value
from charting.models import ConsensusValue, Extraction, Field, Form
from review.errors import ServiceError
from review.models import Record
from review.services import audit


def consensus_seed_agreements(*, form: Form, record: Record, extractions: list[Extraction]) -> int:
    """Record as consensus every answer all extractors gave alike (and nobody has decided yet), instance by
    instance. The source quote and page come along when the extractors gave the same ones."""
    values, sources = selectors.latest_answers(e.pk for e in extractions)
    decided = {
        address(key, instance)
        for key, instance in ConsensusValue.objects.filter(form=form, record=record).values_list(
            "field_key", "instance"
        )
    }
    fields = selectors.version_fields(version=selectors.form_current_version(form=form))
    sets = [values.get(e.pk, {}) for e in extractions]
    rows = []
    for spec, instance, addr in selectors.study_addresses(fields, sets):
        answers = [given.get(addr) for given in sets]
        if addr in decided or answers[0] is None or any(a != answers[0] for a in answers[1:]):
            continue
        cited = {sources.get(e.pk, {}).get(addr, ("", "")) for e in extractions}
        quote, page = cited.pop() if len(cited) == 1 else ("", "")
        rows.append(
            ConsensusValue(
                review=form.review,
                form=form,
                record=record,
                field_key=spec.key,
                instance=instance,
                value=answers[0],
                quote=quote,
                page=page,
                source=ConsensusValue.Source.AGREED,
                note=f"{len(extractions)} extractor(s) agreed",
            )
        )
    ConsensusValue.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def consensus_set(
    *,
    form: Form,
    record: Record,
    by: User,
    field_key: str,
    instance: int = 0,
    value: Any = None,
    from_extraction: Extraction | None = None,
    note: str = "",
) -> ConsensusValue:
    """Set a study's final value for one field (of one instance of a repeating group): taken from one extraction
    with its source quote and page, or entered (and validated) here. Clearing every field of the last instance
    removes that instance from the study's final data."""
    Record.objects.select_for_update(no_key=True).filter(pk=record.pk).first()  # decisions on one study queue up
    pair = selectors.active_extractions(review=form.review, record=record, round=Extraction.Round.MAIN)
    if not selectors.all_submitted(pair):
        raise ServiceError("Consensus waits until every extractor of this study has submitted", code="conflict")
    if not consensus_may_decide(form=form, record=record, user=by, group=pair):
        raise PermissionDenied("Only the lead or this study's extractors set consensus")
    spec = (
        Field.objects.filter(version=selectors.form_current_version(form=form), key=field_key)
        .select_related("section")
        .first()
    )
    if spec is None:
        raise ServiceError("No such field in this form", field="field_key", code="not_found")
    if spec.section.repeating and not 1 <= instance <= MAX_INSTANCES:
        raise ServiceError(f"{spec.label!r} is in a repeating group: say which instance", field="instance")
    if not spec.section.repeating and instance:
        raise ServiceError(f"{spec.label!r} is not in a repeating group", field="instance")
    addr = address(field_key, instance)
    quote = page = ""
    if from_extraction is not None:
        if from_extraction.pk not in {e.pk for e in pair}:
            raise ServiceError("That extraction is not one of this study's", field="extraction")
        values, sources = selectors.latest_answers([from_extraction.pk])
        value = values.get(from_extraction.pk, {}).get(addr)
        quote, page = sources.get(from_extraction.pk, {}).get(addr, ("", ""))
        source = ConsensusValue.Source.CHOSEN
        note = note or f"Taken from {from_extraction.extractor.get_username()}'s extraction"
    else:
        try:
            value = clean_value(spec, value)
        except FieldValueError as error:
            raise ServiceError(error.message, field=field_key) from None
        source = ConsensusValue.Source.EDITED
    row = ConsensusValue.objects.create(
        review=form.review,
        form=form,
        record=record,
        field_key=field_key,
        instance=instance,
        value=value,
        quote=quote,
        page=page,
        source=source,
        note=note[:500],
        decided_by=by,
    )
    audit(review=form.review, actor=by, action="charting.consensus", record=record.pk, field=addr, source=source)
    return row
