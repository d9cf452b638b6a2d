"""Cochrane Library plain-text export ('Record #1 of 20', then 'ID: CN-01234567', 'TI: ...').

Tags are two or three capitals followed by a colon; lines that are not tags continue the value
above them.
"""

from __future__ import annotations

import re

from .base import ImportFileError, ParsedRecord, Problem, TagWarnings, check_record, tag_set
from .normalise import (
    add_unique,
    collapse_space,
    doi_from,
    issns_and_isbns,
    pages_from,
    pmid_from,
    split_authors,
    year_from,
)
from .tagged import TaggedRecords, numbered_lines

HEADER_RE = re.compile(r"^\s*Record\s*#\s*(\d+)\s+of\s+(\d+)\s*$", re.IGNORECASE)
TAG_RE = re.compile(r"([A-Z][A-Z0-9]{1,3}):\s?(.*)$")

# Only these open a field: abstracts have lines such as 'AIM: To assess...' that look like tags.
KNOWN_TAGS = tag_set("ID AU TI SO YR VL NO PG PM XR PT KY MH DOI AB US CC EM SN IS LA CN ED OT PB CR IN FT TA")


def parse_text(text: str) -> tuple[list[ParsedRecord], list[Problem]]:
    warnings = TagWarnings(known=KNOWN_TAGS, format_label="Cochrane")
    reader = TaggedRecords(_record, warnings, skip_empty_first=False)
    for number, line in numbered_lines(text):
        if HEADER_RE.match(line):
            reader.open(number)
            continue
        match = TAG_RE.match(line)
        tag = match.group(1) if match is not None else ""
        if tag not in KNOWN_TAGS:
            match = None
        elif tag == "ID" and (not reader.start or "ID" in reader.tags):
            # Exports without 'Record #' headers: an ID opens the first record, and a second ID the next one.
            reader.open(number)
        if match is not None and reader.start:
            reader.add(tag, match.group(2).strip(), number)
        elif reader.start:
            reader.extend(line.strip())
    records = reader.finish()
    if not records:
        raise ImportFileError(
            "No Cochrane record found: expected 'Record #1 of N' headers followed by lines such as 'ID: CN-...'"
        )
    return records, warnings.problems


def _record(
    position: int, start: int, tags: list[str], values: list[str], lines: list[int], warnings: TagWarnings
) -> ParsedRecord:
    record = ParsedRecord(position=position, line=start, raw=list(zip(tags, values, strict=True)))
    got: dict[str, list[str]] = {}
    for tag, value, line in zip(tags, values, lines, strict=True):
        if tag not in KNOWN_TAGS:
            warnings.tag(tag, record=position, line=line)
        if not value:
            continue
        got.setdefault(tag, []).append(value)
        if tag == "AU":
            record.authors.extend(split_authors(value))
        elif tag in ("KY", "MH", "OT"):
            for keyword in value.split(";"):
                add_unique(record.keywords, collapse_space(keyword))
        elif tag in ("SN", "IS"):
            issns, isbns = issns_and_isbns(value)
            for issn in issns:
                add_unique(record.issn, issn)
            for isbn in isbns:
                add_unique(record.isbn, isbn)

    def first(*names: str) -> str:
        for name in names:
            found = got.get(name)
            if found:
                return found[0]
        return ""

    record.source_database = "Cochrane Library"
    record.title = collapse_space(first("TI"))
    record.abstract = first("AB").strip()
    year_values = [v for v in (first("YR"),) if v]
    record.year = year_from(year_values[0]) if year_values else None
    record.journal = collapse_space(first("SO"))
    record.volume = first("VL")
    record.issue = first("NO")
    record.pages = pages_from(first("PG"))
    record.doi = doi_from(first("DOI")) or doi_from(first("US"))
    record.pmid = pmid_from(first("PM"))
    record.language = first("LA")
    record.publication_type = first("PT")
    record.url = first("US")
    identifier = first("ID")
    if identifier:
        add_unique(record.accession_numbers, f"cochrane:{identifier.strip()}")
    for value in got.get("XR", []) + got.get("EM", []):
        match = re.match(r"\s*(EMBASE|CINAHL|MEDLINE|PUBMED)\s+(\S+)", value, re.IGNORECASE)
        if match:
            add_unique(record.accession_numbers, f"{match.group(1).lower()}:{match.group(2)}")
            if match.group(1).upper() == "PUBMED" and not record.pmid:
                record.pmid = pmid_from(match.group(2))
    check_record(record, warnings, year_values=year_values)
    return record
