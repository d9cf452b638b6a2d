"""Screening simulation: replay a labelled set through the ranker and measure the work it saves.

The simulated reviewer starts from a few prior records (given, or drawn with the seed), then screens one record
at a time in the ranker's order, and the ranker is retrained every ``batch`` labels. The text features are
computed once per simulation; each retraining only refits the classifier.

Metrics (the same as ASReview reports, so figures can be compared):
- ``wss95`` = (N - n screened to reach 95% recall) / N - 0.05, where 95% recall is ceil(0.95 * n_included)
  whole records and the prior records count as screened;
- ``recall_at_10pct`` = recall after ceil(0.10 * N) records screened.
The ranked run stops once 95% recall is reached, 10% of the set is screened and the stopping procedure has
switched to its random sample: no later record can change any of the figures (the last few included records are
often outliers found near the end, so this saves most of the simulation time).

The stopping procedure (screening/ranking/stopping.py) is the one a team follows in the app: the ranked order
until :func:`switch_due`, then the records left in a random order until the recall test is met. Its result is
the records screened at the stop, the recall then reached and the work saved (the share never screened).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from screening.ranking.model import DEFAULT, Features, Ranker, RankerConfig, record_text, retrain_batch, vectorise
from screening.ranking.stopping import (
    DEFAULT_CONFIDENCE,
    DEFAULT_TARGET_RECALL,
    sequential_met,
    switch_due,
    target_met,
)

REQUIRED_COLUMNS = ("record_id", "title", "abstract", "label_included")


@dataclass(frozen=True)
class SimulationResult:
    wss95: float
    recall_at_10pct: float
    n_screened_to_95recall: int
    seconds: float
    stop: StopResult | None  # None when the simulation was asked for the ranked figures only


@dataclass(frozen=True)
class StopResult:
    """Where the stopping procedure stopped: records screened (priors, ranked phase and random sample), the recall
    then reached, the rule's target and confidence, when the random sample began, and the share not screened."""

    screened: int
    recall: float
    target_recall: float
    confidence: float
    switched_at: int
    work_saved: float


def read_dataset(path: str | Path) -> tuple[list[str], list[str], list[int]]:
    """Read a labelled CSV (record_id, title, abstract, label_included, optional keywords).

    Keywords, when present, are separated by semicolons. Returns record ids (as text), record texts and labels
    (1 included, 0 excluded). Raises ValueError naming the file and line of the first bad row.
    """
    path = Path(path)
    ids: list[str] = []
    texts: list[str] = []
    labels: list[int] = []
    # utf-8-sig: exports saved by spreadsheet programs start with a BOM, which would rename the first column.
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        seen: set[str] = set()
        for row in reader:
            line = reader.line_num
            record_id = (row["record_id"] or "").strip()
            if not record_id:
                raise ValueError(f"{path}, line {line}: empty record_id")
            if record_id in seen:
                raise ValueError(f"{path}, line {line}: duplicate record_id {record_id!r}")
            seen.add(record_id)
            label = (row["label_included"] or "").strip()
            if label not in ("0", "1"):
                raise ValueError(f"{path}, line {line}: label_included must be 0 or 1, got {label!r}")
            keywords = [k for k in (row.get("keywords") or "").split(";") if k.strip()]
            ids.append(record_id)
            texts.append(record_text(row["title"] or "", row["abstract"] or "", keywords))
            labels.append(int(label))
    if not ids:
        raise ValueError(f"{path}: no records")
    return ids, texts, labels


def simulate(
    texts: Sequence[str],
    labels_true: Sequence[int],
    *,
    prior_ids: Sequence[int | str] | None = None,
    prior_included: int = 1,
    prior_excluded: int = 1,
    seed: int = 0,
    batch: int | None = None,
    ids: Sequence[str] | None = None,
    target_recall: float = DEFAULT_TARGET_RECALL,
    confidence: float = DEFAULT_CONFIDENCE,
    features: Features | None = None,
    config: RankerConfig = DEFAULT,
    stopping: bool = True,
) -> SimulationResult:
    """Simulate prioritised screening of ``texts`` whose true labels are ``labels_true``.

    ``prior_ids`` are positions in ``texts``, or record ids when ``ids`` (the record ids of ``texts``, as
    returned by :func:`read_dataset`) is given. Without ``prior_ids``, ``prior_included`` included and
    ``prior_excluded`` excluded records are drawn at random with ``seed``. ``batch`` retrains every that many
    labels; None follows the ranker's own schedule (:func:`retrain_batch`). ``features`` may be the
    :func:`vectorise` matrix of ``texts``, computed beforehand; ``config`` is the ranker's (the benchmark compares
    several).

    Two procedures share one ranked run: the ranked order alone gives WSS@95 and recall@10%; the stopping
    procedure follows it until :func:`switch_due`, then screens the records left in a random order (drawn with
    ``seed``) until the recall test says the target is met (:mod:`screening.ranking.stopping`). Without
    ``stopping``, only the ranked figures are computed (the run ends at 95% recall and 10% screened, which is all
    they need: choosing the ranker costs several times less).
    """
    started = time.perf_counter()
    truth = np.asarray(labels_true, dtype=int)
    n = len(texts)
    if truth.shape != (n,):
        raise ValueError(f"{len(truth)} labels for {n} texts")
    if not set(np.unique(truth).tolist()) <= {0, 1}:
        raise ValueError("labels_true must be 0 or 1")
    n_included = int(truth.sum())
    if n_included == 0:
        raise ValueError("the set has no included record: recall is undefined")
    if batch is not None and batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    if ids is not None and len(ids) != n:
        raise ValueError(f"{len(ids)} record ids for {n} texts")
    if prior_included < 0 or prior_excluded < 0:
        raise ValueError("the numbers of prior records cannot be negative")
    if not 0 < target_recall < 1 or not 0 < confidence < 1:
        raise ValueError("target recall and confidence must be between 0 and 1 (exclusive)")
    rng = np.random.default_rng(seed)
    priors = _priors(truth, prior_ids, ids, prior_included, prior_excluded, rng)

    if features is None:
        features = vectorise(texts)
    elif features.shape[0] != n:
        raise ValueError(f"features has {features.shape[0]} rows for {n} texts")
    ranker = Ranker(seed=seed, config=config)
    labels: dict[int, int] = {i: int(truth[i]) for i in priors}
    unscreened = np.ones(n, dtype=bool)
    unscreened[priors] = False
    screened = [int(truth[i]) for i in priors]
    found = sum(screened)
    n_at_10pct = _percent_of(10, n)
    queue: list[int] = []
    target = _percent_of(95, n_included)
    irrelevant_run = 0
    switch: tuple[int, int, np.ndarray] | None = None  # (screened, relevant found, the urn) at the switch
    if not unscreened.any():
        switch = (len(screened), found, np.flatnonzero(unscreened))
    while unscreened.any() and (found < target or len(screened) < n_at_10pct or (stopping and switch is None)):
        if not queue:
            ranker.fit(texts, labels, features=features)
            candidates = np.flatnonzero(unscreened)
            size = batch if batch is not None else retrain_batch(len(labels))
            best = np.argsort(-ranker.scores()[candidates], kind="stable")[:size]
            queue = [int(i) for i in candidates[best]]
        record = queue.pop(0)
        labels[record] = int(truth[record])
        unscreened[record] = False
        screened.append(labels[record])
        found += labels[record]
        irrelevant_run = 0 if labels[record] else irrelevant_run + 1
        if (
            stopping
            and switch is None
            and (not unscreened.any() or switch_due(n_records=n, irrelevant_run=irrelevant_run))
        ):
            switch = (len(screened), found, np.flatnonzero(unscreened))
    wss95, recall_at_10pct, n_to_target = screening_metrics(
        screened, n_records=n, n_included=n_included, n_priors=len(priors)
    )
    stop = None
    if stopping:
        assert switch is not None
        stop = stopping_run(
            truth,
            screened_before=switch[0],
            found_before=switch[1],
            urn=switch[2],
            rng=np.random.default_rng([seed, 1]),
            target_recall=target_recall,
            confidence=confidence,
        )
    return SimulationResult(
        wss95=wss95,
        recall_at_10pct=recall_at_10pct,
        n_screened_to_95recall=n_to_target,
        seconds=time.perf_counter() - started,
        stop=stop,
    )


def stopping_run(
    truth: np.ndarray,
    *,
    screened_before: int,
    found_before: int,
    urn: np.ndarray,
    rng: np.random.Generator,
    target_recall: float,
    confidence: float,
) -> StopResult:
    """Screen the urn (the records left at the switch) in a random order until the recall test is met."""
    order = rng.permutation(urn)
    relevant = np.cumsum(truth[order])
    n_included = int(truth.sum())
    if target_met(
        urn=len(order),
        sampled=0,
        sampled_relevant=0,
        relevant_outside=found_before,
        target_recall=target_recall,
        confidence=confidence,
    ):
        sampled = 0
    else:
        # The test after every sampled record, as a team would look at the progress page after each.
        met = np.flatnonzero(
            sequential_met(
                urn=len(order),
                sampled_relevant=relevant,
                relevant_outside=found_before,
                target_recall=target_recall,
                confidence=confidence,
            )
        )
        sampled = int(met[0]) + 1 if len(met) else len(order)
    sampled_relevant = int(relevant[sampled - 1]) if sampled else 0
    found = found_before + sampled_relevant
    return StopResult(
        screened=screened_before + sampled,
        recall=found / n_included,
        target_recall=target_recall,
        confidence=confidence,
        switched_at=screened_before,
        work_saved=(len(truth) - screened_before - sampled) / len(truth),
    )


def screening_metrics(
    screened: Sequence[int], *, n_records: int, n_included: int, n_priors: int = 0
) -> tuple[float, float, int]:
    """WSS@95, recall after 10% screened and records screened to reach 95% recall.

    ``screened`` holds the true labels in screening order, the ``n_priors`` prior records first; it may stop
    once 95% recall is reached, since later records change none of the figures. The priors are
    screened together, so 95% recall is never reached before all of them are counted.
    """
    if n_included < 1:
        raise ValueError("no included record: recall is undefined")
    found = np.cumsum(screened)
    target = _percent_of(95, n_included)
    if found[-1] < target:
        raise ValueError(f"{found[-1]} of {n_included} included records screened: 95% recall not reached")
    n_to_target = max(int(np.argmax(found >= target)) + 1, n_priors)
    n_at_10pct = _percent_of(10, n_records)
    found_at_10pct = int(found[min(n_at_10pct, len(found)) - 1])
    return (n_records - n_to_target) / n_records - 0.05, found_at_10pct / n_included, n_to_target


def _percent_of(percent: int, total: int) -> int:
    """ceil(percent% of total) in integers: 0.95 * n in floating point can land a hair above a whole number."""
    return -(-percent * total // 100)


def _priors(
    truth: np.ndarray,
    prior_ids: Sequence[int | str] | None,
    ids: Sequence[str] | None,
    n_included: int,
    n_excluded: int,
    rng: np.random.Generator,
) -> list[int]:
    if prior_ids is not None:
        if ids is None:
            positions = [int(p) for p in prior_ids]
            bad = [p for p in positions if not 0 <= p < len(truth)]
            if bad:
                raise ValueError(f"prior position(s) out of range: {bad}")
        else:
            index = {str(record_id): i for i, record_id in enumerate(ids)}
            unknown = [str(p) for p in prior_ids if str(p) not in index]
            if unknown:
                raise ValueError(f"unknown prior record id(s): {', '.join(unknown)}")
            positions = [index[str(p)] for p in prior_ids]
        return list(dict.fromkeys(positions))
    included = np.flatnonzero(truth == 1)
    excluded = np.flatnonzero(truth == 0)
    if n_included > len(included) or n_excluded > len(excluded):
        raise ValueError(
            f"asked for {n_included} included and {n_excluded} excluded priors; "
            f"the set has {len(included)} and {len(excluded)}"
        )
    drawn = np.concatenate(
        [rng.choice(included, n_included, replace=False), rng.choice(excluded, n_excluded, replace=False)]
    )
    return [int(i) for i in drawn]
