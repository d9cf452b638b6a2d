"""Pairwise comparison features: how far two records agree, field by field (1 agree, -1 differ, 0 unknown).

scoring.py turns these into a calibrated probability and an outcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Indel
from rapidfuzz.fuzz import ratio

from review.dedup.normalise import Author
from review.dedup.prepare import ROMAN, Prepared

__all__ = ["Features", "features", "title_similarity", "word_substituted"]


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
    issue: int = 0
    page_range: int = 0  # 1 the whole range agrees, -1 it differs (221-8 = 221-228), 0 unknown
    word_swapped: bool = False  # a title word replaced by another word (see word_substituted)


def title_similarity(a: Prepared, b: Prepared) -> float:
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


def _page_range(a: Prepared, b: Prepared, first: int) -> int:
    if first != 1:
        return first
    if not a.last_page or not b.last_page:
        return 0  # one export gives the first page only
    na, nb = a.last_page.lstrip(_LETTERS), b.last_page.lstrip(_LETTERS)
    return 1 if na == nb else -1  # "3-8" against "3-4": two items that start on one page


_PLAIN_ISSUE = re.compile(r"^\(?\d{1,3}(?:\s*[-/]\s*\d{1,3})?\)?$")


def _plain_issue(p: Prepared, other: Prepared) -> bool:
    # Only a plain issue number says anything: exports put article numbers ("791" with no pages, where the other
    # record has page 791), supplements ("3-B", "Suppl 3") and notes ("(11) (no pagination)") in this field too
    # (all seen in asysd_diabetes and sra_stroke).
    if not _PLAIN_ISSUE.match(p.issue):
        return False
    return bool(p.first_page) or p.issue.strip("()") != other.first_page


def _issue(a: Prepared, b: Prepared) -> int:
    if not a.issue_numbers or not b.issue_numbers or not _plain_issue(a, b) or not _plain_issue(b, a):
        return 0
    if a.issue_numbers & b.issue_numbers:
        return 1  # "3" / "3-4" / "3 Suppl": a combined issue or a supplement of it
    return -1


def _volume(a: Prepared, b: Prepared) -> int:
    found = _eq(a.volume, b.volume)
    if found == -1 and (a.volume in b.issue_numbers or b.volume in a.issue_numbers):
        return 0  # "59 (Suppl 1)" exported as volume "1": the supplement number took the volume's place
    return found


def features(a: Prepared, b: Prepared, *, title: float | None = None) -> Features:
    authors, first = _authors(a, b)
    pages = _pages(a, b)
    abstract = None
    if len(a.abstract) >= 100 and len(b.abstract) >= 100:
        abstract = ratio(a.abstract, b.abstract)
    title_value = title_similarity(a, b) if title is None else title
    return Features(
        title=title_value,
        doi=_eq(a.doi, b.doi),
        pmid=_eq(a.pmid, b.pmid),
        year_gap=abs(a.year - b.year) if a.year is not None and b.year is not None else None,
        volume=_volume(a, b),
        pages=pages,
        journal=_journal(a, b),
        authors=authors,
        first_author=first,
        abstract=abstract,
        issue=_issue(a, b),
        page_range=_page_range(a, b, pages),
        word_swapped=title_value < 100 and word_substituted(a, b),
    )


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


def word_substituted(a: Prepared, b: Prepared) -> bool:
    """Does one title have a word where the other has a different word (not a typo, spacing or hyphen)?"""
    only_a = _unmatched(a.tokens, b.tokens, b.title_ns)
    only_b = _unmatched(b.tokens, a.tokens, a.title_ns)
    if not only_a or not only_b or "".join(only_a) == "".join(only_b):
        return False  # a word added or dropped only, or "type II" / "type 2"
    return any(all(ratio(x, y) < 80 for y in only_b) for x in only_a)  # "men" / "women" is 75
