"""Pairwise comparison: field similarities, then explicit decision rules.

The rules are written out rather than learnt so that each merge can name the rule that justified it, and so
that a person can see why a pair was (or was not) merged. Their thresholds were set on the developer sets
under one priority: a unique study wrongly merged is far worse than a duplicate left for a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Indel
from rapidfuzz.fuzz import ratio

from review.dedup.model import Outcome
from review.dedup.normalise import Author
from review.dedup.prepare import ROMAN, Prepared

__all__ = ["Features", "compare", "features"]


@dataclass(slots=True)
class Features:
    title: float  # 0..100
    doi: int  # 1 same, -1 different, 0 unknown (a side is missing); the same convention below
    pmid: int
    year_gap: int | None
    volume: int
    pages: int
    journal: int
    authors: int
    first_author: int
    abstract: float | None


def _title_similarity(a: Prepared, b: Prepared) -> float:
    best = Indel.normalized_similarity(a.title_ns, b.title_ns, score_cutoff=0.5) * 100
    if best < 97 and (len(a.titles) > 1 or len(b.titles) > 1):
        for ta in a.titles:
            for tb in b.titles:
                best = max(best, ratio(ta, tb))
    # Both rules below need the titles to start alike; most candidate pairs fail this cheap test.
    if best < 95 and a.title_ns[:16] == b.title_ns[:16]:
        # A title cut short by one export ("... in the ASCUS/LSIL triage") still starts like the full one.
        short, long_ = sorted((a.title_ns, b.title_ns), key=len)
        if len(short) >= 50 and long_.startswith(short[:-3]):
            best = max(best, 95.0)
    if best < 90 and a.title_ns[:16] == b.title_ns[:16]:
        # A subtitle dropped by one database: "Unilateral neglect in stroke[: a comparative study]".
        short, long_ = sorted((a.titles[0], b.titles[0]), key=len)
        if len(short) >= 20 and short.count(" ") >= 3 and long_.startswith(short + " "):
            best = 90.0
    return best


def _journal(a: Prepared, b: Prepared) -> int:
    if not a.journal or not b.journal:
        return 0
    if a.journal == b.journal or (a.issn & b.issn):
        return 1
    ta, tb = a.journal.split(), b.journal.split()
    if len(ta) == len(tb) and all(x.startswith(y) or y.startswith(x) for x, y in zip(ta, tb, strict=True)):
        return 1  # "j am coll cardiol" / "journal american college cardiology"
    short, long_ = sorted((ta, tb), key=len)
    if short == long_[: len(short)] and len(short) >= 1 and len(long_) - len(short) <= 2:
        return 1  # a subtitle or place dropped: "Obesity" / "Obesity Silver Spring"
    if a.journal_initials == b.journal_initials and len(a.journal_initials) >= 3:
        return 1
    return -1


def _same_person(author: Author, other: Prepared) -> bool:
    if author.surname in other.surnames:
        initial = author.initials[:1]
        # "Hansen, D." is not "Hansen, N. A."; a missing initial on either side cannot tell them apart.
        return (
            not initial
            or f"{author.surname} {initial}" in other.author_keys
            or f"{author.surname} " in other.author_keys
        )
    return author.surname in other.name_words  # given name and surname swapped by one export


def _authors(a: Prepared, b: Prepared) -> tuple[int, int]:
    """(list agreement, first-author agreement), each 1 / -1 / 0 (unknown)."""
    if not a.authors or not b.authors:
        return 0, 0
    fa, fb = a.authors[0], b.authors[0]
    if fa.surname == fb.surname or (min(len(fa.surname), len(fb.surname)) >= 4 and ratio(fa.surname, fb.surname) >= 80):
        first = -1 if fa.initials[:1] and fb.initials[:1] and fa.initials[:1] != fb.initials[:1] else 1
    else:
        first = 1 if (fa.surname in fb.words or fb.surname in fa.words) else -1  # names swapped
    small, large = (a, b) if len(a.authors) <= len(b.authors) else (b, a)
    shared = sum(_same_person(x, large) for x in small.authors)
    overlap = shared / len(small.authors)
    if (first == 1 and overlap >= 0.3) or (overlap >= 0.5 and shared >= 2):
        return 1, first
    if shared == 0 and first == -1:
        return -1, first
    return 0, first


def _eq(x: str, y: str) -> int:
    if not x or not y:
        return 0
    return 1 if x == y else -1


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _pages(a: Prepared, b: Prepared) -> int:
    """1 same first page, -1 clearly different pages, 0 unknown or not comparable."""
    if not a.first_page or not b.first_page:
        return 0
    if a.first_page == b.first_page:
        return 1
    na, nb = a.first_page.lstrip(_LETTERS), b.first_page.lstrip(_LETTERS)
    if na == nb:
        return 1  # "E2048" / "2048": one export dropped the supplement prefix
    if (a.first_page[0] in _LETTERS or b.first_page[0] in _LETTERS) and a.first_page[0] != b.first_page[0]:
        return 0  # an article number ("e12724", "a1754") against printed pages: not comparable
    if na == "1" or nb == "1":
        return 0  # "1-6" is often a page count for an online-only article, not a position in an issue
    if _within(a, b) or _within(b, a):
        return 0  # "488" against "487-488": one export gives the last page or a part of the range
    return -1


def _within(a: Prepared, b: Prepared) -> bool:
    try:
        page = int(a.first_page.lstrip(_LETTERS))
        start = int(b.first_page.lstrip(_LETTERS))
        end = int(b.last_page.lstrip(_LETTERS)) if b.last_page else start
    except ValueError:
        return False
    return start <= page <= end


def _volume(a: Prepared, b: Prepared) -> int:
    found = _eq(a.volume, b.volume)
    if found == -1 and (a.volume in b.issue_numbers or b.volume in a.issue_numbers):
        return 0  # "59 (Suppl 1)" exported as volume "1": the supplement number took the volume's place
    return found


def features(a: Prepared, b: Prepared, *, title: float | None = None) -> Features:
    authors, first = _authors(a, b)
    abstract = None
    if len(a.abstract) >= 100 and len(b.abstract) >= 100:
        abstract = ratio(a.abstract, b.abstract)
    return Features(
        title=_title_similarity(a, b) if title is None else title,
        doi=_eq(a.doi, b.doi),
        pmid=_eq(a.pmid, b.pmid),
        year_gap=abs(a.year - b.year) if a.year is not None and b.year is not None else None,
        volume=_volume(a, b),
        pages=_pages(a, b),
        journal=_journal(a, b),
        authors=authors,
        first_author=first,
        abstract=abstract,
    )


def compare(a: Prepared, b: Prepared) -> tuple[Outcome, float, str]:
    """Outcome, a 0..1 score for ordering, and the rule that decided."""
    if a.kind != b.kind:
        return "distinct", 0.0, "kind-differs"  # erratum / reply / comment vs the item it concerns
    title = _title_similarity(a, b)
    same_id = (a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid)
    if title < 70 and not same_id:
        return "distinct", title / 100, "title-differs"  # most candidate pairs end here, cheaply
    f = features(a, b, title=title)
    score = f.title / 100
    if f.pmid == -1:
        return "distinct", score * 0.5, "pmid-conflict"
    # Two parts of a series never share their pages or their abstract; a number lost in export does.
    pinned = (f.pages == 1 and (f.volume == 1 or f.journal == 1)) or (f.abstract is not None and f.abstract >= 95)
    if a.numbers != b.numbers and not pinned:
        # "Phase II" / "Phase III", "type 1" / "type 2", "part 1" / "part 2": one character apart, two works.
        if f.title >= 90 and (same_id or f.authors == 1):
            return "possible", score * 0.8, "title-numbers-differ"
        return "distinct", score * 0.5, "title-numbers-differ"
    year_ok = f.year_gap is None or f.year_gap <= 1
    if f.pmid == 1 or f.doi == 1:
        key = "pmid" if f.pmid == 1 else "doi"
        # One DOI covers every abstract of a journal supplement, so the identifier alone never merges, and
        # a team's abstracts in one supplement can have near-identical titles: text or pages must not differ.
        abstract_conflict = f.abstract is not None and f.abstract < 60
        pinned = f.pages == 1 or (f.abstract is not None and f.abstract >= 90)
        close = f.title >= 95 or (f.title >= 90 and pinned)
        if close and year_ok and f.pages != -1 and not abstract_conflict and (f.authors != -1 or f.pages == 1):
            return "duplicate", min(1.0, score + 0.05), f"{key}+title"
        abstract_ok = f.abstract is None or f.abstract >= 90
        if f.title >= 95 and year_ok and f.authors == 1 and abstract_ok:
            # Pages differ between the online-first and the issue version of the same article.
            return "duplicate", score, f"{key}+title+authors"
        if f.title >= 70:
            return "possible", score, f"{key}-title-differs"
        return "distinct", score * 0.5, f"shared-{key}-different-title"
    return _metadata_rules(a, b, f, score, year_ok)


def _unmatched(tokens: tuple[str, ...], other: tuple[str, ...], other_ns: str) -> list[str]:
    """Tokens (counted with repeats) that the other title lacks, as numbers where they are roman numerals."""
    left = list(other)
    out = []
    for t in tokens:
        if t in left:
            left.remove(t)
        elif len(t) < 4 or t not in other_ns:  # longer words inside the other title are just spelt together
            out.append(ROMAN.get(t, t))
    return out


def _word_substituted(a: Prepared, b: Prepared) -> bool:
    """Does one title have a word where the other has a different word (not a typo, spacing or hyphen)?"""
    only_a = _unmatched(a.tokens, b.tokens, b.title_ns)
    only_b = _unmatched(b.tokens, a.tokens, a.title_ns)
    if not only_a or not only_b or "".join(only_a) == "".join(only_b):
        return False  # a word added or dropped only, or "type II" / "type 2"
    return any(all(ratio(x, y) < 80 for y in only_b) for x in only_a)  # "men" / "women" is 75


def _metadata_rules(a: Prepared, b: Prepared, f: Features, score: float, year_ok: bool) -> tuple[Outcome, float, str]:
    if f.title < 70:
        return "distinct", score, "title-differs"
    abstract_same = f.abstract is not None and f.abstract >= 90
    abstract_differs = f.abstract is not None and f.abstract < 50
    abstract_ok = f.abstract is None or f.abstract >= 90
    abstract_pins = f.abstract is not None and f.abstract >= 95
    hard = []
    if f.doi == -1:
        hard.append("doi")
    if not year_ok:
        hard.append("year")
    if f.pages == -1:
        hard.append("pages")
    if f.volume == -1:
        hard.append("volume")
    if f.authors == -1:
        hard.append("authors")
    # A volume number shared by two different journals is a coincidence, not evidence.
    volume_agrees = f.volume == 1 and f.journal != -1
    both_paged = bool(a.first_page and b.first_page)
    if a.conference != b.conference and f.pages != 1 and not abstract_pins and (both_paged or not volume_agrees):
        # A meeting abstract and the paper that followed are counted as two works; databases disagree on
        # flagging the supplement, so the flag counts only when neither the page nor (a page missing) the
        # volume ties the two together.
        hard.append("conference-vs-article")
    # The year agrees for most different works by one team; it supports only what the venue already does.
    venue = (f.pages == 1) + volume_agrees + (f.journal == 1) + abstract_same
    support = venue + (f.year_gap == 0 and venue > 0)
    generic = a.generic or b.generic
    if hard:
        same_place = f.pages == 1 and (f.volume == 1 or f.journal == 1)
        if hard == ["doi"] and f.title >= 98 and f.authors == 1 and same_place and year_ok and abstract_ok:
            # Everything but the DOI agrees, down to the page: one database stored a wrong DOI.
            return "duplicate", score * 0.95, "title+authors+venue+pages-doi-differs"
        full_range = a.last_page != "" and a.last_page == b.last_page
        if hard == ["authors"] and f.title >= 98 and same_place and f.volume == 1 and full_range and f.year_gap == 0:
            # Two works cannot fill the same page range of one volume: the author list is what got garbled.
            return "duplicate", score * 0.9, "title+venue+page-range-authors-differ"
        if f.title >= 95 and len(hard) == 1 and hard[0] in ("doi", "volume", "authors") and support >= 3:
            return "possible", score * 0.9, f"title-match-{hard[0]}-conflict"
        return "distinct", score * 0.5, "conflict-" + "-".join(hard)
    if f.journal == -1 and f.pages != 1:
        # Same title and team in two journals with nothing else in common: often one abstract presented at
        # two meetings, which the reviews count as two records. A person decides.
        if f.title >= 95 and f.authors == 1:
            return "possible", score * 0.85, "title+authors-different-venue"
        return "distinct", score * 0.5, "different-venue"
    if f.authors == 0 and f.first_author == 0 and generic:
        # Anonymous items with a generic title ("ESICON 2017 Abstracts") are the same only when their text is.
        if f.title >= 95 and abstract_pins and f.volume == 1 and f.journal == 1 and f.year_gap == 0:
            return "duplicate", score * 0.9, "generic-title+abstract+venue"
        return "distinct", score * 0.5, "generic-title-no-authors"
    if f.authors == 0 and f.first_author == 0 and support < 3:
        return ("possible" if f.title >= 95 and not generic else "distinct"), score * 0.8, "no-authors"
    if generic:
        # "Editorial", "Diabetes mellitus": only the bibliographic details can tell these apart.
        pinned = f.pages == 1 or abstract_pins
        if f.title >= 95 and f.authors == 1 and pinned and (f.volume == 1 or f.journal == 1) and year_ok:
            return "duplicate", score, "generic-title+authors+venue+pages"
        if f.title >= 95 and f.authors == 1:
            return "possible", score * 0.9, "generic-title"
        return "distinct", score * 0.5, "generic-title-weak"
    if not (f.pages == 1 or abstract_same) and _word_substituted(a, b):
        # "... in men" / "... in women", "mice" / "rats": a whole word swapped is another paper of the same
        # team more often than an export error, unless the page or the abstract says otherwise.
        return ("possible" if f.authors == 1 else "distinct"), score * 0.85, "title-word-differs"
    if abstract_differs and f.pages != 1:
        return ("possible" if f.title >= 95 and f.authors == 1 else "distinct"), score * 0.8, "abstract-differs"
    if f.title >= 95 and f.authors == 1 and support >= 1:
        return "duplicate", score, "title+authors+venue"
    if f.title >= 95 and f.authors == 0 and support >= 3:
        return "duplicate", score * 0.95, "title+venue+pages"
    if f.title >= 85 and f.authors == 1 and support >= 2 and (f.pages == 1 or volume_agrees or abstract_same):
        # Below 95 the title alone does not separate a team's two papers in one journal and year.
        return "duplicate", score, "close-title+authors+venue"
    if f.title >= 80 and f.authors == 1 and (support >= 3 or (abstract_same and support >= 2)):
        return "duplicate", score, "similar-title+authors+venue+pages"
    if f.title >= 85 and f.authors >= 0:
        return "possible", score * 0.9, "similar-title"
    if f.title >= 75 and f.authors == 1 and support >= 2:
        return "possible", score * 0.9, "related-title+authors"
    return "distinct", score * 0.5, "weak-evidence"
