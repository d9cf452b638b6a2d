"""RIS, as written by databases and reference managers, with their variations.

Our own tokenizer rather than rispy: rispy keeps only the first value of most repeated tags unless
configured tag by tag, and it cannot tell us on which line a record or a problem starts. Here two
regular expressions do the scanning: BOUNDARY_RE finds the 'TY'/'ER' lines (and so each record's
line number), FIELD_RE splits a record into its fields with their continuation lines. Every
(tag, value) is kept in file order in ParsedRecord.raw.

Accepted variations: 'TY  - ', 'TY - ' (old EndNote), 'TY  -  ' (Cochrane, Dimensions); junk
between records ('1.', 'Record #3 of 18', 'Provider: ...'); untagged continuation lines; a missing
'ER' (the record is kept and a warning says so).
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Callable, Iterator
from functools import lru_cache

from .base import ImportFileError, ParsedRecord, Problem, TagWarnings, check_record, clean_text, tag_set
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
    pmid_from_url,
    value_is_doi,
    year_from,
)

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


# One field: its tag line plus any untagged continuation lines that follow it. A tag is two to four
# capitals/digits, one or two spaces and a hyphen: 'TY  - JOUR', 'TY - JOUR' (old EndNote),
# 'TY  -  JOUR' (Cochrane, Dimensions), 'PMID  - 1' (APA PsycNet).
FIELD_RE = re.compile(
    r"^([A-Z][A-Z0-9]{1,3}) {1,2}-(?:[ \t]([^\n]*))?((?:\n(?![A-Z][A-Z0-9]{1,3} {1,2}-(?:[ \t]|$))[^\n]*)*)",
    re.MULTILINE,
)
# Lines that open ('TY') or close ('ER') a record.
# A literal '\n' prefix lets the regex engine jump between line starts instead of trying every
# character, which matters on 100 MB files; the first line of the file is checked separately.
BOUNDARY_RE = re.compile(r"\n(TY|ER) {1,2}-(?:[ \t][^\n]*)?(?=\n|\Z)")
_FIRST_BOUNDARY_RE = re.compile(r"(TY|ER) {1,2}-(?:[ \t][^\n]*)?(?=\n|\Z)")
_STRAY_TAG_RE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {1,2}-[ \t]", re.MULTILINE)


_SHARED_VALUE_LENGTH = 16


def _fields(chunk: str) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """Every (tag, value) of one record in order, and the non-empty values grouped by tag.

    The scanning happens in the regex engine, one match per field, so a 100,000-record file costs
    a few Python operations per field rather than per line. Tags are interned so that records share
    one 'AU' string instead of holding millions of copies; continuation lines are joined with '\\n'.
    """
    intern = sys.intern
    short = _SHARED_VALUE_LENGTH
    fields = []
    got: dict[str, list[str]] = {}
    for tag, value, more in FIELD_RE.findall(chunk):
        value = value.strip() if not more or more.isspace() else _join_continuation(value, more)
        # Short values repeat across records (years, volumes, 'English', 'JOUR', database names):
        # one shared copy each instead of one per record.
        tag = intern(tag)
        if len(value) <= short:
            value = intern(value)
        fields.append((tag, value))
        if value:
            found = got.get(tag)
            if found is None:
                got[tag] = [value]
            else:
                found.append(value)
    return fields, got


def _join_continuation(value: str, more: str) -> str:
    parts = [value.strip()] if value.strip() else []
    parts.extend(line.strip() for line in more.split("\n") if line.strip())
    return "\n".join(parts)


def parse_text(text: str) -> tuple[list[ParsedRecord], list[Problem]]:
    records, problems = stream_text(text)
    return list(records), problems


def stream_text(text: str) -> tuple[Iterator[ParsedRecord], list[Problem]]:
    """The records one at a time, and the list their problems are added to as they are read.

    A 100,000-record export is then never all in memory at once: the import stores each batch while the next
    is read. The list of problems is complete once the records are exhausted.
    """
    text = clean_text(text)
    warnings = TagWarnings(known=KNOWN_TAGS, format_label="RIS")
    return _records(text, warnings), warnings.problems


def _records(text: str, warnings: TagWarnings) -> Iterator[ParsedRecord]:
    # A database named before the first record ('Database: Embase') is the source of every record naming none.
    preamble_database = _preamble_database(text[: text.find("TY ")])
    count = 0
    open_at = -1  # offset of the open record's TY line, -1 when no record is open
    open_line = 0
    line = 1  # line number at offset `counted`
    counted = 0
    closed_at = 0  # offset after the last ER, to look for tags stranded outside records
    stray_reported = False

    first_line = _FIRST_BOUNDARY_RE.match(text)
    boundaries = itertools.chain([first_line] if first_line else [], BOUNDARY_RE.finditer(text))
    for boundary in boundaries:
        position = boundary.start(1)
        line += text.count("\n", counted, position)
        counted = position
        if boundary.group(1) == "TY":
            if open_at >= 0:
                warnings.add(
                    f"Record has no 'ER  -' end line before the next 'TY  -' on line {line}: imported up to there",
                    record=count + 1,
                    line=open_line,
                )
                count += 1
                yield _record(count, open_line, text[open_at:position], warnings, preamble_database)
            elif count and not stray_reported:
                stray = _STRAY_TAG_RE.search(text, closed_at, position)
                if stray:
                    stray_reported = True
                    warnings.add(
                        f"Tag {stray.group(1)!r} outside a record (after 'ER  -' and before the next 'TY  -'): ignored",
                        record=None,
                        line=line - text.count("\n", stray.start(), position),
                    )
            open_at, open_line = position, line
        elif open_at >= 0:
            count += 1
            yield _record(count, open_line, text[open_at:position], warnings, preamble_database)
            open_at = -1
            closed_at = boundary.end()

    if open_at >= 0:
        warnings.add(
            "Last record has no 'ER  -' end line: imported up to the end of the file",
            record=count + 1,
            line=open_line,
        )
        count += 1
        yield _record(count, open_line, text[open_at:], warnings, preamble_database)
    if not count:
        raise ImportFileError(
            "No RIS record found: expected a line starting 'TY  - ' (a tag, two spaces, a hyphen) to open each record"
        )


def _preamble_database(preamble: str) -> str:
    for candidate in preamble.split("\n"):
        match = _PREAMBLE_RE.match(candidate.strip())
        if match and match.group(1) == "Database":
            return database_name(match.group(2))
    return ""


# What a lookup of absent tags gives: `(got.get(a) or got.get(b) or _NOTHING)[0]` is the first value of the first
# tag present (every list in `got` has at least one value), without a function call per field.
_NOTHING = ("",)


def _record(position: int, start: int, chunk: str, warnings: TagWarnings, preamble_database: str) -> ParsedRecord:
    raw, got = _fields(chunk)
    get = got.get
    record = ParsedRecord(position=position, line=start, raw=raw)
    if not KNOWN_TAGS.issuperset(got):
        for tag in got:  # in the order the tags first appear, so the warnings are the same on every run
            if tag not in KNOWN_TAGS and tag not in warnings.reported:
                offset = re.search(rf"^{tag} {{1,2}}-", chunk, re.MULTILINE)
                line = start + chunk.count("\n", 0, offset.start()) if offset else start
                warnings.tag(tag, record=position, line=line)
    if "A1" not in got:
        if "AU" in got:
            record.authors = [collapse_space(v) for v in got["AU"]]
    elif "AU" not in got:
        record.authors = [collapse_space(v) for v in got["A1"]]
    else:
        record.authors = [collapse_space(v) for t, v in raw if (t == "AU" or t == "A1") and v]
    keywords = get("KW")
    if keywords:
        # Values are stripped and non-empty; one with continuation lines holds a keyword per line.
        record.keywords = list(dict.fromkeys("\n".join(keywords).split("\n")))
    for value in get("SN", ()):
        issns, isbns = issns_and_isbns(value)
        for issn in issns:
            add_unique(record.issn, issn)
        for isbn in isbns:
            add_unique(record.isbn, isbn)

    publication_type = (get("TY") or _NOTHING)[0]
    record.publication_type = publication_type
    title = (get("TI") or get("T1") or get("CT") or _NOTHING)[0]
    if not title and "BOOK" in publication_type:
        title = (get("BT") or _NOTHING)[0]
    record.title = collapse_space(title)
    abstracts = [v for v in get("AB", ()) if not looks_like_copyright(v)]
    if not abstracts:
        abstracts = [v for v in get("N2", ()) if not looks_like_copyright(v)]
    record.abstract = abstracts[0] if len(abstracts) == 1 else "\n".join(dict.fromkeys(abstracts))
    year_values = [v for v in ((get("PY") or _NOTHING)[0], (get("Y1") or _NOTHING)[0], (get("DA") or _NOTHING)[0]) if v]
    for value in year_values:
        record.year = year_from(value)
        if record.year is not None:
            break
    journal = get("JF") or get("T2") or get("JO") or get("J2") or get("JA") or get("J1") or get("T3") or _NOTHING
    record.journal = collapse_space(journal[0])
    abbrev = (get("JA") or get("J2") or get("J1") or get("JI") or get("J9") or get("JO") or _NOTHING)[0]
    record.journal_abbrev = collapse_space(abbrev) if abbrev != record.journal else ""
    record.volume = (get("VL") or get("VO") or _NOTHING)[0]
    record.issue = (get("IS") or _NOTHING)[0]
    record.pages = pages_from((get("SP") or _NOTHING)[0], (get("EP") or _NOTHING)[0])
    record.language = (get("LA") or _NOTHING)[0]

    record.source_database = _source_database(got)
    _identifiers(record, got)
    if not record.source_database:
        record.source_database = preamble_database
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


_DOI_TAGS = ("DO", "DI", "L3", "M3")
_DOI_URL_TAGS = ("L2", "LK", "UR", "L1", "L4")
_PMID_TAGS = ("PMID", "PM", "C5", "C2")
_PMCID_TAGS = ("C2", "U1", "U2", "U3", "PMC", "C6", "AN")


def _first_found(got: dict[str, list[str]], tags: tuple[str, ...], extract: Callable[[str], str]) -> str:
    for tag in tags:
        for value in got.get(tag, ()):
            found = extract(value)
            if found:
                return found
    return ""


def _identifiers(record: ParsedRecord, got: dict[str, list[str]]) -> None:
    record.doi = _first_found(got, _DOI_TAGS, doi_from)
    if not record.doi and "N1" in got:
        record.doi = next((doi_from(v) for v in got["N1"] if value_is_doi(v)), "")
    if not record.doi:
        record.doi = _first_found(got, _DOI_URL_TAGS, doi_from)

    from_pubmed = record.source_database in _PUBMED_SOURCES or (
        "DP" in got and any(v.upper() == "NLM" for v in got["DP"])
    )
    candidates = [v for tag in _PMID_TAGS for v in got.get(tag, ())]
    if "C3" in got:
        for value in got["C3"]:
            # Cochrane: 'PUBMED 38407106,EMBASE 643589775'
            for database, number in _CROSS_REFERENCE_RE.findall(value):
                if database.upper() == "PUBMED":
                    candidates.append(number)
                else:
                    add_unique(record.accession_numbers, f"{database.lower()}:{number}")
    for tag in ("U1", "U2", "U3"):
        if tag in got:
            candidates.extend(v for v in got[tag] if "[pmid]" in v.lower())
    if from_pubmed:
        candidates.extend(got.get("AN", ()))
        candidates.extend(got.get("ID", ()))
    if candidates:
        record.pmid = next((pmid for pmid in map(pmid_from, candidates) if pmid), "")
    if not record.pmid:
        record.pmid = _first_found(got, ("L2", "UR", "LK", "L1"), pmid_from_url)
    record.pmcid = _first_found(got, _PMCID_TAGS, _pmcid_in)
    _accessions(record, got, from_pubmed=from_pubmed)


def _pmcid_in(value: str) -> str:
    return pmcid_from(value) if "PMC" in value else ""


@lru_cache(maxsize=256)
def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


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
    slug = _slug(record.source_database)
    for value in got.get("AN", ()):
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
