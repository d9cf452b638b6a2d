"""Searches, uploaded export files and their import into records.

The flow: upload (bytes kept) -> preview job (parse, count, problems) -> the person confirms -> import job (parse
again and store every record in one transaction). A file is imported wholly or not at all.
"""

from __future__ import annotations

import hashlib
import logging
import operator
from collections.abc import Callable, Iterable, Sized
from dataclasses import asdict
from datetime import date, datetime
from itertools import islice
from typing import Any

import orjson
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile, File
from django.db import connection, transaction
from django.utils import timezone

from review import extensions
from review.errors import ServiceError
from review.importers import (
    FORMATS,
    FieldLimits,
    ImportFileError,
    ParsedRecord,
    ParseResult,
    ParseStream,
    Problem,
    encoding_choice,
    parse_stream,
)
from review.models import Job, Record, Review, Search, SearchFile
from review.services.copy_stream import CopyStream
from review.services.dedup import dedup_start
from review.services.jobs import (
    JOBS_UNAVAILABLE,
    enqueue,
    job_create,
    job_fail,
    job_progress,
    job_start,
    job_succeed,
)
from review.services.reviews import audit

logger = logging.getLogger(__name__)

PREVIEW_RECORDS = 5
MAX_STORED_PROBLEMS = 1000
BATCH_SIZE = 2000

SEARCH_FIELDS = ("kind", "database", "is_register", "other_method", "platform", "date_searched", "query", "notes")


def search_create(*, review: Review, by: User, **fields: Any) -> Search:
    unknown = set(fields) - set(SEARCH_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown search fields: {', '.join(sorted(unknown))}")
    kind = fields.get("kind") or Search.Kind.DATABASE
    if kind not in Search.Kind.values:
        raise ServiceError(f"kind must be one of {', '.join(Search.Kind.values)}", field="kind")
    fields["kind"] = kind
    fields["database"] = (fields.get("database") or "").strip()
    if kind == Search.Kind.DATABASE and not fields["database"]:
        raise ServiceError("Name the database that was searched (e.g. PubMed, Embase)", field="database")
    if kind == Search.Kind.OTHER:
        method = fields.get("other_method") or Search.OtherMethod.OTHER
        if method not in Search.OtherMethod.values:
            raise ServiceError(
                f"other_method must be one of {', '.join(Search.OtherMethod.values)}", field="other_method"
            )
        fields["other_method"] = method
    else:
        fields["other_method"] = ""
    when = fields.get("date_searched")
    if isinstance(when, date) and when > timezone.localdate():
        raise ServiceError("The search date is in the future", field="date_searched")
    with transaction.atomic():
        search = Search.objects.create(review=review, created_by=by, **fields)
        audit(review=review, actor=by, action="search.created", search=search.pk, label=search.label)
    return search


def _problem_dicts(problems: Iterable[Problem]) -> list[dict[str, Any]]:
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
    if requested_format not in ("auto", *FORMATS):
        raise ServiceError(f"format must be auto or one of {', '.join(FORMATS)}", field="format")
    requested_encoding = _encoding_or_error(requested_encoding)
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


def _encoding_or_error(encoding: str) -> str:
    """'auto' or the canonical name of a supported encoding; ServiceError naming the accepted ones otherwise."""
    encoding = (encoding or "auto").strip()
    if encoding.lower() == "auto":
        return "auto"
    try:
        return encoding_choice(encoding)
    except ValueError as error:
        raise ServiceError(str(error), field="encoding") from error


def field_limits() -> FieldLimits:
    return FieldLimits(title=settings.IMPORT_MAX_TITLE_CHARS, other=settings.IMPORT_MAX_FIELD_CHARS)


def _parse_file(search_file: SearchFile) -> ParseStream:
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
        result = _parse_file(search_file)
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
    problems = _problem_dicts(result.problems)
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


def search_file_choose_encoding(*, review: Review, search_file: SearchFile, encoding: str, by: User) -> SearchFile:
    """Read a file that is not imported yet with another encoding ('auto' to let the import decide): the preview
    runs again with it, and the import uses it."""
    encoding = _encoding_or_error(encoding)
    with transaction.atomic():
        locked = SearchFile.objects.select_for_update().get(pk=search_file.pk, review=review)
        if locked.status not in (SearchFile.Status.PREVIEWED, SearchFile.Status.UNREADABLE, SearchFile.Status.FAILED):
            raise ServiceError(
                f"The encoding of {locked.original_name} cannot be changed now: it is "
                f"{locked.get_status_display().lower()}",
                code="conflict",
            )
        job = job_create(review=review, kind="import-preview", by=by)
        locked.requested_encoding = encoding
        locked.status = SearchFile.Status.UPLOADED
        locked.job = job
        locked.save(update_fields=["requested_encoding", "status", "job"])
        audit(
            review=review,
            actor=by,
            action="import.encoding_chosen",
            file=locked.pk,
            name=locked.original_name,
            encoding=encoding,
        )
        from review.tasks import search_file_preview_task

        enqueue(search_file_preview_task, locked.pk, job.pk, job=job)
    locked.refresh_from_db()
    return locked


def search_file_discard(*, review: Review, search_file: SearchFile, by: User) -> None:
    with transaction.atomic():
        locked = SearchFile.objects.select_for_update().get(pk=search_file.pk, review=review)
        if locked.status in (SearchFile.Status.IMPORTED, SearchFile.Status.IMPORTING):
            raise ServiceError("An imported file cannot be discarded", code="conflict")
        locked.status = SearchFile.Status.DISCARDED
        locked.save(update_fields=["status"])
        audit(review=review, actor=by, action="import.discarded", file=locked.pk, name=locked.original_name)


def _record_fields(parsed: ParsedRecord) -> dict[str, Any]:
    """A parsed record's values, cut to the columns' sizes."""
    return {
        "position": parsed.position,
        "line": parsed.line,
        "title": parsed.title,
        "abstract": parsed.abstract,
        "authors": parsed.authors,
        "year": parsed.year if parsed.year and 0 < parsed.year < 32767 else None,
        "journal": parsed.journal,
        "journal_abbrev": parsed.journal_abbrev[:300],
        "volume": parsed.volume[:60],
        "issue": parsed.issue[:60],
        "pages": parsed.pages[:60],
        "doi": parsed.doi[:300],
        "pmid": parsed.pmid[:20],
        "pmcid": parsed.pmcid[:20],
        "accession_numbers": parsed.accession_numbers,
        "issn": parsed.issn,
        "isbn": parsed.isbn,
        "keywords": parsed.keywords,
        "mesh": parsed.mesh,
        "language": parsed.language[:60],
        "publication_type": parsed.publication_type[:200],
        "url": parsed.url,
        "source_database": parsed.source_database[:120],
        "raw": parsed.raw,
    }


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
    is never all in memory, and on PostgreSQL the server writes one batch while the next is parsed. `total` is the
    expected count for progress reports (a list's length when not given).
    """
    if isinstance(records, Sized):
        total = len(records)
    if connection.vendor == "postgresql":
        return _copy_records(review, search, search_file, records, progress, total)
    stored = 0
    remaining = iter(records)
    while batch := list(islice(remaining, BATCH_SIZE)):
        Record.objects.bulk_create([_record_row(review, search, search_file, parsed) for parsed in batch])
        stored += len(batch)
        if progress is not None:
            progress(stored, max(total, stored))
    return stored


# PostgreSQL gets the rows through COPY, in its text format, built here rather than by psycopg's write_row: one
# string per record, with the JSON columns serialised by orjson. For 100,000 records with abstracts this is a few
# times faster than quoting each value on its own, and far faster than INSERT statements. A thread sends each batch
# (CopyStream) while the next is parsed.
# The column order of the COPY: the values of _record_fields, then the columns every row of one import shares.
# A test compares rows stored by COPY and by the ORM.
_COPY_TEXT = (
    "title",
    "abstract",
    "journal",
    "journal_abbrev",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "language",
    "publication_type",
    "url",
    "source_database",
)
_COPY_JSON = ("authors", "accession_numbers", "issn", "isbn", "keywords", "mesh", "raw")
_COPY_NUMBERS = ("position", "line", "year")
_COPY_SHARED = (
    "review_id",
    "search_id",
    "search_file_id",
    "merged_into_id",
    "removed_reason",
    "added_by_id",
    "created_at",
)
_text_values = operator.itemgetter(*_COPY_TEXT)
_json_values = operator.itemgetter(*_COPY_JSON)
_number_values = operator.itemgetter(*_COPY_NUMBERS)
# Joins a record's text and JSON values before they are escaped together; a NUL cannot be in any value (decoding
# refuses NUL characters, and PostgreSQL text cannot hold one), so each one left afterwards is a column boundary.
_JOIN = "\x00"
_JOINS_PER_RECORD = len(_COPY_TEXT) + len(_COPY_JSON) - 1
_NULL = "\\N"


def _copy_value(value: Any) -> str:
    """A shared or numeric column's value in COPY text form (none of them can hold a character that needs escaping)."""
    if value is None:
        return _NULL
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _copy_line(fields: dict[str, Any], shared: str) -> str:
    """One record as a line of COPY text: tab-separated, with backslash, newline, return and tab escaped."""
    dumps = orjson.dumps
    line = _JOIN.join([*_text_values(fields), *[dumps(value).decode() for value in _json_values(fields)]])
    if line.count(_JOIN) != _JOINS_PER_RECORD:
        raise ValueError(f"Record {fields['position']} has a NUL character in a value; PostgreSQL cannot store it")
    if "\\" in line:
        line = line.replace("\\", "\\\\")
    if "\n" in line:
        line = line.replace("\n", "\\n")
    if "\r" in line:
        line = line.replace("\r", "\\r")
    if "\t" in line:
        line = line.replace("\t", "\\t")
    line = line.replace(_JOIN, "\t")
    numbers = "\t".join([_copy_value(value) for value in _number_values(fields)])
    return f"{line}\t{numbers}\t{shared}\n"


def _copy_records(
    review: Review,
    search: Search,
    search_file: SearchFile | None,
    records: Iterable[ParsedRecord],
    progress: Callable[[int, int], None] | None,
    total: int,
) -> int:
    shared_values = {
        "review_id": review.pk,
        "search_id": search.pk,
        "search_file_id": search_file.pk if search_file else None,
        "merged_into_id": None,
        "removed_reason": "",
        "added_by_id": None,
        "created_at": timezone.now(),
    }
    shared = "\t".join(_copy_value(shared_values[column]) for column in _COPY_SHARED)
    stored = 0
    batch: list[str] = []
    # Errors raised by psycopg (a constraint the server checks) come out as Django's, as from any other query.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        CopyStream(
            cursor=cursor.cursor,
            table=Record._meta.db_table,
            columns=(*_COPY_TEXT, *_COPY_JSON, *_COPY_NUMBERS, *_COPY_SHARED),
        ) as stream,
    ):
        for parsed in records:
            batch.append(_copy_line(_record_fields(parsed), shared))
            if len(batch) >= BATCH_SIZE:
                stream.send("".join(batch))
                stored += len(batch)
                batch.clear()
                if progress is not None:
                    progress(stored, max(total, stored))
        if batch:
            stream.send("".join(batch))
            stored += len(batch)
            if progress is not None:
                progress(stored, max(total, stored))
    return stored


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
        result = _parse_file(search_file)
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
    search_file.problems = _problem_dicts(result.problems[:MAX_STORED_PROBLEMS])
    search_file.problem_count = len(result.problems)
    search_file.save(update_fields=["detected_database", "record_count", "problems", "problem_count"])
    audit(review=review, actor=by, action="import.completed", file=search_file.pk, name=name, records=stored)
    transaction.on_commit(lambda: records_imported(review=review, by=by))
    return search_file
