"""MEDLINE/MEDLARS tagged text: PubMed's .nbib, PubMed Central's MEDLARS display, and ERIC's nbib.

Tags are left-justified in four columns then '- ' ('PMID- ', 'TI  - ', 'FAU - '); continuation
lines are indented; records are separated by blank lines and there is no end tag.
"""

from __future__ import annotations

import re

from .base import ImportFileError, ParsedRecord, Problem, TagWarnings, check_record, tag_set
from .normalise import add_unique, collapse_space, doi_from, issns_and_isbns, pages_from, pmcid_from, year_from
from .tagged import TaggedRecords, numbered_lines

TAG_RE = re.compile(r"([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")

KNOWN_TAGS = tag_set(
    """AB AD AID AU AUID BTI CI CIN CN COI COIS CON CP CRDT CRF CRI CTDT CTI DA DCOM DDIN DEP DP DRDT DRIN
    ECF ECI ED EDAT EFR EIN EN FAU FED FIR FPS GN GR GS IP IR IRAD IS ISBN JID JT LA LID LR MH MHDA MID
    NM OAB OABL OCI OID ORI OT OTO OWN PB PG PHST PL PMC PMCR PMID PS PST PT PUBM RF RIN RN ROF RPF RPI
    RRF RRI SB SFM SI SO SPIN STAT TA TI TT UIN UOF VI VTI EFR IRAD PMCR ISSN"""
)
# A record starts at one of these when the current record already has one.
_RECORD_STARTS = {"PMID", "PMC", "OWN"}


def parse_text(text: str) -> tuple[list[ParsedRecord], list[Problem]]:
    warnings = TagWarnings(known=KNOWN_TAGS, format_label="MEDLINE")
    reader = TaggedRecords(_record, warnings, skip_empty_first=True)
    blank_before = True
    seen: set[str] = set()

    for number, line in numbered_lines(text, blanks=True):
        if not line:
            blank_before = True
            continue
        match = TAG_RE.match(line) if not line[0].isspace() else None
        if match is not None:
            tag = match.group(1)
            if not reader.start or blank_before or (tag in _RECORD_STARTS and tag in seen):
                reader.open(number)
                seen = set()
            reader.add(tag, match.group(2).strip(), number)
            seen.add(tag)
        elif reader.start:
            # Indented continuation; ERIC also puts a second URL unindented on its own line.
            reader.extend(line.strip())
        blank_before = False
    records = reader.finish()
    if not records:
        raise ImportFileError("No MEDLINE record found: expected lines such as 'PMID- 12345678' and 'TI  - Title'")
    return records, warnings.problems


def _record(
    position: int, start: int, tags: list[str], values: list[str], lines: list[int], warnings: TagWarnings
) -> ParsedRecord:
    record = ParsedRecord(position=position, line=start, raw=list(zip(tags, values, strict=True)))
    got: dict[str, list[str]] = {}
    full_authors: list[str] = []
    short_authors: list[str] = []
    for tag, value, line in zip(tags, values, lines, strict=True):
        if tag not in KNOWN_TAGS:
            warnings.tag(tag, record=position, line=line)
        if not value:
            continue
        got.setdefault(tag, []).append(value)
        if tag == "FAU" or tag == "CN":  # CN: a collective author ('WHO Collaborative Group'), in order
            full_authors.append(collapse_space(value))
            if tag == "CN":
                short_authors.append(collapse_space(value))
        elif tag == "AU":
            short_authors.append(collapse_space(value))
        elif tag == "OT":
            add_unique(record.keywords, collapse_space(value))
        elif tag == "MH":
            add_unique(record.mesh, collapse_space(value))
        elif tag == "IS" or tag == "ISBN" or tag == "ISSN":
            issns, isbns = issns_and_isbns(value)
            for issn in issns:
                add_unique(record.issn, issn)
            for isbn in isbns:
                add_unique(record.isbn, isbn)
        elif (tag == "LID" or tag == "AID") and not record.doi and value.endswith("[doi]"):
            record.doi = doi_from(value)

    def first(*names: str) -> str:
        for name in names:
            found = got.get(name)
            if found:
                return found[0]
        return ""

    record.authors = full_authors or short_authors
    record.title = collapse_space(first("TI", "BTI", "VTI"))
    record.abstract = collapse_space(first("AB"))
    year_values = [v for v in (first("DP"), first("DEP"), first("DA")) if v]
    for value in year_values:
        record.year = year_from(value)
        if record.year is not None:
            break
    record.journal = collapse_space(first("JT"))
    record.journal_abbrev = collapse_space(first("TA"))
    record.volume = first("VI")
    record.issue = first("IP")
    record.pages = pages_from(first("PG"))
    pmid = first("PMID")
    record.pmid = pmid.strip() if pmid.strip().isdigit() else ""
    record.pmcid = pmcid_from(first("PMC"))
    record.language = first("LA")
    record.publication_type = first("PT")
    if not record.doi:
        for value in got.get("LID", []) + got.get("AID", []) + got.get("SO", []):
            record.doi = doi_from(value) if ("doi" in value.lower() or value.startswith("10.")) else ""
            if record.doi:
                break

    owner = first("OWN").upper()
    if owner == "ERIC":
        record.source_database = "ERIC"
        for value in got.get("OID", []):
            add_unique(record.accession_numbers, f"eric:{value.strip()}")
        for value in got.get("LID", []) + got.get("AID", []):
            if value.startswith("http"):
                record.url = value.split()[0]
                break
        if not record.journal:
            record.journal = collapse_space(first("JT", "SO"))
    elif record.pmcid and not record.pmid:
        record.source_database = "PMC"
    elif record.pmid or owner:
        record.source_database = "PubMed"
    if record.pmid:
        record.url = record.url or f"https://pubmed.ncbi.nlm.nih.gov/{record.pmid}/"
    check_record(record, warnings, year_values=year_values)
    return record
