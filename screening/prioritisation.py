"""Screening prioritisation in the app: retraining the relevance ranker as votes arrive, storing its scores,
ordering prioritised queues by them, and the figures the dashboard shows.

The ranker itself is pure and lives in screening/ranking/model.py; this module feeds it the review's records
and labels and writes its output.

Training labels, per record at the stage, in a blinded review: the final outcome of records decided by votes or
by the lead (included = relevant, excluded = irrelevant; "not retrieved" says nothing about relevance and is left
out). Votes on undecided records are not used: the scores, the queue order and the figures are read by every
reviewer, and until a record is decided nothing a reviewer reads may depend on another reviewer's choice on it
(issue #14: the count of relevant labels rose right after a single include on an undecided record). In an
unblinded review, where every vote is visible anyway, an undecided record's current votes count too (relevant
when any vote is include or maybe), so the ranker is not blind for most of a dual-screened stage.

Blinding: a record's stored score and queue key change only while nobody has voted on it at the stage. The
estimate shown beside a record therefore never reflects another reviewer's vote on that same record. A record
voted on before the ranker could score it (during the random start) gets the key -1, ahead of every scored
record, whatever the vote, so that it gets its remaining votes soon; that key says nothing about the vote.

Retraining is debounced (`relevance_retrain_soon`, called inside the vote's transaction, does no query): a task
is sent after commit on any include or maybe vote, on the first vote after RETRAIN_AFTER_SECONDS without one, and
on every RETRAIN_EVERY_VOTES-th vote in between. The last few votes of a burst wait for the next trigger; in
simulation, retraining every 5 labels instead of every one moved WSS@95 by about 0.002. The task runs one
retraining at a time per stage (a cache lock); a request arriving meanwhile is remembered and run afterwards.

TF-IDF features: computing them takes seconds for 10,000 records against well under a second for a
retraining, so the matrix is built once per review, stage and set of record ids and kept on disk under
MEDIA_ROOT/ranking/ (an .npz with a digest of the record ids it was built for). Workers read it back in
milliseconds; a changed set of records (an import, a deduplication) makes a new one. A record's text is assumed
not to change once imported: edits to a title or abstract reach the ranker at the next change of the set.

Estimate of relevant records remaining: each screened record's stored score was computed before anyone voted
on it, so (score, label) pairs of screened records are out-of-sample. A one-variable logistic regression on the
logit of those scores (Platt scaling) maps current scores to probabilities, and the estimate is the sum of those
probabilities over the records nobody has voted on. It needs at least MIN_CALIBRATION labels of each class with
a stored score; before that the dashboard says so. Nothing is ever excluded by this estimate or the scores.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from review.models import Record, Review
from review.services import audit
from review.services.jobs import enqueue
from review.storage import column_update, rows_upsert
from screening.models import (
    Choice,
    QueueOrder,
    RankerRun,
    RelevanceScore,
    Resolution,
    Stage,
    StageOutcome,
    Status,
    Vote,
    VoteEvent,
)
from screening.selectors import queue_key_for
from screening.services.common import parse_stage, settings_for
from screening.services.queue import outcomes_sync
from screening.stopping import stopping_sample_active

if TYPE_CHECKING:
    from screening.ranking.model import Features

# scikit-learn and scipy are imported where the ranker runs (the worker), not when a vote schedules a retraining:
# web processes then never load them.

logger = logging.getLogger(__name__)

RETRAIN_EVERY_VOTES = 10
RETRAIN_AFTER_SECONDS = 30
LOCK_SECONDS = 600  # longer than any retraining; a crashed worker's lock expires by itself
WRITE_CHUNK = 500  # rows per write transaction: a vote waits at most for one chunk of queue keys
SCORE_CHUNK = 5000  # score rows per statement (no vote waits for these rows)
MIN_CALIBRATION = 2  # labels of each class with a pre-vote score before the remaining estimate is given
FEATURES_FORMAT = "2"  # bump when vectorise() changes, so that stored matrices are rebuilt
VOTED_UNSCORED_KEY = -1.0  # ahead of every scored record (keys of scored records are -score, in [-1, 0])
RELEVANT_CHOICES = (Choice.INCLUDE, Choice.MAYBE)

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


# ---- training labels and features -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageSnapshot:
    """What one retraining sees: the stage's records (sorted by id) and their labels, read at one moment."""

    outcome_ids: list[int]
    record_ids: list[int]
    statuses: list[str]
    labels: dict[int, int]  # row index -> 1 relevant / 0 irrelevant
    voted: set[int]  # row indices of records with a vote or a final outcome
    last_event_id: int
    last_resolution_id: int


def stage_snapshot(*, review: Review, stage: str) -> StageSnapshot:
    """The stage's screenable records and training labels (see the module docstring for the label rule)."""
    # Watermarks first: a vote arriving while the rest is read is then seen again by the next retraining.
    last_event = VoteEvent.objects.filter(review=review, stage=stage).aggregate(m=Max("id"))["m"] or 0
    last_resolution = Resolution.objects.filter(review=review, stage=stage).aggregate(m=Max("id"))["m"] or 0
    rows = list(
        StageOutcome.objects.filter(
            review=review, stage=stage, record__merged_into__isnull=True, record__removed_reason=""
        )
        .order_by("record_id")
        .values_list("pk", "record_id", "status")
    )
    index = {record_id: i for i, (_, record_id, _) in enumerate(rows)}
    labels: dict[int, int] = {}
    voted = {index[r] for r in Vote.objects.filter(review=review, stage=stage).values_list("record_id", flat=True)
             if r in index}  # fmt: skip
    if not settings_for(review).blinded:
        for record_id, choice in Vote.objects.filter(review=review, stage=stage).values_list("record_id", "choice"):
            i = index.get(record_id)
            if i is not None:
                labels[i] = max(labels.get(i, 0), int(choice in RELEVANT_CHOICES))
    for i, (_, _, status) in enumerate(rows):
        if status == Status.INCLUDED:
            labels[i] = 1
        elif status == Status.EXCLUDED:
            labels[i] = 0
        elif status == Status.NOT_RETRIEVED:
            labels.pop(i, None)
        if status in (Status.INCLUDED, Status.EXCLUDED, Status.NOT_RETRIEVED):
            voted.add(i)
    return StageSnapshot(
        outcome_ids=[pk for pk, _, _ in rows],
        record_ids=[record_id for _, record_id, _ in rows],
        statuses=[status for _, _, status in rows],
        labels=labels,
        voted=voted,
        last_event_id=last_event,
        last_resolution_id=last_resolution,
    )


def _features_path(review: Review, stage: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "ranking" / f"review-{review.pk}" / f"{stage}.npz"


def _ids_key(record_ids: Sequence[int]) -> str:
    digest = hashlib.blake2b(f"{FEATURES_FORMAT}:".encode(), digest_size=16)
    digest.update(np.asarray(record_ids, dtype=np.int64).tobytes())
    return digest.hexdigest()


def stage_features(*, review: Review, stage: str, record_ids: Sequence[int]) -> Features:
    """The TF-IDF matrix of the records (rows in the order of `record_ids`), from disk when built before for
    exactly these records, otherwise built from their title, abstract and keywords and stored."""
    import scipy.sparse as sp

    from screening.ranking.model import vectorise

    path = _features_path(review, stage)
    key = _ids_key(record_ids)
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as stored:
                if str(stored["key"]) == key:
                    shape = tuple(int(n) for n in stored["shape"])
                    return sp.csr_matrix((stored["data"], stored["indices"], stored["indptr"]), shape=shape)
        except (OSError, ValueError, KeyError) as error:
            # A truncated or foreign file is only a lost cache: rebuild it.
            logger.warning("rebuilding ranking features %s: %s", path, error)
    texts = record_texts(record_ids=record_ids)
    matrix = vectorise(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.npz")
    # Uncompressed: reading back must take a fraction of the fit's time, and disk is cheaper than CPU here.
    np.savez(
        partial,
        key=np.array(key),
        shape=np.array(matrix.shape),
        data=matrix.data,
        indices=matrix.indices,
        indptr=matrix.indptr,
    )
    # Readers (another worker) see either the old file or the new one, never half of one.
    os.replace(partial, path)
    return matrix


def record_texts(*, record_ids: Sequence[int]) -> list[str]:
    """The ranker's text of each record, in the order of `record_ids`."""
    from screening.ranking.model import record_text

    found: dict[int, str] = {}
    for chunk in _chunks(record_ids, 2000):
        for pk, title, abstract, keywords in Record.objects.filter(pk__in=chunk).values_list(
            "pk", "title", "abstract", "keywords"
        ):
            words = [str(k) for k in keywords] if isinstance(keywords, list) else []
            found[pk] = record_text(title or "", abstract or "", words)
    return [found.get(pk, "") for pk in record_ids]


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


# ---- reads for pages and the API ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrioritisationSummary:
    stage: Stage
    order: str
    prioritised: bool
    version: int
    trained_at: datetime | None
    relevant_labels: int
    irrelevant_labels: int
    estimated_relevant_remaining: float | None
    screened_since_last_include: int
    unscreened: int


def relevance_of(*, record: Record, stage: str) -> RelevanceScore | None:
    """The record's stored relevance estimate at the stage (None before the ranker could score it)."""
    return RelevanceScore.objects.filter(record=record, stage=stage).first()


def screened_since_last_include(*, review: Review, stage: str) -> int:
    """Records given a vote since the latest include vote at the stage (every voted record if none yet).

    A long run without an include is what reviewers watch when deciding whether to stop screening early. In a
    blinded review only include votes on records since included count, so that the figure never moves with
    another reviewer's vote on a record still undecided (issue #14).
    """
    events = VoteEvent.objects.filter(review=review, stage=stage)
    includes = events.filter(choice=Choice.INCLUDE).exclude(action=VoteEvent.Action.WITHDRAW)
    if settings_for(review).blinded:
        decided = StageOutcome.objects.filter(review=review, stage=stage, status=Status.INCLUDED).values("record_id")
        includes = includes.filter(record_id__in=decided)
    last_include = includes.aggregate(m=Max("id"))["m"]
    cast = events.filter(action=VoteEvent.Action.CAST)
    if last_include is not None:
        cast = cast.filter(id__gt=last_include)
    return cast.values("record_id").distinct().count()


def prioritisation_summary(*, review: Review, stage: str) -> PrioritisationSummary:
    stage = parse_stage(stage)
    config = settings_for(review)
    run = RankerRun.objects.filter(review=review, stage=stage).first()
    voted = Vote.objects.filter(review=review, stage=stage).values("record_id")
    unscreened = (
        StageOutcome.objects.filter(review=review, stage=stage, status=Status.AWAITING)
        .exclude(record_id__in=voted)
        .count()
    )
    return PrioritisationSummary(
        stage=stage,
        order=config.order_for(stage),
        prioritised=config.order_for(stage) == QueueOrder.PRIORITISED,
        version=run.version if run else 0,
        trained_at=run.trained_at if run else None,
        relevant_labels=run.relevant_labels if run else 0,
        irrelevant_labels=run.irrelevant_labels if run else 0,
        estimated_relevant_remaining=run.estimated_relevant_remaining if run else None,
        screened_since_last_include=screened_since_last_include(review=review, stage=stage),
        unscreened=unscreened,
    )
