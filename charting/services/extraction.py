"""Assigning studies to extractors, saving drafts and submitting extractions (pilot and main rounds)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from charting import selectors
from charting.fieldtypes import FieldValueError, clean_value, condition_met
from charting.models import Extraction, ExtractionValue, Field, Form
from charting.services.consensus import consensus_seed_agreements
from review.errors import ServiceError
from review.models import Record, Review
from review.services import audit


@dataclass(slots=True)
class SaveResult:
    saved: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


class ExtractionIncomplete(ServiceError):
    """Submission refused: the messages per field say what is missing or wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(f"{len(errors)} field(s) need attention before submitting", code="invalid")
        self.errors = errors


def _form(review: Review) -> Form:
    form = selectors.form_for_review(review=review)
    if form is None:
        raise ServiceError("Build the charting form first", code="conflict")
    return form


def _check_extractors(review: Review, extractors: Iterable[User]) -> list[User]:
    eligible = {u.pk for u in selectors.eligible_extractors(review=review)}
    people = list(extractors)
    for person in people:
        if person.pk not in eligible:
            raise ServiceError(f"{person.get_username()} cannot chart: only reviewers and leads do", field="extractors")
    return people


def _check_chartable(review: Review, records: Iterable[Record]) -> list[Record]:
    wanted = list(records)
    allowed = set(
        selectors.chartable_records(review=review).filter(pk__in=[r.pk for r in wanted]).values_list("pk", flat=True)
    )
    for record in wanted:
        if record.review_id != review.pk or record.pk not in allowed:
            raise ServiceError(f"Record {record.pk} is not a study included in this review", field="record")
    return wanted


def _create(form: Form, record: Record, extractor: User, round: str, by: User) -> Extraction:
    try:
        with transaction.atomic():
            return Extraction.objects.create(
                review=form.review,
                form=form,
                version=selectors.form_current_version(form=form),
                record=record,
                extractor=extractor,
                round=round,
                assigned_by=by,
            )
    except IntegrityError:
        raise ServiceError(
            f"{extractor.get_username()} is already charting record {record.pk}", field="extractors", code="conflict"
        ) from None


@transaction.atomic
def extraction_assign(
    *, review: Review, record: Record, extractors: Iterable[User], by: User, round: str = Extraction.Round.MAIN
) -> list[Extraction]:
    """Assign one study to extractors. In the main round at most `extractors_per_study` chart a study."""
    form = _form(review)
    people = _check_extractors(review, extractors)
    (record,) = _check_chartable(review, [Record.objects.select_for_update(no_key=True).get(pk=record.pk)])
    if round == Extraction.Round.MAIN:
        active = len(selectors.active_extractions(review=review, record=record, round=round))
        if active + len(people) > form.extractors_per_study:
            raise ServiceError(
                f"This study already has {active} of {form.extractors_per_study} extractors", field="extractors"
            )
    created = [_create(form, record, person, round, by) for person in people]
    audit(
        review=review,
        actor=by,
        action="charting.assigned",
        record=record.pk,
        round=round,
        extractors=[p.pk for p in people],
    )
    return created


@transaction.atomic
def extractions_assign_pending(*, review: Review, by: User, extractors: Iterable[User]) -> int:
    """Give every chartable study its missing extractors, spreading the work evenly. Returns how many were made."""
    form = _form(review)
    people = _check_extractors(review, extractors)
    if len(people) < form.extractors_per_study:
        raise ServiceError(f"Choose at least {form.extractors_per_study} extractors", field="extractors")
    load = Counter(
        Extraction.objects.filter(review=review, round=Extraction.Round.MAIN, extractor__in=people)
        .exclude(status=Extraction.Status.WITHDRAWN)
        .values_list("extractor_id", flat=True)
    )
    made = 0
    waiting = list(
        selectors.unassigned_records(review=review, needed=form.extractors_per_study).values_list("pk", flat=True)
    )
    # Lock the waiting studies (PostgreSQL cannot lock a grouped query), then count their extractors again.
    for record in Record.objects.select_for_update(no_key=True).filter(pk__in=waiting).order_by("id"):
        current = {e.extractor_id for e in selectors.active_extractions(review=review, record=record, round="main")}
        candidates = sorted((p for p in people if p.pk not in current), key=lambda p: (load[p.pk], p.pk))
        for person in candidates[: max(form.extractors_per_study - len(current), 0)]:
            _create(form, record, person, Extraction.Round.MAIN, by)
            load[person.pk] += 1
            made += 1
    audit(review=review, actor=by, action="charting.assigned_pending", created=made)
    return made


@transaction.atomic
def pilot_assign(*, review: Review, records: Iterable[Record], extractors: Iterable[User], by: User) -> int:
    """Every chosen extractor charts every chosen pilot study."""
    form = _form(review)
    people = _check_extractors(review, extractors)
    studies = _check_chartable(review, records)
    if not people or not studies:
        raise ServiceError("Choose at least one study and one extractor", field="records")
    made = 0
    for record in studies:
        current = {e.extractor_id for e in selectors.active_extractions(review=review, record=record, round="pilot")}
        for person in people:
            if person.pk not in current:
                _create(form, record, person, Extraction.Round.PILOT, by)
                made += 1
    audit(review=review, actor=by, action="charting.pilot_assigned", records=[r.pk for r in studies], created=made)
    return made


@transaction.atomic
def extraction_reassign(*, extraction: Extraction, to: User, by: User) -> Extraction:
    """Hand an unfinished extraction to someone else. The old one is withdrawn, its values kept."""
    locked = Extraction.objects.select_for_update().get(pk=extraction.pk)
    if locked.status != Extraction.Status.DRAFT:
        raise ServiceError("Only an extraction still in progress can be reassigned", code="conflict")
    if to.pk == locked.extractor_id:
        raise ServiceError("That person already has this extraction", field="extractor")
    _check_extractors(locked.review, [to])
    locked.status, locked.withdrawn_at = Extraction.Status.WITHDRAWN, timezone.now()
    locked.save(update_fields=["status", "withdrawn_at"])
    created = _create(locked.form, locked.record, to, locked.round, by)
    audit(
        review=locked.review,
        actor=by,
        action="charting.reassigned",
        record=locked.record_id,
        round=locked.round,
        from_user=locked.extractor_id,
        to_user=to.pk,
    )
    return created


def _lock_own_draft(extraction: Extraction, by: User) -> Extraction:
    locked = Extraction.objects.select_for_update(of=("self",)).select_related("form", "version").get(pk=extraction.pk)
    if locked.extractor_id != by.pk:
        raise PermissionDenied("Only its extractor can change an extraction")
    if locked.status != Extraction.Status.DRAFT:
        raise ServiceError(
            "This extraction is closed (submitted or reassigned) and can no longer change", code="conflict"
        )
    return locked


def _save(locked: Extraction, by: User, values: Mapping[str, Any]) -> SaveResult:
    fields = {f.key: f for f in Field.objects.filter(version=locked.version)}
    current = selectors.extraction_values(extraction=locked)
    result = SaveResult()
    rows = []
    for key, raw in values.items():
        spec = fields.get(key)
        if spec is None:
            result.errors[key] = "No such field in this form"
            continue
        try:
            value = clean_value(spec, raw)
        except FieldValueError as error:
            result.errors[key] = error.message
            continue
        if current.get(key) != value:
            rows.append(ExtractionValue(extraction=locked, field_key=key, value=value, saved_by=by))
            current[key] = value
            result.saved.append(key)
    ExtractionValue.objects.bulk_create(rows)
    result.values = {k: v for k, v in current.items() if v is not None}
    return result


@transaction.atomic
def extraction_save_draft(*, extraction: Extraction, by: User, values: Mapping[str, Any]) -> SaveResult:
    """Save what the extractor typed: valid answers are stored (only when changed); invalid ones are reported."""
    locked = _lock_own_draft(extraction, by)
    return _save(locked, by, values)


def extraction_submit(*, extraction: Extraction, by: User, values: Mapping[str, Any] | None = None) -> Extraction:
    """Check every field and submit. Answers of fields whose condition is not met are cleared.

    The answers sent with the submission are saved first, in their own transaction, so a refused submission
    loses nothing the extractor typed. When the last extractor of a main-round study submits, the answers they
    all agree on become consensus.
    """
    saved = extraction_save_draft(extraction=extraction, by=by, values=values or {})
    with transaction.atomic():
        return _submit(extraction, by, dict(saved.errors))


def _submit(extraction: Extraction, by: User, errors: dict[str, str]) -> Extraction:
    # Lock every extraction of the study, not only this one: when both extractors submit at the same instant,
    # the second waits here and then sees the first as submitted, so agreements are recorded exactly once.
    list(
        Extraction.objects.select_for_update()
        .filter(record_id=extraction.record_id, round=extraction.round)
        .order_by("id")
        .values_list("id", flat=True)
    )
    locked = _lock_own_draft(extraction, by)
    fields = selectors.version_fields(version=locked.version)
    by_key = {f.key: f for f in fields}
    current = selectors.extraction_values(extraction=locked)
    cleared = []
    for spec in fields:
        parent = by_key.get(spec.condition_key) if spec.condition_key else None
        applies = condition_met(spec, parent, current.get(spec.condition_key))
        if not applies and current.get(spec.key) is not None:
            cleared.append(ExtractionValue(extraction=locked, field_key=spec.key, value=None, saved_by=by))
        elif applies and spec.required and current.get(spec.key) is None and spec.key not in errors:
            errors[spec.key] = "Required"
    if errors:
        raise ExtractionIncomplete(errors)
    ExtractionValue.objects.bulk_create(cleared)
    locked.status, locked.submitted_at = Extraction.Status.SUBMITTED, timezone.now()
    locked.save(update_fields=["status", "submitted_at"])
    audit(review=locked.review, actor=by, action="charting.submitted", record=locked.record_id, round=locked.round)
    if locked.round == Extraction.Round.MAIN:
        pair = selectors.active_extractions(review=locked.review, record=locked.record, round=locked.round)
        if selectors.all_submitted(pair):
            consensus_seed_agreements(form=locked.form, record=locked.record, extractions=pair)
    return locked


@transaction.atomic
def extraction_reopen(*, extraction: Extraction, by: User) -> Extraction:
    """The lead sends a submitted extraction back to its extractor (e.g. after a form revision)."""
    locked = Extraction.objects.select_for_update().get(pk=extraction.pk)
    if locked.status != Extraction.Status.SUBMITTED:
        raise ServiceError("Only a submitted extraction can be reopened", code="conflict")
    locked.status, locked.submitted_at = Extraction.Status.DRAFT, None
    locked.version = selectors.form_current_version(form=locked.form)
    locked.save(update_fields=["status", "submitted_at", "version"])
    audit(review=locked.review, actor=by, action="charting.reopened", record=locked.record_id, extraction=locked.pk)
    return locked
