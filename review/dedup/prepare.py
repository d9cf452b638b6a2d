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
    # A trial's protocol and its results paper share most of their title, team and often the journal.
    (
        "protocol",
        re.compile(
            r"\b(?:study protocol|trial protocol|protocol for|a protocol|design and rationale|"
            r"rationale and design|protocol of a|protocol of the)\b"
        ),
    ),
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
# Words of titles that name a genre of serial item, in the languages the exports carry. A title made only of
# these (and filler words) is the same issue after issue ("Editorial Introduction", "Remarks from the
# Editor", "Vorwort"), so it proves nothing by itself: issue #13 lost 40 such items in one set.
_GENERIC_WORDS = """
editorial editorials editor editors editor s introduction introductory remarks remark comments comment
    commentary note notes preface foreword reply replies response letter letters erratum errata correction
    corrections corrigendum corrigenda retraction retracted notice book books review reviews index indexes
    abstracts abstract issue information contents table news announcement announcements highlights message
    president presidential chair obituary acknowledgement acknowledgements acknowledgment reviewers referees
    front matter cover masthead overview summary conclusion conclusions discussion author authors guest
    special section call papers thanks welcome letter note column essay prologue epilogue afterword digest
    update updates miscellany notices report reports meeting list titles board thank you volume volumes
    memoriam tribute farewell associate toc
    vorwort einleitung einfuhrung geleitwort editorial nachwort herausgeber
    avant propos presentation introduction preface mot redaction liminaire
    presentacion prologo prefacio introduccion carta director editorial nota
    editoriale prefazione introduzione lettera direttore
    voorwoord inleiding redactioneel redactie forord ledare inledning
    wstep slowo redakcji od apresentacao introducao prefacio carta editor editorial zu diesem heft numero este"""
GENERIC_WORDS = frozenset(_GENERIC_WORDS.split())
_GENERIC_FILLER = """the a an from to of on in for this our new and by with s de la le les du des del el los las di il
    der die das zum zur dem den van het een en y et e und do da"""
GENERIC_FILLER = frozenset(_GENERIC_FILLER.split())
ABSTRACT_CHARS = 400
# Long fields are compared by a bounded prefix, so one huge field costs no more than a normal one: no real
# title or journal name comes near these, and an author list longer than this is cut to MAX_AUTHORS anyway.
MAX_TITLE = 1000
MAX_SHORT = 300
MAX_AUTHOR_TEXT = 5000
# Preprint servers, by DOI prefix and by name: a preprint and its journal version are the same study in two
# versions, which a review setting decides (see engine.VERSIONS).
PREPRINT_DOI = ("10.1101/", "10.48550/", "10.21203/", "10.2139/", "10.20944/", "10.26434/", "10.31234/",
                "10.31219/", "10.31222/", "10.22541/", "10.36227/")  # fmt: skip
PREPRINT_VENUE = re.compile(
    r"\b(?:arxiv|biorxiv|medrxiv|chemrxiv|psyarxiv|socarxiv|ssrn|research square|preprints?|authorea|techrxiv)\b"
)
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
    generic: bool  # a genre title ("Editorial") or one too short to tell works apart
    genre: bool  # a genre title only
    preprint: bool
    doi: str
    pmid: str
    year: int | None
    volume: str
    issue: str
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


def _genre(tokens: tuple[str, ...]) -> bool:
    words = [t for t in tokens if t not in GENERIC_FILLER and not t.isdigit() and t not in ROMAN]
    return bool(words) and all(w in GENERIC_WORDS for w in words)


def _abstract(raw: str) -> str:
    text = re.sub(r"[^0-9a-z]+", " ", fold(raw[: ABSTRACT_CHARS + 100])).strip()
    # Structured-abstract labels differ between databases ("BACKGROUND:" vs "Background"); skip them.
    text = re.sub(r"^(?:background|objective|objectives|aims?|purpose|introduction|context)\s+", "", text)
    return text[:ABSTRACT_CHARS]


def prepare(record: DedupRecord, index: int) -> Prepared:
    titles = title_variants((record.title or "")[:MAX_TITLE])
    main = titles[0]
    raw_authors = record.authors
    if isinstance(raw_authors, str):
        raw_authors = raw_authors[:MAX_AUTHOR_TEXT]
    else:
        raw_authors = [str(a)[:MAX_SHORT] for a in raw_authors[: MAX_AUTHOR_TEXT // 20]]
    authors = norm_authors(raw_authors)
    journal, conference = norm_journal((record.journal or "")[:MAX_SHORT])
    first, last = norm_pages((record.pages or "")[:MAX_SHORT])
    volume_raw, issue_raw = (record.volume or "")[:MAX_SHORT], (record.issue or "")[:MAX_SHORT]
    volume_text = f"{volume_raw} {issue_raw}".lower()
    # Supplement material: a "Suppl" volume or issue, or "S"-numbered pages (which some exports keep and
    # others drop the "Suppl" note from).
    conference = conference or "suppl" in volume_text or "abstract" in volume_text or first[:1] == "s"
    abstract = _abstract(record.abstract) if record.abstract else ""  # _abstract reads a prefix only
    doi = norm_doi((record.doi or "")[:MAX_SHORT])
    pmid = norm_pmid(str(record.pmid or "")[:MAX_SHORT])
    tokens = tuple(main.split())
    genre = _genre(tokens)
    preprint = doi.startswith(PREPRINT_DOI) or bool(journal and PREPRINT_VENUE.search(journal))
    return Prepared(
        id=record.id,
        index=index,
        titles=titles,
        title_ns=main.replace(" ", ""),
        tokens=tokens,
        token_set=frozenset(tokens),
        numbers=_numbers(main, tokens),
        kind=_kind(main),
        generic=genre or main in GENERIC_TITLES or len(tokens) <= 3 or len(main) < 20,
        genre=genre or main in GENERIC_TITLES,
        preprint=preprint,
        doi=doi,
        pmid=pmid,
        year=norm_year(record.year),
        volume=norm_volume(volume_raw),
        issue=issue_raw.strip().lower(),
        issue_numbers=frozenset(n.lstrip("0") or "0" for n in re.findall(r"\d+", issue_raw)) if issue_raw else _NONE,
        first_page=first,
        last_page=last,
        journal=journal,
        journal_initials="".join(t[0] for t in journal.split()),
        conference=conference,
        issn=norm_issn(record.isbn_issn[:MAX_SHORT]) if record.isbn_issn else _NONE,
        authors=authors,
        surnames=frozenset(a.surname for a in authors),
        author_keys=frozenset(f"{a.surname} {a.initials[:1]}" for a in authors),
        name_words=frozenset(w for a in authors for w in (a.surname, *a.words)),
        abstract=abstract,
        completeness=(int(bool(abstract)), int(bool(doi)), int(bool(pmid))),
        other_methods=record.other_methods,
    )
