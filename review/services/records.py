"""Changes to single records that PRISMA reports: removal before screening, and reports linked to their study."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from review import extensions
from review.errors import ServiceError
from review.models import Record, Review
from review.services.reviews import audit


@transaction.atomic
def record_remove_before_screening(
    *, review: Review, record: Record, reason: str, by: User, automatic: bool = False
) -> Record:
    """Take a record out before screening for a stated reason (e.g. outside the date range); it stays listed.
    `automatic`: marked ineligible by an automation tool (PRISMA's excluded_automatic); the reason is kept as given."""
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the record is removed (e.g. outside the date range)", field="reason")
    record = Record.objects.select_for_update(no_key=True).get(pk=record.pk, review=review)
    if record.merged_into_id is not None:
        raise ServiceError("A duplicate is already removed; remove the record kept in its place instead")
    if len(reason) > 300:
        raise ServiceError("Keep the reason under 300 characters", field="reason")
    record.removed_reason, record.removed_automatic = reason, automatic
    record.save(update_fields=["removed_reason", "removed_automatic"])
    audit(
        review=review,
        actor=by,
        action="record.removed_before_screening",
        record=record.pk,
        reason=reason,
        automatic=automatic,
    )
    return record


@transaction.atomic
def record_restore(*, review: Review, record: Record, by: User) -> Record:
    record = Record.objects.select_for_update(no_key=True).get(pk=record.pk, review=review)
    if record.removed_reason:
        old = record.removed_reason
        record.removed_reason, record.removed_automatic = "", False
        record.save(update_fields=["removed_reason", "removed_automatic"])
        audit(review=review, actor=by, action="record.restored", record=record.pk, reason=old)
        transaction.on_commit(lambda: extensions.records_changed(review, by=by))
    return record


@transaction.atomic
def record_link_report(*, review: Review, record: Record, study: Record | None, by: User) -> Record:
    """Mark `record` as an additional report of `study` (or unlink it with study=None)."""
    record = Record.objects.select_for_update(no_key=True).get(pk=record.pk, review=review)
    if study is not None:
        study = Record.objects.get(pk=study.pk, review=review)
        if study.pk == record.pk:
            raise ServiceError("A record cannot be a report of itself", field="study")
        if study.report_of_id is not None:
            study = Record.objects.get(pk=study.report_of_id, review=review)  # link to the main report of the study
        if Record.objects.filter(report_of=record).exists():
            raise ServiceError(
                f"Record {record.pk} already has reports of its own; link those to study {study.pk} first",
                field="study",
            )
    record.report_of = study
    record.save(update_fields=["report_of"])
    audit(review=review, actor=by, action="record.report_linked", record=record.pk, study=study.pk if study else None)
    return record
