"""Screening prioritisation in the app, the writes: retraining the relevance ranker as votes arrive, storing its
scores and ordering prioritised queues by them.

The ranker itself is pure and lives in screening/ranking/model.py; the labels it learns from are read by
screening/selectors/prioritisation.py (`stage_snapshot`, which states the label rule), its TF-IDF features are
kept by screening/ranking/features.py, and the task that runs it is screening/tasks.py.

Blinding: a record's stored score and queue key change only while nobody has voted on it at the stage. The
estimate shown beside a record therefore never reflects another reviewer's vote on that same record. A record
voted on before the ranker could score it (during the random start) gets the key -1, ahead of every scored
record, whatever the vote, so that it gets its remaining votes soon; that key says nothing about the vote.

Retraining is debounced (`relevance_retrain_soon`, called inside the vote's transaction, does no query): a task
is sent after commit on any include or maybe vote, on the first vote after RETRAIN_AFTER_SECONDS without one, and
on every RETRAIN_EVERY_VOTES-th vote in between. The last few votes of a burst wait for the next trigger; in
simulation, retraining every 5 labels instead of every one moved WSS@95 by about 0.002. The task runs one
retraining at a time per stage (a cache lock); a request arriving meanwhile is remembered and run afterwards.

Estimate of relevant records remaining: each screened record's stored score was computed before anyone voted
on it, so (score, label) pairs of screened records are out-of-sample. A one-variable logistic regression on the
logit of those scores (Platt scaling) maps current scores to probabilities, and the estimate is the sum of those
probabilities over the records nobody has voted on. It needs at least MIN_CALIBRATION labels of each class with
a stored score; before that the dashboard says so. Nothing is ever excluded by this estimate or the scores.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import TypeVar

import numpy as np
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from review.models import Review
from review.services import audit
from review.services.jobs import enqueue
from review.storage import column_update, rows_upsert
from screening.models import QueueOrder, RankerRun, RelevanceScore, Stage, StageOutcome, Status, Vote
from screening.ranking.features import stage_features
from screening.selectors import queue_key_for
from screening.selectors.prioritisation import RELEVANT_CHOICES, StageSnapshot, stage_snapshot
from screening.services.common import parse_stage, settings_for
from screening.services.queue import outcomes_sync
from screening.stopping import stopping_sample_active

# scikit-learn and scipy are imported where the ranker runs (the worker), not when a vote schedules a retraining:
# web processes then never load them.

logger = logging.getLogger(__name__)

RETRAIN_EVERY_VOTES = 10
RETRAIN_AFTER_SECONDS = 30
LOCK_SECONDS = 600  # longer than any retraining; a crashed worker's lock expires by itself
WRITE_CHUNK = 500  # rows per write transaction: a vote waits at most for one chunk of queue keys
SCORE_CHUNK = 5000  # score rows per statement (no vote waits for these rows)
MIN_CALIBRATION = 2  # labels of each class with a pre-vote score before the remaining estimate is given
VOTED_UNSCORED_KEY = -1.0  # ahead of every scored record (keys of scored records are -score, in [-1, 0])

T = TypeVar("T")


# ---- scheduling ----------------------------------------------------------------------------------------------


def _cache_key(kind: str, review_id: int, stage: str) -> str:
    return f"relevance:{kind}:{review_id}:{stage}"


def relevance_retrain_soon(*, review: Review, stage: str, choice: str = "") -> bool:
    """Ask for a retraining after the current transaction commits, if one is due; returns whether one was asked.

    Runs inside the vote's transaction and touches only the cache, never the database, so a vote costs no
    extra query and never waits for the ranker. Without a reachable cache (Redis down) only include and maybe
    votes ask for one; the broker is then usually down too, and `enqueue` survives that.
    """
    votes_key = _cache_key("votes", review.pk, stage)
    quiet_key = _cache_key("recent", review.pk, stage)
    due = choice in RELEVANT_CHOICES or cache.add(quiet_key, 1, RETRAIN_AFTER_SECONDS)
    if not due:
        try:
            due = cache.incr(votes_key) >= RETRAIN_EVERY_VOTES
        except ValueError:
            cache.set(votes_key, 1, None)
    if due:
        cache.set(votes_key, 0, None)
        cache.set(quiet_key, 1, RETRAIN_AFTER_SECONDS)
        from screening.tasks import relevance_retrain_task

        enqueue(relevance_retrain_task, review.pk, str(stage), background=True)
    return due


@transaction.atomic
def relevance_retrain_request(*, review: Review, stage: str, by: User) -> None:
    """The lead asks for a retraining now (e.g. after changing the seed); it runs in the background, and
    retrains even when no vote arrived since the last one."""
    stage = parse_stage(stage)
    audit(review=review, actor=by, action="screening.ranker_retrain_requested", stage=stage.value)
    from screening.tasks import relevance_retrain_task

    enqueue(relevance_retrain_task, review.pk, stage.value, True)


# ---- retraining ---------------------------------------------------------------------------------------------


def relevance_retrain(*, review: Review, stage: str, force: bool = False) -> RankerRun:
    """Retrain the ranker of a stage on the labels so far, store the scores of records nobody has voted on, and,
    when the stage is prioritised, their queue keys. Skipped when no vote or resolution arrived since the last
    retraining (unless `force`), so running it twice gives the same result as once.

    One retraining per stage at a time: if another is running, this one is remembered and the running one
    retrains again when it finishes.
    """
    stage = parse_stage(stage)
    lock, again = _cache_key("lock", review.pk, stage), _cache_key("again", review.pk, stage)
    if not cache.add(lock, 1, LOCK_SECONDS):
        cache.set(again, 1, LOCK_SECONDS)
        return RankerRun.objects.get_or_create(review=review, stage=stage)[0]
    try:
        run = _retrain(review=review, stage=stage, force=force)
        for _ in range(3):
            if not cache.get(again):
                break
            cache.delete(again)
            run = _retrain(review=review, stage=stage, force=False)
        return run
    finally:
        cache.delete(lock)


def relevance_reorder(*, review: Review, stage: str) -> RankerRun | None:
    """After the queue keys were recomputed in the review's plain order: if the stage is prioritised, put the
    ranker's keys back (retraining, since the seed may have changed). None when the stage is not prioritised."""
    if settings_for(review).order_for(stage) != QueueOrder.PRIORITISED:
        return None
    return relevance_retrain(review=review, stage=stage, force=True)


def _retrain(*, review: Review, stage: Stage, force: bool) -> RankerRun:
    from screening.ranking.model import Ranker

    started = time.perf_counter()
    run, _ = RankerRun.objects.get_or_create(review=review, stage=stage)
    if stage == Stage.TITLE_ABSTRACT:
        # Records imported since the stage rows were made are scored too (the queue adds their rows the same way).
        added = outcomes_sync(review=review)
        force = force or added > 0
    snapshot = stage_snapshot(review=review, stage=stage)
    unchanged = (run.last_event_id, run.last_resolution_id) == (snapshot.last_event_id, snapshot.last_resolution_id)
    if unchanged and not force and run.trained_at is not None:
        return run
    relevant = sum(snapshot.labels.values())
    irrelevant = len(snapshot.labels) - relevant
    run.last_event_id, run.last_resolution_id = snapshot.last_event_id, snapshot.last_resolution_id
    run.relevant_labels, run.irrelevant_labels = relevant, irrelevant
    if relevant == 0 or irrelevant == 0:
        # Nothing to contrast yet: the queue stays in the seeded random order, and no score is shown.
        run.save()
        return run
    config = settings_for(review)
    features = stage_features(review=review, stage=stage, record_ids=snapshot.record_ids)
    # With the features given, the ranker only counts the texts; it does not read them.
    placeholder = [""] * len(snapshot.record_ids)
    scores = Ranker(seed=config.random_seed).fit(placeholder, snapshot.labels, features=features).scores()
    run.version += 1
    run.trained_at = timezone.now()
    unvoted = [i for i in range(len(snapshot.record_ids)) if i not in snapshot.voted]
    _write_scores(review=review, stage=stage, snapshot=snapshot, rows=unvoted, scores=scores, run=run)
    if config.order_for(stage) == QueueOrder.PRIORITISED and not stopping_sample_active(review=review, stage=stage):
        # Once the stopping rule's random sample began, its order is the queue's (screening/stopping.py).
        queue_keys_from_scores(review=review, stage=stage)
    run.scored = len(unvoted)
    run.estimated_relevant_remaining = relevant_remaining_estimate(
        review=review, stage=stage, snapshot=snapshot, scores=scores
    )
    run.seconds = time.perf_counter() - started
    run.save()
    return run


def _write_scores(
    *, review: Review, stage: str, snapshot: StageSnapshot, rows: list[int], scores: np.ndarray, run: RankerRun
) -> None:
    assert run.trained_at is not None
    # Thousands of rows per retraining, one statement per chunk on PostgreSQL. Nothing a vote locks is touched here.
    for chunk in _chunks(rows, SCORE_CHUNK):
        rows_upsert(
            model=RelevanceScore,
            shared={"review": review, "stage": stage, "version": run.version, "scored_at": run.trained_at},
            per_row={"record_id": [snapshot.record_ids[i] for i in chunk], "score": [float(scores[i]) for i in chunk]},
            unique_fields=["record", "stage"],
            update_fields=["score", "version", "scored_at"],
        )


def queue_keys_from_scores(*, review: Review, stage: str) -> int:
    """Set the queue keys of a prioritised stage's awaiting records from their stored scores; returns how many
    changed. Records voted on keep their key once they have one from a score (see the module docstring)."""
    config = settings_for(review)
    scores = dict(RelevanceScore.objects.filter(review=review, stage=stage).values_list("record_id", "score"))
    has_vote = set(Vote.objects.filter(review=review, stage=stage).values_list("record_id", flat=True))
    changed: list[StageOutcome] = []
    rows = StageOutcome.objects.filter(review=review, stage=stage, status=Status.AWAITING).values_list(
        "pk", "record_id", "queue_key"
    )
    for pk, record_id, key in rows.iterator(chunk_size=5000):
        score = scores.get(record_id)
        if score is None:
            if record_id not in has_vote:
                continue  # keeps its seeded random key, after every scored record
            new_key = VOTED_UNSCORED_KEY
        else:
            new_key = queue_key_for(settings=config, stage=stage, record_id=record_id, year=None, score=score)
        if new_key != key:
            changed.append(StageOutcome(pk=pk, queue_key=new_key))
    for chunk in _chunks(changed, WRITE_CHUNK):
        # Each chunk commits on its own, so a vote on one of these records waits for at most one chunk.
        with transaction.atomic():
            column_update(model=StageOutcome, field="queue_key", rows=chunk)
    return len(changed)


def relevant_remaining_estimate(
    *, review: Review, stage: str, snapshot: StageSnapshot, scores: np.ndarray
) -> float | None:
    """Expected number of relevant records among those nobody has voted on (see the module docstring)."""
    from sklearn.linear_model import LogisticRegression

    labelled_ids = {snapshot.record_ids[i]: label for i, label in snapshot.labels.items()}
    pairs = [
        (score, labelled_ids[record_id])
        for record_id, score in RelevanceScore.objects.filter(
            review=review, stage=stage, record_id__in=list(labelled_ids)
        ).values_list("record_id", "score")
    ]
    if not pairs:
        return None
    x = _logit(np.array([score for score, _ in pairs]))
    y = np.array([label for _, label in pairs])
    if min(int(y.sum()), int(len(y) - y.sum())) < MIN_CALIBRATION:
        return None
    calibration = LogisticRegression(C=1.0).fit(x.reshape(-1, 1), y)
    unvoted = np.array([i for i in range(len(snapshot.record_ids)) if i not in snapshot.voted], dtype=np.int64)
    if len(unvoted) == 0:
        return 0.0
    probabilities = calibration.predict_proba(_logit(scores[unvoted]).reshape(-1, 1))[:, 1]
    return float(probabilities.sum())


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
