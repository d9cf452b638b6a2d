"""Retraining time on synthetic records (bench/prioritisation.py)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.ranking.model import Ranker, vectorise


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
    """The retraining task's own path (screening.services.prioritisation.relevance_retrain) on n records."""
    from _setup import django_on

    django_on("reviews_bench_prioritisation")
    from django.contrib.auth.models import User

    from review.models import Record, Review, Search
    from screening.models import QueueOrder, Stage, StageOutcome, Status, Vote, VoteEvent
    from screening.ranking.features import features_path
    from screening.services.common import settings_for
    from screening.services.prioritisation import relevance_retrain
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
    features_path(review, stage).unlink(missing_ok=True)
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
