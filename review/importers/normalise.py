"""Value helpers shared by every parser: DOI, PMID, year, pages, ISSN/ISBN, authors, source databases."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

DOI_RE = re.compile(r"10\.\d{4,9}/\S+")
# Characters that end a sentence or a markup wrapper rather than belong to the DOI.
_DOI_TRAILING = ".,;:)]}>\"'"
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|2100)(?!\d)")
_PMID_RE = re.compile(r"^\s*(?:pmid\s*[:=]?\s*|pubmed\s+)?(\d{1,9})\s*(?:\[pmid\])?\s*$", re.IGNORECASE)
_PMCID_RE = re.compile(r"\bPMC\d{3,10}\b")
_ISSN_RE = re.compile(r"(?<![\dXx-])(\d{4})-?(\d{3}[\dXx])(?![\dXx-])")
_PLAIN_ISSN_RE = re.compile(r"\d{4}-\d{3}[\dXx]")
_ISBN_RE = re.compile(r"(?<![\d-])(97[89][\d -]{10,14}|\d[\d -]{8,11}[\dXx])(?![\d])")
_DASHES_RE = re.compile(r"\s*(?:--|[\u2010-\u2015\u2212])\s*")
_HTML_SPACE_RE = re.compile(r"\s+")


def doi_from(value: str) -> str:
    """The first DOI in a value (bare, doi:, dx.doi.org or doi.org URL, percent-encoded link), normalised."""
    if "10." not in value:
        return ""
    if "%2" in value:  # '10.1038%2Fs41467...' inside a link resolver URL
        value = unquote(value)
    value = value.replace("\\_", "_")  # BibTeX escapes
    match = DOI_RE.search(value)
    if not match:
        return ""
    doi = match.group(0)
    # A DOI glued to a following tag or URL parameter: the URL parameter is not part of the DOI.
    for stop in ("&", "[doi]"):
        cut = doi.find(stop)
        if cut > 0:
            doi = doi[:cut]
    return _trim_doi(doi).lower()


def _trim_doi(doi: str) -> str:
    """Drop trailing punctuation, but keep a closing bracket that closes one inside the DOI."""
    while doi and doi[-1] in _DOI_TRAILING:
        closing = doi[-1]
        opening = {")": "(", "]": "[", ">": "<", "}": "{"}.get(closing)
        if opening and doi.count(opening) >= doi.count(closing):
            break
        doi = doi[:-1]
    return doi


def value_is_doi(value: str) -> bool:
    """True when the whole value is a DOI (used for fields that only sometimes carry one, like N1)."""
    stripped = value.strip().lower()
    for prefix in ("doi:", "https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/"):
        if stripped.startswith(prefix):
            stripped = stripped[len(prefix) :].strip()
    return bool(DOI_RE.fullmatch(stripped.rstrip(_DOI_TRAILING)))


def pmid_from(value: str) -> str:
    """A PubMed id from '12345678', 'PUBMED 12345678', '12345678 [PMID]' or 'PMID: 12345678'."""
    match = _PMID_RE.match(value)
    if not match:
        return ""
    pmid = match.group(1).lstrip("0")
    return pmid


_PMID_URL_RES = (
    re.compile(r"pubmed\.ncbi\.nlm\.nih\.gov/(\d{1,8})\b"),
    re.compile(r"ncbi\.nlm\.nih\.gov/pubmed/(\d{1,8})\b"),
    re.compile(r"[?&]id=pmid:(\d{1,8})\b"),
    # Ovid links name the MEDLINE segment ('D=medl', 'D=medp', 'D=prem') and the PMID as AN.
    re.compile(r"ovid\.com/.*[?&]D=(?:med\w*|prem)\b.*[?&]AN=(\d{1,8})\b"),
)


def pmid_from_url(value: str) -> str:
    """A PubMed id carried by a link: PubMed itself, OpenURL 'id=pmid:', Ovid MEDLINE links."""
    if "pubmed" not in value and "pmid" not in value and "ovid" not in value:
        return ""
    for pattern in _PMID_URL_RES:
        match = pattern.search(value)
        if match:
            return match.group(1)
    return ""


def pmcid_from(value: str) -> str:
    match = _PMCID_RE.search(value)
    return match.group(0) if match else ""


def year_from(value: str) -> int | None:
    if len(value) == 4 and value.isdigit():  # the usual 'PY  - 2019', without a regex
        year = int(value)
        return year if 1500 <= year <= 2100 else None
    match = _YEAR_RE.search(value)
    return int(match.group(1)) if match else None


def pages_from(start: str, end: str = "") -> str:
    """'start-end' when both ends are known; a single page or article number otherwise."""
    start = start.strip()
    end = end.strip()
    if not start.isdigit():
        start = _DASHES_RE.sub("-", start)
    if not end.isdigit():
        end = _DASHES_RE.sub("-", end)
    if end and start and "-" not in start and end != start:
        return f"{start}-{end}"
    return start or end


@lru_cache(maxsize=4096)
def _issns_and_isbns(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    issns, isbns = _split_issns_and_isbns(value)
    return tuple(issns), tuple(isbns)


def issns_and_isbns(value: str) -> tuple[list[str], list[str]]:
    """Split an SN/IS field: ISSNs ('1759-8486 (Electronic)'), ISBNs ('978-1-303-52924-5')."""
    if len(value) == 9 and _PLAIN_ISSN_RE.fullmatch(value):  # the usual case, without the general parse
        return [value.upper()], []
    issns, isbns = _issns_and_isbns(value)  # journals repeat across a file: cache the parse
    return list(issns), list(isbns)


def _split_issns_and_isbns(value: str) -> tuple[list[str], list[str]]:
    """Split an SN/IS field: ISSNs ('1759-8486 (Electronic)'), ISBNs ('978-1-303-52924-5')."""
    issns: list[str] = []
    isbns: list[str] = []
    for part in re.split(r"[;,\n]|\s{2,}", value):
        part = part.strip()
        if not part:
            continue
        digits = re.sub(r"[^\dXx]", "", part.split("(")[0])
        if len(digits) in (10, 13) and not _ISSN_RE.fullmatch(part.split("(")[0].strip()):
            isbns.append(digits.upper())
            continue
        for match in _ISSN_RE.finditer(part):
            issn = f"{match.group(1)}-{match.group(2).upper()}"
            if issn not in issns:
                issns.append(issn)
    return issns, isbns


def add_unique(target: list[str], value: str) -> None:
    value = value.strip()
    if value and value not in target:
        target.append(value)


def collapse_space(value: str) -> str:
    if "  " in value or "\n" in value or "\t" in value or "\r" in value:
        return _HTML_SPACE_RE.sub(" ", value).strip()
    return value.strip()


_INITIALS_AUTHOR_RE = re.compile(r"^[^\W\d][\w'\u2019\-. ]*\s[A-Z][A-Za-z.\-]{0,6}\.?$")


def split_authors(value: str) -> list[str]:
    """Split a one-cell author list: 'A, B; C, D' or Scopus/Embase 'Liu R., Adler D.G.'."""
    value = value.strip()
    if not value:
        return []
    if ";" in value:
        return [a.strip() for a in value.split(";") if a.strip()]
    parts = [p.strip() for p in value.split(",") if p.strip()]
    # 'Surname I.' items separated by commas; a single 'Surname, Given' has no initials-only items.
    if len(parts) > 1 and all(_INITIALS_AUTHOR_RE.match(p) for p in parts):
        return parts
    return [value]


# EBSCOhost database codes, as found in DB/DP tags and in 'db=' URL parameters.
EBSCO_CODES = {
    "ccm": "CINAHL",
    "rzh": "CINAHL",
    "cin20": "CINAHL",
    "c8h": "CINAHL",
    "aph": "Academic Search Premier",
    "a9h": "Academic Search Complete",
    "asn": "Academic Search Ultimate",
    "psyh": "PsycINFO",
    "pdh": "PsycARTICLES",
    "eric": "ERIC",
    "cmedm": "MEDLINE",
    "mdc": "MEDLINE",
    "mnh": "MEDLINE",
    "ecn": "EconLit",
    "eoh": "EconLit",
    "bth": "Business Source Premier",
    "buh": "Business Source Complete",
    "sph": "SPORTDiscus",
    "s3h": "SPORTDiscus",
    "hch": "Health Source",
    "nyh": "Health Source",
    "lxh": "Library, Information Science & Technology Abstracts",
    "ssf": "Social Sciences Full Text",
    "sih": "SocINDEX",
    "awn": "Agricola",
    "gnh": "GreenFILE",
    "afh": "Humanities International Complete",
}

# Substrings of free-text database names, most specific first.
_DATABASE_NAMES = (
    ("cinahl", "CINAHL"),
    ("psycinfo", "PsycINFO"),
    ("psycinfo", "PsycINFO"),
    ("psychinfo", "PsycINFO"),
    ("psycarticles", "PsycARTICLES"),
    ("embase", "Embase"),
    ("medline", "MEDLINE"),
    ("pubmed", "PubMed"),
    ("nlm", "PubMed"),
    ("web of science", "Web of Science"),
    ("web of knowledge", "Web of Science"),
    ("scopus", "Scopus"),
    ("cochrane", "Cochrane Library"),
    ("central", "Cochrane Library"),
    ("econlit", "EconLit"),
    ("eric", "ERIC"),
    ("zoological record", "Zoological Record"),
    ("biosis", "BIOSIS"),
    ("inspec", "Inspec"),
    ("proquest", "ProQuest"),
    ("jstor", "JSTOR"),
    ("academic search", "Academic Search"),
    ("dimensions", "Dimensions"),
    ("sportdiscus", "SPORTDiscus"),
    ("global health", "Global Health"),
)


@lru_cache(maxsize=1024)
def database_name(value: str) -> str:
    """A canonical database name for a DB/DP value ('psyh', 'APA PsycInfo <2021>', 'Ovid MEDLINE(R)')."""
    value = re.sub(r"<[^>]*>", "", value).strip()
    if not value:
        return ""
    code = value.lower()
    if code in EBSCO_CODES:
        return EBSCO_CODES[code]
    for needle, name in _DATABASE_NAMES:
        if needle == "eric" or needle == "nlm" or needle == "central":
            if re.search(rf"\b{needle}\b", code):
                return name
        elif needle in code:
            return name
    return value


_PLATFORM_NAMES = {"ebscohost", "ebsco", "ovid technologies", "ovid", "proquest llc", "clarivate", "elsevier"}


def is_provider(value: str) -> bool:
    """DP/VN values that name a platform, not a database."""
    return value.strip().lower() in _PLATFORM_NAMES


def majority_database(counts: dict[str, int], records: int) -> str:
    """The file's database: the source most records name (`counts` by name, of `records`), if half of them do."""
    if not counts:
        return ""
    best, count = max(counts.items(), key=lambda item: item[1])
    return best if count * 2 >= records else ""


_COPYRIGHT_RE = re.compile(
    r"^\s*(copyright\b|©|\(c\)\s)|\bis the property of\b.*\bcopyright holder",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_copyright(value: str) -> bool:
    """EBSCO and others append a rights statement as a second abstract; it is not abstract text."""
    if len(value) >= 600:
        return False
    # Substring tests first: they are far cheaper than the regex on every abstract of a large file.
    lowered = value if value.islower() else value.lower()
    if "copyright" not in lowered and "©" not in value and "(c)" not in lowered:
        return False
    return bool(_COPYRIGHT_RE.search(value))
