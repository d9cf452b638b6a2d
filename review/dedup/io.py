"""Reading records for the engine from a file: CSV directly, anything else through the importers."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from review.dedup.model import DedupRecord
from review.importers import ImportFileError, ParsedRecord, detect_format, parse
from review.importers.base import clean_text
from review.importers.decoding import decode_text

__all__ = ["DedupInputError", "read_csv", "read_file", "record_from_mapping"]

# Column names other tools use for the same fields.
ALIASES = {
    "id": "record_id", "recordid": "record_id", "record_id": "record_id", "key": "record_id",
    "title": "title", "ti": "title", "article title": "title",
    "authors": "authors", "author": "authors", "au": "authors",
    "year": "year", "py": "year", "publication year": "year",
    "journal": "journal", "source title": "journal", "jo": "journal", "t2": "journal", "secondary_title": "journal",
    "volume": "volume", "vl": "volume", "issue": "issue", "is": "issue", "number": "issue",
    "pages": "pages", "page": "pages", "sp": "pages",
    "doi": "doi", "do": "doi", "pmid": "pmid", "pubmed id": "pmid",
    "abstract": "abstract", "ab": "abstract",
    "isbn_issn": "isbn_issn", "issn": "isbn_issn", "isbn": "isbn_issn", "sn": "isbn_issn",
    "source_db": "source_db", "database": "source_db", "db": "source_db", "source_database": "source_db",
}  # fmt: skip
FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "abstract",
          "isbn_issn", "source_db")  # fmt: skip


class DedupInputError(ValueError):
    """The file cannot be read as records; the message says which file and what was wrong."""


def record_from_mapping(row: Mapping[str, Any], *, fallback_id: str) -> DedupRecord:
    values: dict[str, str] = {}
    for name, value in row.items():
        field = ALIASES.get(str(name).strip().lower())
        if field and field not in values and value not in (None, "", []):
            if isinstance(value, list | tuple):
                value = "; ".join(map(str, value))  # "Smith, J; Doe, A" splits back into the same authors
            values[field] = str(value)
    record_id = str(values.pop("record_id", "") or fallback_id)
    known: dict[str, Any] = {k: v for k, v in values.items() if k in FIELDS}
    return DedupRecord(id=record_id, **known)


def read_csv(text: str, *, name: str = "<csv>") -> list[DedupRecord]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not any(ALIASES.get(f.strip().lower()) == "title" for f in reader.fieldnames):
        raise DedupInputError(f"{name}: no title column in header {reader.fieldnames!r}")
    records = [record_from_mapping(row, fallback_id=str(n)) for n, row in enumerate(reader, 1)]
    seen: dict[str, int] = {}
    for line, rec in enumerate(records, 2):
        if rec.id in seen:
            raise DedupInputError(f"{name}: record_id {rec.id!r} on line {line} repeats line {seen[rec.id]}")
        seen[rec.id] = line
    return records


def _text(data: bytes, name: str) -> str:
    """The file's text as the importers read it: a byte no likely encoding reads is refused, never replaced."""
    try:
        return decode_text(data).text
    except ImportFileError as exc:
        raise DedupInputError(f"{name}: {exc}") from exc


def _is_own_csv(path: Path, text: str) -> bool:
    """A comma-separated file of the engine's own columns (record_id,title,...), not a database's CSV export."""
    if path.suffix.lower() == ".csv":
        return True
    try:
        format = detect_format(text)
    except ImportFileError:
        return False  # read_file says why through the importers
    return format == "csv" and "," in clean_text(text).split("\n", 1)[0]


def _from_importers(data: bytes, name: str) -> list[DedupRecord]:
    try:
        parsed = parse(data, filename=name)
    except ImportFileError as exc:
        raise DedupInputError(f"{name}: {exc}") from exc
    records = []
    seen: set[str] = set()
    for n, item in enumerate(parsed.records, 1):
        row = _as_mapping(item)
        record = record_from_mapping(row, fallback_id=_tagged_id(item) or str(item.position))
        if record.id in seen:
            raise DedupInputError(f"{name}: record {n} repeats the id {record.id!r}")
        seen.add(record.id)
        records.append(record)
    return records


def _tagged_id(record: ParsedRecord) -> str:
    """The file's own record id (RIS `ID`), which is what a CSV of the same records calls record_id."""
    for tag, value in record.raw:
        if tag == "ID" and value.strip():
            return value.strip()
    return ""


def _as_mapping(record: ParsedRecord) -> dict[str, Any]:
    row = {field.name: getattr(record, field.name) for field in fields(record)}
    if not row["journal"] and row["journal_abbrev"]:
        row["journal"] = row["journal_abbrev"]
    if row["isbn"] and not row["issn"]:
        row["issn"] = row["isbn"]
    return row


def read_file(path: str | Path) -> list[DedupRecord]:
    """Records from a CSV (record_id,title,authors,...) or any format review.importers can parse."""
    path = Path(path)
    data = path.read_bytes()
    text = _text(data, str(path))
    if _is_own_csv(path, text):
        return read_csv(text, name=str(path))
    return _from_importers(data, str(path))
