"""Import fidelity, parsers only: every character as in the source or a precise refusal; indented Ovid; field limits."""

# ruff: noqa: RUF001  (curly quotes and dashes are what these tests check)

from __future__ import annotations

import pytest

from review.importers import FieldLimits, ImportFileError, encoding_choice, parse, parse_stream
from tests.review.encoding_fixtures import (
    FORMATS,
    SAMPLES,
    UTF16_SAMPLE,
    Sample,
    export_bytes,
    export_text,
    indented_ovid,
    utf8_with_stray_bytes,
    utf16_without_bom,
)

EXPECTED_ENCODING = {
    "cp1252-smart-punctuation": "cp1252",
    "latin1-accents": "cp1252",  # Windows-1252 reads every Latin-1 letter as Latin-1 does
    "mac-roman": "mac-roman",
    "shift-jis-title": "cp932",
    "gbk-title": "gbk",
}


def assert_exact(data: bytes, sample: Sample, **options: str) -> None:
    result = parse(data, **options)  # type: ignore[arg-type]
    record = result.records[0]
    assert record.title == sample.title
    assert record.authors[0] == sample.author
    assert record.abstract == sample.abstract


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("sample_name", sorted(SAMPLES))
def test_legacy_encoded_export_imports_every_character(format: str, sample_name: str) -> None:
    data, sample = export_bytes(format, sample_name)
    stream = parse_stream(data)
    records = list(stream)
    assert stream.format == format
    assert (stream.encoding, stream.encoding_certain) == (EXPECTED_ENCODING[sample_name], False)
    assert (records[0].title, records[0].authors[0], records[0].abstract) == (
        sample.title,
        sample.author,
        sample.abstract,
    )
    # The encoding was a judgement: the preview gets the lines whose characters depend on it, as read.
    title_lines = [line for line in stream.encoding_lines if sample.title in str(line["text"])]
    assert title_lines, stream.encoding_lines


def test_windows_1252_text_is_not_read_as_a_baltic_code_page() -> None:
    text = "TY  - JOUR\nTI  - “Café” naïve résumé — it’s here\nER  - \n"
    result = parse(text.encode("cp1252"))
    assert result.records[0].title == "“Café” naïve résumé — it’s here"
    assert result.encoding == "cp1252"


def test_utf8_file_is_certain_and_lists_no_lines() -> None:
    stream = parse_stream("TY  - JOUR\nTI  - Café\nER  - \n".encode())
    assert (stream.encoding, stream.encoding_certain, stream.encoding_lines) == ("utf-8", True, [])


@pytest.mark.parametrize("byte_order", ["le", "be"])
def test_utf16_without_bom_csv_imports_every_character(byte_order: str) -> None:
    assert_exact(utf16_without_bom("csv", byte_order), UTF16_SAMPLE)


@pytest.mark.parametrize("byte_order", ["le", "be"])
@pytest.mark.parametrize("format", [f for f in FORMATS if f != "csv"])
def test_utf16_without_bom_tagged_export_is_refused_unless_the_encoding_is_chosen(format: str, byte_order: str) -> None:
    data = utf16_without_bom(format, byte_order)
    with pytest.raises(ImportFileError) as error:
        parse(data)
    assert "UTF-16 text without a byte-order mark" in error.value.message
    assert f"choose UTF-16-{byte_order.upper()} as its encoding" in error.value.message
    assert_exact(data, UTF16_SAMPLE, encoding=f"utf-16-{byte_order}")


@pytest.mark.parametrize("format", FORMATS)
def test_utf8_with_stray_bytes_is_refused_naming_the_byte_and_line(format: str) -> None:
    data = utf8_with_stray_bytes(format)
    with pytest.raises(ImportFileError) as error:
        parse(data)
    message = error.value.message
    assert "2 bytes are not valid UTF-8" in message
    assert "the first byte 0xE9 at offset" in message and "café caf'" in message  # the text just before it
    assert "mixes encodings" in message
    assert error.value.line == data[: data.index(b"\xe9 na")].count(b"\n") + 1


def test_utf8_with_stray_bytes_reads_as_the_encoding_the_lead_chooses() -> None:
    data = utf8_with_stray_bytes("ris")
    # Windows-1252 cannot read the UTF-8 closing quote (E2 80 9D): refused, naming the byte.
    with pytest.raises(ImportFileError, match="byte 0x9D at offset 47"):
        parse(data, encoding="cp1252")
    # The choice is the lead's: Latin-1 reads the stray bytes as written, the UTF-8 ones as what they are in it.
    stream = parse_stream(data, encoding="latin-1")
    record = next(iter(stream))
    assert record.abstract.endswith("café naïve")
    assert record.title.startswith("CafÃ©")
    assert (stream.encoding, stream.encoding_certain) == ("iso8859-1", False)
    assert stream.encoding_lines[0] == {"line": 2, "text": "TI  - " + record.title}


def test_japanese_title_without_kana_is_refused_rather_than_guessed() -> None:
    data = "TY  - JOUR\nTI  - 高齢者認知症\nER  - \n".encode("cp932")
    with pytest.raises(ImportFileError) as error:
        parse(data)
    assert "cannot be read as UTF-8: byte 0x8D" in error.value.message
    assert "choose the encoding" in error.value.message
    assert error.value.line == 2
    assert parse(data, encoding="shift_jis").records[0].title == "高齢者認知症"


def test_chosen_encoding_that_cannot_read_the_bytes_is_refused_with_the_line() -> None:
    data = "TY  - JOUR\nTI  - Café\nER  - \n".encode("cp1252")
    with pytest.raises(ImportFileError) as error:
        parse(data, encoding="utf-8")
    assert error.value.message.startswith("The file cannot be read as UTF-8: byte 0xE9")
    assert error.value.line == 2


@pytest.mark.parametrize("name", ["rot13", "cp775", "utf-32", "base64", "no such thing"])
def test_unsupported_encoding_choice_is_refused_naming_the_accepted_ones(name: str) -> None:
    with pytest.raises(ValueError, match="choose one of utf-8, utf-16-le"):
        encoding_choice(name)
    with pytest.raises(ImportFileError, match="Unknown or unsupported encoding"):
        parse(b"TY  - JOUR\nTI  - T\nER  - \n", encoding=name)


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [("windows-1252", "cp1252"), ("latin-1", "iso8859-1"), ("Shift_JIS", "cp932"), ("macroman", "mac-roman")],
)
def test_encoding_aliases_are_accepted(alias: str, canonical: str) -> None:
    assert encoding_choice(alias) == canonical


def test_encoding_the_file_declares_is_used_and_certain() -> None:
    xml = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<xml><records><record>'
        "<titles><title>Caf\xe9 na\xefve</title></titles></record></records></xml>\n"
    ).encode("latin-1")
    stream = parse_stream(xml)
    assert [record.title for record in stream] == ["Café naïve"]
    assert (stream.encoding, stream.encoding_certain) == ("iso8859-1", True)


def test_indented_ovid_export_with_indented_record_headers_is_read() -> None:
    data = indented_ovid(3)
    result = parse(data)
    assert result.format == "ovid"
    assert [r.title for r in result.records] == [f"Indented record {n}: a study of wrapped titles." for n in (1, 2, 3)]
    assert [r.year for r in result.records] == [2021, 2022, 2023]
    assert result.records[0].raw[:3] == [("VN", "Ovid Technologies"), ("DB", "Embase"), ("UI", "620000001")]
    assert result.problems == []
    # The same export without the indentation gives the same records.
    flush = b"\n".join(line[1:] if line.startswith(b" ") else line for line in data.split(b"\n"))
    assert [r.raw for r in parse(flush).records] == [r.raw for r in result.records]


def test_indented_ovid_export_with_crlf_and_headers_only_indented() -> None:
    data = b" <7. >\r\nVN  - Ovid Technologies\r\nTI  - Seventh record\r\nYR  - 2020\r\n\r\n <8. >\r\nTI  - Eighth\r\n"
    result = parse(data)
    assert [r.title for r in result.records] == ["Seventh record", "Eighth"]


def test_title_over_the_limit_is_cut_with_a_warning_naming_record_and_field() -> None:
    huge = "A" * (20 * 1024 * 1024)
    data = f"TY  - JOUR\nTI  - Normal\nER  - \nTY  - JOUR\nTI  - {huge}\nAB  - Short.\nER  - \n".encode()
    result = parse(data)  # the default limits
    first, second = result.records
    assert first.title == "Normal"
    assert len(second.title) == 10_000 and second.title == huge[:10_000]
    assert second.abstract == "Short."
    assert dict(second.raw)["TI"] == huge[:1_000_000]
    warnings = [(p.severity, p.record, p.line, p.message) for p in result.problems]
    assert (
        "warning",
        2,
        4,
        "The title has 20,971,520 characters, over the limit of 10,000: only its first 10,000 are imported "
        "(the uploaded file keeps the whole value)",
    ) in warnings
    assert any("original field 'TI' has 20,971,520 characters" in w[3] for w in warnings)


def test_field_limits_apply_to_every_field_and_list_entry() -> None:
    data = b"TY  - JOUR\nTI  - Title\nAU  - " + b"B" * 500 + b"\nKW  - " + b"k" * 400 + b"\nER  - \n"
    result = parse(data, limits=FieldLimits(title=100, other=300))
    record = result.records[0]
    assert record.authors == ["B" * 300] and record.keywords == ["k" * 300]
    assert all(len(value) <= 300 for _, value in record.raw)
    messages = [p.message for p in result.problems]
    assert any(m.startswith("The authors entry has 500 characters") for m in messages)
    assert any(m.startswith("The keywords entry has 400 characters") for m in messages)


def test_fields_within_the_limits_are_untouched_and_unreported() -> None:
    data, sample = export_bytes("ris", "cp1252-smart-punctuation")
    result = parse(data, limits=FieldLimits(title=len(sample.title), other=len(sample.abstract)))
    assert result.records[0].title == sample.title and result.problems == []


def test_large_file_is_judged_on_its_non_ascii_lines_wherever_they_are() -> None:
    ascii_records = "".join(f"TY  - JOUR\nTI  - Plain record {n}\nER  - \n" for n in range(60_000))
    data, sample = export_bytes("ris", "mac-roman")
    big = ascii_records.encode() + data + b"TY  - JOUR\nAB  - " + b"word " * 300_000 + b"\nER  - \n"
    assert len(big) > 2 * 1024 * 1024
    result = parse(big)
    assert result.encoding == "mac-roman"
    assert result.records[60_000].title == sample.title


@pytest.mark.parametrize("format", FORMATS)
def test_every_format_caps_a_title_over_the_limit(format: str) -> None:
    huge = "wordy words " * 20_000
    data = export_text(format, Sample(title=huge.strip(), author="Smith, J", abstract="Short")).encode()
    result = parse(data, limits=FieldLimits(title=1_000, other=100_000))
    record = result.records[0]
    assert record.title == huge[:1_000] and record.abstract == "Short"
    assert all(len(value) <= 100_000 for _, value in record.raw)
    assert result.problems[0].message.startswith("The title has 239,999 characters, over the limit of 1,000")
    assert (result.problems[0].record, result.problems[0].line) == (1, record.line)


@pytest.mark.parametrize(
    "title",
    [
        "Patients don´t adhere: ÉCOLE and DÜSSELDORF cohorts",
        "Brand™ device at 5 °C, 10 µg × 3",
        "Łódź",  # Windows-1250 text: read as Windows-1252 but flagged, so the lead sees the line and can choose
    ],
)
def test_western_text_stays_windows_1252_unless_mac_roman_is_evident(title: str) -> None:
    data = f"TY  - JOUR\nTI  - {title}\nER  - \n".encode("cp1250" if "Ł" in title else "cp1252")
    stream = parse_stream(data)
    list(stream)
    assert (stream.encoding, stream.encoding_certain) == ("cp1252", False)
    assert stream.encoding_lines[0]["line"] == 2


def test_ovid_export_whose_headers_are_indented_more_than_its_tags() -> None:
    data = b"  <1. >\n VN  - Ovid Technologies\n TI  - A title that\n       wraps.\n YR  - 2020\n"
    record = parse(data).records[0]
    assert (record.title, record.year) == ("A title that wraps.", 2020)
