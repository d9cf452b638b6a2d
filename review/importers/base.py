"""Plain data types shared by every import parser.

Parsers are pure: bytes or text in, these dataclasses out. The service layer turns them into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FORMATS = ("ris", "nbib", "endnote-xml", "bibtex", "csv", "wos", "ovid", "cochrane")


@dataclass(slots=True)
class ParsedRecord:
    position: int  # 1-based index of the record in the file
    line: int  # 1-based line number where the record starts in the decoded text
    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    journal_abbrev: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    accession_numbers: list[str] = field(default_factory=list)
    issn: list[str] = field(default_factory=list)
    isbn: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    language: str = ""
    publication_type: str = ""
    url: str = ""
    source_database: str = ""
    raw: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Problem:
    severity: Literal["warning", "error"]
    message: str
    record: int | None = None
    line: int | None = None


@dataclass(slots=True)
class ParseResult:
    format: str
    encoding: str
    database: str
    records: list[ParsedRecord]
    problems: list[Problem]
    encoding_certain: bool = True  # False when the encoding was a judgement (see decoding.Decoded)


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing from it may be imported."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.message = message
        self.line = line
        # The caller knows the file name and puts it in front ('export.ris: Line 3: ...').
        super().__init__(f"Line {line}: {message}" if line is not None else message)


def clean_text(text: str) -> str:
    """Windows and old Mac line ends as '\\n', and no byte-order mark in front, so line numbers match an editor's."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.lstrip("\ufeff")


def tag_set(tags: str) -> frozenset[str]:
    """A set of tags written as one whitespace-separated string (long tag lists stay readable)."""
    return frozenset(tags.split())


class TagWarnings:
    """Collects per-record warnings, reporting each unknown tag once per file (at its first use)."""

    def __init__(self, *, known: frozenset[str] | set[str], format_label: str) -> None:
        self.known = known
        self.format_label = format_label
        self.problems: list[Problem] = []
        self.reported: set[str] = set()

    def tag(self, tag: str, *, record: int | None, line: int) -> None:
        if tag in self.known or tag in self.reported:
            return
        self.reported.add(tag)
        self.problems.append(
            Problem(
                "warning",
                f"Unknown {self.format_label} tag {tag!r}: kept in the raw data but not mapped to a field "
                "(reported once per file)",
                record=record,
                line=line,
            )
        )

    def add(self, message: str, *, record: int | None, line: int | None) -> None:
        self.problems.append(Problem("warning", message, record=record, line=line))

    def error(self, message: str, *, record: int | None, line: int | None) -> None:
        """A part of the file that could not be imported at all (the rest of the file was)."""
        self.problems.append(Problem("error", message, record=record, line=line))


def check_record(record: ParsedRecord, warnings: TagWarnings, *, year_values: list[str]) -> None:
    """Warnings every format shares: a record nobody can screen, a year nobody can read."""
    if not record.title and not record.abstract:
        warnings.add(
            "Record has neither a title nor an abstract, so it cannot be screened",
            record=record.position,
            line=record.line,
        )
    if record.year is None and year_values:
        warnings.add(
            f"Unparseable year {year_values[0]!r}: expected a four-digit year such as 2019",
            record=record.position,
            line=record.line,
        )
