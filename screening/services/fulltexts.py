"""Full-text PDFs: upload and replace (the old file is kept), and "report not retrieved"."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from review.errors import ServiceError
from review.models import Record, Review
from review.services import audit
from screening.access import FullTextAction, access_of, fulltext_check
from screening.models import FullText, QueueClaim, Stage, StageOutcome, Status
from screening.selectors import stage_totals_forget
from screening.services.common import lock_outcome
from screening.services.votes import outcome_reevaluate

# PDF readers accept the header anywhere in the first 1024 bytes (some generators put junk before it).
PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024


def _check_pdf(upload: UploadedFile) -> tuple[int, str]:
    limit = settings.MAX_FULLTEXT_FILE_MB * 1024 * 1024
    size = upload.size or 0
    if size == 0:
        raise ServiceError("The file is empty", field="file")
    if size > limit:
        raise ServiceError(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is {settings.MAX_FULLTEXT_FILE_MB} MB",
            field="file",
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(PDF_HEADER_WINDOW)
    if PDF_MAGIC not in head:
        raise ServiceError("This is not a PDF (its content does not start like one)", field="file")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return size, digest.hexdigest()


@transaction.atomic
def fulltext_upload(*, review: Review, record: Record, by: User, upload: UploadedFile) -> FullText:
    """Store a record's full text. A previous file stays, marked replaced; a record marked "not retrieved"
    is reopened for screening, since the report has now been found."""
    fulltext_check(access=access_of(user=by, review=review), action=FullTextAction.REPLACE)
    size, sha256 = _check_pdf(upload)
    outcome = lock_outcome(review=review, record=record, stage=Stage.FULL_TEXT)
    previous = FullText.objects.select_for_update().filter(record=record, replaced_at__isnull=True).first()
    if previous is not None:
        previous.replaced_at = timezone.now()
        previous.save(update_fields=["replaced_at"])
    fulltext = FullText(
        review=review,
        record=record,
        original_name=(upload.name or "")[:255],
        size=size,
        sha256=sha256,
        uploaded_by=by,
    )
    # The storage generates the name (see fulltext_path); the uploaded name is only kept as information.
    fulltext.file.save("upload.pdf", upload, save=False)
    fulltext.save()
    audit(
        review=review,
        actor=by,
        action="screening.fulltext_replaced" if previous else "screening.fulltext_uploaded",
        record=record.pk,
        fulltext=fulltext.pk,
        sha256=sha256,
        size=size,
    )
    if outcome.status == Status.NOT_RETRIEVED:
        outcome.status = Status.AWAITING
        outcome.decided_by = ""
        outcome.decided_at = None
        outcome.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        stage_totals_forget(review=review, stage=outcome.stage)
        outcome_reevaluate(review=review, record=record, outcome=outcome, actor=by)
        audit(review=review, actor=by, action="screening.fulltext_retrieved", record=record.pk)
    return fulltext


@transaction.atomic
def fulltext_mark_not_retrieved(*, review: Review, record: Record, by: User, note: str) -> StageOutcome:
    """The lead records that a report could not be obtained: a final outcome that no vote produced.

    Only the lead may: a reviewer who could end a record's screening this way, then reopen it with an upload,
    would have seen the other reviewers' votes in between (issue #14). The votes of a record marked so stay
    blinded to reviewers (screening.selectors.unblinded_for)."""
    fulltext_check(access=access_of(user=by, review=review), action=FullTextAction.NOT_RETRIEVED)
    note = note.strip()
    if not note:
        raise ServiceError("Say what was tried (e.g. library, interlibrary loan, authors contacted)", field="note")
    outcome = lock_outcome(review=review, record=record, stage=Stage.FULL_TEXT)
    if outcome.is_final:
        raise ServiceError("This record is already decided at full text", code="conflict")
    outcome.status = Status.NOT_RETRIEVED
    outcome.note = note
    outcome.decided_by = "retrieval"
    outcome.decided_at = timezone.now()
    outcome.save(update_fields=["status", "note", "decided_by", "decided_at", "updated_at"])
    stage_totals_forget(review=review, stage=outcome.stage)
    QueueClaim.objects.filter(record=record, stage=Stage.FULL_TEXT).delete()
    audit(review=review, actor=by, action="screening.fulltext_not_retrieved", record=record.pk, note=note)
    return outcome
