"""Ovid tagged text ('<1. >' record headers, 'VN  - Ovid Technologies', 'DB  - Embase').

Tags are two or three letters, then ' - ' or '  - '; continuation lines are indented. What a tag
means depends on the database: UI is the PubMed id in MEDLINE but Embase's own accession number.
"""

from __future__ import annotations

import re

from .base import ImportFileError, ParsedRecord, Problem, TagWarnings, check_record, clean_text, tag_set
from .normalise import (
    add_unique,
    collapse_space,
    database_name,
    doi_from,
    issns_and_isbns,
    pages_from,
    pmcid_from,
    pmid_from,
    year_from,
)
from .tagged import TaggedRecords, numbered_lines

HEADER_RE = re.compile(r"^\s*<\s*(\d+)\s*\.\s*>\s*$")
_FIRST_HEADER_RE = re.compile(r"^([ \t]*)<\s*\d+\s*\.\s*>\s*$", re.MULTILINE)
TAG_RE = re.compile(r"([A-Z][A-Z0-9]{1,3}) {1,2}- ?(.*)$")

KNOWN_TAGS = tag_set(
    """VN DB AN UI ST TI OT TT SO AU AI IN AD CP CS CE PB MH KW ID AB CC PT DT LG LA YR DP PM PY IS IB JN JA
    JC JT VO VL IP PG NO SP EP DO DI XL UR LK RO SB OL PU ON OU FO IU BT IA ES RF CN CT ED EC EM MS NS RN
    RD UP UP CL SH SS OI PS IO PL TN TM EP HC AA OA CI LO ES FS GS GT MP NP CY CR PR AS EZ EZ AF RW RS"""
)
_SO_PARTS_RE = re.compile(r"(\d+)\s*\(([^)]*)\)\s*:?\s*([A-Za-z]?\d[\w\-]*)?")
_LEADING_JOURNAL_RE = re.compile(r"^(.*?)(?:\.\s+Vol\.|\s+Vol\.|\.\s+\d|\s+\d{1,4}\s*\(|\s+\d{4}[;,]|$)")


def parse_text(text: str) -> tuple[list[ParsedRecord], list[Problem]]:
    text = clean_text(text)
    warnings = TagWarnings(known=KNOWN_TAGS, format_label="Ovid")
    reader = TaggedRecords(_record, warnings, skip_empty_first=True)
    # Some Ovid exports indent every line, record headers included (' <7. >', ' TI  - ...'); up to what the first
    # header is indented by is taken off each line, so tags start at the margin and continuations stay indented.
    header = _FIRST_HEADER_RE.search(text)
    indent = len(header.group(1)) if header else 0

    for number, line in numbered_lines(text):
        if indent and line[0] in " \t":
            line = line[min(indent, len(line) - len(line.lstrip(" \t"))) :]
        if HEADER_RE.match(line):
            reader.open(number)
            continue
        match = TAG_RE.match(line) if not line[0].isspace() else None
        if match is not None and reader.start:
            reader.add(match.group(1), match.group(2).strip(), number)
        elif reader.start:
            reader.extend(line.strip())
    records = reader.finish()
    if not records:
        raise ImportFileError("No Ovid record found: expected record headers such as '<1. >' followed by tags")
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
            record.authors.append(collapse_space(value))
        elif tag in ("KW", "ID", "OT"):
            for keyword in re.split(r"\n|;\s*", value):
                add_unique(record.keywords, keyword.strip().rstrip("."))
        elif tag in ("MH", "SH"):
            for heading in value.split("\n"):
                add_unique(record.mesh, heading.strip())
        elif tag in ("IS", "IB"):
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

    record.source_database = database_name(first("DB"))
    medline = record.source_database in ("MEDLINE", "PubMed")
    record.title = collapse_space(first("TI"))
    record.abstract = first("AB").strip()
    source = collapse_space(first("SO"))
    year_values = [v for v in (first("YR"), first("DP"), first("PY"), source) if v]
    for value in year_values:
        record.year = year_from(value)
        if record.year is not None:
            break
    if not first("YR", "DP", "PY") and record.year is not None:
        year_values = []  # taken from the source citation; nothing was unparseable
    journal = first("JN", "JT", "JA")
    if not journal and source:
        match = _LEADING_JOURNAL_RE.match(source)
        journal = match.group(1) if match else source
    record.journal = collapse_space(journal).rstrip(".")
    record.journal_abbrev = collapse_space(first("JA")) if first("JN") else ""
    parts = _SO_PARTS_RE.search(source) if source else None
    record.volume = first("VO", "VL") or (parts.group(1) if parts else "")
    record.issue = first("IP", "NO") or (parts.group(2) if parts else "")
    record.pages = pages_from(first("PG", "SP")) or (parts.group(3) or "" if parts else "")
    record.doi = doi_from(first("DO")) or doi_from(first("DI"))
    if not record.doi:
        for value in got.get("XL", []) + got.get("UR", []):
            record.doi = doi_from(value)
            if record.doi:
                break
    record.pmid = pmid_from(first("PM")) or (pmid_from(first("UI")) if medline else "")
    record.pmcid = pmcid_from(first("PM") + " " + first("OI"))
    record.language = first("LG", "LA").rstrip(".")
    record.publication_type = first("PT", "DT").rstrip(".")
    for value in got.get("XL", []) + got.get("UR", []):
        if value.startswith("http"):
            record.url = value.split()[0]
            break
    slug = re.sub(r"[^a-z0-9]+", "-", record.source_database.lower()).strip("-") or "ovid"
    for tag in ("AN", "UI"):
        for value in got.get(tag, []):
            value = value.strip().rstrip(".")
            if value and not (medline and value == record.pmid):
                add_unique(record.accession_numbers, f"{slug}:{value}")
    check_record(record, warnings, year_values=year_values)
    return record
