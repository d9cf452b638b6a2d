"""Assigning studies to extractors, saving drafts and submitting extractions (pilot and main rounds)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from charting import selectors
from charting.access import extraction_check_editor
from charting.answers import (
    SEP,
    AddressError,
    address,
    clean_source,
    condition_applies,
    instance_count,
    parse_address,
)
from charting.fieldtypes import FieldValueError, clean_value
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
    extraction_check_editor(extraction=locked, user=by)
    if locked.status != Extraction.Status.DRAFT:
        raise ServiceError(
            "This extraction is closed (submitted or reassigned) and can no longer change", code="conflict"
        )
    return locked


def _current(locked: Extraction) -> dict[str, tuple[Any, str, str]]:
    values, sources = selectors.latest_answers([locked.pk])
    mine, cited = values.get(locked.pk, {}), sources.get(locked.pk, {})
    return {a: (mine.get(a), *cited.get(a, ("", ""))) for a in {*mine, *cited}}


def _spec_at(fields: Mapping[str, Field], addr: str) -> tuple[Field, int]:
    """The field an address names, checked against its group: raises AddressError with the reason."""
    key, instance = parse_address(addr)
    spec = fields.get(key)
    if spec is None:
        raise AddressError("No such field in this form")
    if spec.section.repeating and not instance:
        raise AddressError(f"{spec.label!r} is in a repeating group: address an instance, e.g. {key}{SEP}1")
    if instance and not spec.section.repeating:
        raise AddressError(f"{spec.label!r} is not in a repeating group: send it as {key}")
    return spec, instance


def _save(
    locked: Extraction, by: User, values: Mapping[str, Any], sources: Mapping[str, Any] | None = None
) -> SaveResult:
    fields = {f.key: f for f in Field.objects.filter(version=locked.version).select_related("section")}
    current = _current(locked)
    sources = sources or {}
    result = SaveResult()
    rows = []
    for addr in dict.fromkeys([*values, *sources]):
        try:
            spec, instance = _spec_at(fields, addr)
            old = current.get(addr, (None, "", ""))
            value = clean_value(spec, values[addr]) if addr in values else old[0]
            quote, page = clean_source(sources[addr]) if addr in sources else old[1:]
        except (FieldValueError, AddressError) as error:
            result.errors[addr] = error.message
            continue
        if (value, quote, page) != old:
            rows.append(
                ExtractionValue(
                    extraction=locked,
                    field_key=spec.key,
                    instance=instance,
                    value=value,
                    quote=quote,
                    page=page,
                    saved_by=by,
                )
            )
            current[addr] = (value, quote, page)
            result.saved.append(addr)
    ExtractionValue.objects.bulk_create(rows)
    result.values = {a: v for a, (v, _q, _p) in current.items() if v is not None}
    return result


@transaction.atomic
def extraction_save_draft(
    *, extraction: Extraction, by: User, values: Mapping[str, Any], sources: Mapping[str, Any] | None = None
) -> SaveResult:
    """Save what the extractor typed: valid answers are stored (only when changed); invalid ones are reported.

    `values` and `sources` are keyed by answer address ("aim", "model_name#2"); a source is
    {"quote": ..., "page": ...}.
    """
    locked = _lock_own_draft(extraction, by)
    return _save(locked, by, values, sources)


@transaction.atomic
def extraction_remove_instance(*, extraction: Extraction, by: User, group: str, instance: int) -> SaveResult:
    """Remove one instance of a repeating group: the later instances move up one place, as new rows (nothing is
    overwritten; the removed answers stay in the history)."""
    locked = _lock_own_draft(extraction, by)
    fields = [f for f in selectors.version_fields(version=locked.version) if f.section.repeating]
    keys = [f.key for f in fields if f.section.key == group]
    if not keys:
        raise ServiceError(f"No repeating group {group!r} in this form", field="group")
    current = _current(locked)
    count = instance_count({a: v for a, (v, _q, _p) in current.items()}, keys)
    if not 1 <= instance <= count:
        raise ServiceError(f"This extraction has no instance {instance} of that group", field="instance")
    result = SaveResult()
    rows = []
    empty: tuple[Any, str, str] = (None, "", "")
    for number in range(instance, count + 1):
        for key in keys:
            new = current.get(address(key, number + 1), empty)
            if current.get(address(key, number), empty) != new:
                value, quote, page = new
                rows.append(
                    ExtractionValue(
                        extraction=locked,
                        field_key=key,
                        instance=number,
                        value=value,
                        quote=quote,
                        page=page,
                        saved_by=by,
                    )
                )
                current[address(key, number)] = new
                result.saved.append(address(key, number))
    ExtractionValue.objects.bulk_create(rows)
    audit(review=locked.review, actor=by, action="charting.instance_removed", extraction=locked.pk, group=group)
    result.values = {a: v for a, (v, _q, _p) in current.items() if v is not None}
    return result


def extraction_submit(
    *,
    extraction: Extraction,
    by: User,
    values: Mapping[str, Any] | None = None,
    sources: Mapping[str, Any] | None = None,
) -> Extraction:
    """Check every field and submit. Answers of fields whose condition is not met are cleared.

    The answers sent with the submission are saved first, in their own transaction, so a refused submission
    loses nothing the extractor typed. When the last extractor of a main-round study submits, the answers they
    all agree on become consensus. Required fields of a repeating group are required in each of its instances.
    """
    with transaction.atomic():
        saved = _save(_lock_own_draft(extraction, by), by, values or {}, sources)
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
    for spec, instance, addr in selectors.study_addresses(fields, [current]):
        parent = by_key.get(spec.condition_key) if spec.condition_key else None
        applies = condition_applies(spec, parent, current, instance)
        if not applies and current.get(addr) is not None:
            cleared.append(
                ExtractionValue(extraction=locked, field_key=spec.key, instance=instance, value=None, saved_by=by)
            )
        elif applies and spec.required and current.get(addr) is None and addr not in errors:
            errors[addr] = "Required"
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
