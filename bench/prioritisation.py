"""Screening prioritisation: simulate screening of the labelled sets and time a retraining on 10,000 records.

Run from the project root:
    .venv/bin/python bench/prioritisation.py [--batch 1] [--seeds 0,1,2] [--sets Cohen_2006_ADHD,...]

For every set in ../shared/corpus/screening, screening is simulated from 1 included + 1 excluded prior drawn with
each seed, retraining every --batch labels (default 1, as ASReview was run). It prints our mean WSS@95 beside
ASReview 3.0.8's default model, the difference, recall@10% and seconds; then the mean row; then the median of
five fit+score timings on 10,000 synthetic records (TF-IDF computed beforehand, as in the simulation and the
retraining task) and the one-off TF-IDF time. Prints figures and exits 0; skips when the corpus is absent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.ranking.model import Ranker, vectorise
from screening.ranking.simulate import read_dataset, simulate

CORPUS = ROOT / ".." / "shared" / "corpus" / "screening"

# Mean WSS@95 of ASReview 3.0.8's default model (seeds 0-2, 1+1 priors), from the corpus README.
ASREVIEW_WSS95 = {
    "Cohen_2006_ADHD": 0.691,
    "Kitchenham_2010": 0.699,
    "Nagtegaal_2019": 0.724,
    "Appenzeller-Herzog_2020_Wilson": 0.827,
    "Chou_2004": 0.298,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1, help="retrain every BATCH labels (default 1)")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds for the priors")
    parser.add_argument("--sets", default=",".join(ASREVIEW_WSS95), help="comma-separated set names")
    parser.add_argument("--no-timing", action="store_true", help="skip the 10,000-record timing")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]

    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS.resolve()} not found")
    else:
        simulate_sets(args.sets.split(","), seeds, args.batch)
    if not args.no_timing:
        time_retraining()
    return 0


def simulate_sets(names: list[str], seeds: list[int], batch: int) -> None:
    print(f"batch {batch}, seeds {seeds}, priors 1 included + 1 excluded")
    print(f"{'set':32s} {'N':>5s} {'incl':>4s} {'WSS@95':>7s} {'ASReview':>8s} {'diff':>7s} {'R@10%':>6s} {'s':>6s}")
    ours: list[float] = []
    theirs: list[float] = []
    recalls: list[float] = []
    total_seconds = 0.0
    for name in names:
        path = CORPUS / f"{name}.csv"
        if not path.is_file():
            print(f"{name:32s} skipped: {path.name} not found")
            continue
        _, texts, labels = read_dataset(path)
        results = [simulate(texts, labels, seed=seed, batch=batch) for seed in seeds]
        wss = statistics.mean(r.wss95 for r in results)
        recall = statistics.mean(r.recall_at_10pct for r in results)
        seconds = sum(r.seconds for r in results)
        reference = ASREVIEW_WSS95.get(name, float("nan"))
        per_seed = " ".join(f"{r.wss95:.3f}" for r in results)
        print(
            f"{name:32s} {len(texts):5d} {sum(labels):4d} {wss:7.3f} {reference:8.3f} {wss - reference:+7.3f} "
            f"{recall:6.3f} {seconds:6.1f}   per seed: {per_seed}",
            flush=True,
        )
        ours.append(wss)
        theirs.append(reference)
        recalls.append(recall)
        total_seconds += seconds
    if ours:
        mean_ours, mean_theirs = statistics.mean(ours), statistics.mean(theirs)
        print(
            f"{'mean':32s} {'':5s} {'':4s} {mean_ours:7.3f} {mean_theirs:8.3f} {mean_ours - mean_theirs:+7.3f} "
            f"{statistics.mean(recalls):6.3f} {total_seconds:6.1f}"
        )
        worst = min(o - t for o, t in zip(ours, theirs, strict=True))
        print(f"worst set difference {worst:+.3f}")


def synthetic_texts(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Abstract-length texts over a Zipf-like vocabulary; 3% of them also use a few topic words."""
    rng = np.random.default_rng(seed)
    vocabulary = np.array([f"term{i}" for i in range(12_000)])
    weights = 1.0 / np.arange(1, len(vocabulary) + 1)
    weights /= weights.sum()
    lengths = rng.integers(120, 260, size=n)
    tokens = rng.choice(len(vocabulary), size=int(lengths.sum()), p=weights)
    relevant = rng.random(n) < 0.03
    topic = np.array(["nudge", "default", "choice", "architecture", "behavioural", "intervention"])
    texts = []
    start = 0
    for i, length in enumerate(lengths):
        words = list(vocabulary[tokens[start : start + length]])
        start += length
        if relevant[i]:
            words += list(rng.choice(topic, size=8))
        texts.append(" ".join(words))
    return texts, relevant.astype(int)


def time_retraining(n: int = 10_000) -> None:
    texts, truth = synthetic_texts(n)
    started, started_cpu = time.perf_counter(), time.process_time()
    features = vectorise(texts)
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(f"\nretraining on {n:,} synthetic records ({features.shape[1]:,} TF-IDF features)")
    print(f"TF-IDF of all records, once per set (not per retraining): {wall:.2f} s (CPU time {cpu:.2f} s)")
    rng = np.random.default_rng(1)
    for n_labelled in (200, 2_000, n):
        picked = rng.choice(n, size=n_labelled, replace=False)
        labels = {int(i): int(truth[i]) for i in picked}
        labels[int(np.flatnonzero(truth == 1)[0])] = 1
        labels[int(np.flatnonzero(truth == 0)[0])] = 0
        wall_times: list[float] = []
        cpu_times: list[float] = []
        for _ in range(5):
            started, started_cpu = time.perf_counter(), time.process_time()
            Ranker(seed=0).fit(texts, labels, features=features).scores()
            wall_times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - started_cpu)
        print(
            f"fit + scores, {len(labels):6,} labelled: median of 5 {statistics.median(wall_times):.3f} s "
            f"(CPU time {statistics.median(cpu_times):.3f} s; wall time suffers when colleagues load the CPU)"
        )


if __name__ == "__main__":
    sys.exit(main())
