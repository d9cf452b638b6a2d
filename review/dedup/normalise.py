"""Field normalisation for deduplication.

Every function here is pure and cheap: they run once per record, and the comparison rules only ever see the
normalised forms, so the same work exported by PubMed, Embase and Scopus looks the same to them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "Author",
    "fold",
    "norm_authors",
    "norm_doi",
    "norm_issn",
    "norm_journal",
    "norm_pages",
    "norm_pmid",
    "norm_title",
    "norm_volume",
    "norm_year",
    "title_variants",
]

DOI_RE = re.compile(r"10\.\d{4,9}/\S+")
YEAR_RE = re.compile(r"(1[89]\d\d|20\d\d|2100)")
TAG_RE = re.compile(r"<[^>]{0,40}>")
NON_ALNUM_RE = re.compile(r"[^0-9a-z]+")
SPACES_RE = re.compile(r"\s+")
COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
# A trailing "[Chinese]" or "[Article in German]" says which language the original is in, not what it says.
LANG_TAG_RE = re.compile(
    r"\s*[\[(](?:article in |text in )?[a-z ,]*(?:chinese|german|french|spanish|japanese|russian|italian|"
    r"portuguese|polish|dutch|korean|czech|hungarian|turkish|english abstract|abstract)[a-z ,]*[\])]\s*\.?$",
    re.IGNORECASE,
)
# MEDLINE appends notes about the record to its title: "[Erratum appears in ...]", "[Review] [33 refs]",
# "[Comment in ...]". They describe the database entry, not the work, so they are cut before comparing.
ANNOTATION_RE = re.compile(
    r"\[(?:erratum|comment|review|\d+\s*refs?|corrected|retracted|see |published|update|reprint|"
    r"retraction|expression of concern|summary for patients)",
    re.IGNORECASE,
)
BRACKET_RE = re.compile(r"\[([^\[\]]+)\]")
LEADING_ARTICLE_RE = re.compile(r"^(?:the|a|an) ")

# Databases write both "β-cell" and "beta-cell"; spell the Greek letters out.
GREEK = {
    unicodedata.lookup(f"GREEK SMALL LETTER {name.upper()}"): name
    for name in (
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lamda", "mu",
        "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
    )
}  # fmt: skip
GREEK[unicodedata.lookup("GREEK SMALL LETTER LAMDA")] = "lambda"
GREEK[unicodedata.lookup("MICRO SIGN")] = "mu"
# Letters that NFKD does not decompose into a base letter plus a mark.
SPECIAL = {
    "\N{LATIN SMALL LETTER SHARP S}": "ss", "\N{LATIN SMALL LETTER AE}": "ae",
    "\N{LATIN SMALL LIGATURE OE}": "oe", "\N{LATIN SMALL LETTER O WITH STROKE}": "o",
    "\N{LATIN SMALL LETTER L WITH STROKE}": "l", "\N{LATIN SMALL LETTER D WITH STROKE}": "d",
    "\N{LATIN SMALL LETTER ETH}": "d", "\N{LATIN SMALL LETTER THORN}": "th",
    "\N{LATIN SMALL LETTER DOTLESS I}": "i",
}  # fmt: skip
_FOLD_MAP = {**GREEK, **SPECIAL}
_SPECIAL_RE = re.compile("|".join(map(re.escape, _FOLD_MAP)))


def fold(text: str) -> str:
    """Lower-case ASCII-ish form: diacritics dropped, Greek letters spelt out (databases do both)."""
    if text.isascii():
        return text.lower()
    text = COMBINING_RE.sub("", unicodedata.normalize("NFKD", text.casefold()))
    if text.isascii():
        return text
    return _SPECIAL_RE.sub(lambda m: _FOLD_MAP[m.group(0)], text)


def _clean_markup(text: str) -> str:
    return TAG_RE.sub("", html.unescape(text)) if ("<" in text or "&" in text) else text


def _squash(text: str) -> str:
    """Folded text with punctuation turned into single spaces."""
    return SPACES_RE.sub(" ", NON_ALNUM_RE.sub(" ", fold(text))).strip()


def _title_core(text: str) -> str:
    text = _squash(text)
    return LEADING_ARTICLE_RE.sub("", text)


@lru_cache(maxsize=65536)
def title_variants(raw: str) -> tuple[str, ...]:
    """Normalised forms of one title: the main one first, then alternatives worth comparing.

    MEDLINE wraps an English translation of a foreign title in brackets ("[Effect of ...]"), other databases
    give it bare, some give "Original title [English title]"; comparing each form lets any of them meet.
    """
    text = _clean_markup(raw).strip()
    if "[" in text:
        note = ANNOTATION_RE.search(text)
        if note and note.start() > 0:
            text = text[: note.start()].rstrip(" .")
    if text.endswith(("]", ")", "].", ").")):
        text = LANG_TAG_RE.sub("", text).strip()
    if "[" not in text:
        return (_title_core(text),)
    forms: list[str] = []
    inner = BRACKET_RE.findall(text)
    outside = BRACKET_RE.sub(" ", text).strip(" .")
    if outside and len(_title_core(outside)) >= 3:
        forms.append(_title_core(outside))
        forms.extend(_title_core(part) for part in inner if len(part) > 20)
    else:
        forms.append(_title_core(text.replace("[", " ").replace("]", " ")))
    whole = _title_core(text.replace("[", " ").replace("]", " "))
    if whole not in forms:
        forms.append(whole)
    unique: list[str] = []
    for form in forms:
        if form and form not in unique:
            unique.append(form)
    return tuple(unique) or ("",)


def norm_title(raw: str) -> str:
    """The main normalised title (see title_variants)."""
    return title_variants(raw)[0]


def norm_doi(raw: str) -> str:
    """Bare lower-case DOI, wherever it hides (URL forms, 'doi:' prefixes, percent escapes)."""
    if not raw:
        return ""
    text = raw.strip()
    if "%" in text:
        text = re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text)
    match = DOI_RE.search(text)
    if not match:
        return ""
    doi = match.group(0).lower().rstrip(".,;]}>\"'")
    while doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1].rstrip(".,;")  # "(doi:10.1/x)" loses its bracket, "10.1016/s0140-6736(20)" keeps it
    return doi


def norm_pmid(raw: str | int | None) -> str:
    if raw is None:
        return ""
    digits = re.search(r"\d{1,9}", str(raw))
    return digits.group(0).lstrip("0") if digits else ""


def norm_year(raw: int | str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, int):
        return raw if 1800 <= raw <= 2100 else None
    match = YEAR_RE.search(str(raw))
    return int(match.group(1)) if match else None


def norm_volume(raw: str) -> str:
    """The volume number alone: '32 (Supplement 3)' -> '32'; a lone '1)' is an export fault, not a volume."""
    text = raw.strip()
    match = re.match(r"^\s*([A-Za-z]?\d+)\b(?!\))", text)
    return match.group(1).lower().lstrip("0") if match else ""


def norm_issn(raw: str) -> frozenset[str]:
    return frozenset(m.replace("-", "").lower() for m in re.findall(r"\d{4}-?\d{3}[\dXx]", raw or ""))


def norm_pages(raw: str) -> tuple[str, str]:
    """(first, last) page with the last page written in full: '283-98' -> ('283', '298').

    Values Excel has turned into numbers ('2.05031E+15') carry no page and become empty.
    """
    text = fold(raw or "").strip()
    if not text or "e+" in text:
        return ("", "")
    match = re.match(r"^\s*([a-z]{0,3})\s*(\d+)\s*(?:[-\u2013\u2014]+\s*([a-z]{0,3})\s*(\d+))?", text)
    if not match:
        return ("", "")
    prefix, first, prefix2, last = match.groups()
    first = first.lstrip("0") or "0"
    if last:
        last = last.lstrip("0") or "0"
        if len(last) < len(first) and not prefix2:
            last = first[: len(first) - len(last)] + last
    return (prefix + first, (prefix2 or prefix) + last if last else "")


JOURNAL_STOP = frozenset({"of", "the", "and", "in", "for", "on", "la", "de", "der", "und", "et", "du", "des"})
CONFERENCE_RE = re.compile(
    r"\b(?:conference|congress|meeting|symposium|proceedings|abstracts?|annual|scientific sessions?)\b"
)


def norm_journal(raw: str) -> tuple[str, bool]:
    """(journal tokens without stop words, looks like a conference) for full and abbreviated names alike.

    'Microcirculation. Conference: 66th Annual Meeting ...' names the journal first and the meeting after it;
    the journal part is what another database calls the same venue.
    """
    text = fold(_clean_markup(raw or ""))
    conference = bool(CONFERENCE_RE.search(text))
    text = re.split(r"\.\s*(?:conference|congress|meeting)\b|:\s*conference\b", text)[0]
    text = re.sub(r"\([^)]*\)", " ", text)  # "Obesity (Silver Spring)", "Front Endocrinol (Lausanne)"
    text = text.replace("&", " and ")
    tokens = [t for t in _squash(text).split() if t not in JOURNAL_STOP]
    return (" ".join(tokens), conference)


class Author(NamedTuple):
    surname: str
    initials: str
    words: tuple[str, ...] = ()  # every name word: lets "Wu, Ching-yi" meet "Ching-yi, Wu"


_ASYSD_SPLIT_RE = re.compile(r"(?<=\.)\s*(?=[A-Z][a-z'])")
_INITIALS_RE = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")


def _split_authors(raw: str) -> list[str]:
    text = raw.strip()
    if not text:
        return []
    for sep in ("\n", "\r", ";", " and ", " & ", "|"):
        if sep in text:
            return [p for part in text.split(sep) for p in _split_authors(part)]
    if text.count(",") >= 2 or ("," in text and re.search(r"[A-Z]\.?\s*,\s*[A-Z][a-z]", text)):
        # Vancouver style "Smith J, Doe AB" (a single "Smith, J" has one comma and a surname first).
        parts = [p.strip() for p in text.split(",")]
        if all(" " in p for p in parts if p):
            return [p for p in parts if p]
    if re.search(r"\.[A-Z][a-z]", text):
        # Some exports glue "Adeli K.Lewis G. F." together with no separator at all.
        return [p for p in _ASYSD_SPLIT_RE.split(text) if p.strip()]
    return [text]


# Not people: an author list holding only these says nothing about who wrote the work.
NOT_A_PERSON_RE = re.compile(
    r"\b(?:anonymous|anon|unknown|group|consortium|collaborat\w*|investigators|committee|society|association|"
    r"working party|network|study|trial|task force|panel|writing|et al)\b",
    re.IGNORECASE,
)


MAX_AUTHORS = 20
NAME_SUFFIX_RE = re.compile(r"(?:,\s*|\s+)(?:jr|sr|ii|iii|iv|2nd|3rd)\b\.?", re.IGNORECASE)


@lru_cache(maxsize=262144)
def _parse_author(text: str) -> Author | None:
    text = _clean_markup(text).strip(" .,")
    if not text or NOT_A_PERSON_RE.search(text):
        return None
    text = NAME_SUFFIX_RE.sub("", text).strip(" .,")  # "Wright Jr., T C" / "Wright, Jr"
    if "," in text:
        surname, _, given = text.partition(",")
    else:
        words = text.replace(".", ". ").split()
        tail = len(words)
        while tail > 1 and _INITIALS_RE.match(words[tail - 1].replace(".", "")):
            tail -= 1  # "Lewis G. F.", "Zuna RE": initials after the surname
        if tail < len(words):
            surname, given = " ".join(words[:tail]), " ".join(words[tail:])
        elif len(words) > 1:
            surname, given = words[-1], " ".join(words[:-1])  # "John A Smith"
        else:
            surname, given = text, ""
    given = given.strip()
    if given and given.replace(".", "").replace(" ", "").replace("-", "").isupper() and " " not in given.strip():
        initials = given.replace(".", "").replace("-", "")  # "JA" is two initials, not a name
    else:
        initials = "".join(w[0] for w in re.split(r"[\s.\-]+", given) if w)
    sur = NON_ALNUM_RE.sub("", fold(surname))
    if not sur:
        return None
    # Given names count as name words (for swapped exports); runs of capitals like "JA" are initials.
    given_words = [w for w in re.split(r"[\s.\-]+", given) if len(w) >= 2 and not w.isupper()]
    name_words = tuple(w for w in NON_ALNUM_RE.split(fold(" ".join([surname, *given_words]))) if len(w) >= 2)
    return Author(surname=sur, initials=fold(initials)[:3], words=name_words)


def norm_authors(raw: str | list[str] | tuple[str, ...]) -> tuple[Author, ...]:
    """Authors as (folded surname, initials), whatever the export's list format."""
    pieces = [p for item in raw for p in _split_authors(item)] if isinstance(raw, list | tuple) else None
    if pieces is None:
        pieces = _split_authors(str(raw or ""))
    # The first authors are enough to compare lists, and consortium papers list hundreds.
    parsed = (_parse_author(p) for p in pieces[:MAX_AUTHORS])
    return tuple(a for a in parsed if a is not None)
