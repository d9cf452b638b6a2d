"""Full-text PDFs: content check, size limit, generated names, history on replace, not retrieved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review.errors import ServiceError
from review.models import AuditEvent
from screening.models import FullText, Stage, StageOutcome, Status
from screening.services.fulltexts import fulltext_mark_not_retrieved, fulltext_upload

FT = Stage.FULL_TEXT
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name="paper.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.django_db
class TestUpload:
    def test_upload_stores_under_a_generated_name_with_its_hash(self, review, lead, at_full_text, record):
        at_full_text(record)
        fulltext = fulltext_upload(review=review, record=record, by=lead, upload=pdf("Smith 2021 (final).pdf"))
        assert fulltext.original_name == "Smith 2021 (final).pdf"
        assert fulltext.file.name.startswith(f"reviews/{review.pk}/fulltexts/{record.pk}/")
        assert "Smith" not in fulltext.file.name and fulltext.file.name.endswith(".pdf")
        assert fulltext.file.read() == PDF
        assert len(fulltext.sha256) == 64

    def test_a_non_pdf_named_pdf_is_refused(self, review, lead, at_full_text, record):
        at_full_text(record)
        with pytest.raises(ServiceError) as error:
            fulltext_upload(review=review, record=record, by=lead, upload=pdf(content=b"<html>not a pdf</html>"))
        assert error.value.field == "file"
        assert not FullText.objects.exists()

    def test_a_pdf_named_otherwise_is_accepted(self, review, lead, at_full_text, record):
        at_full_text(record)
        assert fulltext_upload(review=review, record=record, by=lead, upload=pdf("scan.bin")).pk

    def test_a_file_over_the_limit_is_refused(self, settings, review, lead, at_full_text, record):
        settings.MAX_FULLTEXT_FILE_MB = 1
        at_full_text(record)
        with pytest.raises(ServiceError):
            fulltext_upload(review=review, record=record, by=lead, upload=pdf(content=PDF + b"0" * 1024 * 1024))
        assert not FullText.objects.exists()

    def test_replacing_keeps_the_old_file_in_the_history(self, review, lead, at_full_text, record):
        at_full_text(record)
        first = fulltext_upload(review=review, record=record, by=lead, upload=pdf())
        second = fulltext_upload(review=review, record=record, by=lead, upload=pdf(content=PDF + b"%v2"))
        first.refresh_from_db()
        assert first.replaced_at is not None and second.replaced_at is None
        assert first.file.storage.exists(first.file.name)
        assert AuditEvent.objects.filter(action="screening.fulltext_replaced").count() == 1

    def test_a_record_not_at_full_text_cannot_have_one(self, review, lead, record):
        with pytest.raises(ServiceError):
            fulltext_upload(review=review, record=record, by=lead, upload=pdf())


@pytest.mark.django_db
class TestNotRetrieved:
    def test_marking_not_retrieved_is_final_and_audited(self, review, lead, at_full_text, record):
        at_full_text(record)
        outcome = fulltext_mark_not_retrieved(review=review, record=record, by=lead, note="Library and ILL failed")
        assert (outcome.status, outcome.note) == (Status.NOT_RETRIEVED, "Library and ILL failed")
        assert AuditEvent.objects.filter(action="screening.fulltext_not_retrieved").count() == 1

    def test_a_note_is_required(self, review, lead, at_full_text, record):
        at_full_text(record)
        with pytest.raises(ServiceError):
            fulltext_mark_not_retrieved(review=review, record=record, by=lead, note="")

    def test_only_the_lead_marks_not_retrieved(self, review, reviewer, at_full_text, record):
        at_full_text(record)
        with pytest.raises(ServiceError) as refused:
            fulltext_mark_not_retrieved(review=review, record=record, by=reviewer, note="ILL failed")
        assert refused.value.code == "forbidden"
        assert StageOutcome.objects.get(record=record, stage=FT).status == Status.AWAITING
        assert not AuditEvent.objects.filter(action="screening.fulltext_not_retrieved").exists()

    def test_uploading_later_reopens_the_record(self, review, lead, at_full_text, record):
        at_full_text(record)
        fulltext_mark_not_retrieved(review=review, record=record, by=lead, note="not found")
        fulltext_upload(review=review, record=record, by=lead, upload=pdf())
        assert StageOutcome.objects.get(record=record, stage=FT).status == Status.AWAITING
