"""The switch from ranked screening to the random sample, chosen by leave-one-set-out (bench/prioritisation.py)."""

from __future__ import annotations

import json
import math
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _prioritisation_cache import CORPUS, Cache

from screening.ranking.model import DEFAULT, Ranker, retrain_batch, vectorise
from screening.ranking.simulate import _priors, read_dataset, stopping_run
from screening.ranking.stopping import SWITCH_RUN_MIN, SWITCH_RUN_SHARE, knee_ratio


def _run_rule(share: float, minimum: int) -> Callable[[np.ndarray, int], bool]:
    def due(labels: np.ndarray, n: int) -> bool:
        found_at = np.flatnonzero(labels)
        run = len(labels) - (int(found_at[-1]) + 1 if len(found_at) else 0)
        return run >= max(minimum, math.ceil(share * n))

    return due


def _knee_rule(ratio: float | None) -> Callable[[np.ndarray, int], bool]:
    """The knee method; ratio None is the paper's own 156 - min(relevant found, 150)."""

    def due(labels: np.ndarray, n: int) -> bool:
        found = int(labels.sum())
        if len(labels) < 150 or found == 0:
            return False
        return knee_ratio(labels) >= (156 - min(found, 150) if ratio is None else ratio)

    return due


# Candidate switch rules (screening/ranking/stopping.py): a run of irrelevant ranked records of a share of the set
# (with a floor), and the knee method of Cormack & Grossman (2016).
SWITCH_CANDIDATES: dict[str, Callable[[np.ndarray, int], bool]] = {
    **{
        f"run {share:.1%} of the set, >= {minimum}": _run_rule(share, minimum)
        for share in (0.05, 0.075, 0.10, 0.15, 0.20, 0.30)
        for minimum in (50, 100)
    },
    **{f"knee, ratio {ratio}, >= 150 screened": _knee_rule(ratio) for ratio in (6, 10, 15)},
    "knee, ratio 156 - min(found, 150)": _knee_rule(None),
}


def ranked_order(cache: Cache, name: str, seed: int) -> list[int]:
    """The shipped ranker's screening order of a set until every relevant record is found (priors first)."""
    key = json.dumps([asdict(DEFAULT), name, seed, "order"])
    if key not in cache.data:
        _, texts, labels = read_dataset(CORPUS / f"{name}.csv")
        truth = np.asarray(labels)
        features = vectorise(texts)
        priors = _priors(truth, None, None, 1, 1, np.random.default_rng(seed))
        ranker = Ranker(seed=seed, config=DEFAULT)
        known = {i: int(truth[i]) for i in priors}
        unscreened = np.ones(len(truth), dtype=bool)
        unscreened[priors] = False
        order, found = list(priors), int(truth[priors].sum())
        queue: list[int] = []
        while found < truth.sum():
            if not queue:
                ranker.fit(texts, known, features=features)
                candidates = np.flatnonzero(unscreened)
                best = np.argsort(-ranker.scores()[candidates], kind="stable")[: retrain_batch(len(known))]
                queue = [int(i) for i in candidates[best]]
            record = queue.pop(0)
            known[record] = int(truth[record])
            unscreened[record] = False
            order.append(record)
            found += known[record]
        cache.data[key] = order  # type: ignore[assignment]
        cache.path.write_text(json.dumps(cache.data))
    return cache.data[key]  # type: ignore[return-value]


def switch_rule(sets: list[str], seeds: list[int], cache: Cache) -> None:
    """Leave-one-set-out over SWITCH_CANDIDATES on the work saved at the stop. The ranked order does not depend on
    the switch, so one ranked run per set and seed (to the last relevant record) serves every rule: the switch
    point is found on it and the random sample is then drawn exactly as in simulate()."""
    print(f"\nswitch rule by leave-one-set-out on the work saved at the stop, shipped ranker, seeds {seeds}")
    saved: dict[str, dict[str, float]] = {rule: {} for rule in SWITCH_CANDIDATES}
    reached: list[bool] = []
    for name in sets:
        truth = np.asarray(read_dataset(CORPUS / f"{name}.csv")[2])
        n = len(truth)
        for rule, due in SWITCH_CANDIDATES.items():
            works = []
            for seed in seeds:
                order = ranked_order(cache, name, seed)
                labels = np.concatenate([truth[order], np.zeros(n - len(order), dtype=truth.dtype)])
                switch = next((i for i in range(3, n + 1) if due(labels[:i], n)), n)
                screened = np.zeros(n, dtype=bool)
                screened[order[:switch]] = True
                # Past the last relevant record the ranked records are all irrelevant: which ones does not matter.
                urn = np.flatnonzero(~screened)[max(0, switch - len(order)) :]
                stop = stopping_run(
                    truth,
                    screened_before=switch,
                    found_before=int(labels[:switch].sum()),
                    urn=urn,
                    rng=np.random.default_rng([seed, 1]),
                    target_recall=0.95,
                    confidence=0.95,
                )
                works.append(stop.work_saved)
                reached.append(stop.recall >= 0.95)
            saved[rule][name] = statistics.mean(works)
    for rule in SWITCH_CANDIDATES:
        row = " ".join(f"{saved[rule][n]:.3f}" for n in sets)
        print(f"  {rule:36s} work saved per set: {row}  mean {statistics.mean(saved[rule].values()):.3f}")
    left_out = []
    for name in sets:
        others = [n for n in sets if n != name]
        chosen = max(SWITCH_CANDIDATES, key=lambda r: statistics.mean(saved[r][n] for n in others))
        left_out.append(saved[chosen][name])
        print(f"  left out {name:32s} {saved[chosen][name]:.3f}  chosen without it: {chosen}")
    in_sample = max(SWITCH_CANDIDATES, key=lambda r: statistics.mean(saved[r].values()))
    print(
        f"left-out mean work saved {statistics.mean(left_out):.3f}; chosen on all sets: {in_sample} "
        f"(shipped: run {SWITCH_RUN_SHARE:.1%} of the set, >= {SWITCH_RUN_MIN}); "
        f"target reached in {statistics.mean(reached):.1%} of {len(reached)} rule x run pairs"
    )
