"""deduplicate(): normalise, block, compare, cluster; deterministic and independent of input order."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

from review.dedup.blocking import candidate_pairs
from review.dedup.cluster import Clusters
from review.dedup.model import DedupRecord, DedupResult, Outcome, PairDecision, ScoredPair
from review.dedup.parallel import compare_pairs, worker_count
from review.dedup.prepare import Prepared, prepare
from review.dedup.scoring import Model, Verdict, Versions, decide

__all__ = ["deduplicate", "natural_key"]


def natural_key(record_id: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts "r2" before "r10": ids are usually database keys, and order means import order."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", record_id) if p)


class _Comparator:
    """Pair outcomes, computed once and remembered (the clustering asks again for cross pairs)."""

    def __init__(self, prepared: Sequence[Prepared], model: Model, versions: Versions) -> None:
        self.prepared = prepared
        self.model = model
        self.versions = versions
        self.cache: dict[tuple[int, int], Verdict] = {}

    def result(self, x: int, y: int) -> Verdict:
        key = (x, y) if x < y else (y, x)
        found = self.cache.get(key)
        if found is None:
            found = decide(self.prepared[key[0]], self.prepared[key[1]], self.model, self.versions)
            self.cache[key] = found
        return found

    def outcome(self, x: int, y: int) -> Outcome:
        # A pair behind a barrier (two DOIs, two page ranges, ...) never ends up in one group through a third.
        verdict = self.result(x, y)
        return "distinct" if verdict.barred else verdict.outcome


def _primary(members: list[int], prepared: Sequence[Prepared], locked: set[int]) -> int:
    # Votes already cast belong to the locked record, so it stays; otherwise keep a copy found through databases
    # or registers over an other-methods copy (PRISMA counts the study in the branch that found it first), then
    # the most complete record (abstract, then DOI, then PMID) and, among equals, the one imported first.
    def rank(i: int) -> tuple[object, ...]:
        p = prepared[i]
        return (i not in locked, p.other_methods, tuple(-c for c in p.completeness), natural_key(p.id))

    return min(members, key=rank)


def _index_decisions(
    decisions: Sequence[PairDecision], index: dict[str, int]
) -> tuple[list[tuple[int, int]], set[tuple[int, int]]]:
    latest: dict[tuple[int, int], bool] = {}
    for d in decisions:
        if d.a not in index or d.b not in index or d.a == d.b:
            continue  # a decision about a record no longer in the review says nothing about this run
        x, y = sorted((index[d.a], index[d.b]))
        latest[(x, y)] = d.same  # decisions come oldest first: a person who changed their mind is heard last
    same = sorted(pair for pair, is_same in latest.items() if is_same)
    return same, {pair for pair, is_same in latest.items() if not is_same}


def deduplicate(
    records: Sequence[DedupRecord],
    *,
    decisions: Sequence[PairDecision] = (),
    locked: Collection[str] = (),
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    model: Model | None = None,
    versions: Versions = "possible",
) -> DedupResult:
    """Group records that are the same work.

    Only `duplicate` outcomes merge automatically; `possible` pairs between different groups are returned for
    a person. `decisions` come oldest first and the latest about a pair wins: same=True merges (unless a
    same=False decision between the two groups forbids it), same=False keeps a pair apart for good, directly
    or through any chain. A group never holds two locked records unless a person merged them, and a locked record
    is always the one kept. `progress(done, total)` is called as candidate pairs are compared. `workers`
    defaults to two processes for large runs when the platform allows (see parallel.worker_count). `model` is the
    pair score (the shipped one unless a benchmark passes one learnt without the set it runs on); `versions` is
    the review's setting for a preprint and its journal version (scoring.VERSIONS).
    """
    if model is None:
        from review.dedup.weights import MODEL

        model = MODEL
    ids = [r.id for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError("record ids must be unique")
    ordered = sorted(records, key=lambda r: r.id)
    n_workers = worker_count(len(ordered), workers)
    prepared = [prepare(r, i) for i, r in enumerate(ordered)]
    index = {p.id: p.index for p in prepared}
    locked_idx = {index[x] for x in locked if x in index}
    forced, forbidden = _index_decisions(decisions, index)

    comparator = _Comparator(prepared, model, versions)
    candidates = list(candidate_pairs(prepared))  # every later step is independent of this order
    duplicates: list[tuple[float, int, int, str]] = []
    possibles: list[tuple[float, int, int, str]] = []
    for x, y, verdict in compare_pairs(
        prepared, candidates, workers=n_workers, model=model, versions=versions, progress=progress
    ):
        comparator.cache[(x, y)] = verdict
        (duplicates if verdict.outcome == "duplicate" else possibles).append((verdict.score, x, y, verdict.reason))
    del candidates
    if progress is not None and not comparator.cache:
        progress(0, 0)

    clusters = Clusters(len(prepared), locked=locked_idx, forbidden=forbidden)
    merged: list[ScoredPair] = []
    for x, y in forced:
        if clusters.force(x, y):
            merged.append(ScoredPair(prepared[x].id, prepared[y].id, "duplicate", 1.0, "person-decided-same"))
    duplicates.sort(key=lambda t: (-t[0], t[1], t[2]))
    for score, x, y, reason in duplicates:
        if clusters.find(x) == clusters.find(y):
            continue
        refused = clusters.try_merge(x, y, comparator.outcome)
        if refused:
            # A strong pair that complete linkage or a lock kept apart is exactly what a person should see.
            possibles.append((score, x, y, f"{reason}; not merged: {refused}"))
        else:
            merged.append(ScoredPair(prepared[x].id, prepared[y].id, "duplicate", round(score, 4), reason))

    return DedupResult(
        groups=_groups(clusters, prepared),
        primary=_primaries(clusters, prepared, locked_idx),
        possible=_possible_pairs(possibles, clusters, prepared, forbidden),
        merged_pairs=sorted(merged, key=lambda p: (p.a, p.b)),
    )


def _groups(clusters: Clusters, prepared: Sequence[Prepared]) -> list[list[str]]:
    return sorted(sorted(prepared[m].id for m in members) for members in clusters.groups())


def _primaries(clusters: Clusters, prepared: Sequence[Prepared], locked: set[int]) -> dict[str, str]:
    out: dict[str, str] = {}
    for members in clusters.groups():
        key = min(prepared[m].id for m in members)
        out[key] = prepared[_primary(members, prepared, locked)].id
    return dict(sorted(out.items()))


def _possible_pairs(
    possibles: list[tuple[float, int, int, str]],
    clusters: Clusters,
    prepared: Sequence[Prepared],
    forbidden: set[tuple[int, int]],
) -> list[ScoredPair]:
    """One pair per pair of groups (the strongest), never inside a group, never one a person already split."""
    best: dict[tuple[int, int], tuple[float, int, int, str]] = {}
    for score, x, y, reason in possibles:
        rx, ry = clusters.find(x), clusters.find(y)
        if rx == ry or (x, y) in forbidden:
            continue
        key = (min(rx, ry), max(rx, ry))
        if _split_by_person(key, clusters, forbidden):
            continue
        current = best.get(key)
        if current is None or (-score, x, y) < (-current[0], current[1], current[2]):
            best[key] = (score, x, y, reason)
    pairs = [
        ScoredPair(prepared[x].id, prepared[y].id, "possible", round(score, 4), reason)
        for score, x, y, reason in best.values()
    ]
    return sorted(pairs, key=lambda p: (-p.score, p.a, p.b))


def _split_by_person(key: tuple[int, int], clusters: Clusters, forbidden: set[tuple[int, int]]) -> bool:
    a_members, b_members = clusters.members[key[0]], clusters.members[key[1]]
    return any((min(x, y), max(x, y)) in forbidden for x in a_members for y in b_members)
