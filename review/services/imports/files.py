"""Uploaded export files: kept as uploaded, read once for a preview, confirmed by the person, or discarded."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile, File
from django.db import transaction

from review.errors import ServiceError
from review.importers import FORMATS, FieldLimits, ImportFileError, ParsedRecord, ParseStream, Problem, parse_stream
from review.models import Job, Review, Search, SearchFile
from review.services.imports.encoding import encoding_or_error
from review.services.jobs import JOBS_UNAVAILABLE, enqueue, job_create, job_fail, job_start, job_succeed
from review.services.reviews import audit

PREVIEW_RECORDS = 5
MAX_STORED_PROBLEMS = 1000


def problem_dicts(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    return [asdict(problem) for problem in problems]


def search_file_upload(
    *,
    review: Review,
    search: Search,
    by: User | None,
    name: str,
    data: bytes | File,
    requested_format: str = "auto",
    requested_encoding: str = "auto",
    import_when_previewed: bool = False,
) -> SearchFile:
    """Keep the uploaded file and start the preview job. Nothing is imported until the person confirms.

    `data` is the file's bytes or an uploaded file, which is read in chunks and moved to storage without being
    held in memory as a whole (issue #14: a 2 GB upload once filled a web process)."""
    if search.review_id != review.pk:
        raise ServiceError("No such search", code="not_found")
    if search.archived_at is not None:
        raise ServiceError(
            "This search is archived: its records were screened; add a new search instead", code="conflict"
        )
    if requested_format not in ("auto", *FORMATS):
        raise ServiceError(f"format must be auto or one of {', '.join(FORMATS)}", field="format")
    requested_encoding = encoding_or_error(requested_encoding)
    size, digest = _size_and_digest(name, data)
    earlier = (
        SearchFile.objects.filter(review=review, sha256=digest, status=SearchFile.Status.IMPORTED)
        .order_by("pk")
        .first()
    )
    with transaction.atomic():
        search_file = SearchFile(
            review=review,
            search=search,
            original_name=name[:255],
            size=size,
            sha256=digest,
            requested_format=requested_format,
            requested_encoding=requested_encoding,
            import_when_previewed=import_when_previewed,
            uploaded_by=by,
            duplicate_of=earlier,
        )
        search_file.file.save("upload.bin", ContentFile(data) if isinstance(data, bytes) else data, save=False)
        job = job_create(review=review, kind="import-preview", by=by)
        search_file.job = job
        search_file.save()
        audit(review=review, actor=by, action="import.uploaded", file=search_file.pk, name=search_file.original_name)
        from review.tasks import search_file_preview_task

        enqueue(search_file_preview_task, search_file.pk, job.pk, job=job)
    return search_file


def _size_and_digest(name: str, data: bytes | File) -> tuple[int, str]:
    """The file's size and SHA-256, refused over MAX_IMPORT_FILE_MB as soon as the count passes it."""
    limit = settings.MAX_IMPORT_FILE_MB * 1024 * 1024
    digest, size = hashlib.sha256(), 0
    if isinstance(data, bytes):
        size = len(data)
        if size <= limit:
            digest.update(data)
    else:
        data.seek(0)
        for chunk in data.chunks():
            size += len(chunk)
            if size > limit:
                break
            digest.update(chunk)
        data.seek(0)
    if size > limit:
        raise ServiceError(
            f"{name}: the file is too large; the limit is {settings.MAX_IMPORT_FILE_MB} MB",
            field="file",
            code="too_large",
        )
    if size == 0:
        raise ServiceError(f"{name}: the file is empty", field="file")
    return size, digest.hexdigest()


def _read(search_file: SearchFile) -> bytes:
    with search_file.file.open("rb") as handle:
        return handle.read()


def field_limits() -> FieldLimits:
    return FieldLimits(title=settings.IMPORT_MAX_TITLE_CHARS, other=settings.IMPORT_MAX_FIELD_CHARS)


def parse_stored_file(search_file: SearchFile) -> ParseStream:
    """The stored file, decoded and ready to be read record by record (ImportFileError if it cannot be read)."""
    return parse_stream(
        _read(search_file),
        format=search_file.requested_format,
        encoding=search_file.requested_encoding,
        filename=search_file.original_name,
        limits=field_limits(),
    )


def _preview_dict(record: ParsedRecord) -> dict[str, Any]:
    return {
        "position": record.position,
        "title": record.title,
        "authors": record.authors[:3],
        "more_authors": max(0, len(record.authors) - 3),
        "year": record.year,
        "journal": record.journal or record.journal_abbrev,
        "doi": record.doi,
        "pmid": record.pmid,
        "source_database": record.source_database,
    }


def search_file_preview(*, search_file_id: int, job_id: int) -> None:
    """Parse the stored file and keep what the person needs to decide: format, count, first records, problems."""
    search_file = SearchFile.objects.select_related("search").get(pk=search_file_id)
    job = Job.objects.get(pk=job_id)
    if job.finished:
        return  # a redelivered task after success or failure changes nothing
    job_start(job=job, message="Reading the file")
    preview: list[dict[str, Any]] = []
    try:
        result = parse_stored_file(search_file)
        # Counted as read, keeping only the first few: a large file's records never sit in memory together.
        for record in result:
            if len(preview) < PREVIEW_RECORDS:
                preview.append(_preview_dict(record))
    except ImportFileError as error:
        message = f"{search_file.original_name}: {error}"
        SearchFile.objects.filter(pk=search_file.pk).update(
            status=SearchFile.Status.UNREADABLE,
            error=message,
            format="",
            encoding="",
            encoding_certain=True,
            encoding_lines=[],
            record_count=0,
            preview=[],
            problems=[],
            problem_count=0,
        )
        job_fail(job=job, message=message)
        return
    problems = problem_dicts(result.problems)
    database = search_file.search.database
    if result.database and database and not _same_database(result.database, database):
        problems.insert(
            0,
            {
                "severity": "warning",
                "message": f"The file looks like an export from {result.database}, "
                f"but the search says {database}. Check that it was uploaded to the right search.",
                "record": None,
                "line": None,
            },
        )
    SearchFile.objects.filter(pk=search_file.pk).update(
        status=SearchFile.Status.PREVIEWED,
        format=result.format,
        encoding=result.encoding,
        encoding_certain=result.encoding_certain,
        encoding_lines=result.encoding_lines,
        detected_database=result.database,
        record_count=result.count,
        preview=preview,
        problems=problems[:MAX_STORED_PROBLEMS],
        problem_count=len(problems),
        error="",
    )
    job_succeed(job=job, result={"records": result.count, "problems": len(problems)})
    if search_file.import_when_previewed and result.count:
        search_file.refresh_from_db()
        if search_file.uploaded_by is not None:
            search_file_confirm(review=search_file.review, search_file=search_file, by=search_file.uploaded_by)


def _same_database(detected: str, declared: str) -> bool:
    a, b = detected.lower(), declared.lower()
    return a in b or b in a or {a, b} <= {"pubmed", "medline"}


def search_file_confirm(*, review: Review, search_file: SearchFile, by: User) -> Job:
    """Start importing a previewed file (or one whose import failed: a retry)."""
    with transaction.atomic():
        locked = SearchFile.objects.select_for_update().get(pk=search_file.pk, review=review)
        if locked.status not in (SearchFile.Status.PREVIEWED, SearchFile.Status.FAILED):
            raise ServiceError(
                f"{locked.original_name} cannot be imported now: it is {locked.get_status_display().lower()}",
                code="conflict",
            )
        job = job_create(review=review, kind="import", by=by, total=locked.record_count)
        locked.status = SearchFile.Status.IMPORTING
        locked.job = job
        locked.save(update_fields=["status", "job"])
        audit(review=review, actor=by, action="import.confirmed", file=locked.pk, name=locked.original_name)
        from review.tasks import search_file_import_task

        def back_to_failed() -> None:
            SearchFile.objects.filter(pk=locked.pk, status=SearchFile.Status.IMPORTING).update(
                status=SearchFile.Status.FAILED, error=JOBS_UNAVAILABLE
            )

        enqueue(search_file_import_task, locked.pk, job.pk, job=job, on_unavailable=back_to_failed)
    search_file.refresh_from_db()
    return job


def search_file_discard(*, review: Review, search_file: SearchFile, by: User) -> None:
    with transaction.atomic():
        locked = SearchFile.objects.select_for_update().get(pk=search_file.pk, review=review)
        if locked.status in (SearchFile.Status.IMPORTED, SearchFile.Status.IMPORTING):
            raise ServiceError("An imported file cannot be discarded", code="conflict")
        locked.status = SearchFile.Status.DISCARDED
        locked.save(update_fields=["status"])
        audit(review=review, actor=by, action="import.discarded", file=locked.pk, name=locked.original_name)
