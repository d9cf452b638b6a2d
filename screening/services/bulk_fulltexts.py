"""Bulk full-text upload: many PDFs (or a zip of them) matched to records, then confirmed or corrected by a person
before anything is attached (screening/fulltext_match.py says how a PDF is matched)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from review.errors import ServiceError
from review.models import Record, Review
from review.services import audit
from screening.fulltext_match import Candidate, match, pdf_facts, pdfs_in_upload
from screening.models import BulkFullText, Stage, StageOutcome
from screening.services.fulltexts import PDF_HEADER_WINDOW, PDF_MAGIC, fulltext_upload

MAX_FILES = 500


def fulltext_candidates(*, review: Review) -> list[Candidate]:
    """Records that reached full text: the only ones a full text is attached to."""
    ids = StageOutcome.objects.filter(review=review, stage=Stage.FULL_TEXT).values("record_id")
    rows = Record.objects.filter(review=review, pk__in=ids).values_list("pk", "doi", "pmid", "title")
    return [Candidate(record_id=pk, doi=doi, pmid=pmid, title=title) for pk, doi, pmid, title in rows]


def bulk_fulltext_upload(*, review: Review, by: User, uploads: list[tuple[str, bytes]]) -> list[BulkFullText]:
    """Match each PDF to a record and keep it waiting for confirmation. A file that is not a PDF is kept as a
    row with its problem (so the person sees what was skipped), without its bytes."""
    limit = settings.MAX_FULLTEXT_FILE_MB * 1024 * 1024
    pdfs: list[tuple[str, bytes]] = []
    for name, data in uploads:
        pdfs.extend(pdfs_in_upload(name, data, max_member_bytes=limit, max_total_bytes=limit * 20))
    if not pdfs:
        raise ServiceError("No PDF found in the upload", field="files")
    if len(pdfs) > MAX_FILES:
        raise ServiceError(f"At most {MAX_FILES} PDFs at once; this upload has {len(pdfs)}", field="files")
    candidates = fulltext_candidates(review=review)
    if not candidates:
        raise ServiceError("No record has reached full text yet", code="conflict")
    rows = []
    with transaction.atomic():
        for name, data in pdfs:
            name = name.rsplit("/", 1)[-1][:255] or "file.pdf"
            row = BulkFullText(review=review, original_name=name, size=len(data), uploaded_by=by, method="none")
            if PDF_MAGIC not in data[:PDF_HEADER_WINDOW] or len(data) > limit:
                row.problem = "not a PDF" if PDF_MAGIC not in data[:PDF_HEADER_WINDOW] else "too large"
                row.status = BulkFullText.Status.DISCARDED
                row.save()
                rows.append(row)
                continue
            facts = pdf_facts(name, data)
            found = match(facts, candidates)
            row.proposed_id = found.record_id
            row.method, row.score, row.certain = found.method, found.score, found.certain
            row.alternatives = list(found.alternatives)
            row.problem = facts.problem
            row.file.save("bulk.pdf", ContentFile(data), save=False)
            row.save()
            rows.append(row)
        audit(
            review=review,
            actor=by,
            action="screening.fulltexts_bulk_uploaded",
            files=len(rows),
            certain=sum(1 for r in rows if r.certain),
        )
    return rows


def bulk_fulltext_apply(*, review: Review, by: User, decisions: dict[int, int | None]) -> dict[str, int]:
    """Attach or discard waiting PDFs: {item id: record id to attach it to, or None to discard it}. Each PDF is
    attached with the usual full-text upload (a previous file of the record stays, marked replaced)."""
    candidates = {c.record_id for c in fulltext_candidates(review=review)}
    items = {
        item.pk: item
        for item in BulkFullText.objects.filter(
            review=review, pk__in=list(decisions), status=BulkFullText.Status.PENDING
        )
    }
    missing = sorted(set(decisions) - set(items))
    if missing:
        raise ServiceError(f"No waiting upload with id {missing[0]}", field="items")
    wrong = sorted(rid for rid in decisions.values() if rid is not None and rid not in candidates)
    if wrong:
        raise ServiceError(f"Record {wrong[0]} has not reached full text in this review", field="items")
    counts = {"attached": 0, "discarded": 0}
    with transaction.atomic():
        for item_id, record_id in decisions.items():
            item = items[item_id]
            if record_id is None:
                item.status = BulkFullText.Status.DISCARDED
                item.save(update_fields=["status"])
                counts["discarded"] += 1
                continue
            record = Record.objects.get(pk=record_id, review=review)
            with item.file.open("rb") as handle:
                data = handle.read()
            fulltext_upload(
                review=review,
                record=record,
                by=by,
                upload=SimpleUploadedFile(item.original_name, data, content_type="application/pdf"),
            )
            item.status, item.attached_to = BulkFullText.Status.ATTACHED, record
            item.save(update_fields=["status", "attached_to"])
            counts["attached"] += 1
        audit(review=review, actor=by, action="screening.fulltexts_bulk_attached", **counts)
    return counts
