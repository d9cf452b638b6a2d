"""Parsing as a stream: the records one at a time, with exactly the records and problems of a whole parse."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from review.importers import parse, parse_stream

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"

# Every problem the RIS reader reports on its way through a file, each with its record and line.
MESSY_RIS = (
    "Provider: Elsevier\nDatabase: Embase\n\n"
    "TY  - JOUR\nTI  - Opened and never closed\n"
    "TY  - JOUR\nTI  - Closed\nQQ  - unknown\nPY  - someday\nER  - \n"
    "KW  - stranded between records\n"
    "TY  - JOUR\nAU  - Nobody, N.\nER  - \n"
    "TY  - JOUR\nTI  - Last, without an end\n"
)

SAMPLES = {
    **{p.name: p.read_bytes() for p in sorted(FIXTURES.iterdir())},
    "messy.ris": MESSY_RIS.encode(),
    "crlf-bom.ris": b"\xef\xbb\xbf" + MESSY_RIS.replace("\n", "\r\n").encode(),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_streamed_parse_matches_the_whole_parse(name):
    data = SAMPLES[name]
    whole = parse(data, filename=name)
    stream = parse_stream(data, filename=name)
    records = list(stream)
    assert [asdict(r) for r in records] == [asdict(r) for r in whole.records]
    assert [asdict(p) for p in stream.problems] == [asdict(p) for p in whole.problems]
    assert (stream.format, stream.encoding, stream.database, stream.count) == (
        whole.format,
        whole.encoding,
        whole.database,
        len(whole.records),
    )


def test_messy_ris_problems_name_their_records_and_lines():
    stream = parse_stream(MESSY_RIS.encode())
    records = list(stream)
    assert [(r.position, r.line, r.source_database) for r in records] == [
        (1, 4, "Embase"),
        (2, 6, "Embase"),
        (3, 12, "Embase"),
        (4, 15, "Embase"),
    ]
    assert [(p.record, p.line, p.message.split(":")[0]) for p in stream.problems] == [
        (1, 4, "Record has no 'ER  -' end line before the next 'TY  -' on line 6"),
        (2, 8, "Unknown RIS tag 'QQ'"),
        (2, 6, "Unparseable year 'someday'"),
        (None, 11, "Tag 'KW' outside a record (after 'ER  -' and before the next 'TY  -')"),
        (3, 12, "Record has neither a title nor an abstract, so it cannot be screened"),
        (4, 15, "Last record has no 'ER  -' end line"),
    ]


def test_a_stream_is_read_once_and_names_its_database_only_when_read():
    stream = parse_stream((FIXTURES / "embase.ris").read_bytes())
    with pytest.raises(RuntimeError, match="after all its records"):
        stream.database  # noqa: B018
    assert sum(1 for _ in stream) == stream.count > 0
    assert stream.database == "Embase"
    with pytest.raises(RuntimeError, match="only once"):
        list(stream)


def test_unknown_tags_are_reported_in_file_order():
    """Reported in the order they appear, not in a set's hash order, so the same file gives the same problems."""
    text = "TY  - JOUR\nTI  - T\nZZ  - last letter\nQQ  - q\nXA  - x\nER  - \n"
    stream = parse_stream(text.encode())
    list(stream)
    assert [(p.message.split("'")[1], p.line) for p in stream.problems] == [("ZZ", 3), ("QQ", 4), ("XA", 5)]
