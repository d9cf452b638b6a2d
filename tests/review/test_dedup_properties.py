"""Properties of the dedup engine over generated record sets: order, repetition and decisions."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.dedup_generate import generate
from review.dedup.engine import deduplicate
from review.dedup.model import DedupRecord, DedupResult, PairDecision

# One small pool of labelled records with duplicates and traps; hypothesis picks subsets and orders of it.
POOL, TRUTH = generate(60, seed=7)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

subsets = st.lists(st.sampled_from(POOL), min_size=2, max_size=40, unique_by=lambda r: r.id)


def canonical(result: DedupResult) -> tuple[object, ...]:
    return (
        result.groups,
        result.primary,
        [(p.a, p.b, p.outcome, p.score, p.reason) for p in result.possible],
        [(p.a, p.b, p.score, p.reason) for p in result.merged_pairs],
    )


@SETTINGS
@given(records=subsets, seed=st.integers(0, 10_000))
def test_result_does_not_depend_on_record_order(records: list[DedupRecord], seed: int) -> None:
    shuffled = list(records)
    random.Random(seed).shuffle(shuffled)
    assert canonical(deduplicate(records)) == canonical(deduplicate(shuffled))


@SETTINGS
@given(records=subsets)
def test_a_second_run_changes_nothing(records: list[DedupRecord]) -> None:
    first = deduplicate(records)
    assert canonical(deduplicate(records)) == canonical(first)
    # Replaying the first run's merges as decisions (what the service stores) also changes nothing.
    replay = [PairDecision(p.a, p.b, same=True) for p in first.merged_pairs]
    assert deduplicate(records, decisions=replay).groups == first.groups


@SETTINGS
@given(records=subsets, data=st.data())
def test_same_false_is_never_violated(records: list[DedupRecord], data: st.DataObject) -> None:
    ids = [r.id for r in records]
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), min_size=1, max_size=6))
    # Aim some decisions at pairs the engine would merge, where a violation could actually happen.
    merged = deduplicate(records).merged_pairs
    pairs += [(p.a, p.b) for p in merged[:3]]
    decisions = [PairDecision(a, b, same=False) for a, b in pairs if a != b]
    result = deduplicate(records, decisions=decisions)
    group_of = {rid: n for n, group in enumerate(result.groups) for rid in group}
    for d in decisions:
        assert group_of[d.a] != group_of[d.b]
        assert not any({p.a, p.b} == {d.a, d.b} for p in result.possible)


@SETTINGS
@given(records=subsets)
def test_groups_partition_the_records_and_possible_pairs_cross_groups(records: list[DedupRecord]) -> None:
    result = deduplicate(records)
    ids = sorted(rid for group in result.groups for rid in group)
    assert ids == sorted(r.id for r in records)
    group_of = {rid: n for n, group in enumerate(result.groups) for rid in group}
    assert all(group_of[p.a] != group_of[p.b] for p in result.possible)
    assert all(result.primary[group[0]] in group for group in result.groups)


@SETTINGS
@given(records=subsets)
def test_locked_records_never_share_an_automatic_group(records: list[DedupRecord]) -> None:
    locked = {r.id for r in records[::2]}
    result = deduplicate(records, locked=locked)
    for group in result.groups:
        in_group = locked.intersection(group)
        assert len(in_group) <= 1
        if in_group:
            assert result.primary[group[0]] in in_group


def test_generated_works_are_never_merged_with_each_other() -> None:
    records, truth = generate(800, seed=11)
    result = deduplicate(records)
    impure = [g for g in result.groups if len({truth[rid] for rid in g}) > 1]
    assert impure == []
    removed = len(records) - len(result.groups)
    should_remove = len(records) - len(set(truth.values()))
    assert removed >= 0.9 * should_remove


def test_renaming_ids_renames_the_result() -> None:
    records = POOL[:30]
    renamed = [replace(r, id="x" + r.id) for r in records]
    assert [["x" + rid for rid in g] for g in deduplicate(records).groups] == deduplicate(renamed).groups
