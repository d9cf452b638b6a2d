"""Small export files built in code, one per text format, in the encodings real exports arrive in.

Each text holds the characters its encoding is known for (curly quotes and dashes of Windows-1252, Latin-1 accents,
Mac Roman, Japanese and Chinese titles), so a test can check every character of the imported record against the
source. Built here rather than copied from real exports, so each file is a few hundred bytes and says what it tests.
"""

# ruff: noqa: RUF001  (the curly quotes and dashes are what these files test)

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """What one record of a fixture says, in Unicode."""

    title: str
    author: str
    abstract: str


SAMPLES: dict[str, tuple[Sample, str]] = {
    # name: (text, the codec that writes the file)
    "cp1252-smart-punctuation": (
        Sample(
            title="The “real” cost of care — a patient’s view – 2019…",
            author="O’Brien, Seán",
            abstract="Costs rose by €5 • a ‘single’ quote; Œuvre and œuvre; 10 ± 2 °C",
        ),
        "cp1252",
    ),
    "latin1-accents": (
        Sample(
            title="Café, naïve résumé: Müller, Ångström, São Paulo, Ñandú, crème brûlée",
            author="Müller, Jürgen",
            abstract="Große Studie über die façade; señor; ½ dose ±2 °C; Æsop, Øresund",
        ),
        "latin-1",
    ),
    "mac-roman": (
        Sample(
            title="Café naïve résumé à la carte: “quoted” — Müller’s façade",
            author="Gonçalves, José",
            abstract="Élan, Ñandú, über, œuvre; l’été à Zürich – “très” chère",
        ),
        "mac-roman",
    ),
    "shift-jis-title": (
        Sample(
            title="日本の高齢者における認知症ケアの質に関する系統的レビュー",
            author="山田, 太郎",
            abstract="本研究では、介護施設の認知症ケアについて検討した。",
        ),
        "cp932",
    ),
    "gbk-title": (
        Sample(
            title="中国农村地区老年人抑郁症状的系统评价与荟萃分析",
            author="王, 伟",
            abstract="本研究系统评价了农村老年人的抑郁症状。",
        ),
        "gbk",
    ),
}

# Text for the UTF-16 files: Western accents and punctuation, which UTF-16 writes with a zero byte beside most.
UTF16_SAMPLE = Sample(
    title="Café résumé — “quoted” naïveté",
    author="Müller, Jürgen",
    abstract="Große Studie; l’été à Zürich",
)

FORMATS = ("ris", "nbib", "endnote-xml", "bibtex", "csv", "wos", "ovid", "cochrane")


def export_text(format: str, sample: Sample) -> str:
    """One record in `format`, holding the sample's title, author and abstract exactly."""
    t, a, ab = sample.title, sample.author, sample.abstract
    if format == "ris":
        return f"TY  - JOUR\nTI  - {t}\nAU  - {a}\nAB  - {ab}\nPY  - 2021\nER  - \n"
    if format == "nbib":
        return f"PMID- 12345678\nOWN - NLM\nTI  - {t}\nAB  - {ab}\nFAU - {a}\nAU  - X\nDP  - 2021\n"
    if format == "endnote-xml":
        return (
            '<?xml version="1.0"?>\n<xml><records><record><ref-type name="Journal Article">17</ref-type>'
            f"<contributors><authors><author>{a}</author></authors></contributors>"
            f"<titles><title>{t}</title></titles><abstract>{ab}</abstract>"
            "<dates><year>2021</year></dates></record></records></xml>\n"
        )
    if format == "bibtex":
        return (
            f"@article{{key2021,\n  title = {{{t}}},\n  author = {{{a}}},\n  abstract = {{{ab}}},\n  year = 2021\n}}\n"
        )
    if format == "csv":
        return f'Title,Authors,Abstract,Year\n"{t}","{a}","{ab}",2021\n'
    if format == "wos":
        return f"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU {a}\nTI {t}\nAB {ab}\nPY 2021\nER\n\nEF\n"
    if format == "ovid":
        return f"<1. >\nVN  - Ovid Technologies\nDB  - Embase\nTI  - {t}\nAU  - {a}\nAB  - {ab}\nYR  - 2021\n"
    if format == "cochrane":
        return f"Record #1 of 1\nID: CN-01234567\nAU: {a}\nTI: {t}\nYR: 2021\nAB: {ab}\n"
    raise ValueError(format)


def export_bytes(format: str, sample_name: str) -> tuple[bytes, Sample]:
    sample, codec = SAMPLES[sample_name]
    return export_text(format, sample).encode(codec), sample


def utf16_without_bom(format: str, byte_order: str) -> bytes:
    """The UTF-16 sample in `format`, little- ('le') or big-endian ('be'), with no byte-order mark."""
    return export_text(format, UTF16_SAMPLE).encode(f"utf-16-{byte_order}")


def utf8_with_stray_bytes(format: str) -> bytes:
    """UTF-8 text with two bytes of Windows-1252 pasted in: 'café' written as b'caf\\xe9' in the abstract."""
    sample = Sample(title="Café résumé — “quoted”", author="Müller, Jürgen", abstract="Served in a café STRAY")
    return export_text(format, sample).encode("utf-8").replace(b"STRAY", b"caf\xe9 na\xefve")


def indented_ovid(records: int = 3) -> bytes:
    """An Ovid export as Ovid writes it: every line, record headers '<N. >' included, starts with one space."""
    parts = []
    for n in range(1, records + 1):
        parts.append(
            f" <{n}. >\n VN  - Ovid Technologies\n DB  - Embase\n UI  - 62000000{n}\n"
            f" TI  - Indented record {n}: a study of\n       wrapped titles.\n AU  - Smith J.\n"
            f" AB  - Abstract {n}.\n YR  - 202{n}\n\n"
        )
    return "".join(parts).encode()
