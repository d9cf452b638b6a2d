"""Included studies for reference managers: RIS (through rispy) and BibTeX (through bibtexparser).

Both carry every included report (new_reports in PRISMA terms), with the record id in a note (RIS N1, BibTeX
`note`) so a reference can be traced back to the review; an additional report names the study it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import bibtexparser
import rispy
from bibtexparser.model import Block, Entry, Field

from reporting.prisma import prisma_records
from review.models import Record, Review

CHUNK = 500


class _PlainRisWriter(rispy.RisWriter):
    def set_header(self, count: int) -> str:
        # rispy numbers references ("1.") by default; reference managers do not need it.
        return ""


def included_records(*, review: Review) -> Iterator[Record]:
    yield from prisma_records(review=review, node="new_reports").iterator(chunk_size=CHUNK)


def _pages(pages: str) -> tuple[str, str]:
    first, _, last = pages.partition("-")
    return first.strip(), last.strip()


def _ris_entry(record: Record) -> dict[str, Any]:
    entry: dict[str, Any] = {"type_of_reference": "JOUR", "title": record.title, "id": str(record.pk)}
    optional = {
        "authors": list(record.authors),
        "year": str(record.year) if record.year else "",
        "secondary_title": record.journal,
        "volume": record.volume,
        "number": record.issue,
        "doi": record.doi,
        "abstract": record.abstract,
        "keywords": list(record.keywords),
        "urls": [record.url] if record.url else [],
        "language": record.language,
    }
    entry.update({key: value for key, value in optional.items() if value})
    start, end = _pages(record.pages)
    if start:
        entry["start_page"] = start
    if end:
        entry["end_page"] = end
    notes = [f"Review record {record.pk}"]
    if record.pmid:
        notes.append(f"PMID: {record.pmid}")
    if record.report_of_id:
        notes.append(f"Additional report of the study of record {record.report_of_id}")
    entry["notes"] = notes
    return entry


def ris_chunks(*, review: Review) -> Iterator[str]:
    writer = _PlainRisWriter()
    batch: list[dict[str, Any]] = []
    for record in included_records(review=review):
        batch.append(_ris_entry(record))
        if len(batch) == CHUNK:
            yield writer.formats(batch)
            batch = []
    if batch:
        yield writer.formats(batch)


_KEY_RE = re.compile(r"[^A-Za-z0-9]+")


def _bib_text(value: str) -> str:
    # A stray brace would end the field early in every BibTeX reader; braces carry no meaning in our data.
    return " ".join(value.replace("{", "(").replace("}", ")").split())


def _bib_entry(record: Record) -> Entry:
    surname = _KEY_RE.sub("", record.first_author.split(",")[0]) or "record"
    key = f"{surname}{record.year or ''}_{record.pk}"
    fields = {
        "title": record.title,
        "author": " and ".join(record.authors),
        "year": str(record.year or ""),
        "journal": record.journal,
        "volume": record.volume,
        "number": record.issue,
        "pages": record.pages.replace("-", "--") if "--" not in record.pages else record.pages,
        "doi": record.doi,
        "pmid": record.pmid,
        "url": record.url,
        "abstract": record.abstract,
        "keywords": ", ".join(record.keywords),
        "note": f"Review record {record.pk}"
        + (f"; additional report of the study of record {record.report_of_id}" if record.report_of_id else ""),
    }
    return Entry("article", key, [Field(name, _bib_text(value)) for name, value in fields.items() if value])


def bibtex_chunks(*, review: Review) -> Iterator[str]:
    batch: list[Block] = []
    for record in included_records(review=review):
        batch.append(_bib_entry(record))
        if len(batch) == CHUNK:
            yield bibtexparser.write_string(bibtexparser.Library(batch)) + "\n"
            batch = []
    if batch:
        yield bibtexparser.write_string(bibtexparser.Library(batch)) + "\n"
