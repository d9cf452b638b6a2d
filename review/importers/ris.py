"""RIS, as written by databases and reference managers, with their variations.

A small line tokenizer of our own rather than rispy: rispy drops repeated tags unless configured
tag by tag, loses record 1 behind a BOM in older versions, and cannot tell us on which line a
record or a problem starts. This tokenizer keeps every (tag, value) in order and its line number.
"""

from __future__ import annotations

import re

from .base import ImportFileError, ParsedRecord, Problem, TagWarnings, check_record, tag_set
from .normalise import (
    EBSCO_CODES,
    add_unique,
    collapse_space,
    database_name,
    doi_from,
    is_provider,
    issns_and_isbns,
    looks_like_copyright,
    pages_from,
    pmcid_from,
    pmid_from,
    value_is_doi,
    year_from,
)

# 'TY  - JOUR', 'TY - JOUR' (old EndNote), 'TY  -  JOUR' (Cochrane, Dimensions), 'PMID  - 1' (APA).
TAG_RE = re.compile(r"([A-Z][A-Z0-9]{1,3}) {1,2}-(?:[ \t]+(.*))?$")

KNOWN_TAGS = tag_set(
    """TY ER A1 A2 A3 A4 AB AD AN AU AV BT C1 C2 C3 C4 C5 C6 C7 C8 CA CN CP CT CY DA DB DI DO DP ED EP ET
    ID IS J1 J2 J9 JA JF JI JO KW L1 L2 L3 L4 LA LB LK M1 M2 M3 N1 N2 NV OP PB PMID PP PY RI RN RP SE SN
    SP ST T1 T2 T3 TA TI TT U1 U2 U3 U4 U5 UR VL VO Y1 Y2 PM PT NL AI WE PU PI PA FU FX MA"""
)

_PUBMED_SOURCES = ("PubMed", "MEDLINE")
_URL_RE = re.compile(r"https?://\S+")
_EBSCO_DB_RE = re.compile(r"[?&]db=([A-Za-z0-9]+)")
_ACCESSION_NOTE_RE = re.compile(r"Accession Number:\s*([^;\s]+)")
_CROSS_REFERENCE_RE = re.compile(r"\b(PUBMED|EMBASE|CINAHL)\s+(\d+)")
_PREAMBLE_RE = re.compile(r"^(Provider|Database)\s*:\s*(.+)$")


def parse_text(text: str) -> tuple[list[ParsedRecord], list[Problem]]:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.lstrip("\ufeff")
    warnings = TagWarnings(known=KNOWN_TAGS, format_label="RIS")
    records: list[ParsedRecord] = []
    preamble_database = ""
    tags: list[str] = []
    values: list[str] = []
    lines: list[int] = []
    start = 0  # line of the open record's TY, 0 when no record is open
    stray_reported = False
    match_tag = TAG_RE.match

    for number, line in enumerate(text.split("\n"), 1):
        match = match_tag(line)
        if match is not None:
            tag = match.group(1)
            value = match.group(2)
            value = value.strip() if value else ""
            if tag == "TY":
                if start:
                    warnings.add(
                        f"Record has no 'ER  -' end line before the next 'TY  -' on line {number}: "
                        "imported up to there",
                        record=len(records) + 1,
                        line=start,
                    )
                    records.append(_record(len(records) + 1, start, tags, values, lines, warnings))
                start = number
                tags, values, lines = ["TY"], [value], [number]
            elif tag == "ER":
                if start:
                    records.append(_record(len(records) + 1, start, tags, values, lines, warnings))
                    start = 0
            elif start:
                tags.append(tag)
                values.append(value)
                lines.append(number)
            elif not stray_reported and records:
                stray_reported = True
                warnings.add(
                    f"Tag {tag!r} outside a record (after 'ER  -' and before the next 'TY  -'): ignored",
                    record=None,
                    line=number,
                )
        elif start:
            stripped = line.strip()
            if stripped and values:
                # A value continued on the next line (no tag): part of the previous tag's value.
                values[-1] = f"{values[-1]}\n{stripped}" if values[-1] else stripped
        elif not records and not preamble_database:
            preamble = _PREAMBLE_RE.match(line.strip())
            if preamble and preamble.group(1) == "Database":
                preamble_database = database_name(preamble.group(2))

    if start:
        warnings.add(
            "Last record has no 'ER  -' end line: imported up to the end of the file",
            record=len(records) + 1,
            line=start,
        )
        records.append(_record(len(records) + 1, start, tags, values, lines, warnings))
    if not records:
        raise ImportFileError(
            "No RIS record found: expected a line starting 'TY  - ' (a tag, two spaces, a hyphen) to open each record"
        )
    if preamble_database:
        for record in records:
            if not record.source_database:
                record.source_database = preamble_database
    return records, warnings.problems


def _record(
    position: int, start: int, tags: list[str], values: list[str], lines: list[int], warnings: TagWarnings
) -> ParsedRecord:
    got: dict[str, list[str]] = {}
    record = ParsedRecord(position=position, line=start, raw=list(zip(tags, values, strict=True)))
    known = KNOWN_TAGS
    for tag, value, line in zip(tags, values, lines, strict=True):
        if tag not in known:
            warnings.tag(tag, record=position, line=line)
        if value:
            got.setdefault(tag, []).append(value)
            if tag == "AU" or tag == "A1":
                record.authors.append(collapse_space(value))
            elif tag == "KW":
                for keyword in value.split("\n"):
                    add_unique(record.keywords, keyword)
            elif tag == "SN":
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

    record.publication_type = first("TY")
    record.title = collapse_space(first("TI", "T1", "CT") or (first("BT") if "BOOK" in first("TY") else ""))
    abstracts = [v for v in got.get("AB", []) if not looks_like_copyright(v)]
    if not abstracts:
        abstracts = [v for v in got.get("N2", []) if not looks_like_copyright(v)]
    record.abstract = "\n".join(dict.fromkeys(abstracts))
    year_values = [v for v in (first("PY"), first("Y1"), first("DA")) if v]
    for value in year_values:
        record.year = year_from(value)
        if record.year is not None:
            break
    record.journal = collapse_space(first("JF", "T2", "JO", "J2", "JA", "J1", "T3"))
    abbrev = first("JA", "J2", "J1", "JI", "J9", "JO")
    record.journal_abbrev = collapse_space(abbrev) if abbrev != record.journal else ""
    record.volume = first("VL", "VO")
    record.issue = first("IS")
    record.pages = pages_from(first("SP"), first("EP"))
    record.language = first("LA")

    record.source_database = _source_database(got)
    _identifiers(record, got)
    for value in got.get("UR", []) + got.get("L2", []):
        url = _URL_RE.search(value)
        if url:
            record.url = url.group(0).rstrip(";,")
            break
    check_record(record, warnings, year_values=year_values)
    return record


def _source_database(got: dict[str, list[str]]) -> str:
    for value in got.get("DB", []):
        name = database_name(value)
        if name:
            return name
    for value in got.get("DP", []):
        if not is_provider(value):
            name = database_name(value)
            if name:
                return name
    for value in got.get("AN", []):
        if value.startswith("WOS:"):
            return "Web of Science"
        if value.startswith("CN-"):
            return "Cochrane Library"
    for value in got.get("UR", []) + got.get("L2", []):
        lowered = value.lower()
        if "scopus.com" in lowered:
            return "Scopus"
        if "embase.com" in lowered:
            return "Embase"
        if "ebscohost.com" in lowered:
            code = _EBSCO_DB_RE.search(value)
            if code and code.group(1).lower() in EBSCO_CODES:
                return EBSCO_CODES[code.group(1).lower()]
    return ""


def _identifiers(record: ParsedRecord, got: dict[str, list[str]]) -> None:
    for tag in ("DO", "DI", "L3", "M3"):
        for value in got.get(tag, []):
            record.doi = doi_from(value)
            if record.doi:
                break
        if record.doi:
            break
    if not record.doi:
        for value in got.get("N1", []):
            if value_is_doi(value):
                record.doi = doi_from(value)
                break
    if not record.doi:
        for tag in ("L2", "LK", "UR", "L1", "L4"):
            for value in got.get(tag, []):
                record.doi = doi_from(value)
                if record.doi:
                    break
            if record.doi:
                break

    from_pubmed = record.source_database in _PUBMED_SOURCES or any(
        v.strip().upper() == "NLM" for v in got.get("DP", [])
    )
    candidates = got.get("PMID", []) + got.get("PM", []) + got.get("C5", []) + got.get("C2", [])
    for value in got.get("C3", []):
        # Cochrane: 'PUBMED 38407106,EMBASE 643589775'
        for database, number in _CROSS_REFERENCE_RE.findall(value):
            if database.upper() == "PUBMED":
                candidates.append(number)
            else:
                add_unique(record.accession_numbers, f"{database.lower()}:{number}")
    candidates += [v for tag in ("U1", "U2", "U3") for v in got.get(tag, []) if "[pmid]" in v.lower()]
    if from_pubmed:
        candidates += got.get("AN", []) + got.get("ID", [])
    for value in candidates:
        pmid = pmid_from(value)
        if pmid and len(pmid) <= 9:
            record.pmid = pmid
            break
    for tag in ("C2", "U1", "U2", "U3", "PMC", "C6", "AN"):
        for value in got.get(tag, []):
            pmcid = pmcid_from(value)
            if pmcid:
                record.pmcid = pmcid
                break
        if record.pmcid:
            break

    _accessions(record, got, from_pubmed=from_pubmed)


def _accessions(record: ParsedRecord, got: dict[str, list[str]], *, from_pubmed: bool) -> None:
    ebsco_code = ""
    if any(v.strip().lower() == "ebscohost" for v in got.get("DP", [])):
        ebsco_code = next((v.strip().lower() for v in got.get("DB", []) if v.strip()), "") or "ebsco"
    else:
        for value in got.get("UR", []):
            code = _EBSCO_DB_RE.search(value) if "ebscohost.com" in value.lower() else None
            if code:
                ebsco_code = code.group(1).lower()
                break
    slug = re.sub(r"[^a-z0-9]+", "-", record.source_database.lower()).strip("-")
    for value in got.get("AN", []):
        value = value.strip()
        if value.startswith("WOS:"):
            add_unique(record.accession_numbers, f"wos:{value[4:]}")
        elif value.startswith("CN-"):
            add_unique(record.accession_numbers, f"cochrane:{value}")
        elif from_pubmed and value == record.pmid:
            add_unique(record.accession_numbers, f"pubmed:{value}")
        elif ebsco_code:
            add_unique(record.accession_numbers, f"ebsco:{ebsco_code}:{value}")
        elif value.startswith("pub."):
            add_unique(record.accession_numbers, f"dimensions:{value}")
        elif slug:
            add_unique(record.accession_numbers, f"{slug}:{value}")
        else:
            add_unique(record.accession_numbers, value)
    if ebsco_code:
        for value in got.get("N1", []):
            note = _ACCESSION_NOTE_RE.search(value)
            if note:
                add_unique(record.accession_numbers, f"ebsco:{ebsco_code}:{note.group(1)}")
    if record.source_database == "Embase":
        for value in got.get("U2", []):
            if re.fullmatch(r"L\d+", value.strip()):
                add_unique(record.accession_numbers, f"embase:{value.strip()[1:]}")
    if got.get("DB") and slug:
        # Ovid writes its own accession number (PsycINFO '2021-94054-001', ERIC 'EJ389705') in ID.
        for value in got.get("ID", []):
            if not (from_pubmed and value.strip() == record.pmid):
                add_unique(record.accession_numbers, f"{slug}:{value.strip()}")
