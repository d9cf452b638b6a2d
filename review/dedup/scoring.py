"""Pair outcomes: a calibrated logistic score over generic comparison features, and the evidence of different works
that no score overrides.

The score is learnt (review/dedup/train.py) from labelled sets, never hand-tuned: its weights and its two
thresholds ("duplicate", "possible") are chosen on the training sets alone, and bench/dedup.py reports each
labelled set both in sample and left out of that choice. The features are the ones any bibliographic record
has (identifiers, title, authors, year, venue, volume, issue, pages, abstract), so they say the same thing in the
next review's records as in these.

A few facts are *barriers*: strong evidence of two works which a high score must not overrule. A pair behind one
is never merged automatically; if it scores high it goes to a person. Each barrier names its evidence.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from rapidfuzz.distance import Levenshtein

from review.dedup.compare import Features, features, title_similarity
from review.dedup.model import Outcome
from review.dedup.prepare import Prepared

__all__ = [
    "FEATURES", "VERSIONS", "Model", "Verdict", "Versions", "barriers", "decide", "pair_features", "vector",
]  # fmt: skip

# What a review does with a preprint and its journal version: one study, two records, or a person decides.
Versions = Literal["same", "separate", "possible"]
VERSIONS: tuple[Versions, ...] = ("possible", "same", "separate")

FEATURES = (
    "title", "title_95", "title_99", "doi_same", "doi_differs", "pmid_same", "year_same", "year_near",
    "year_far", "volume_same", "volume_differs", "issue_same", "issue_differs", "first_page_same", "range_same",
    "range_differs", "pages_differ", "journal_same", "journal_differs", "authors_same", "authors_differ",
    "first_author_differs", "no_authors", "abstract_same", "abstract_differs", "numbers_differ",
    "word_substituted", "generic", "conference_mismatch", "id_and_title", "barriers",
)  # fmt: skip
# Below this title similarity, and without a shared identifier, a pair is plainly two works (most candidate
# pairs end here, cheaply; the training pairs are filtered the same way).
TITLE_FLOOR = 70.0


class Verdict(NamedTuple):
    outcome: Outcome
    score: float
    reason: str
    barred: bool = False  # strong evidence of two works: never in one group without a person


@dataclass(frozen=True, slots=True)
class Model:
    weights: tuple[float, ...]
    bias: float
    duplicate: float  # probability from which a pair with no barrier merges automatically
    possible: float  # probability from which a pair goes to a person
    trained_on: tuple[str, ...] = ()

    def probability(self, x: Sequence[float]) -> float:
        z = self.bias + sum(map(operator.mul, self.weights, x))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def vector(a: Prepared, b: Prepared, f: Features, blocked: Sequence[str]) -> list[float]:
    gap = f.year_gap
    numbers_differ = a.numbers != b.numbers
    return [
        f.title / 100,
        float(f.title >= 95),
        float(f.title >= 99),
        float(f.doi == 1),
        float(f.doi == -1),
        float(f.pmid == 1),
        float(gap == 0),
        float(gap == 1),
        float(gap is not None and gap >= 2),
        float(f.volume == 1),
        float(f.volume == -1),
        float(f.issue == 1),
        float(f.issue == -1),
        float(f.pages == 1),
        float(f.page_range == 1),
        float(f.pages == 1 and f.page_range == -1),
        float(f.pages == -1),
        float(f.journal == 1),
        float(f.journal == -1),
        float(f.authors == 1),
        float(f.authors == -1),
        float(f.first_author == -1),
        float(f.authors == 0 and f.first_author == 0),
        float(f.abstract is not None and f.abstract >= 90),
        float(f.abstract is not None and f.abstract < 60),
        float(numbers_differ),
        float(f.word_swapped),
        float(a.generic or b.generic),
        float(a.conference != b.conference),
        # A shared identifier means more with the same title: one DOI covers a whole supplement of abstracts.
        float((f.doi == 1 or f.pmid == 1) and f.title >= 95),
        # The barriers are learnt from too: the pairs they stop then teach the other weights less.
        float(min(len(blocked), 3)),
    ]


def pair_features(a: Prepared, b: Prepared) -> Features | None:
    """Features of a pair worth scoring, or None when the title alone says two works."""
    title = title_similarity(a, b)
    if title < TITLE_FLOOR and not ((a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid)):
        return None
    return features(a, b, title=title)


def _same_id(a: Prepared, b: Prepared) -> bool:
    return bool((a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid))


def barriers(a: Prepared, b: Prepared, f: Features) -> list[str]:
    """Strong evidence of two different works, each unless stronger evidence (a shared identifier) says otherwise."""
    same_id = f.doi == 1 or f.pmid == 1
    found = []
    if f.doi == -1 and f.pmid != 1:
        # Two well-formed DOIs name two works: serial editorials of one volume share title, editor and first
        # page and differ only here (issue #13: 40 unique items lost by reading this as a typing error).
        found.append("different-doi")
    if not same_id:
        if f.pages == -1 or (f.page_range == -1 and not _last_page_typo(a, b, f)):
            # Whole ranges: "3-8" and "3-4" start on one page and are two items.
            found.append("different-pages")
        if f.volume == -1:
            found.append("different-volume")  # supplements numbered in the volume's place read as unknown
        if f.volume == 1 and f.issue == -1:
            found.append("different-issue")
        if f.journal == -1 and f.pages != 1:
            # One title by one team in two journals: a second publication, or one abstract at two meetings.
            found.append("different-journal")
        if f.year_gap is not None and f.year_gap >= 2:
            found.append("years-apart")
        if f.abstract is not None and f.abstract < 50 and f.pages != 1:
            # Two different abstracts: a team's two papers with near-identical titles, unless the page ties them
            # (the generated sets' word-swap traps; in the labelled sets no true pair is held back by it).
            found.append("different-abstract")
        if f.authors == -1:
            # Not one author in common ("Hansen, D." alone against a team with "Hansen, N. A."): two works.
            found.append("different-authors")
    full_match = (
        f.authors == 1 and f.journal == 1 and f.volume == 1 and f.pages == 1 and f.page_range != -1
    ) and f.issue != -1
    if (a.genre or b.genre) and not same_id and not full_match:
        # "Editorial", "Remarks from the Editor", "Vorwort": the title repeats issue after issue.
        found.append("generic-title")
    pinned = (f.pages == 1 and (f.volume == 1 or f.journal == 1)) or (f.abstract is not None and f.abstract >= 95)
    if a.numbers != b.numbers and not pinned:
        # "Part I" / "Part II", "Phase II" / "Phase III", "type 1" / "type 2": one character apart, two works.
        # Two parts never share their page or their abstract; a number lost in export does.
        found.append("title-numbers-differ")
    if not (f.pages == 1 or (f.abstract is not None and f.abstract >= 90)) and f.word_swapped:
        # "... in men" / "... in women", "mice" / "rats": a whole word swapped is another paper of the same team
        # more often than an export error, unless the page or the abstract says otherwise.
        found.append("title-word-differs")
    text_pins = f.abstract is not None and f.abstract >= 95
    tied = f.pages == 1 or text_pins or (not (a.first_page and b.first_page) and f.volume == 1 and f.journal != -1)
    if a.conference != b.conference and not tied:
        # A meeting abstract and the paper that followed are two records; databases disagree on flagging the
        # supplement, so the flag counts only when neither the page (a page missing: the volume) nor the text
        # ties the two together.
        found.append("conference-vs-article")
    return found


def _corroborated(f: Features) -> bool:
    """Does something besides the title say one work? A title alone (with a year) is thin: a record that carries
    little else is shown to a person rather than merged on the score alone."""
    if f.authors == 1 or f.doi == 1 or f.pmid == 1 or (f.abstract is not None and f.abstract >= 90):
        return True
    venue = (f.journal == 1) + (f.volume == 1) + (f.pages == 1) + (f.year_gap == 0)
    return venue >= (2 if f.authors == 0 and f.first_author == 1 else 3)


def _last_page_typo(a: Prepared, b: Prepared, f: Features) -> bool:
    """One digit of the last page mistyped ("1007-1115" / "1007-1015", "312-327" / "312-328" in sra_stroke) in an
    article that agrees on its specific title, issue and first page: a typing error, not a second item."""
    if a.generic or b.generic or f.issue != 1 or f.title < 95 or f.year_gap not in (0, None):
        return False
    return Levenshtein.distance(a.last_page, b.last_page) <= 1


def _evidence(f: Features) -> str:
    parts = [f"title {f.title:.0f}"]
    for name, value in (("doi", f.doi), ("pmid", f.pmid), ("authors", f.authors), ("journal", f.journal)):
        if value == 1:
            parts.append(name)
    if f.volume == 1:
        parts.append("volume")
    if f.pages == 1:
        parts.append("page range" if f.page_range == 1 else "first page")
    if f.year_gap == 0:
        parts.append("year")
    if f.abstract is not None and f.abstract >= 90:
        parts.append("abstract")
    return "+".join(parts)


def decide(a: Prepared, b: Prepared, model: Model, versions: Versions = "possible") -> Verdict:
    """Outcome, the calibrated probability of one work, and a reason a person can read in the log or the queue."""
    if a.kind != b.kind:
        return Verdict("distinct", 0.0, "kind-differs")  # erratum / reply / comment / protocol vs its subject
    if (not a.title_ns or not b.title_ns) and not _same_id(a, b):
        return Verdict("distinct", 0.0, "no-title")  # nothing to match safely on: the record stays unique
    f = pair_features(a, b)
    if f is None:
        return Verdict("distinct", 0.0, "title-differs")
    if f.pmid == -1:
        return Verdict("distinct", 0.0, "pmid-conflict")  # PubMed gives each work one PMID
    blocked = barriers(a, b, f)
    p = model.probability(vector(a, b, f, blocked))
    if a.preprint != b.preprint and f.title >= 90 and f.authors != -1:
        return _versions(f, p, versions)
    if p >= model.duplicate and not blocked:
        if _corroborated(f):
            return Verdict("duplicate", p, f"score {p:.3f}: {_evidence(f)}")
        return Verdict("possible", p, f"score {p:.3f}: {_evidence(f)}; nothing but the title to go on")
    if p >= model.possible and len(blocked) <= 1:
        # One barrier against a high score is worth a person's look (a DOI mistyped by one database); two or more
        # (another DOI, another page range, another issue) settle it.
        why = f"; differs: {', '.join(blocked)}" if blocked else ""
        return Verdict("possible", p, f"score {p:.3f}: {_evidence(f)}{why}", bool(blocked))
    return Verdict("distinct", p, "differs: " + ", ".join(blocked) if blocked else "low-score", bool(blocked))


def _versions(f: Features, p: float, versions: Versions) -> Verdict:
    reason = "preprint-and-journal-version"
    if versions == "separate":
        return Verdict("distinct", p, f"{reason} (review setting: separate records)", True)
    if versions == "same" and f.title >= 95 and f.authors == 1:
        return Verdict("duplicate", p, f"{reason} (review setting: versions are one study)")
    return Verdict("possible", p, reason, True)
