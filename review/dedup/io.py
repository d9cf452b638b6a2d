"""Reading records for the engine from a file: CSV directly, anything else through the importers."""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from review.dedup.model import DedupRecord

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


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _looks_like_csv(text: str) -> bool:
    header = text.split("\n", 1)[0].lower()
    return "," in header and "title" in header and not header.startswith(("ty  -", "%", "<", "fn "))


def _from_importers(data: bytes, name: str) -> list[DedupRecord]:
    # The importers are a sibling package written separately; the CSV path above must never need them.
    try:
        importers = importlib.import_module("review.importers")
    except ImportError as exc:
        raise DedupInputError(f"{name}: not a CSV, and no importer is available ({exc})") from exc
    parse = getattr(importers, "parse", None)
    if parse is None:
        raise DedupInputError(f"{name}: not a CSV, and review.importers.parse does not exist yet")
    try:
        parsed = parse(data, filename=name)
    except getattr(importers, "ImportFileError", ValueError) as exc:
        raise DedupInputError(f"{name}: {exc}") from exc
    records = []
    seen: set[str] = set()
    for n, item in enumerate(getattr(parsed, "records", parsed), 1):
        row = item if isinstance(item, Mapping) else _as_mapping(item)
        record = record_from_mapping(row, fallback_id=_tagged_id(row) or str(row.get("position", n)))
        if record.id in seen:
            raise DedupInputError(f"{name}: record {n} repeats the id {record.id!r}")
        seen.add(record.id)
        records.append(record)
    return records


def _tagged_id(row: Mapping[str, Any]) -> str:
    """The file's own record id (RIS `ID`), which is what a CSV of the same records calls record_id."""
    for tag, value in row.get("raw") or ():
        if tag == "ID" and value.strip():
            return str(value).strip()
    return ""


def _as_mapping(item: Any) -> dict[str, Any]:
    if hasattr(item, "__dataclass_fields__"):
        row = {k: getattr(item, k) for k in item.__dataclass_fields__}
    else:
        row = dict(vars(item))
    if not row.get("journal") and row.get("journal_abbrev"):
        row["journal"] = row["journal_abbrev"]
    if row.get("isbn") and not row.get("issn"):
        row["issn"] = row["isbn"]
    return row


def read_file(path: str | Path) -> list[DedupRecord]:
    """Records from a CSV (record_id,title,authors,...) or any format review.importers can parse."""
    path = Path(path)
    data = path.read_bytes()
    text = _decode(data)
    if path.suffix.lower() == ".csv" or _looks_like_csv(text):
        return read_csv(text, name=str(path))
    return _from_importers(data, str(path))
