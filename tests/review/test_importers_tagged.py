"""The line reader the tagged formats (MEDLINE, Ovid, Cochrane, Web of Science) share."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from review.importers import cochrane, medline, ovid, wos
from review.importers.base import ParsedRecord, Problem, TagWarnings
from review.importers.tagged import TaggedRecords, numbered_lines

Parser = Callable[[str], tuple[list[ParsedRecord], list[Problem]]]


def test_numbered_lines_counts_windows_and_old_mac_line_ends_like_an_editor() -> None:
    text = "\ufeffa\r\nb\r\rc\nd"
    assert list(numbered_lines(text)) == [(1, "a"), (2, "b"), (4, "c"), (5, "d")]
    assert list(numbered_lines(text, blanks=True)) == [(1, "a"), (2, "b"), (3, ""), (4, "c"), (5, "d")]


def _build(
    position: int, start: int, tags: list[str], values: list[str], lines: list[int], warnings: TagWarnings
) -> ParsedRecord:
    return ParsedRecord(position=position, line=start, raw=list(zip(tags, values, strict=True)))


@pytest.mark.parametrize(("skip_empty_first", "expected"), [(True, "x\ny"), (False, "\nx\ny")])
def test_tagged_records_continuation_of_an_empty_value(skip_empty_first: bool, expected: str) -> None:
    reader = TaggedRecords(_build, TagWarnings(known=set(), format_label="T"), skip_empty_first=skip_empty_first)
    reader.extend("lost: no record is open")
    reader.open(3)
    reader.add("TI", "", 4)
    reader.extend("x")
    reader.extend("y")
    reader.open(9)  # a header followed by no field is not a record
    records = reader.finish()
    assert [(r.position, r.line, r.raw) for r in records] == [(1, 3, [("TI", expected)])]


@pytest.mark.parametrize(
    ("parser", "text"),
    [
        (medline.parse_text, "PMID- 1\nTI  - A title\n      wrapped\n"),
        (ovid.parse_text, "<1. >\nTI  - A title\n      wrapped\n"),
        (cochrane.parse_text, "Record #1 of 1\nID: CN-1\nTI: A title\nwrapped\n"),
        (wos.parse_text, "FN Clarivate\nPT J\nTI A title\n   wrapped\nER\nEF\n"),
    ],
)
def test_tagged_formats_read_crlf_and_bom_files_as_their_plain_text(parser: Parser, text: str) -> None:
    plain_records, plain_problems = parser(text)
    windows_records, windows_problems = parser("\ufeff" + text.replace("\n", "\r\n"))
    assert plain_records == windows_records
    assert plain_problems == windows_problems
    assert plain_records[0].title == "A title wrapped"
