"""Which export format a text is, from its content only (file names lie: MEDLINE arrives as .ris)."""

from __future__ import annotations

import re

from .base import ImportFileError

_SCAN_LINES = 400

_RIS_RE = re.compile(r"^TY {1,2}-[ \t]*\S", re.MULTILINE)
_MEDLINE_RE = re.compile(r"^(PMID|PMC |OWN )- ?\S|^PMC - PMC\d", re.MULTILINE)
_WOS_HEADER_RE = re.compile(r"^FN .*(Web of|ISI|Clarivate|Thomson)", re.MULTILINE | re.IGNORECASE)
_WOS_RECORD_RE = re.compile(r"^PT [A-Z]\s*\n(?:[A-Z][A-Z0-9] .*\n|   .*\n)*?(?:AU|TI|UT) ", re.MULTILINE)
_OVID_RE = re.compile(r"^\s*<\s*\d+\s*\.\s*>\s*$", re.MULTILINE)
_OVID_VN_RE = re.compile(r"^[ \t]*VN {1,2}- ?Ovid", re.MULTILINE)
_COCHRANE_RE = re.compile(r"^Record\s*#\s*\d+\s+of\s+\d+\s*\n(?:\s*\n)*[A-Z]{2,3}: ", re.MULTILINE)
_COCHRANE_ID_RE = re.compile(r"^ID: CN-\d+", re.MULTILINE)
_BIBTEX_RE = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)
_REFER_RE = re.compile(r"^%0 \S.*\n(?:%[A-Z0-9@!#$&()*+^|~\[\]] .*\n)*?%[AT] ", re.MULTILINE)
_REFWORKS_RE = re.compile(r"^(Refworks Export Tagged Format|RT [A-Z][a-z]+)", re.MULTILINE)
_HTML_RE = re.compile(r"^\s*(<!DOCTYPE\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
_XML_RE = re.compile(r"^\s*(<\?xml|<xml>|<records>)")
_CSV_TITLE_RE = re.compile(
    r'(^|[,\t;])"?(=")?(title|article title|document title|ti|primary title|item title)"?"?([,\t;]|$)',
    re.IGNORECASE | re.MULTILINE,
)

FORMAT_NAMES = {
    "ris": "RIS",
    "nbib": "MEDLINE/nbib",
    "endnote-xml": "EndNote XML",
    "bibtex": "BibTeX",
    "csv": "CSV/tab-delimited",
    "wos": "Web of Science plain text",
    "ovid": "Ovid tagged text",
    "cochrane": "Cochrane plain text",
}


def detect_format(text: str) -> str:
    """One of FORMATS, or ImportFileError saying what the start of the file looked like."""
    text = text.lstrip("\ufeff")
    head = text[:200_000].replace("\r\n", "\n").replace("\r", "\n")
    lines = head.split("\n", _SCAN_LINES)[:_SCAN_LINES]
    sample = "\n".join(lines) + "\n"
    first = next((line.strip() for line in lines if line.strip()), "")

    if _HTML_RE.match(head):
        raise ImportFileError(
            "This is an HTML web page, not an export (perhaps a login or error page was saved instead of "
            "the download): export the records again as RIS, MEDLINE, CSV or EndNote XML",
            line=1,
        )
    if _XML_RE.match(head):
        if "<record" in head or "<records" in head:
            return "endnote-xml"
        root = re.search(r"<([A-Za-z][\w:-]*)[\s>]", re.sub(r"<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head[:5000]))
        raise ImportFileError(
            f"This XML file is not an EndNote XML export (root element <{root.group(1) if root else '?'}>): "
            "expected <xml><records><record>...",
            line=1,
        )
    if first.startswith("PT\t") or first.startswith("FN\t"):
        return "csv"  # Web of Science tab-delimited
    if _WOS_HEADER_RE.search(sample) or (first.startswith("PT ") and _WOS_RECORD_RE.search(sample)):
        return "wos"
    if _RIS_RE.search(sample):
        return "ris"
    if _OVID_RE.search(sample) or _OVID_VN_RE.search(sample):
        return "ovid"
    if _MEDLINE_RE.search(sample):
        return "nbib"
    if _COCHRANE_RE.search(sample) or _COCHRANE_ID_RE.search(sample):
        return "cochrane"
    if _BIBTEX_RE.search(sample):
        return "bibtex"
    if _REFER_RE.search(sample):
        raise ImportFileError(
            "This is an EndNote/Refer tagged export ('%0 Journal Article', '%A ...' lines), which is not "
            "supported: export RIS or EndNote XML instead",
            line=1,
        )
    if first.startswith(("[", "{")) and '"' in first[:20]:
        raise ImportFileError(
            "This looks like a JSON export (e.g. CSL JSON), which is not supported: export RIS instead",
            line=1,
        )
    if _REFWORKS_RE.search(sample):
        raise ImportFileError(
            "This is a RefWorks tagged export ('RT ...' lines), which is not supported: export RIS from RefWorks",
            line=1,
        )
    if _CSV_TITLE_RE.search(sample):
        return "csv"
    raise ImportFileError(
        f"Unrecognised export format; the first line is {first[:80]!r}. Expected RIS ('TY  - '), "
        "MEDLINE ('PMID- '), Web of Science ('FN '/'PT '), Ovid ('<1. >'), Cochrane ('Record #1 of N'), "
        "EndNote XML, BibTeX ('@article{') or CSV with a Title column",
        line=1,
    )
