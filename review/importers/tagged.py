"""What every tagged-text format (MEDLINE, Ovid, Cochrane, Web of Science) reads the same way.

Each format still decides where its records begin and what counts as a tag; the line clean-up, the numbering and
the bookkeeping of the record being read (its tags, values and line numbers, continuation lines, closing it) are
written once here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .base import ParsedRecord, TagWarnings, clean_text

RecordBuilder = Callable[[int, int, list[str], list[str], list[int], TagWarnings], ParsedRecord]


def numbered_lines(text: str, *, blanks: bool = False) -> Iterator[tuple[int, str]]:
    """The lines of `text`, line ends and byte-order mark cleaned up, with their 1-based numbers.

    Blank lines (nothing but whitespace) are skipped, or given as '' when `blanks` is set, for formats in which
    a blank line ends a record.
    """
    for number, line in enumerate(clean_text(text).split("\n"), 1):
        if not line.strip():
            if blanks:
                yield number, ""
            continue
        yield number, line


class TaggedRecords:
    """The records read so far and the one being read: its first line, tags, values and their line numbers.

    `build(position, start, tags, values, lines, warnings)` turns a closed record into a ParsedRecord. A value
    continued over several lines keeps them joined by '\\n'; with `skip_empty_first` a tag with nothing after
    it takes its first continuation line as its value instead of starting with an empty line.
    """

    def __init__(self, build: RecordBuilder, warnings: TagWarnings, *, skip_empty_first: bool) -> None:
        self.build = build
        self.warnings = warnings
        self.skip_empty_first = skip_empty_first
        self.records: list[ParsedRecord] = []
        self.start = 0  # line of the open record's first line, 0 when no record is open
        self.tags: list[str] = []
        self.values: list[str] = []
        self.lines: list[int] = []

    def open(self, number: int) -> None:
        """Close the record being read, if any, and start one at line `number`."""
        if self.start:
            self.close()
        self.start = number
        self.tags, self.values, self.lines = [], [], []

    def add(self, tag: str, value: str, number: int) -> None:
        self.tags.append(tag)
        self.values.append(value)
        self.lines.append(number)

    def extend(self, text: str) -> None:
        """A continuation line of the last value; nothing to continue before the open record's first tag."""
        if not self.values:
            return
        last = self.values[-1]
        self.values[-1] = f"{last}\n{text}" if last or not self.skip_empty_first else text

    def close(self) -> None:
        """Keep the open record, unless its header was followed by no field at all."""
        if self.tags:
            self.records.append(
                self.build(len(self.records) + 1, self.start, self.tags, self.values, self.lines, self.warnings)
            )
        self.start = 0
        self.tags, self.values, self.lines = [], [], []

    def finish(self) -> list[ParsedRecord]:
        if self.start:
            self.close()
        return self.records
