"""EndNote XML (EndNote, Zotero and Mendeley write it): <xml><records><record>...</record></records></xml>.

Values are wrapped in <style> runs; we concatenate their text. Parsing goes through defusedxml so
an uploaded file cannot expand entities or reach the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .base import ImportFileError, ParsedRecord, Problem, TagWarnings, check_record
from .normalise import (
    add_unique,
    collapse_space,
    database_name,
    doi_from,
    issns_and_isbns,
    pages_from,
    pmcid_from,
    pmid_from,
    pmid_from_url,
    year_from,
)

_RECORD_START_RE = re.compile(r"<record[\s>]")
_CONTAINERS = {
    "contributors",
    "authors",
    "secondary-authors",
    "tertiary-authors",
    "subsidiary-authors",
    "translated-authors",
    "titles",
    "periodical",
    "alt-periodical",
    "full-periodical",
    "dates",
    "pub-dates",
    "keywords",
    "urls",
    "related-urls",
    "web-urls",
    "pdf-urls",
    "text-urls",
    "image-urls",
    "foreign-keys",
}


def parse_text(text: str) -> tuple[list[ParsedRecord], list[Problem]]:
    text = text.lstrip("\ufeff")
    # The XML declaration may name an encoding; the text is already decoded, so drop it.
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    try:
        root = fromstring(body)
    except ParseError as error:
        line = error.position[0] if error.position else None
        raise ImportFileError(f"EndNote XML is not well-formed: {error}", line=line) from error
    except DefusedXmlException as error:
        raise ImportFileError(f"EndNote XML uses forbidden constructs (entities or DTD): {error}") from error
    offset_lines = text[: len(text) - len(body)].count("\n")
    starts = _record_lines(body, offset_lines)
    warnings = TagWarnings(known=frozenset(), format_label="EndNote XML")
    records: list[ParsedRecord] = []
    for index, element in enumerate(root.iter("record")):
        line = starts[index] if index < len(starts) else 1
        records.append(_record(index + 1, line, element, warnings))
    if not records:
        raise ImportFileError(
            f"No <record> element found in this XML (root element <{root.tag}>): "
            "expected an EndNote XML export, <xml><records><record>...</record></records></xml>"
        )
    return records, warnings.problems


def _record_lines(body: str, offset: int) -> list[int]:
    starts: list[int] = []
    line = 1 + offset
    last = 0
    for match in _RECORD_START_RE.finditer(body):
        line += body.count("\n", last, match.start())
        last = match.start()
        starts.append(line)
    return starts


def _text(element: Element) -> str:
    return "".join(element.itertext()).replace("\r", "\n").strip()


def _leaves(element: Element, prefix: str = "") -> Iterator[tuple[str, str]]:
    for child in element:
        path = f"{prefix}{child.tag}"
        if child.tag in _CONTAINERS:
            yield from _leaves(child, f"{path}/")
        else:
            value = _text(child)
            if value:
                yield path, value


def _record(position: int, line: int, element: Element, warnings: TagWarnings) -> ParsedRecord:
    record = ParsedRecord(position=position, line=line, raw=list(_leaves(element)))
    got: dict[str, list[str]] = {}
    for path, value in record.raw:
        got.setdefault(path, []).append(value)
        leaf = path.rsplit("/", 1)[-1]
        if path == "contributors/authors/author":
            record.authors.append(collapse_space(value))
        elif leaf == "keyword":
            for keyword in value.split("\n"):
                add_unique(record.keywords, collapse_space(keyword))
        elif path == "isbn":
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

    ref_type = element.find("ref-type")
    record.publication_type = (ref_type.get("name", "") if ref_type is not None else "") or first("work-type")
    record.title = collapse_space(first("titles/title"))
    record.abstract = first("abstract")
    year_values = [v for v in (first("dates/year"), first("dates/pub-dates/date")) if v]
    for value in year_values:
        record.year = year_from(value)
        if record.year is not None:
            break
    record.journal = collapse_space(
        first("periodical/full-title", "titles/secondary-title", "alt-periodical/full-title")
    )
    record.journal_abbrev = collapse_space(first("periodical/abbr-1", "titles/alt-title", "alt-periodical/abbr-1"))
    if record.journal_abbrev == record.journal:
        record.journal_abbrev = ""
    record.volume = first("volume")
    record.issue = first("number", "issue")
    record.pages = pages_from(first("pages"))
    record.language = first("language")
    record.doi = doi_from(first("electronic-resource-num"))
    if not record.doi:
        for path in ("urls/related-urls/url", "urls/web-urls/url", "notes"):
            for value in got.get(path, []):
                record.doi = doi_from(value)
                if record.doi:
                    break
            if record.doi:
                break
    for path in ("urls/related-urls/url", "urls/web-urls/url"):
        if got.get(path):
            record.url = got[path][0].split()[0]
            break

    provider = first("remote-database-provider")
    names = [database_name(part) for part in re.split(r"[\n;]", first("remote-database-name")) if part.strip()]
    record.source_database = names[0] if names else (database_name(provider) if provider else "")
    from_pubmed = provider.upper() == "NLM" or any(name in ("MEDLINE", "PubMed") for name in names)
    slug = re.sub(r"[^a-z0-9]+", "-", record.source_database.lower()).strip("-")
    for value in got.get("accession-num", []):
        pmid = pmid_from(value)
        if from_pubmed and pmid and len(pmid) <= 8 and not record.pmid:
            record.pmid = pmid
        elif value.startswith("WOS:"):
            add_unique(record.accession_numbers, f"wos:{value[4:]}")
        else:
            add_unique(record.accession_numbers, f"{slug}:{value}" if slug else value)
    if not record.pmid:
        for value in got.get("urls/related-urls/url", []) + got.get("urls/web-urls/url", []):
            record.pmid = pmid_from_url(value)
            if record.pmid:
                break
    for value in got.get("custom2", []) + got.get("custom1", []) + got.get("notes", []):
        if not record.pmcid:
            record.pmcid = pmcid_from(value)
    check_record(record, warnings, year_values=year_values)
    return record
