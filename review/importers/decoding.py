"""Bytes to text: byte-order marks, UTF-16 with or without BOM, legacy encodings, and refusing binaries."""

from __future__ import annotations

import charset_normalizer

from .base import ImportFileError

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


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Raises ImportFileError for empty, binary or undecodable input."""
    if not data:
        raise ImportFileError("The file is empty: expected a database export with at least one record")
    if data.startswith(b"\xef\xbb\xbf"):
        # Decoding with the -sig codecs strips the BOM without copying a large input first.
        text, encoding = _strict(data, "utf-8-sig", "utf-8-sig")
    elif data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise ImportFileError("The file is UTF-32 encoded: save it as UTF-8 or UTF-16 and try again")
    elif data.startswith(b"\xff\xfe"):
        text, encoding = _strict(data, "utf-16", "utf-16-le")
    elif data.startswith(b"\xfe\xff"):
        text, encoding = _strict(data, "utf-16", "utf-16-be")
    else:
        for magic, what in _MAGIC:
            if data.startswith(magic):
                raise ImportFileError(f"The file is {what}, not a text export from a literature database")
        utf16 = utf16_without_bom(data)
        if utf16:
            text, encoding = _strict(data[: len(data) // 2 * 2], utf16, utf16)
        elif b"\x00" in data:
            raise ImportFileError("The file contains NUL bytes and is not UTF-16: it is binary data, not a text export")
        else:
            try:
                text, encoding = data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                text, encoding = _legacy(data)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFileError("The file contains NUL characters: it is binary data, not a text export", line=line)
    if not text or text.isspace():  # (not text.strip(): that would copy a 100 MB text to test it)
        raise ImportFileError("The file contains only blank lines: expected a database export")
    _refuse_control_characters(text)
    return text, encoding


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


def _legacy(data: bytes) -> tuple[str, str]:
    """Not UTF-8: ask charset-normalizer, preferring Windows-1252 when it is as good a guess."""
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ImportFileError(
            "The file is not text in any known encoding: expected a UTF-8, UTF-16 or Windows-1252 export"
        )
    encoding = best.encoding
    # Short Western files get near-miss guesses (cp1250, mac_roman...); cp1252 is what old Windows
    # exporters write, so take it whenever it decodes the bytes.
    if encoding in _WESTERN_CONFUSABLES:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return str(best), encoding.replace("_", "-")


# Guesses charset-normalizer makes for short Western European files that are really Windows-1252.
# Cyrillic, Greek or Asian guesses (cp1251, cp1253, shift_jis...) are kept as they are.
_WESTERN_CONFUSABLES = frozenset(
    {"latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman", "mac_latin2", "cp850", "cp437", "ascii"}
)


def _refuse_control_characters(text: str) -> None:
    sample = text[:_SAMPLE]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\x0b\x0c\x1a")
    if controls > max(8, len(sample) // 50):
        raise ImportFileError(
            f"The file has {controls} control characters in its first {len(sample)} characters: "
            "it looks like binary data, not a text export"
        )
