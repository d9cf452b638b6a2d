"""Which legacy encoding a file that is not UTF-8 is in, chosen on evidence rather than a guesser's first pick.

A general-purpose guesser picks whatever code page scores best on a short sample, and for Western European text
that is often one nobody uses (cp775 for a Windows-1252 file with curly quotes, cp1125 for UTF-8 with a stray
byte): every character still decodes, so the stored text silently differs from the file. Here the candidates are
the encodings literature databases and reference managers actually write, and Windows-1252 is taken unless the
evidence for another one is strong:

- Mac Roman, when Windows-1252 reads its accented letters as capitals or symbols inside lower-case words
  ('CafŽ', 'rŽsumŽ') and Mac Roman reads them as lower-case letters;
- a non-Latin encoding (Japanese, Chinese, Cyrillic, Greek), when it reads the non-ASCII bytes as letters of one
  such script standing in words (runs of two or more), which Western text read that way never does: its accented
  letters are single bytes among ASCII letters, so they come out as lone ideographs or Cyrillic letters.

Every choice made here is reported as uncertain: the preview then names it and shows the lines it affects, and the
person can choose another encoding before anything is stored.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# The encodings a person may choose for a file (aliases such as 'windows-1252' or 'latin-1' are accepted and
# mapped to these names), with the names the preview shows.
ENCODING_CHOICES: dict[str, str] = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16 little-endian",
    "utf-16-be": "UTF-16 big-endian",
    "cp1252": "Windows-1252 (Western European)",
    "iso8859-1": "ISO-8859-1 (Latin-1)",
    "iso8859-15": "ISO-8859-15 (Latin-9)",
    "mac-roman": "Mac Roman",
    "cp1250": "Windows-1250 (Central European)",
    "iso8859-2": "ISO-8859-2 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "koi8-r": "KOI8-R (Russian)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp932": "Shift-JIS (Japanese, Windows)",
    "euc-jp": "EUC-JP (Japanese)",
    "gbk": "GBK (Simplified Chinese)",
    "gb18030": "GB18030 (Chinese)",
    "big5": "Big5 (Traditional Chinese)",
    "cp949": "EUC-KR / Windows-949 (Korean)",
}


def encoding_choice(name: str) -> str:
    """The canonical name of an encoding a person chose, or ValueError saying which names are accepted."""
    try:
        canonical = codecs.lookup(name.strip()).name
    except (LookupError, ValueError):
        canonical = ""
    canonical = {"shift_jis": "cp932", "euc_kr": "cp949", "euc_jp": "euc-jp"}.get(canonical, canonical)
    if canonical not in ENCODING_CHOICES:
        raise ValueError(
            f"Unknown or unsupported encoding {name[:40]!r}: choose one of {', '.join(ENCODING_CHOICES)} "
            "(or 'auto' to let the import decide)"
        )
    return canonical


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SCORED = 5000  # non-ASCII characters looked at per candidate: enough evidence, bounded time on a large file
# Curly quotes, dashes, ellipsis, bullet, guillemets and the other signs of Windows-1252 and Latin-1.
_WESTERN_PUNCTUATION = frozenset(
    "\u2019\u2018\u201c\u201d\u201e\u201a\u2013\u2014\u2026\u2022\u00ab\u00bb\u2039\u203a"
    "\u00a1\u00bf\u00b0\u00b7\u00a7\u00a9\u00ae\u2122\u20ac\u00a3\u00a5\u00a2\u00b1\u00d7\u00f7"
    "\u00b5\u00b6\u00b9\u00b2\u00b3\u00bc\u00bd\u00be\u00aa\u00ba"
    "\u00b4"  # the acute accent, which Spanish and Portuguese keyboards give for an apostrophe ('don' U+00B4 't')
)


def western_evidence(text: str) -> tuple[int, int]:
    """(plausible, implausible) counts for the non-ASCII characters of Western European text decoded one way.

    Plausible: lower-case accented letters inside words, capitals at the start of a word, the punctuation
    Windows-1252 adds (curly quotes, dashes). Implausible: a capital or a symbol straight after a lower-case
    letter ('CafŽ', 'donÕt'), control characters, and runs of three or more non-ASCII letters (Cyrillic or Greek
    bytes read as accented Latin letters: 'Ïñèõîëîãè÷åñêàÿ').
    """
    good = bad = 0
    end = len(text)
    for seen, match in enumerate(_NON_ASCII.finditer(text)):
        if seen >= _SCORED:
            break
        i = match.start()
        char = text[i]
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < end else " "
        category = unicodedata.category(char)
        if category[0] == "C":
            bad += 3  # a control character (Latin-1's C1 range) or an unassigned one: not text
        elif category == "Ll":
            if (after.isupper() and after.isalpha()) or _third_in_run(text, i):
                bad += 1  # 'ìHelloî': a lower-case letter glued to a capital is a quote read as a letter
            elif before.isalpha() or after.isalpha():
                good += 1
        elif category == "Lu":
            if (before.isalpha() and before.islower()) or _third_in_run(text, i):
                bad += 1
            elif after.isalpha():
                good += 1
        elif char in _WESTERN_PUNCTUATION or category in ("Zs", "Pd", "Pi", "Pf"):
            good += 1
        elif category in ("Sm", "Sk", "So", "Sc", "Lm", "Lo") and (before.isalpha() or after.isalpha()):
            bad += 1  # 'Caf‡', 'r√sum√': symbols inside words are accented letters of another code page
    return good, bad


def _third_in_run(text: str, i: int) -> bool:
    """Whether text[i] is at least the third non-ASCII letter in a row (Western words have one or two)."""
    return i >= 2 and all(ord(c) > 0x7F and c.isalpha() for c in text[i - 2 : i])


# Unicode blocks of the scripts a non-Latin legacy encoding is taken for, with the encodings that write them.
_SCRIPT_BLOCKS = (
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x3000, 0x30FF),  # CJK punctuation, hiragana, katakana
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xFF01, 0xFF5E),  # full-width ASCII forms
)


def _in_script(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _SCRIPT_BLOCKS)


def script_evidence(text: str) -> tuple[int, int, int]:
    """(non-ASCII characters, of them in a non-Latin script, of those standing next to another one)."""
    total = in_script = in_run = 0
    end = len(text)
    for seen, match in enumerate(_NON_ASCII.finditer(text)):
        if seen >= _SCORED:
            break
        i = match.start()
        char = text[i]
        total += 1
        if not _in_script(char):
            continue
        in_script += 1
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < end else ""
        if (before and _in_script(before)) or (after and _in_script(after)):
            in_run += 1
    return total, in_script, in_run


def _case_breaks(text: str) -> int:
    """Capitals straight after a lower-case letter, among the first non-ASCII characters."""
    breaks = 0
    for seen, match in enumerate(_NON_ASCII.finditer(text)):
        if seen >= _SCORED:
            break
        i = match.start()
        if i and text[i].isupper() and text[i - 1].islower():
            breaks += 1
    return breaks


def _kana_share(text: str) -> float:
    chars = _NON_ASCII.findall(text[:2_000_000])[:_SCORED]
    if not chars:
        return 0.0
    return sum(1 for c in chars if 0x3041 <= ord(c) <= 0x30FF) / len(chars)


def _common_hanzi_share(text: str) -> float:
    """Share of non-ASCII characters in GB2312, the common simplified Chinese set (GBK's everyday part)."""
    chars = _NON_ASCII.findall(text[:2_000_000])[:_SCORED]
    if not chars:
        return 0.0
    common = 0
    for c in chars:
        try:
            c.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common / len(chars)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


# Non-Latin encodings tried, each with the test that tells its text from another's read of the same bytes.
_NON_LATIN = ("cp932", "gbk", "cp1251", "cp1253")


def guess_legacy(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) for bytes that are not UTF-8, or None when no likely encoding reads them plausibly.

    The evidence is weighed on the lines that hold non-ASCII bytes (up to about a megabyte of them), so a large file
    is decoded once, with the encoding chosen.
    """
    for encoding in _ranked(evidence_sample(data)):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue  # a byte beyond the sample this encoding cannot read: the next likely one, if any
    return None


def _ranked(sample: bytes) -> list[str]:
    """The likely encodings of the sample, best first (empty when none reads it plausibly)."""
    western = _strict(sample, "cp1252")
    good, bad = western_evidence(western) if western is not None else (0, 0)
    ranked: list[str] = []
    if western is None or bad or not good:
        ranked.extend(_non_latin_candidates(sample))  # clean Western text beats any reading as another script
    mac_good, mac_bad = western_evidence(sample.decode("mac-roman"))  # every byte is a character in Mac Roman
    if western is None:
        if mac_good > mac_bad:
            ranked.append("mac-roman")
        return ranked
    # Mac Roman only on strong evidence: Windows-1252 reads at least two of its characters as capitals or symbols
    # inside words, Mac Roman reads (nearly) none that way, and reads more of them as letters. One odd character
    # is not enough: a Central European 'Łódź' has one such reading in each.
    if bad >= 2 and mac_bad * 4 <= bad and mac_good - mac_bad > good - bad:
        ranked.append("mac-roman")
    ranked.append("cp1252")
    return ranked


_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_SAMPLE_BYTES = 1 << 20
_SAMPLE_LINE_BYTES = 1 << 16


def evidence_sample(data: bytes) -> bytes:
    """The lines of `data` that hold non-ASCII bytes, joined, up to about _SAMPLE_BYTES (all of a small file).

    A line longer than _SAMPLE_LINE_BYTES is cut at a space: no multi-byte encoding considered here uses the space
    byte inside a character, so the cut never splits one.
    """
    if len(data) <= _SAMPLE_BYTES:
        return data
    parts: list[bytes] = []
    size = 0
    position = 0
    while size < _SAMPLE_BYTES and (match := _HIGH_BYTE.search(data, position)) is not None:
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.start())
        end = len(data) if end < 0 else end
        if end - start > _SAMPLE_LINE_BYTES:
            cut = data.rfind(b" ", match.start(), start + _SAMPLE_LINE_BYTES)
            if cut > match.start():
                end = cut
        parts.append(data[start:end])
        size += end - start
        position = data.find(b"\n", end)
        if position < 0:
            break
    return b"\n".join(parts)


def _non_latin_candidates(data: bytes) -> list[str]:
    """Non-Latin encodings that read `data` with strong evidence, best first."""
    found: list[tuple[float, str]] = []
    for encoding in _NON_LATIN:
        text = _strict(data, encoding)
        if text is None:
            continue
        total, in_script, in_run = script_evidence(text)
        # Strong evidence: at least four non-ASCII characters, nearly all in the script and standing in words.
        if total < 4 or in_script < 0.95 * total or in_run < 0.8 * in_script:
            continue
        if encoding == "cp932":
            share = _kana_share(text)  # Japanese text has kana in nearly every sentence; Chinese none
            if share < 0.05:
                continue
            found.append((1 + share, encoding))
        elif encoding == "gbk":
            share = _common_hanzi_share(text)
            if share < 0.9:
                continue
            found.append((share, encoding))
        else:
            if _case_breaks(text) > 0.05 * in_script:
                continue  # Chinese bytes read as Cyrillic or Greek come out in random case: 'ЦРОДнЙ'
            found.append((in_run / total, encoding))
    found.sort(key=lambda item: -item[0])
    return [encoding for _, encoding in found]
