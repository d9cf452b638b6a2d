"""Pure import parsers: bytes from a literature database export -> normalised records and problems."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from . import bibtex, cochrane, csv_, endnote_xml, medline, ovid, ris, wos
from .base import FORMATS, ImportFileError, ParsedRecord, ParseResult, Problem
from .decoding import decode, decode_text, utf16_without_bom
from .detect import FORMAT_NAMES, detect_format
from .encodings import ENCODING_CHOICES, encoding_choice
from .limits import FieldLimits, cap_record
from .normalise import majority_database

__all__ = [
    "ENCODING_CHOICES",
    "FORMATS",
    "FieldLimits",
    "ImportFileError",
    "ParseResult",
    "ParseStream",
    "ParsedRecord",
    "Problem",
    "decode",
    "detect_format",
    "encoding_choice",
    "parse",
    "parse_stream",
]

_PARSERS: dict[str, Callable[[str], tuple[list[ParsedRecord], list[Problem]]]] = {
    "ris": ris.parse_text,
    "nbib": medline.parse_text,
    "endnote-xml": endnote_xml.parse_text,
    "bibtex": bibtex.parse_text,
    "csv": csv_.parse_text,
    "wos": wos.parse_text,
    "ovid": ovid.parse_text,
    "cochrane": cochrane.parse_text,
}
# Formats read one record at a time; the others are parsed whole and then handed out one by one.
_STREAMERS: dict[str, Callable[[str], tuple[Iterator[ParsedRecord], list[Problem]]]] = {
    "ris": ris.stream_text,
}
# Formats whose BOM-less UTF-16 we accept: spreadsheet-style exports (Excel's 'Unicode Text',
# Web of Science's Windows tab-delimited). A tagged or BibTeX file in BOM-less UTF-16 is not
# something any database writes, so it is refused rather than guessed at.
_UTF16_WITHOUT_BOM_FORMATS = {"csv"}


def parse(
    data: bytes, *, format: str = "auto", filename: str = "", encoding: str = "auto", limits: FieldLimits | None = None
) -> ParseResult:
    """Decode, detect (unless `format` is given), parse. Raises ImportFileError for an unusable file.

    The format always comes from the content, never from `filename`'s extension; callers put the
    file name in front of an ImportFileError's message themselves.
    """
    stream = parse_stream(data, format=format, filename=filename, encoding=encoding, limits=limits)
    with _collector_paused():
        records = list(stream)
    return ParseResult(
        format=stream.format,
        encoding=stream.encoding,
        database=stream.database,
        records=records,
        problems=stream.problems,
        encoding_certain=stream.encoding_certain,
    )


class ParseStream:
    """A file being parsed: iterate it once for its records; problems and the file's database are complete after.

    For large RIS files the records are read one at a time, so the import can store each batch while the next one
    is read (PostgreSQL works on the stored rows in its own process meanwhile), and the whole file's records never
    sit in memory together. Errors that make the whole file unusable (ImportFileError) may come from the iteration.
    """

    def __init__(
        self,
        *,
        format: str,
        encoding: str,
        text: str,
        records: Iterator[ParsedRecord],
        problems: list[Problem],
        encoding_certain: bool = True,
        limits: FieldLimits | None = None,
    ) -> None:
        self.format = format
        self.encoding = encoding
        self.encoding_certain = encoding_certain
        # When the encoding was a judgement: the first lines whose characters depend on it, for the preview.
        self.encoding_lines = [] if encoding_certain else non_ascii_lines(text)
        self.problems = problems
        self.limits = limits or FieldLimits()
        self.count = 0
        self._text: str | None = text
        self._records: Iterator[ParsedRecord] | None = records
        self._sources: dict[str, int] = {}
        self._database = ""

    def __iter__(self) -> Iterator[ParsedRecord]:
        records, self._records = self._records, None
        if records is None:
            raise RuntimeError("A parse stream can be read only once")
        sources = self._sources
        limits, problems = self.limits, self.problems
        for record in records:
            self.count += 1
            capped = cap_record(record, limits)
            if capped:
                problems.extend(capped)
            if record.source_database:
                sources[record.source_database] = sources.get(record.source_database, 0) + 1
            yield record
        assert self._text is not None
        self._database = _file_database(self.format, self._text, self.count, sources)
        self._text = None  # the decoded file is no longer needed

    @property
    def database(self) -> str:
        """The database the file came from ('' when unknown); known once the records are exhausted."""
        if self._text is not None:
            raise RuntimeError("The file's database is known only after all its records are read")
        return self._database


def parse_stream(
    data: bytes, *, format: str = "auto", filename: str = "", encoding: str = "auto", limits: FieldLimits | None = None
) -> ParseStream:
    """Decode and detect now (an unreadable file fails here), then parse as the records are read.

    `encoding` 'auto' decides from the bytes; another name (see ENCODING_CHOICES) is what the person chose.
    Fields over `limits` are cut, with a warning each, as the records are read.
    """
    if encoding != "auto":
        try:
            encoding = encoding_choice(encoding)
        except ValueError as error:
            raise ImportFileError(str(error)) from error
    decoded = decode_text(data, encoding=encoding)
    text = decoded.text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\ufeff" in text:
        # Concatenated exports carry a byte-order mark at the start of every part; left in place
        # it would hide the first 'TY  - ' of each part.
        text = text.replace("\ufeff", "")
    if format == "auto":
        format = detect_format(text)
    elif format not in _PARSERS:
        raise ImportFileError(f"Unknown import format {format!r}: expected one of {', '.join(FORMATS)} or 'auto'")
    bom = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    chosen = encoding != "auto"
    if not bom and not chosen and format not in _UTF16_WITHOUT_BOM_FORMATS and utf16_without_bom(data):
        raise ImportFileError(
            f"The file is UTF-16 text without a byte-order mark, which is only accepted for spreadsheet "
            f"exports (CSV/tab-delimited); this one is {FORMAT_NAMES[format]}. Save it as UTF-8 and import it again, "
            f"or choose {decoded.encoding.upper()} as its encoding"
        )
    streamer = _STREAMERS.get(format)
    if streamer is not None:
        records, problems = streamer(text)
    else:
        with _collector_paused():
            parsed, problems = _PARSERS[format](text)
        records = iter(parsed)
    return ParseStream(
        format=format,
        encoding=decoded.encoding,
        text=text,
        records=records,
        problems=problems,
        encoding_certain=decoded.certain,
        limits=limits,
    )


ENCODING_LINES = 20
_LINE_CHARS = 300


def non_ascii_lines(text: str, *, limit: int = ENCODING_LINES) -> list[dict[str, object]]:
    """The first `limit` lines with a non-ASCII character: [{'line': n, 'text': ...}], each cut near that character."""
    found: list[dict[str, object]] = []
    position = 0
    line = 1
    while len(found) < limit and (match := _NON_ASCII_RE.search(text, position)) is not None:
        start = text.rfind("\n", 0, match.start()) + 1
        line += text.count("\n", position, start)
        end = text.find("\n", match.start())
        end = len(text) if end < 0 else end
        first = max(start, match.start() - _LINE_CHARS // 2)
        shown = text[first : min(end, first + _LINE_CHARS)]
        found.append({"line": line, "text": ("…" if first > start else "") + shown})
        position = end  # the next search starts after this line
    return found


_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


_RIS_PLATFORMS = (
    ("embase.com/search/results", "Embase"),
    ("www.scopus.com/inward/record", "Scopus"),
    ("AN  - WOS:", "Web of Science"),
    ("cochranelibrary.com/central", "Cochrane Library"),
)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file's records are built.

    Parsing allocates millions of small tuples and strings and keeps them all, so each automatic
    collection re-walks everything built so far; the parsers create no reference cycles, so pausing
    it loses nothing and saves a fifth to a quarter of the time on large files.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _file_database(format: str, text: str, count: int, sources: dict[str, int]) -> str:
    if format == "wos":
        return "Web of Science"
    if format == "ris" and count:
        # The platform a file came from outranks what each record says: embase.com exports carry
        # MEDLINE-only records ('DB - Medline') but the search was run in Embase.
        for signature, name in _RIS_PLATFORMS:
            if text.count(signature) * 2 >= count:
                return name
    majority = majority_database(sources, count)
    if majority:
        return majority
    if format == "nbib":
        return "PubMed"
    return ""
