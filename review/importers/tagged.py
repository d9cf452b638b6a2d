"""What every tagged-text format (MEDLINE, Ovid, Cochrane, Web of Science) reads the same way.

Each format still decides where its records begin and what counts as a tag; the line clean-up, the numbering and
the bookkeeping of the record being read (its tags, values and line numbers, continuation lines, closing it) are
written once here.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import ParsedRecord, TagWarnings, clean_text

RecordBuilder = Callable[[int, int, list[str], list[str], list[int], TagWarnings], ParsedRecord]


def numbered_lines(text: str, *, blanks: bool = False) -> list[tuple[int, str]]:
    """The lines of `text`, line ends and byte-order mark cleaned up, with their 1-based numbers.

    Blank lines (nothing but whitespace) are skipped, or given as '' when `blanks` is set, for formats in which
    a blank line ends a record.
    """
    lines = enumerate(clean_text(text).split("\n"), 1)
    if blanks:
        return [(number, line if line.strip() else "") for number, line in lines]
    return [(number, line) for number, line in lines if line.strip()]


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
        # Continuation lines by the index of the value they continue, joined when the record closes: appending to
        # a growing string would copy it once per line (a Web of Science record can cite hundreds of works).
        self.more: dict[int, list[str]] = {}
        self._more: list[str] | None = None  # those of the last value, once it has any

    def open(self, number: int) -> None:
        """Close the record being read, if any, and start one at line `number`."""
        if self.start:
            self.close()
        self.start = number
        self.tags, self.values, self.lines, self.more = [], [], [], {}
        self._more = None

    def add(self, tag: str, value: str, number: int) -> None:
        self.tags.append(tag)
        self.values.append(value)
        self.lines.append(number)
        self._more = None

    def extend(self, text: str) -> None:
        """A continuation line of the last value; nothing to continue before the open record's first tag."""
        if self._more is None:
            if not self.values:
                return
            self._more = self.more[len(self.values) - 1] = []
        self._more.append(text)

    def close(self) -> None:
        """Keep the open record, unless its header was followed by no field at all."""
        if self.tags:
            values = self.values
            for index, more in self.more.items():
                first = values[index]
                values[index] = "\n".join([first, *more]) if first or not self.skip_empty_first else "\n".join(more)
            record = self.build(len(self.records) + 1, self.start, self.tags, values, self.lines, self.warnings)
            self.records.append(record)
        self.start = 0
        self.tags, self.values, self.lines, self.more = [], [], [], {}
        self._more = None

    def finish(self) -> list[ParsedRecord]:
        if self.start:
            self.close()
        return self.records
