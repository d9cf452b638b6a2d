"""The plain dataclasses the engine reads and returns (the service layer maps models to and from these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal["duplicate", "possible", "distinct"]


@dataclass(slots=True, frozen=True)
class DedupRecord:
    id: str
    title: str = ""
    authors: str | list[str] = ""
    year: int | str | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    abstract: str = ""
    isbn_issn: str = ""
    source_db: str = ""
    # Found through other methods (citation searching, websites...): PRISMA counts a study where it was first
    # found through databases and registers, so a database copy is the one kept.
    other_methods: bool = False


@dataclass(slots=True, frozen=True)
class PairDecision:
    """A person's decision about two records, remembered and respected by every later run."""

    a: str
    b: str
    same: bool


@dataclass(slots=True)
class ScoredPair:
    a: str
    b: str
    outcome: Outcome
    score: float
    reason: str  # the name of the rule that decided, for the merge log and the review queue


@dataclass(slots=True)
class DedupResult:
    groups: list[list[str]]
    primary: dict[str, str]
    possible: list[ScoredPair] = field(default_factory=list)
    merged_pairs: list[ScoredPair] = field(default_factory=list)
