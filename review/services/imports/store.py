"""Storing a file's records (all or nothing), a record added by hand, and what follows committed records."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sized
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import CharField
from django.utils import timezone

from review import extensions
from review.errors import ServiceError
from review.importers import ImportFileError, ParsedRecord, ParseResult, ParseStream
from review.models import Job, Record, Review, Search, SearchFile
from review.services.dedup import dedup_start
from review.services.imports.files import MAX_STORED_PROBLEMS, parse_stored_file, problem_dicts
from review.services.jobs import job_fail, job_progress, job_start, job_succeed
from review.services.reviews import audit
from review.storage import rows_insert

BATCH_SIZE = 2000


# Values longer than their column are cut to the size the model declares (a 400-character "DOI" is a parsing
# accident in the export, not a reason to refuse the file).
_COLUMN_SIZES = [
    (field.name, field.max_length)
    for field in Record._meta.concrete_fields
    if isinstance(field, CharField) and field.max_length and field.name in ParsedRecord.__dataclass_fields__
]


def _record_fields(parsed: ParsedRecord) -> dict[str, Any]:
    """A parsed record's values, cut to the columns' sizes."""
    values: dict[str, Any] = {
        "position": parsed.position,
        "line": parsed.line,
        "title": parsed.title,
        "abstract": parsed.abstract,
        "authors": parsed.authors,
        "year": parsed.year if parsed.year and 0 < parsed.year < 32767 else None,
        "journal": parsed.journal,
        "journal_abbrev": parsed.journal_abbrev,
        "volume": parsed.volume,
        "issue": parsed.issue,
        "pages": parsed.pages,
        "doi": parsed.doi,
        "pmid": parsed.pmid,
        "pmcid": parsed.pmcid,
        "accession_numbers": parsed.accession_numbers,
        "issn": parsed.issn,
        "isbn": parsed.isbn,
        "keywords": parsed.keywords,
        "mesh": parsed.mesh,
        "language": parsed.language,
        "publication_type": parsed.publication_type,
        "url": parsed.url,
        "source_database": parsed.source_database,
        "raw": parsed.raw,
    }
    for name, size in _COLUMN_SIZES:
        if len(values[name]) > size:
            values[name] = values[name][:size]
    return values


def _record_row(review: Review, search: Search, search_file: SearchFile | None, parsed: ParsedRecord) -> Record:
    return Record(review=review, search=search, search_file=search_file, **_record_fields(parsed))


def records_store(
    *,
    review: Review,
    search: Search,
    search_file: SearchFile | None,
    records: Iterable[ParsedRecord],
    progress: Callable[[int, int], None] | None = None,
    total: int = 0,
) -> int:
    """Insert parsed records and return how many. The caller holds the transaction that makes a file all-or-nothing.

    `records` may be a list or a ParseStream: a stream is stored batch by batch as it is parsed, so a large file
    is never all in memory, and on PostgreSQL the server writes one batch (COPY) while the next is parsed. `total`
    is the expected count for progress reports (a list's length when not given).
    """
    if isinstance(records, Sized):
        total = len(records)

    def stored_so_far(stored: int) -> None:
        if progress is not None:
            progress(stored, max(total, stored))

    return rows_insert(
        model=Record,
        rows=(_record_fields(parsed) for parsed in records),
        shared={"review": review, "search": search, "search_file": search_file},
        progress=stored_so_far,
        batch_size=BATCH_SIZE,
    )


def search_file_import(*, search_file_id: int, job_id: int) -> None:
    """Store every record of the file in one transaction; on any failure nothing is written.

    The file is parsed as it is stored (PostgreSQL writes one batch while the next is parsed), inside the
    transaction: a file found unreadable part-way leaves nothing behind.
    """
    search_file = SearchFile.objects.select_related("search", "review").get(pk=search_file_id)
    job = Job.objects.get(pk=job_id)
    if search_file.status == SearchFile.Status.IMPORTED or job.finished:
        return  # a redelivered task: the file is already in (or this attempt is over)
    job_start(job=job, total=search_file.record_count, message="Reading the file")

    def refused(error: ImportFileError) -> None:
        message = f"{search_file.original_name}: {error}"
        SearchFile.objects.filter(pk=search_file.pk).update(status=SearchFile.Status.FAILED, error=message)
        job_fail(job=job, message=message)

    try:
        result = parse_stored_file(search_file)
    except ImportFileError as error:
        refused(error)
        return

    def progress(done: int, total: int) -> None:
        job_progress(job_id=job.pk, done=done, total=total, message="Storing records")

    try:
        with transaction.atomic():
            # The row lock makes a second delivery of this task wait, then see IMPORTED and stop.
            locked = SearchFile.objects.select_for_update().get(pk=search_file.pk)
            if locked.status == SearchFile.Status.IMPORTED:
                return
            stored = records_store(
                review=search_file.review,
                search=search_file.search,
                search_file=search_file,
                records=result,
                progress=progress,
                total=search_file.record_count,
            )
            SearchFile.objects.filter(pk=search_file.pk).update(
                status=SearchFile.Status.IMPORTED,
                record_count=stored,
                imported_at=timezone.now(),
                error="",
            )
            audit(
                review=search_file.review,
                actor=job.created_by,
                action="import.completed",
                file=search_file.pk,
                name=search_file.original_name,
                records=stored,
            )
    except ImportFileError as error:
        refused(error)  # read part-way: the transaction is rolled back
        return
    except Exception as error:
        # Whatever went wrong, the transaction is rolled back: record it for the person, then let it surface.
        message = f"{search_file.original_name}: the import failed and nothing was stored ({error.__class__.__name__})"
        SearchFile.objects.filter(pk=search_file.pk).update(status=SearchFile.Status.FAILED, error=message)
        job_fail(job=job, message=message)
        raise
    job.total = stored
    job_succeed(job=job, result={"records": stored}, message=f"{stored} records imported")
    records_imported(review=search_file.review, by=job.created_by)


def records_imported(*, review: Review, by: User | None) -> None:
    """What follows committed new records: the apps built on review queue them (screening's title/abstract rows),
    then deduplication runs when the review asks for it."""
    extensions.records_changed(review, by=by)
    if review.dedup_automatic:
        dedup_start(review=review, by=by)


def record_add(*, review: Review, search: Search, by: User, **fields: Any) -> Record:
    """Add one record by hand, e.g. from a reference list or a website (an other-methods source)."""
    if search.review_id != review.pk:
        raise ServiceError("No such search", code="not_found")
    title = str(fields.get("title") or "").strip()
    if not title:
        raise ServiceError("A record needs at least a title", field="title")
    allowed = {"title", "abstract", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "url"}
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError(f"Unknown record fields: {', '.join(sorted(unknown))}")
    from review.importers.normalise import doi_from, pmid_from

    doi = doi_from(str(fields.get("doi") or ""))
    if fields.get("doi") and not doi:
        raise ServiceError("That is not a DOI (expected 10.xxxx/...)", field="doi")
    with transaction.atomic():
        position = Record.objects.filter(search=search, search_file__isnull=True).count() + 1
        record = Record.objects.create(
            review=review,
            search=search,
            position=position,
            title=title,
            abstract=str(fields.get("abstract") or ""),
            authors=[a.strip() for a in fields.get("authors") or [] if a.strip()],
            year=fields.get("year") or None,
            journal=str(fields.get("journal") or ""),
            volume=str(fields.get("volume") or "")[:60],
            issue=str(fields.get("issue") or "")[:60],
            pages=str(fields.get("pages") or "")[:60],
            doi=doi,
            pmid=pmid_from(str(fields.get("pmid") or "")),
            url=str(fields.get("url") or ""),
            source_database=search.database or search.get_other_method_display(),
            added_by=by,
        )
        audit(review=review, actor=by, action="record.added", record=record.pk, title=title[:200])
        transaction.on_commit(lambda: extensions.records_changed(review, by=by))
    return record


def search_file_record_parsed(
    *,
    review: Review,
    search: Search,
    by: User | None,
    name: str,
    data: bytes,
    result: ParseResult | ParseStream,
    requested_encoding: str = "auto",
) -> SearchFile:
    """Keep a file and store its records at once (the command line's synchronous path).

    `result` is a parsed file, or a ParseStream that is parsed as it is stored (its problems and count are read
    after). The caller holds the transaction, so several files go in together or not at all; an ImportFileError
    raised while a stream is read leaves nothing written once that transaction is rolled back.
    """
    digest = hashlib.sha256(data).hexdigest()
    search_file = SearchFile(
        review=review,
        search=search,
        original_name=name[:255],
        size=len(data),
        sha256=digest,
        uploaded_by=by,
        status=SearchFile.Status.IMPORTED,
        format=result.format,
        requested_encoding=requested_encoding,
        encoding=result.encoding,
        encoding_certain=result.encoding_certain,
        imported_at=timezone.now(),
    )
    search_file.file.save("upload.bin", ContentFile(data), save=False)
    search_file.save()
    records = result.records if isinstance(result, ParseResult) else result
    stored = records_store(review=review, search=search, search_file=search_file, records=records)
    search_file.detected_database = result.database
    search_file.record_count = stored
    search_file.problems = problem_dicts(result.problems[:MAX_STORED_PROBLEMS])
    search_file.problem_count = len(result.problems)
    search_file.save(update_fields=["detected_database", "record_count", "problems", "problem_count"])
    audit(review=review, actor=by, action="import.completed", file=search_file.pk, name=name, records=stored)
    transaction.on_commit(lambda: records_imported(review=review, by=by))
    return search_file
