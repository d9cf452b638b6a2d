"""Consensus: the final value of each field of a study, set after all its extractors have submitted.

Every decision is a new row (who, when, how); the newest row per (study, field) is the study's final data.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from charting import selectors
from charting.fieldtypes import FieldValueError, clean_value
from charting.models import ConsensusValue, Extraction, Field, Form
from review.access import role_in
from review.errors import ServiceError
from review.models import Record, Role
from review.services import audit


def consensus_seed_agreements(*, form: Form, record: Record, extractions: list[Extraction]) -> int:
    """Record as consensus every answer all extractors gave alike (and nobody has decided yet)."""
    values = selectors.latest_values(e.pk for e in extractions)
    decided = set(ConsensusValue.objects.filter(form=form, record=record).values_list("field_key", flat=True))
    keys = [f.key for f in selectors.version_fields(version=selectors.form_current_version(form=form))]
    rows = []
    for key in keys:
        answers = [values.get(e.pk, {}).get(key) for e in extractions]
        if key in decided or answers[0] is None or any(a != answers[0] for a in answers[1:]):
            continue
        rows.append(
            ConsensusValue(
                review=form.review,
                form=form,
                record=record,
                field_key=key,
                value=answers[0],
                source=ConsensusValue.Source.AGREED,
                note=f"{len(extractions)} extractor(s) agreed",
            )
        )
    ConsensusValue.objects.bulk_create(rows)
    return len(rows)


def can_decide(*, form: Form, record: Record, user: User, pair: list[Extraction]) -> bool:
    """The lead, or one of the study's own extractors, once all of them have submitted."""
    if not selectors.all_submitted(pair):
        return False
    return role_in(user=user, review=form.review) == Role.LEAD or any(e.extractor_id == user.pk for e in pair)


@transaction.atomic
def consensus_set(
    *,
    form: Form,
    record: Record,
    by: User,
    field_key: str,
    value: Any = None,
    from_extraction: Extraction | None = None,
    note: str = "",
) -> ConsensusValue:
    """Set a study's final value for one field: taken from one extraction, or entered (and validated) here."""
    Record.objects.select_for_update(no_key=True).filter(pk=record.pk).first()  # decisions on one study queue up
    pair = selectors.active_extractions(review=form.review, record=record, round=Extraction.Round.MAIN)
    if not selectors.all_submitted(pair):
        raise ServiceError("Consensus waits until every extractor of this study has submitted", code="conflict")
    if not can_decide(form=form, record=record, user=by, pair=pair):
        raise PermissionDenied("Only the lead or this study's extractors set consensus")
    spec = Field.objects.filter(version=selectors.form_current_version(form=form), key=field_key).first()
    if spec is None:
        raise ServiceError("No such field in this form", field="field_key", code="not_found")
    if from_extraction is not None:
        if from_extraction.pk not in {e.pk for e in pair}:
            raise ServiceError("That extraction is not one of this study's", field="extraction")
        value = selectors.extraction_values(extraction=from_extraction).get(field_key)
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
        value=value,
        source=source,
        note=note[:500],
        decided_by=by,
    )
    audit(review=form.review, actor=by, action="charting.consensus", record=record.pk, field=field_key, source=source)
    return row
