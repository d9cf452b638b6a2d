"""References for reference managers: RIS (through rispy) and BibTeX (through bibtexparser).

By default every included report (new_reports in PRISMA terms); any other subset by PRISMA number (the records
behind any box of the diagram, e.g. reports excluded at full text, narrowed to one reason) or all records. Each
reference carries the record id in a note (RIS N1, BibTeX `note`) so it can be traced back to the review, the
PMID in RIS AN (where reference managers look for an accession number) as well as in N1, the record type from
the source (its RIS TY, or the publication type the database gave, mapped to a RIS type), and, for a report
excluded at full text, the reason it was excluded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import bibtexparser
import rispy
from bibtexparser.model import Block, Entry, Field
from django.db.models import QuerySet

from reporting.prisma import prisma_records
from review.models import Record, Review
from screening.models import Stage, StageOutcome, Status

CHUNK = 500

RIS_TYPES = frozenset((
    "ABST", "ADVS", "AGGR", "ANCIENT", "ART", "BILL", "BLOG", "BOOK", "CASE", "CHAP", "CHART", "CLSWK", "COMP",
    "CONF", "CPAPER", "CTLG", "DATA", "DBASE", "DICT", "EBOOK", "ECHAP", "EDBOOK", "EJOUR", "ELEC", "ENCYC", "EQUA",
    "FIGURE", "GEN", "GOVDOC", "GRANT", "HEAR", "ICOMM", "INPR", "JFULL", "JOUR", "LEGAL", "MANSCPT", "MAP", "MGZN",
    "MPCT", "MULTI", "MUSIC", "NEWS", "PAMP", "PAT", "PCOMM", "RPRT", "SER", "SLIDE", "SOUND", "STAND", "STAT",
    "THES", "UNBILL", "UNPB", "VIDEO",
))  # fmt: skip
# Publication types as databases write them (MEDLINE PT, Web of Science DT, Scopus "Document Type", EndNote
# reference types, BibTeX entry types), first match wins; checked against the corpus exports' values.
TYPE_WORDS = (
    ("meeting abstract", "ABST"), ("conference abstract", "ABST"), ("inproceedings", "CONF"),
    ("conference", "CONF"), ("proceedings", "CONF"), ("book chapter", "CHAP"), ("book section", "CHAP"),
    ("incollection", "CHAP"), ("inbook", "CHAP"), ("chapter", "CHAP"), ("book", "BOOK"), ("thesis", "THES"),
    ("dissertation", "THES"), ("techreport", "RPRT"), ("report", "RPRT"), ("preprint", "UNPB"),
    ("unpublished", "UNPB"), ("dataset", "DATA"), ("data set", "DATA"), ("patent", "PAT"), ("web", "ELEC"),
    ("newspaper", "NEWS"), ("magazine", "MGZN"), ("article", "JOUR"), ("journal", "JOUR"), ("review", "JOUR"),
    ("letter", "JOUR"), ("editorial", "JOUR"), ("comment", "JOUR"), ("erratum", "JOUR"), ("misc", "GEN"),
)  # fmt: skip


def ris_type(publication_type: str, *, has_journal: bool) -> str:
    """The RIS type of a record from the type its source gave (a RIS code is kept as it is)."""
    value = publication_type.strip()
    if value.upper() in RIS_TYPES:
        return value.upper()
    lowered = value.lower()
    for word, code in TYPE_WORDS:
        if word in lowered:
            return code
    return "JOUR" if has_journal else "GEN"


class _PlainRisWriter(rispy.RisWriter):
    def set_header(self, count: int) -> str:
        # rispy numbers references ("1.") by default; reference managers do not need it.
        return ""


def subset_records(*, review: Review, node: str = "new_reports", reason: str = "") -> QuerySet[Record]:
    """The records of one subset: "all" (every record, duplicates and removed ones too) or a PRISMA number.

    Raises KeyError for an unknown node."""
    if node == "all":
        return Record.objects.filter(review=review).select_related("search").order_by("pk")
    return prisma_records(review=review, node=node, reason=reason)


def _pages(pages: str) -> tuple[str, str]:
    first, _, last = pages.partition("-")
    return first.strip(), last.strip()


def _ris_entry(record: Record, excluded: dict[int, list[str]]) -> dict[str, Any]:
    kind = ris_type(record.publication_type, has_journal=bool(record.journal))
    entry: dict[str, Any] = {"type_of_reference": kind, "title": record.title, "id": str(record.pk)}
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
        entry["accession_number"] = record.pmid
        notes.append(f"PMID: {record.pmid}")
    if record.report_of_id:
        notes.append(f"Additional report of the study of record {record.report_of_id}")
    if record.pk in excluded:
        notes.append("Excluded at full text: " + "; ".join(excluded[record.pk] or ["(no reason recorded)"]))
    entry["notes"] = notes
    return entry


def _excluded_reasons(review: Review, ids: list[int]) -> dict[int, list[str]]:
    rows = StageOutcome.objects.filter(
        review=review, stage=Stage.FULL_TEXT, status=Status.EXCLUDED, record_id__in=ids
    ).values_list("record_id", "reasons")
    return {record_id: list(reasons or []) for record_id, reasons in rows}


def ris_chunks(*, review: Review, node: str = "new_reports", reason: str = "") -> Iterator[str]:
    writer = _PlainRisWriter()
    batch: list[Record] = []

    def flush() -> str:
        excluded = _excluded_reasons(review, [r.pk for r in batch])
        return writer.formats([_ris_entry(r, excluded) for r in batch])

    for record in subset_records(review=review, node=node, reason=reason).iterator(chunk_size=CHUNK):
        batch.append(record)
        if len(batch) == CHUNK:
            yield flush()
            batch = []
    if batch:
        yield flush()


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


def bibtex_chunks(*, review: Review, node: str = "new_reports", reason: str = "") -> Iterator[str]:
    batch: list[Block] = []
    for record in subset_records(review=review, node=node, reason=reason).iterator(chunk_size=CHUNK):
        batch.append(_bib_entry(record))
        if len(batch) == CHUNK:
            yield bibtexparser.write_string(bibtexparser.Library(batch)) + "\n"
            batch = []
    if batch:
        yield bibtexparser.write_string(bibtexparser.Library(batch)) + "\n"
