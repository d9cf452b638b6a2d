"""Screening prioritisation: simulate screening of the labelled sets and time a retraining on 10,000 records.

Run from the project root:
    .venv/bin/python bench/prioritisation.py [--batch 1] [--seeds 0,1,2] [--sets Cohen_2006_ADHD,...]

For every set in ../shared/corpus/screening, screening is simulated from 1 included + 1 excluded prior drawn with
each seed, retraining every --batch labels (default 1, as ASReview was run). It prints our mean WSS@95 beside
ASReview 3.0.8's default model, the difference, recall@10% and seconds; then the mean row; then the median of
five fit+score timings on 10,000 synthetic records (TF-IDF computed beforehand, as in the simulation and the
retraining task) and the one-off TF-IDF time. Prints figures and exits 0; skips when the corpus is absent.

With --app (needs PostgreSQL, see bench/_setup.py; a database of its own), it also times the app's own
retraining task path on 10,000 records of one review: labels read from the database, the TF-IDF matrix read back
from disk, fit + scores, 10,000 scores and queue keys written, and the remaining-relevant estimate; the first
run, which also builds and stores the matrix, is printed apart.
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
    parser.add_argument("--app", action="store_true", help="also time the app's retraining task path (PostgreSQL)")
    parser.add_argument("--no-sets", action="store_true", help="skip the simulations of the labelled sets")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]

    if args.no_sets:
        pass
    elif not CORPUS.is_dir():
        print(f"skipped: {CORPUS.resolve()} not found")
    else:
        simulate_sets(args.sets.split(","), seeds, args.batch)
    if not args.no_timing:
        time_retraining()
    if args.app:
        time_app_retraining()
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


def time_app_retraining(n: int = 10_000) -> None:
    """The retraining task's own path (screening.prioritisation.relevance_retrain) on one review of n records."""
    from _setup import django_on

    django_on("reviews_bench_prioritisation")
    from django.contrib.auth.models import User

    from review.models import Record, Review, Search
    from screening.models import QueueOrder, Stage, StageOutcome, Status, Vote, VoteEvent
    from screening.prioritisation import _features_path, relevance_retrain
    from screening.services.common import settings_for
    from screening.services.queue import outcomes_sync

    texts, truth = synthetic_texts(n)
    user = User.objects.create(username="bench-lead")
    review = Review.objects.create(title="Prioritisation bench", slug="prioritisation-bench", created_by=user)
    search = Search.objects.create(review=review, database="PubMed")
    Record.objects.bulk_create(
        [
            Record(review=review, search=search, position=i + 1, title=text[:80], abstract=text)
            for i, text in enumerate(texts)
        ],
        batch_size=2000,
    )
    config = settings_for(review)
    config.order_title_abstract = QueueOrder.PRIORITISED
    config.save()
    outcomes_sync(review=review)
    stage = Stage.TITLE_ABSTRACT
    _features_path(review, stage).unlink(missing_ok=True)
    record_ids = list(
        StageOutcome.objects.filter(review=review, stage=stage)
        .order_by("record_id")
        .values_list("record_id", flat=True)
    )
    rng = np.random.default_rng(1)
    print(f"\napp retraining task path on {n:,} records of one review (PostgreSQL)")
    labelled: set[int] = set()
    for n_labelled in (200, 2_000):
        # Single-reviewer votes written directly (the bench measures the retraining, not the voting).
        fresh = [i for i in rng.permutation(n) if i not in labelled][: n_labelled - len(labelled)]
        fresh += [int(np.flatnonzero(truth == 1)[0]), int(np.flatnonzero(truth == 0)[0])]
        votes = [
            Vote(
                review=review,
                record_id=record_ids[i],
                stage=stage,
                reviewer=user,
                choice="include" if truth[i] else "exclude",
            )
            for i in set(fresh) - labelled
        ]
        Vote.objects.bulk_create(votes, batch_size=2000)
        VoteEvent.objects.bulk_create(
            [
                VoteEvent(
                    review=review, record_id=v.record_id, stage=stage, reviewer=user, action="cast", choice=v.choice
                )
                for v in votes
            ],
            batch_size=2000,
        )
        StageOutcome.objects.filter(record_id__in=[v.record_id for v in votes], stage=stage).update(vote_count=1)
        labelled |= set(fresh)
        walls: list[float] = []
        cpus: list[float] = []
        for attempt in range(4):
            started, started_cpu = time.perf_counter(), time.process_time()
            run = relevance_retrain(review=review, stage=stage, force=True)
            wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
            if attempt == 0 and n_labelled == 200:
                print(f"first retraining (builds and stores the TF-IDF matrix): {wall:.2f} s (CPU {cpu:.2f} s)")
                continue
            walls.append(wall)
            cpus.append(cpu)
        unvoted = StageOutcome.objects.filter(review=review, stage=stage, status=Status.AWAITING, vote_count=0)
        estimate = run.estimated_relevant_remaining
        remaining = int(sum(truth[i] for i in range(n) if i not in labelled))
        print(
            f"retraining with {len(labelled):5,} labelled, {unvoted.count():,} scores and keys written: "
            f"median {statistics.median(walls):.2f} s over {len(walls)} (CPU {statistics.median(cpus):.2f} s); "
            f"estimated relevant remaining {'none yet' if estimate is None else f'{estimate:.1f}'}, "
            f"truth {remaining}"
        )


if __name__ == "__main__":
    sys.exit(main())
