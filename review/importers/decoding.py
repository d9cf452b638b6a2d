"""Bytes to text: byte-order marks, UTF-16 with or without BOM, legacy encodings (encodings.py), refusing binaries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .base import ImportFileError
from .encodings import ENCODING_CHOICES, encoding_choice, guess_legacy

# Signatures of files people upload by mistake instead of an export.
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document such as .xlsx/.docx)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.xls/.doc)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
)

_SAMPLE = 4096


def utf16_without_bom(data: bytes) -> str:
    """'utf-16-le'/'utf-16-be' when BOM-less bytes are evidently UTF-16 text, '' otherwise.

    Evidence: almost every code unit in the sample has a zero high byte (Latin text), and the
    zero bytes sit on one side only. Binary data has zeros scattered on both sides.
    """
    sample = data[:_SAMPLE]
    if len(sample) < 4 or b"\x00" not in sample:
        return ""
    pairs = len(sample) // 2
    odd_zeros = sample[1 : pairs * 2 : 2].count(0)
    even_zeros = sample[0 : pairs * 2 : 2].count(0)
    if odd_zeros >= 0.9 * pairs and even_zeros == 0:
        return "utf-16-le"
    if even_zeros >= 0.9 * pairs and odd_zeros == 0:
        return "utf-16-be"
    return ""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    # False when the encoding was a judgement (a legacy code page, or the person's own choice of one): the
    # preview then shows the lines whose characters depend on it.
    certain: bool


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Raises ImportFileError for empty, binary or undecodable input."""
    decoded = decode_text(data)
    return decoded.text, decoded.encoding


def decode_text(data: bytes, *, encoding: str = "auto") -> Decoded:
    """The file's text and how it was read: `encoding` 'auto' decides from the bytes, another name is used as given.

    Raises ImportFileError for empty, binary or undecodable input, and for bytes that no likely encoding reads
    as written (UTF-8 with stray bytes of another encoding), naming the first offending byte and its line.
    """
    if not data:
        raise ImportFileError("The file is empty: expected a database export with at least one record")
    decoded = _chosen(data, encoding) if encoding != "auto" else _detected(data)
    text = decoded.text
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFileError("The file contains NUL characters: it is binary data, not a text export", line=line)
    if not text or text.isspace():  # (not text.strip(): that would copy a 100 MB text to test it)
        raise ImportFileError("The file contains only blank lines: expected a database export")
    _refuse_control_characters(text)
    return decoded


def _chosen(data: bytes, encoding: str) -> Decoded:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ImportFileError(f"The file is {what}, not a text export from a literature database")
    codec = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}.get(encoding, encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = data[: len(data) // 2 * 2]
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        message = _undecodable(data, error, ENCODING_CHOICES[encoding])
        raise ImportFileError(message, line=_line_of(data, error.start)) from error
    except LookupError as error:
        raise ImportFileError(f"Unknown encoding {encoding!r}") from error
    if encoding.startswith("utf-16") and text.startswith("\ufeff"):
        text = text[1:]
    return Decoded(text, encoding, certain=encoding == "utf-8" or encoding.startswith("utf-16"))


def _detected(data: bytes) -> Decoded:
    if data.startswith(b"\xef\xbb\xbf"):
        # Decoding with the -sig codecs strips the BOM without copying a large input first.
        return Decoded(*_strict(data, "utf-8-sig", "utf-8-sig"), certain=True)
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise ImportFileError("The file is UTF-32 encoded: save it as UTF-8 or UTF-16 and try again")
    if data.startswith(b"\xff\xfe"):
        return Decoded(*_strict(data, "utf-16", "utf-16-le"), certain=True)
    if data.startswith(b"\xfe\xff"):
        return Decoded(*_strict(data, "utf-16", "utf-16-be"), certain=True)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ImportFileError(f"The file is {what}, not a text export from a literature database")
    utf16 = utf16_without_bom(data)
    if utf16:
        return Decoded(*_strict(data[: len(data) // 2 * 2], utf16, utf16), certain=True)
    if b"\x00" in data:
        raise ImportFileError("The file contains NUL bytes and is not UTF-16: it is binary data, not a text export")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", certain=True)
    except UnicodeDecodeError as error:
        first_error = error
    valid = len(_UTF8_SEQUENCE_RE.findall(data))
    if valid:
        # Real UTF-8 text with a few bytes of another encoding (a record pasted from elsewhere): read as UTF-8 the
        # bad bytes are lost, read as a legacy code page every UTF-8 character turns into two or three wrong ones.
        invalid = data.decode("utf-8", "replace").count("\ufffd") - data.count(b"\xef\xbf\xbd")
        if valid >= 2 * invalid:
            raise ImportFileError(
                f"The file is UTF-8 ({valid} characters are UTF-8 encoded) but {invalid} "
                f"{'byte is' if invalid == 1 else 'bytes are'} not valid UTF-8, the first "
                f"{_context(data, first_error.start)}. It mixes encodings, so no single encoding reads every "
                "character as written: correct those bytes and save the file as UTF-8, or choose the encoding to "
                "read it with",
                line=_line_of(data, first_error.start),
            )
    declared = _declared_encoding(data)
    if declared is not None:
        return declared
    guessed = guess_legacy(data)
    if guessed is None:
        raise ImportFileError(
            _undecodable(data, first_error, "UTF-8")
            + "; nor does it read plausibly as Windows-1252, Mac Roman, Shift-JIS, GBK, Windows-1251 or Windows-1253: "
            "choose the encoding to read it with",
            line=_line_of(data, first_error.start),
        )
    return Decoded(guessed[0], guessed[1], certain=False)


# An encoding the file names for itself: an XML declaration, or the '% Encoding: ...' line JabRef writes.
_DECLARED_RE = re.compile(
    rb"\A\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]{1,40})[\"']|^% *Encoding: *([A-Za-z0-9_.:-]{1,40})",
    re.MULTILINE,
)


def _declared_encoding(data: bytes) -> Decoded | None:
    """The file read with the legacy encoding it declares, when it declares a supported one that reads every byte."""
    match = _DECLARED_RE.search(data[:2048])
    if match is None:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii")
    try:
        encoding = encoding_choice(name)
    except ValueError:
        return None
    if encoding.startswith("utf-"):
        return None  # declared as Unicode but not readable as it: the declaration is wrong
    try:
        return Decoded(data.decode(encoding), encoding, certain=True)
    except UnicodeDecodeError:
        return None


# One well-formed multi-byte UTF-8 character (RFC 3629).
_UTF8_SEQUENCE_RE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _context(data: bytes, offset: int) -> str:
    """'byte 0xE9 at offset 41, after "Caf"': where an undecodable byte is, in words a person can find."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    before = data[max(line_start, offset - 30) : offset].decode("utf-8", "replace").replace("\ufffd", "?")
    return f"byte 0x{data[offset]:02X} at offset {offset}, after {before.strip()!r}"


def _undecodable(data: bytes, error: UnicodeDecodeError, label: str) -> str:
    return f"The file cannot be read as {label}: {_context(data, error.start)} is not a character in {label}"


def _strict(data: bytes, codec: str, label: str) -> tuple[str, str]:
    try:
        return data.decode(codec), label
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1 if codec.startswith("utf-8") else None
        raise ImportFileError(
            f"The file starts like {label} text but byte {error.start} cannot be decoded as {codec}: "
            "save it again as UTF-8",
            line=line,
        ) from error


def _refuse_control_characters(text: str) -> None:
    sample = text[:_SAMPLE]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\x0b\x0c\x1a")
    if controls > max(8, len(sample) // 50):
        raise ImportFileError(
            f"The file has {controls} control characters in its first {len(sample)} characters: "
            "it looks like binary data, not a text export"
        )
