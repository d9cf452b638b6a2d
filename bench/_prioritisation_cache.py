"""Simulations of the labelled screening sets, cached per candidate, set and seed (bench/prioritisation.py)."""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.ranking.model import RankerConfig, vectorise
from screening.ranking.simulate import read_dataset, simulate

CORPUS = ROOT / ".." / "shared" / "corpus" / "screening"


def _seeds(text: str) -> list[int]:
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(s) for s in text.split(",")]


class Cache:
    """Simulation figures by (candidate, set, seed); the key holds the candidate's parameters, not its name."""

    def __init__(self, path: Path, *, fresh: bool) -> None:
        self.path = path
        self.data: dict[str, dict[str, float]] = {}
        if path.is_file() and not fresh:
            self.data = json.loads(path.read_text())
        self._sets: dict[str, tuple[list[str], list[int], object]] = {}

    def run(self, name: str, config: RankerConfig, seed: int, *, stop: bool = False) -> dict[str, float]:
        """The figures of one simulation. Without ``stop`` only the ranked figures (WSS@95, recall@10%), from a
        run that ends once they are known; with it, the stopping procedure's as well, from a full run (the
        stopping figures are redone when STOP_VERSION changes)."""
        key = json.dumps([asdict(config), name, seed, STOP_VERSION if stop else "ranked"])
        if key not in self.data:
            if name not in self._sets:
                _, texts, labels = read_dataset(CORPUS / f"{name}.csv")
                self._sets = {name: (texts, labels, vectorise(texts))}  # one set's matrix in memory at a time
            texts, labels, features = self._sets[name]
            result = simulate(texts, labels, seed=seed, config=config, features=features, stopping=stop)  # type: ignore[arg-type]
            figures = {
                "wss95": result.wss95,
                "recall_at_10pct": result.recall_at_10pct,
                "n": len(texts),
                "seconds": result.seconds,
            }
            if result.stop is not None:
                figures |= {
                    "stop_screened": result.stop.screened,
                    "stop_recall": result.stop.recall,
                    "stop_target": result.stop.target_recall,
                    "stop_work_saved": result.stop.work_saved,
                    "stop_switched_at": result.stop.switched_at,
                    "stop_reached": float(result.stop.recall >= result.stop.target_recall),
                }
            self.data[key] = figures
            self.path.write_text(json.dumps(self.data))
        return self.data[key]


STOP_VERSION = "5"  # bump when the stopping procedure changes, so that cached runs are redone


def _mean(runs: list[dict[str, float]], field: str) -> float:
    return statistics.mean(r[field] for r in runs)
