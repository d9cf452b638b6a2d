"""Learning the pair score from labelled sets, and leave-one-set-out.

    .venv/bin/python -m review.dedup.train ../shared/corpus/dedup/*/records.csv   # prints weights.py

Training pairs are the pairs the engine itself would score (blocking's candidates that pass the title floor),
labelled by the sets' duplicate groups. The two thresholds are read off the training pairs:
- "duplicate": above every training pair of two different works that no barrier stops (so, in sample, no
  unique record is merged away), times a safety margin in log-odds;
- "possible": the score above which a person sees a pair, set where the training sets' true duplicates that
  would otherwise be missed are still found, within a budget of pairs per record.
Nothing here runs in the app: it writes the constants in weights.py.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from review.dedup.blocking import candidate_pairs
from review.dedup.model import DedupRecord
from review.dedup.prepare import prepare
from review.dedup.scoring import FEATURES, Model, barriers, pair_features, vector

__all__ = ["LabelledPairs", "fit", "labelled_pairs"]

# Log-odds added above the highest-scoring training pair of two works that no barrier stopped, and a floor: the
# training sets hold few such pairs, so the highest of them is a weak estimate of the next set's.
MARGIN = 1.0
DUPLICATE_FLOOR = 0.9
# A person is asked about at most this many pairs per hundred records in the training sets.
POSSIBLE_BUDGET = 1.0
POSSIBLE_FLOOR = 0.5


@dataclass(slots=True)
class LabelledPairs:
    name: str
    n_records: int
    x: list[list[float]]
    same: list[bool]
    barred: list[int]  # how many barriers hold the pair back


def labelled_pairs(name: str, records: Sequence[DedupRecord], groups: dict[str, str]) -> LabelledPairs:
    ordered = sorted(records, key=lambda r: r.id)
    prepared = [prepare(r, i) for i, r in enumerate(ordered)]
    out = LabelledPairs(name, len(records), [], [], [])
    for i, j in sorted(candidate_pairs(prepared)):
        a, b = prepared[i], prepared[j]
        if a.kind != b.kind or a.preprint != b.preprint or not a.title_ns or not b.title_ns:
            continue  # decided by rules of their own, not by the score
        f = pair_features(a, b)
        if f is None or f.pmid == -1:
            continue
        blocked = barriers(a, b, f)
        out.x.append(vector(a, b, f, blocked))
        ga, gb = groups.get(a.id, a.id), groups.get(b.id, b.id)
        out.same.append(ga == gb)
        out.barred.append(len(blocked))
    return out


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def fit(sets: Iterable[LabelledPairs]) -> Model:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    sets = list(sets)
    x = np.array([row for s in sets for row in s.x], dtype=float)
    y = np.array([same for s in sets for same in s.same], dtype=int)
    n_barriers = np.array([b for s in sets for b in s.barred], dtype=int)
    barred = n_barriers > 0
    # Every set weighs the same, whatever its size: a rule learnt from one large set should not pass for general.
    weight = np.concatenate([np.full(len(s.x), 1.0 / max(1, len(s.x))) for s in sets]) * len(x) / len(sets)
    clf = LogisticRegression(C=1.0, max_iter=5000)
    clf.fit(x, y, sample_weight=weight)
    weights = tuple(round(float(w), 4) for w in clf.coef_[0])
    bias = round(float(clf.intercept_[0]), 4)
    model = Model(weights, bias, 1.0, 1.0)
    p = np.array([model.probability(row) for row in x])
    worst_other = max(
        (float(v) for v, same, bar in zip(p, y, barred, strict=True) if not same and not bar), default=0.5
    )
    duplicate = max(DUPLICATE_FLOOR, _sigmoid(_logit(worst_other) + MARGIN))
    # The possible band: the lowest threshold that keeps the pairs a person sees within the budget.
    n_records = sum(s.n_records for s in sets)
    budget = int(n_records * POSSIBLE_BUDGET / 100)
    asked = ((p < duplicate) | barred) & (n_barriers <= 1)  # what the possible band could put before a person
    below = sorted((float(v) for v in p[asked]), reverse=True)
    possible = below[budget] if len(below) > budget else (below[-1] if below else 0.5)
    possible = min(max(possible, POSSIBLE_FLOOR), duplicate)
    return Model(weights, bias, round(duplicate, 6), round(possible, 6), tuple(s.name for s in sets))


def load_set(path: Path) -> tuple[str, list[DedupRecord], dict[str, str]]:
    import csv

    from review.dedup.io import read_file

    records = read_file(path)
    with open(path, newline="", encoding="utf-8") as handle:
        groups = {row["record_id"]: row["dup_group"] for row in csv.DictReader(handle)}
    return path.parent.name, records, groups


def render(model: Model) -> str:
    rows = "\n".join(f"        {w!r},  # {name}" for name, w in zip(FEATURES, model.weights, strict=True))
    trained_on = ", ".join(json.dumps(name) for name in model.trained_on)
    return (
        '"""The shipped pair model, written by `python -m review.dedup.train` from the sets named below."""\n\n'
        "from review.dedup.scoring import Model\n\n"
        "MODEL = Model(\n    weights=(\n"
        f"{rows}\n    ),\n    bias={model.bias!r},\n    duplicate={model.duplicate!r},\n"
        f"    possible={model.possible!r},\n    trained_on=({trained_on}),\n)\n"
    )


def main(paths: Sequence[str]) -> None:
    sets = [labelled_pairs(*load_set(Path(p))) for p in paths]
    print(render(fit(sets)), end="")


if __name__ == "__main__":
    main(sys.argv[1:])
