"""Grouping reports into studies, for charting: linking a record as an additional report of a study moves any
charting it already has to that study, so a study is charted once with every report at hand."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from charting.models import ConsensusValue, Extraction, ReportPairDismissal
from review.errors import ServiceError
from review.models import Record, Review
from review.services import audit
from review.services.records import record_link_report


@transaction.atomic
def study_link_report(*, review: Review, record: Record, study: Record | None, by: User) -> Record:
    """Link `record` as an additional report of `study` (None unlinks), keeping charting on the study.

    The record's extractions move to the study; one whose extractor already charts the study in that round is
    withdrawn (its values are kept and the lead still sees them). The record's consensus decisions move only when
    the study has none of its own, so a study's final data never mixes two sets of decisions; otherwise they stay
    with the record, kept but no longer shown. Unlinking leaves charting with the study.
    """
    linked = record_link_report(review=review, record=record, study=study, by=by)
    target = linked.report_of_id
    if target is None:
        return linked
    moved = withdrawn = 0
    for extraction in Extraction.objects.select_for_update().filter(record=linked).order_by("id"):
        taken = (
            Extraction.objects.filter(record_id=target, extractor_id=extraction.extractor_id, round=extraction.round)
            .exclude(status=Extraction.Status.WITHDRAWN)
            .exists()
        )
        if taken and extraction.status != Extraction.Status.WITHDRAWN:
            extraction.status, extraction.withdrawn_at = Extraction.Status.WITHDRAWN, timezone.now()
            withdrawn += 1
        extraction.record_id = target
        extraction.save(update_fields=["status", "withdrawn_at", "record"])
        moved += 1
    consensus = 0
    if not ConsensusValue.objects.filter(record_id=target).exists():
        consensus = ConsensusValue.objects.filter(record=linked).update(record_id=target)
    if moved or consensus:
        audit(
            review=review,
            actor=by,
            action="charting.report_joined_study",
            record=linked.pk,
            study=target,
            extractions=moved,
            withdrawn=withdrawn,
            consensus=consensus,
        )
    return linked


def study_suggestion_dismiss(*, review: Review, study: Record, report: Record, by: User) -> ReportPairDismissal:
    """The lead says a suggested pair are not reports of one study; the pair is no longer suggested."""
    if study.review_id != review.pk or report.review_id != review.pk:
        raise ServiceError("Both records must be of this review", field="report", code="not_found")
    if study.pk == report.pk:
        raise ServiceError("Give two different records", field="report")
    a, b = sorted([study.pk, report.pk])
    try:
        with transaction.atomic():
            row = ReportPairDismissal.objects.create(review=review, record_a_id=a, record_b_id=b, dismissed_by=by)
    except IntegrityError:
        raise ServiceError("This pair is already dismissed", field="report", code="conflict") from None
    audit(review=review, actor=by, action="charting.report_pair_dismissed", record_a=a, record_b=b)
    return row
