"""CSV and tab-delimited exports: Scopus, embase.com, EBSCO, PubMed, Cochrane, Zotero, Web of Science.

Columns are matched by name (case-insensitive), so column order and extra columns do not matter.
Rows before the header (embase.com's 'SEARCH QUERY' preamble) are skipped; EBSCO's Excel guards
(="00123") are unwrapped.
"""

from __future__ import annotations

import csv
import io
import re

from .base import ImportFileError, ParsedRecord, Problem, TagWarnings, check_record, clean_text
from .normalise import (
    add_unique,
    collapse_space,
    database_name,
    doi_from,
    issns_and_isbns,
    pages_from,
    pmcid_from,
    pmid_from,
    split_authors,
    year_from,
)

csv.field_size_limit(2**31 - 1)  # Scopus puts every cited reference of a paper in one cell

# Field -> column names, first present wins. Web of Science tab-delimited uses its two-letter tags.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "article title", "document title", "ti", "primary title", "item title"),
    "title_fallback": ("original title",),
    "abstract": ("abstract", "abstract note", "ab", "original abstract"),
    "authors": ("af", "authors", "author", "author names", "author(s)", "au", "author full names"),
    "year": ("year", "publication year", "py", "pubyear", "year of publication"),
    "date": ("publication date", "date", "pd", "create date", "published"),
    "journal": (
        "source title",
        "journal",
        "publication title",
        "journal/book",
        "so",
        "journal title",
        "secondary title",
        "periodical",
        "source",
    ),
    "journal_abbrev": ("abbreviated source title", "ji", "j9", "journal abbreviation"),
    "volume": ("volume", "vl", "vol"),
    "issue": ("issue", "is", "number"),
    "pages": ("pages", "page", "pg"),
    "page_start": ("page start", "bp", "first page", "start page"),
    "page_end": ("page end", "ep", "last page", "end page"),
    "doi": ("doi", "di"),
    "pmid": ("pmid", "pubmed id", "pm", "medline pmid"),
    "pmcid": ("pmcid", "pmc id"),
    "issn": ("issn", "sn", "eissn", "ei", "e-issn"),
    "isbn": ("isbn", "bn"),
    "keywords": ("author keywords", "keywords", "de", "manual tags", "subjects", "subject terms"),
    "keywords_more": ("index keywords", "keywords plus", "automatic tags"),
    "language": ("language", "language of original document", "language of article", "la"),
    "publication_type": ("document type", "item type", "publication type", "dt", "type"),
    "url": ("link", "url", "us", "open url link"),
    "database": ("database", "database name", "library catalog"),
}
_ACCESSION_COLUMNS = {
    "eid": "scopus",
    "ut": "wos",
    "ut (unique wos id)": "wos",
    "central id": "cochrane",
    "embase id": "embase",
    "embase accession id": "embase",
    "embase accession number": "embase",
    "cinahl id": "cinahl",
    "accession number": "",
    "an": "",
}
_TITLE_NAMES = {"title", "article title", "document title", "ti", "primary title", "item title"}
_GUARD_RE = re.compile(r'^="(.*)"$', re.DOTALL)
_AUTHOR_ID_RE = re.compile(r"\s*\(\d+\)")


def _dialect(line: str) -> str:
    counts = {d: line.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d])


def parse_text(text: str) -> tuple[list[ParsedRecord], list[Problem]]:
    text = clean_text(text)
    if _looks_fields_by_row(text):
        by_row = _parse_fields_by_row(text)
        if by_row is not None:
            return by_row
    header_row, header_line, delimiter = _find_header(text)
    labels = [_unguard(cell).strip().lstrip("\ufeff") for cell in header_row]
    names = [label.lower() for label in labels]
    wos = "pt" in names and "ut" in names
    index = {name: i for i, name in reversed(list(enumerate(names)))}
    warnings = TagWarnings(known=frozenset(), format_label="CSV")
    file_database = _file_database(names, text[:2000])

    # WoS tab-delimited never quotes; a title starting with '"' must not swallow the next rows.
    source = io.StringIO(text, newline="")
    if wos:
        reader = csv.reader(source, delimiter=delimiter, quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(source, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
    records: list[ParsedRecord] = []
    previous_end = 0
    try:
        for row in reader:
            row_start, previous_end = previous_end + 1, reader.line_num
            if row_start <= header_line:
                continue
            cells = [_unguard(cell) for cell in row]
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
                warnings.add(
                    f"Row has {len(cells)} cells but the header has {len(names)} columns: extra cells kept "
                    "in the raw data only",
                    record=len(records) + 1,
                    line=row_start,
                )
            record = _record(len(records) + 1, row_start, labels, index, cells, warnings, wos=wos)
            record.source_database = record.source_database or file_database
            records.append(record)
    except csv.Error as error:
        raise ImportFileError(f"CSV cannot be read: {error}", line=reader.line_num) from error
    if not records:
        raise ImportFileError("The CSV file has a header row but no data rows", line=header_line)
    return records, warnings.problems


_COLUMN_NAMES = frozenset(name for names in COLUMNS.values() for name in names)


def _looks_fields_by_row(text: str) -> bool:
    """True when the first column of the opening rows names fields ('TITLE', 'AUTHOR NAMES', 'DOI')."""
    labels = set()
    for row in csv.reader(text.split("\n", 80)[:80]):
        if row and 1 < len(row) <= 3:
            labels.add(_unguard(row[0]).strip().lstrip("\ufeff").lower())
    return bool(labels & _TITLE_NAMES) and len(labels & _COLUMN_NAMES) >= 3


def _parse_fields_by_row(text: str) -> tuple[list[ParsedRecord], list[Problem]] | None:
    """embase.com's 'CSV - fields by row': one 'FIELD NAME,value' row per field, a TITLE row per record."""
    warnings = TagWarnings(known=frozenset(), format_label="CSV")
    blocks: list[tuple[int, list[str], list[str]]] = []
    labels: list[str] = []
    cells: list[str] = []
    start = 0
    reader = csv.reader(io.StringIO(text, newline=""))
    previous_end = 0
    try:
        for row in reader:
            row_start, previous_end = previous_end + 1, reader.line_num
            row = [_unguard(cell).strip() for cell in row]
            if not row or not row[0] or len(row) > 3:
                continue
            label = row[0].lstrip("\ufeff")
            value = "; ".join(cell for cell in row[1:] if cell)
            if label.lower() in _TITLE_NAMES:
                if labels:
                    blocks.append((start, labels, cells))
                start, labels, cells = row_start, [], []
            elif not start:
                continue  # the 'SEARCH QUERY' preamble before the first record
            if label in labels:
                position = labels.index(label)
                cells[position] = f"{cells[position]}; {value}" if cells[position] else value
            else:
                labels.append(label)
                cells.append(value)
    except csv.Error:
        return None
    if labels:
        blocks.append((start, labels, cells))
    if not blocks:
        return None
    records: list[ParsedRecord] = []
    file_database = "Embase" if "search query" in text[:500].lower() or "emtree" in text.lower() else ""
    for start, labels, cells in blocks:
        names = [label.lower() for label in labels]
        index = {name: i for i, name in reversed(list(enumerate(names)))}
        record = _record(len(records) + 1, start, labels, index, cells, warnings, wos=False)
        record.source_database = record.source_database or file_database
        records.append(record)
    return records, warnings.problems


def _find_header(text: str) -> tuple[list[str], int, str]:
    """The first row that names a title column; earlier rows are a preamble."""
    lines = text.split("\n", 60)[:60]
    first = next((line for line in lines if line.strip()), "")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        row_delimiter = _dialect(line)
        cells = next(csv.reader([line], delimiter=row_delimiter))
        lowered = {_unguard(c).strip().lstrip("\ufeff").lower() for c in cells}
        if len(cells) >= 2 and lowered & _TITLE_NAMES:
            return cells, number, row_delimiter
    raise ImportFileError(
        "No CSV header row with a title column found in the first 60 lines: expected a header such as "
        f"'Title,Authors,Year,...' (first line seen: {first[:80]!r})",
        line=1,
    )


def _unguard(cell: str) -> str:
    match = _GUARD_RE.match(cell)
    return match.group(1) if match else cell


def _file_database(names: list[str], head: str) -> str:
    joined = " ".join(names)
    if "eid" in names or "scopus" in head.lower()[:300]:
        return "Scopus"
    if "emtree" in joined or "embase" in joined or "search query" in head.lower()[:300]:
        return "Embase"
    if "central id" in names:
        return "Cochrane Library"
    if "pt" in names and "ut" in names:
        return "Web of Science"
    if "pmid" in names and "citation" in names:
        return "PubMed"
    return ""


def _record(
    position: int,
    line: int,
    labels: list[str],
    index: dict[str, int],
    cells: list[str],
    warnings: TagWarnings,
    *,
    wos: bool,
) -> ParsedRecord:
    record = ParsedRecord(position=position, line=line)
    record.raw = [(label, cells[i]) for i, label in enumerate(labels) if i < len(cells) and cells[i]]
    record.raw.extend((f"column {i + 1}", cell) for i, cell in enumerate(cells[len(labels) :], len(labels)) if cell)

    def cell(field: str) -> str:
        for name in COLUMNS[field]:
            if not wos and name in ("au", "af", "ti", "so", "is", "pm", "di", "de", "dt", "la", "pd"):
                continue
            position_ = index.get(name)
            if position_ is not None and position_ < len(cells) and cells[position_].strip():
                return cells[position_].strip()
        return ""

    record.title = collapse_space(cell("title") or cell("title_fallback"))
    record.abstract = cell("abstract")
    authors = cell("authors")
    record.authors = [_AUTHOR_ID_RE.sub("", a).strip() for a in split_authors(authors)]
    year_values = [v for v in (cell("year"), cell("date")) if v]
    for value in year_values:
        record.year = year_from(value)
        if record.year is not None:
            break
    journal = cell("journal")
    if not cell("year") and record.year is None and journal:
        record.year = year_from(journal)  # embase.com puts the whole citation in 'Source'
    record.journal = collapse_space(journal)
    record.journal_abbrev = collapse_space(cell("journal_abbrev"))
    record.volume = cell("volume")
    record.issue = cell("issue")
    record.pages = pages_from(cell("pages") or cell("page_start"), cell("page_end"))
    record.doi = doi_from(cell("doi")) or doi_from(cell("url"))
    record.pmid = pmid_from(cell("pmid"))
    record.pmcid = pmcid_from(cell("pmcid"))
    for value in (cell("issn"), cell("isbn")):
        issns, isbns = issns_and_isbns(value)
        for issn in issns:
            add_unique(record.issn, issn)
        for isbn in isbns:
            add_unique(record.isbn, isbn)
    for field in ("keywords", "keywords_more"):
        value = cell(field)
        for keyword in value.split(";") if ";" in value or wos else value.split(","):
            add_unique(record.keywords, collapse_space(keyword))
    if wos:
        for keyword in (cells[index["id"]] if "id" in index and index["id"] < len(cells) else "").split(";"):
            add_unique(record.keywords, collapse_space(keyword))
    record.language = cell("language")
    record.publication_type = cell("publication_type")
    url = cell("url")
    record.url = url.split()[0] if url.startswith("http") else ""
    database = cell("database")
    if database:
        record.source_database = database_name(database)
    for name, prefix in _ACCESSION_COLUMNS.items():
        position_ = index.get(name)
        if position_ is None or position_ >= len(cells) or not cells[position_].strip():
            continue
        value = cells[position_].strip()
        if prefix == "wos" and value.startswith("WOS:"):
            value = value[4:]
        add_unique(record.accession_numbers, f"{prefix}:{value}" if prefix else value)
    check_record(record, warnings, year_values=year_values)
    return record
