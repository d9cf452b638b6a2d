"""BibTeX (Scopus, Web of Science, reference managers), read with bibtexparser 2.

Braces and common LaTeX escapes are removed from values; values without a backslash skip LaTeX
decoding entirely, which keeps multi-megabyte Web of Science exports fast.
"""

from __future__ import annotations

import contextlib
import re

import bibtexparser
from pylatexenc.latex2text import LatexNodes2Text

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
    year_from,
)

_AND_RE = re.compile(r"\s+and\s+", re.IGNORECASE)
_SIMPLE_ESCAPES = {r"\&": "&", r"\%": "%", r"\_": "_", r"\$": "$", r"\#": "#", r"\{": "{", r"\}": "}"}
_latex = LatexNodes2Text(math_mode="verbatim", keep_comments=True)


def _clean(value: str) -> str:
    for escape, char in _SIMPLE_ESCAPES.items():
        value = value.replace(escape, char)
    if "\\" in value:
        # Malformed LaTeX: keep the raw text rather than lose it.
        with contextlib.suppress(ValueError, IndexError):
            value = _latex.latex_to_text(value)
    return collapse_space(value.replace("{", "").replace("}", ""))


def _split_authors(value: str) -> list[str]:
    """Split on ' and ' outside braces ({Barnes and Noble} is one corporate author)."""
    authors: list[str] = []
    depth = 0
    current: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        if depth == 0:
            match = _AND_RE.match(value, index)
            if match:
                authors.append("".join(current))
                current = []
                index = match.end()
                continue
        current.append(char)
        index += 1
    authors.append("".join(current))
    return [_clean(a) for a in authors if a.strip()]


def parse_text(text: str) -> tuple[list[ParsedRecord], list[Problem]]:
    text = clean_text(text)
    # Only the splitter: its default middlewares (string resolution, brace removal) double the time
    # on large exports, and _value() below does what we need of them.
    library = bibtexparser.parse_string(text, parse_stack=[])
    macros = {string.key.lower(): _value(str(string.value), {}) for string in library.strings}
    warnings = TagWarnings(known=frozenset(), format_label="BibTeX")
    for block in library.failed_blocks:
        warnings.error(
            f"BibTeX entry could not be parsed and was skipped: {getattr(block, 'error', block)!s:.120}",
            record=None,
            line=(block.start_line or 0) + 1,
        )
    records: list[ParsedRecord] = []
    for entry in library.entries:
        records.append(_record(len(records) + 1, entry, warnings, macros))
    if not records:
        failed = library.failed_blocks
        raise ImportFileError(
            "No BibTeX entry found: expected entries such as '@article{key, title = {...}}'"
            + (f"; the first block could not be parsed ({failed[0].__class__.__name__})" if failed else ""),
            line=(failed[0].start_line or 0) + 1 if failed else None,
        )
    header = text[:300].lower()
    if "scopus" in header:
        for record in records:
            record.source_database = record.source_database or "Scopus"
    return records, warnings.problems


def _value(value: str, macros: dict[str, str]) -> str:
    """A field value without its enclosing braces or quotes; a bare @string name replaced by its text."""
    value = value.strip()
    if len(value) >= 2 and ((value[0] == "{" and value[-1] == "}") or (value[0] == '"' and value[-1] == '"')):
        return value[1:-1]
    return macros.get(value.lower(), value)


def _record(
    position: int, entry: bibtexparser.model.Entry, warnings: TagWarnings, macros: dict[str, str]
) -> ParsedRecord:
    raw = [(field.key, _value(str(field.value), macros)) for field in entry.fields]
    record = ParsedRecord(
        position=position, line=(entry.start_line or 0) + 1, raw=[("ENTRYTYPE", entry.entry_type), *raw]
    )
    got: dict[str, str] = {}
    for key, value in raw:
        got.setdefault(key.lower(), value)

    def first(*names: str) -> str:
        for name in names:
            if got.get(name):
                return got[name]
        return ""

    record.publication_type = entry.entry_type.lower()
    record.title = _clean(first("title"))
    record.abstract = _clean(first("abstract"))
    record.authors = _split_authors(first("author"))
    year_values = [v for v in (first("year"), first("date")) if v]
    for value in year_values:
        record.year = year_from(value)
        if record.year is not None:
            break
    record.journal = _clean(first("journal", "journaltitle", "booktitle", "series"))
    record.journal_abbrev = _clean(first("journal-iso", "abbrev_source_title", "shortjournal", "journalabbrev"))
    record.volume = _clean(first("volume"))
    record.issue = _clean(first("number", "issue"))
    record.pages = pages_from(_clean(first("pages")))
    record.doi = doi_from(first("doi")) or doi_from(first("url"))
    record.pmid = pmid_from(_clean(first("pmid")))
    record.pmcid = pmcid_from(first("pmcid"))
    record.language = _clean(first("language", "langid"))
    url = first("url")
    record.url = url.split()[0] if url else ""
    for key in ("issn", "eissn", "isbn"):
        issns, isbns = issns_and_isbns(first(key))
        for issn in issns:
            add_unique(record.issn, issn)
        for isbn in isbns:
            add_unique(record.isbn, isbn)
    for key in ("keywords", "author_keywords", "author-keywords", "keywords-plus"):
        value = _clean(first(key))
        for keyword in value.split(";") if ";" in value else value.split(","):
            add_unique(record.keywords, keyword.strip())
    unique_id = first("unique-id") or (entry.key if entry.key.strip().startswith("WOS:") else "")
    if unique_id.strip().startswith("WOS:"):
        add_unique(record.accession_numbers, f"wos:{unique_id.strip()[4:]}")
        record.source_database = "Web of Science"
    source = first("source")
    if source:
        record.source_database = database_name(_clean(source))
    eid = re.search(r"eid=(2-s2\.0-\d+)", url)
    if eid:
        add_unique(record.accession_numbers, f"scopus:{eid.group(1)}")
        record.source_database = record.source_database or "Scopus"
    check_record(record, warnings, year_values=year_values)
    return record
