"""Candidate generation: which pairs are worth comparing at all.

Several independent keys, so that a record with a typo in one field or a missing field still meets its
duplicates through another: identifiers, sorted neighbourhoods over the title (forwards and reversed, so a typo
at either end is survived), rare title words, first author + year, and venue + volume + first page.
A key shared by more records than BLOCK_CAP does not pair all of them: its members are sorted by title and
only neighbours within WINDOW are paired, which keeps the number of comparisons roughly linear.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from review.dedup.prepare import Prepared

__all__ = ["candidate_pairs"]

WINDOW = 4
BLOCK_CAP = 8
RARE_TOKENS = 3
MIN_TOKEN = 4


def _pairs_in_block(members: list[int], titles: Sequence[str], out: set[tuple[int, int]]) -> None:
    if len(members) < 2:
        return
    if len(members) <= BLOCK_CAP:
        ordered = sorted(members)
        for i, x in enumerate(ordered):
            for y in ordered[i + 1 :]:
                out.add((x, y))
        return
    _window(sorted(members, key=lambda m: (titles[m], m)), out)


def _window(ordered: Sequence[int], out: set[tuple[int, int]], width: int = WINDOW) -> None:
    for i, x in enumerate(ordered):
        for y in ordered[i + 1 : i + 1 + width]:
            out.add((x, y) if x < y else (y, x))


def _blocks(records: Sequence[Prepared]) -> Iterable[list[int]]:
    keyed: dict[tuple[str, ...], list[int]] = defaultdict(list)
    doc_freq = Counter(t for r in records for t in set(r.tokens) if len(t) >= MIN_TOKEN)
    for r in records:
        i = r.index
        if r.doi:
            keyed[("doi", r.doi)].append(i)
        if r.pmid:
            keyed[("pmid", r.pmid)].append(i)
        if r.authors and r.year is not None:
            surname = r.authors[0].surname
            # Two keys per record so that an ahead-of-print year and the issue year (+-1) still meet.
            keyed[("au", surname, str(r.year))].append(i)
            keyed[("au", surname, str(r.year + 1))].append(i)
        if r.first_page and (r.volume or r.journal_initials):
            keyed[("venue", r.journal_initials[:4], r.volume, r.first_page)].append(i)
        rare = sorted({t for t in r.tokens if len(t) >= MIN_TOKEN}, key=lambda t: (doc_freq[t], t))[:RARE_TOKENS]
        for a_pos, a in enumerate(rare):
            for b in rare[a_pos + 1 :]:
                keyed[("tok", *sorted((a, b)))].append(i)
        if len(r.titles) > 1:
            for alt in r.titles[1:]:
                keyed[("alt", alt.replace(" ", "")[:40])].append(i)
            keyed[("alt", r.title_ns[:40])].append(i)
    # Members were appended in index order, so each block (and the union of their pairs) is the same
    # whatever order the records arrived in.
    yield from keyed.values()


def candidate_pairs(records: Sequence[Prepared]) -> set[tuple[int, int]]:
    """Index pairs (i < j) into `records` worth comparing; `records[i].index == i` is assumed."""
    titles = [r.title_ns for r in records]
    out: set[tuple[int, int]] = set()
    for members in _blocks(records):
        _pairs_in_block(members, titles, out)
    by_title = sorted(range(len(records)), key=lambda i: (titles[i], i))
    _window(by_title, out)
    by_reversed = sorted(range(len(records)), key=lambda i: (titles[i][::-1], i))
    _window(by_reversed, out)
    return out
