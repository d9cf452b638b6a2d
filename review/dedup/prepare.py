"""One normalised, comparison-ready view of each record, computed once per run."""

from __future__ import annotations

import re
from dataclasses import dataclass

from review.dedup.model import DedupRecord
from review.dedup.normalise import (
    Author,
    fold,
    norm_authors,
    norm_doi,
    norm_issn,
    norm_journal,
    norm_pages,
    norm_pmid,
    norm_volume,
    norm_year,
    title_variants,
)

# What kind of item a title announces. Two records of different kinds are different works even when the
# rest of the title matches ("Erratum: X" corrects "X"; "Reply to X" answers it).
KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("erratum", re.compile(r"^(?:errat(?:um|a)|corrigend(?:um|a)|correction|notice of correction)\b|\berratum$")),
    ("retraction", re.compile(r"^(?:retraction|retracted|notice of retraction|expression of concern|withdrawn)\b")),
    ("reply", re.compile(r"^(?:reply|in reply|author s reply|authors reply|response to|authors response|rebuttal)\b")),
    ("comment", re.compile(r"^(?:comment on|comments on|commentary on|letter to the editor|re )\b")),
)
# Titles that name a genre or a topic rather than a work: a match on them proves nothing by itself.
GENERIC_TITLES = frozenset(
    {
        "editorial", "erratum", "errata", "correction", "corrigendum", "reply", "response", "letter",
        "comment", "commentary", "introduction", "preface", "foreword", "news", "book review", "abstracts",
        "highlights", "in brief", "in this issue", "editor s note", "editors note", "guest editorial",
        "letter to the editor", "authors reply", "author s reply", "reply to letter", "retraction",
        "notice of retraction", "review", "case report", "obituary", "announcement", "conclusion",
        "discussion", "summary", "abstract", "poster", "oral presentation", "untitled", "no title",
    }
)  # fmt: skip
ABSTRACT_CHARS = 400
_NONE: frozenset[str] = frozenset()
ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "xi": "11", "xii": "12"}


@dataclass(slots=True)
class Prepared:
    id: str
    index: int
    titles: tuple[str, ...]  # normalised title forms, main first
    title_ns: str  # main title without spaces: word splits ("ATT enuates") should not count as edits
    tokens: tuple[str, ...]
    token_set: frozenset[str]
    numbers: frozenset[str]  # numbers and roman numerals in the title
    kind: str
    generic: bool
    doi: str
    pmid: str
    year: int | None
    volume: str
    issue_numbers: frozenset[str]
    first_page: str
    last_page: str
    journal: str
    journal_initials: str
    conference: bool
    issn: frozenset[str]
    authors: tuple[Author, ...]
    surnames: frozenset[str]
    author_keys: frozenset[str]  # "surname initial" (initial may be empty)
    name_words: frozenset[str]
    abstract: str
    completeness: tuple[int, int, int]
    other_methods: bool = False


def _kind(title: str) -> str:
    for name, pattern in KIND_PATTERNS:
        if pattern.search(title):
            return name
    return ""


def _numbers(title: str, tokens: tuple[str, ...]) -> frozenset[str]:
    # Digits are read without spaces: "CO 2" and "CO2" carry the same number.
    digits = (n.lstrip("0") for n in re.findall(r"\d+", title.replace(" ", "")))
    return frozenset([*digits, *(ROMAN[t] for t in tokens if t in ROMAN)])  # "type II" is "type 2"


def _abstract(raw: str) -> str:
    text = re.sub(r"[^0-9a-z]+", " ", fold(raw[: ABSTRACT_CHARS + 100])).strip()
    # Structured-abstract labels differ between databases ("BACKGROUND:" vs "Background"); skip them.
    text = re.sub(r"^(?:background|objective|objectives|aims?|purpose|introduction|context)\s+", "", text)
    return text[:ABSTRACT_CHARS]


def prepare(record: DedupRecord, index: int) -> Prepared:
    titles = title_variants(record.title or "")
    main = titles[0]
    authors = norm_authors(record.authors)
    journal, conference = norm_journal(record.journal)
    first, last = norm_pages(record.pages)
    volume_text = f"{record.volume} {record.issue}".lower()
    # Supplement material: a "Suppl" volume or issue, or "S"-numbered pages (which some exports keep and
    # others drop the "Suppl" note from).
    conference = conference or "suppl" in volume_text or "abstract" in volume_text or first[:1] == "s"
    abstract = _abstract(record.abstract) if record.abstract else ""
    doi = norm_doi(record.doi)
    pmid = norm_pmid(record.pmid)
    tokens = tuple(main.split())
    return Prepared(
        id=record.id,
        index=index,
        titles=titles,
        title_ns=main.replace(" ", ""),
        tokens=tokens,
        token_set=frozenset(tokens),
        numbers=_numbers(main, tokens),
        kind=_kind(main),
        generic=main in GENERIC_TITLES or len(tokens) <= 3 or len(main) < 20,
        doi=doi,
        pmid=pmid,
        year=norm_year(record.year),
        volume=norm_volume(record.volume),
        issue_numbers=frozenset(n.lstrip("0") for n in re.findall(r"\d+", record.issue)) if record.issue else _NONE,
        first_page=first,
        last_page=last,
        journal=journal,
        journal_initials="".join(t[0] for t in journal.split()),
        conference=conference,
        issn=norm_issn(record.isbn_issn) if record.isbn_issn else _NONE,
        authors=authors,
        surnames=frozenset(a.surname for a in authors),
        author_keys=frozenset(f"{a.surname} {a.initials[:1]}" for a in authors),
        name_words=frozenset(w for a in authors for w in (a.surname, *a.words)),
        abstract=abstract,
        completeness=(int(bool(abstract)), int(bool(doi)), int(bool(pmid))),
        other_methods=record.other_methods,
    )
