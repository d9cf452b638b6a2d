"""Web of Science plain text ('FN Clarivate Analytics Web of Science', 'VR 1.0', 'PT J' ... 'ER', 'EF').

Two-letter tags in columns 1-2, a space, the value; continuation lines are indented by three
spaces. For list tags (AU, AF, CR, C1...) each continuation line is a new item.
"""

from __future__ import annotations

import re

from .base import ImportFileError, ParsedRecord, Problem, TagWarnings, check_record, tag_set
from .normalise import add_unique, collapse_space, doi_from, issns_and_isbns, pages_from, pmid_from, year_from
from .tagged import TaggedRecords, numbered_lines

TAG_RE = re.compile(r"([A-Z][A-Z0-9]) (.*)$|([A-Z][A-Z0-9])$")

KNOWN_TAGS = tag_set(
    """FN VR PT AU AF BA BF CA GP BE TI SO SE BS LA DT CT CY CL SP HO DE ID AB C1 C3 RP EM RI OI FU FP FX CR
    NR TC Z9 U1 U2 PU PI PA SN EI BN J9 JI PD PY VL IS PN SU SI MA BP EP AR DI D2 EA PG WC WE SC GA UT PM
    OA HC HP DA ER EF AN PS PV PL SS UR XX AE PC DG PR NU PV DS GE CC SF EM EY"""
)
# Tags whose continuation lines are separate items rather than wrapped text.
_LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "CA", "BE", "CR", "C1", "C3", "EM", "RI", "OI", "GP", "SE"})
_UT_SOURCES = {
    "WOS": "Web of Science",
    "BIOSIS": "BIOSIS",
    "BCI": "BIOSIS",
    "ZOOREC": "Zoological Record",
    "INSPEC": "Inspec",
    "MEDLINE": "MEDLINE",
    "CCC": "Current Contents Connect",
    "DIIDW": "Derwent Innovations Index",
    "KJD": "KCI-Korean Journal Database",
    "RSCI": "Russian Science Citation Index",
    "SCIELO": "SciELO Citation Index",
    "CSCD": "Chinese Science Citation Database",
    "DRCI": "Data Citation Index",
    "GRANTS": "Grants Index",
    "PPRN": "Preprint Citation Index",
}


def parse_text(text: str) -> tuple[list[ParsedRecord], list[Problem]]:
    warnings = TagWarnings(known=KNOWN_TAGS, format_label="Web of Science")
    # Continuation lines are kept one per line ('\n'), since for list tags each is an item of its own.
    reader = TaggedRecords(_record, warnings, skip_empty_first=False)
    extend = reader.extend  # once per line of a file that can run to millions of lines

    for number, line in numbered_lines(text):
        if line[0] == " ":
            extend(line.strip())
            continue
        match = TAG_RE.match(line)
        if match is None:
            warnings.add(
                f"Line is not a two-letter tag and value: {line[:60]!r} ignored",
                record=len(reader.records) + 1 if reader.start else None,
                line=number,
            )
            continue
        tag = match.group(1) or match.group(3)
        value = (match.group(2) or "").strip()
        if tag == "PT":
            if reader.start:
                warnings.add(
                    f"Record has no 'ER' end line before the next 'PT' on line {number}: imported up to there",
                    record=len(reader.records) + 1,
                    line=reader.start,
                )
            reader.open(number)
            reader.add("PT", value, number)
        elif tag == "ER":
            if reader.start:
                reader.close()
        elif reader.start:
            reader.add(tag, value, number)
        elif tag not in ("FN", "VR", "EF"):
            warnings.tag(tag, record=None, line=number)
    if reader.start:
        warnings.add(
            "Last record has no 'ER' end line: imported up to the end of the file",
            record=len(reader.records) + 1,
            line=reader.start,
        )
    records = reader.finish()
    if not records:
        raise ImportFileError(
            "No Web of Science record found: expected records opened by 'PT J' (or PT B/S/P) and closed by 'ER'"
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
        if "\n" not in value:  # most fields: one line, no continuation
            if value:
                got.setdefault(tag, []).append(value)
            continue
        parts = [p for p in value.split("\n") if p]
        if tag in _LIST_TAGS:
            got.setdefault(tag, []).extend(parts)
        elif parts:
            got.setdefault(tag, []).append(" ".join(parts))

    def first(*names: str) -> str:
        for name in names:
            found = got.get(name)
            if found:
                return found[0]
        return ""

    record.publication_type = first("DT", "PT")
    record.title = collapse_space(first("TI"))
    record.abstract = first("AB").strip()
    # AF has full names ('Toh, Ming Liang'); AU only initials. Zoological Record appends e-mails.
    record.authors = [re.sub(r"\s*\([^()]*@[^()]*\)\s*$", "", a).strip() for a in got.get("AF") or got.get("AU", [])]
    # Early-access records have no PY yet, only EY (year) and EA (month).
    year_values = [v for v in (first("PY"), first("EY"), first("PD"), first("EA")) if v]
    for value in year_values:
        record.year = year_from(value)
        if record.year is not None:
            break
    record.journal = collapse_space(first("SO", "SE", "BS"))
    record.journal_abbrev = collapse_space(first("JI", "J9"))
    record.volume = first("VL")
    record.issue = first("IS")
    record.pages = pages_from(first("BP"), first("EP")) or first("AR", "PS")
    record.doi = doi_from(first("DI")) or doi_from(first("D2"))
    record.pmid = pmid_from(first("PM"))
    record.language = first("LA")
    for tag in ("SN", "EI", "BN"):
        for value in got.get(tag, []):
            issns, isbns = issns_and_isbns(value)
            for issn in issns:
                add_unique(record.issn, issn)
            for isbn in isbns:
                add_unique(record.isbn, isbn)
    for tag in ("DE", "ID"):
        for value in got.get(tag, []):
            for keyword in value.split(";"):
                add_unique(record.keywords, collapse_space(keyword))
    ut = first("UT")
    if ut:
        prefix, _, number = ut.partition(":")
        if number:
            record.source_database = _UT_SOURCES.get(prefix.upper(), "Web of Science")
            add_unique(record.accession_numbers, f"{prefix.lower()}:{number}")
        else:
            add_unique(record.accession_numbers, f"wos:{ut}")
    an = first("AN")
    if an:
        if an.upper().startswith("ZOOR"):
            record.source_database = record.source_database or "Zoological Record"
            add_unique(record.accession_numbers, f"zoorec:{an}")
        else:
            add_unique(record.accession_numbers, f"wos-an:{an}")
    record.url = first("UR")
    check_record(record, warnings, year_values=year_values)
    return record
